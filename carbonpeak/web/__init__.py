"""Web pages (Jinja2 + htmx + ECharts). install_web(app, settings) mounts them."""
