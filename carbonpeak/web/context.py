"""Per-request context of a page: language, user, settings; and rendering an HTML page or its JSON twin.

Language: `?lang=en|zh` (remembered in the `lang` cookie), else the cookie, else the settings'
default (zh). JSON twin: the path ending in `.json`, or `?format=json`; it is the page's model,
dumped as JSON, and answers to the same role checks as the page.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from pydantic import BaseModel

from carbonpeak.i18n import normalise_language, t
from carbonpeak.settings import Settings
from carbonpeak.web import numbers

WEB_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = WEB_DIR / "templates"
LANG_COOKIE = "lang"

NAV = (
    "overview",
    "inventory",
    "indicators",
    "projection",
    "decomposition",
    "tasks",
    "projects",
    "reporting",
    "enterprises",
    "budget",
    "metering",
)


@dataclass
class WebContext:
    request: Request
    settings: Settings
    lang: str
    user: Any = None  # the signed-in user (carbonpeak.auth), or None
    remember_lang: bool = False
    csrf_token: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def query(self, name: str) -> str | None:
        value = self.request.query_params.get(name)
        return value if value not in (None, "") else None

    def query_int(self, name: str) -> int | None:
        value = self.query(name)
        try:
            return int(value) if value is not None else None
        except ValueError:
            return None

    def wants_json(self) -> bool:
        return self.request.url.path.endswith(".json") or self.request.query_params.get("format") == "json"

    def url_with(self, **params: str | None) -> str:
        """The current page's URL with `params` replaced (None removes one)."""
        query = dict(self.request.query_params)
        for k, v in params.items():
            if v is None:
                query.pop(k, None)
            else:
                query[k] = v
        path = self.request.url.path.removesuffix(".json")
        return path + (f"?{urlencode(query)}" if query else "")

    def json_url(self) -> str:
        query = {k: v for k, v in self.request.query_params.items() if k != "lang"}
        path = self.request.url.path.removesuffix(".json")
        if self.request.method != "GET":  # a form's answer: the twin of the page the form belongs to
            path, query = "/" + path.strip("/").split("/")[0], {}
        path += ".json"
        return path + (f"?{urlencode(query)}" if query else "")


def anonymous_context(request: Request) -> WebContext:
    """The request's context before its user is known (session.web_context adds the user)."""
    settings: Settings = request.app.state.settings
    asked = request.query_params.get("lang")
    lang = normalise_language(asked or request.cookies.get(LANG_COOKIE) or settings.language)
    return WebContext(request=request, settings=settings, lang=lang, remember_lang=bool(asked))


def _pick(obj: Any, name: str, lang: str) -> str:
    """`obj.name_zh` or `obj.name_en` (dicts and models alike), falling back to zh."""

    def get(key: str) -> Any:
        return obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)

    return str(get(f"{name}_{lang}") or get(f"{name}_zh") or get(name) or "")


_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]{3,}")


def quoted(text: Any) -> Markup:
    """A text recorded in the data (a source citation, a reported narrative) shown as it was recorded,
    marked with its language so a reader (and the language checks) knows it is a quote, not a label:
    Chinese `zh-CN`, English `en`, both `und` (a mixed citation)."""
    value = "" if text is None else str(text)
    han, latin = bool(_HAN.search(value)), bool(_LATIN.search(value))
    lang = "und" if han and latin else ("zh-CN" if han else "en")
    return Markup('<span class="quoted" lang="{}">{}</span>').format(lang, value)


SOURCE_KEYS = {
    "database: approved submissions": "web.source.approved",
    "demo+store": "web.source.demo_store",
    "store": "web.source.store",
    "demo": "web.source.demo",
}


def source_label(value: str | None, lang: str) -> Markup:
    """Where a page's figures came from, in the page's language: a known origin by its label, a
    snapshot by its id, anything else quoted as recorded."""
    if not value:
        return Markup("")
    if value in SOURCE_KEYS:
        return Markup.escape(t(SOURCE_KEYS[value], lang))
    if value.startswith("snapshot "):
        return Markup("{} <code>{}</code>").format(t("web.lineage.snapshot", lang), value.split(" ", 1)[1])
    return quoted(value)


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    env = templates.env
    env.filters["num"] = lambda v, lang="zh", digits=3: numbers.format_number(v, lang, digits=digits)
    env.filters["qty"] = lambda v, unit, lang="zh", digits=3: numbers.format_quantity(
        v, unit, lang, digits=digits
    )
    env.filters["pct"] = lambda v, lang="zh", digits=3: numbers.format_percent(v, lang, digits=digits)
    env.filters["unit"] = lambda u, lang="zh": numbers.unit_label(u, lang)
    env.filters["quoted"] = quoted
    env.filters["source_label"] = lambda v, lang="zh": source_label(v, lang)
    from carbonpeak.web.charts import grid_name

    env.filters["grid_name"] = grid_name
    env.globals["NAV"] = NAV
    from carbonpeak.web.charts import table_of

    env.globals["chart_table"] = table_of
    from carbonpeak.web.assets import asset_url

    env.globals["asset"] = asset_url
    return templates


def render(
    ctx: WebContext,
    templates: Jinja2Templates,
    template: str,
    model: BaseModel,
    *,
    title: str,
    nav: str | None = None,
    charts: Callable[[Any, str], dict[str, Any]] | None = None,
    status: int = 200,
) -> Response:
    """The page as HTML, or its model as JSON when the JSON twin was asked for. An anonymous page
    whose model is the very object rendered before (a page built once per snapshot:
    services/pages/snapshot_cache.py) is answered with that rendering, not rendered again."""
    if ctx.wants_json():
        return JSONResponse(model.model_dump(mode="json"), status_code=status)
    lang = ctx.lang
    key = (template, lang, title, nav, ctx.request.url.path, ctx.request.url.query)
    shared = ctx.user is None and status == 200  # nothing of one user's in the page
    if shared:
        with _RENDERED_LOCK:
            hit = _RENDERED.get(key)
        if hit is not None and hit[0] is model:
            cached = HTMLResponse(hit[1])
            remember(ctx, cached)
            return cached

    def _(key: str, **values: object) -> str:
        return t(key, lang, **values)

    context = {
        "ctx": ctx,
        "page": model,
        "lang": lang,
        "_": _,
        "pick": lambda obj, name="name": _pick(obj, name, lang),
        "title": title,
        "nav": nav,
        "charts": charts(model, lang) if charts else {},
    }
    response: Response = templates.TemplateResponse(ctx.request, template, context, status_code=status)
    if shared:
        with _RENDERED_LOCK:
            if len(_RENDERED) >= _RENDERED_SIZE:
                _RENDERED.clear()
            _RENDERED[key] = (model, bytes(response.body))
    remember(ctx, response)
    return response


# anonymous renderings by (template, language, title, menu item, path, query): the model they were
# rendered from (kept, so an `is` check cannot be fooled by a reused id) and the HTML
_RENDERED: dict[tuple[str | None, ...], tuple[BaseModel, bytes]] = {}
_RENDERED_LOCK = threading.Lock()
_RENDERED_SIZE = 256


def remember(ctx: WebContext, response: Response) -> None:
    if ctx.remember_lang:
        response.set_cookie(LANG_COOKIE, ctx.lang, max_age=365 * 24 * 3600, samesite="lax", httponly=True)


def html_error(
    ctx: WebContext,
    templates: Jinja2Templates,
    status: int,
    message_key: str,
    problems: list[Any] | None = None,
) -> HTMLResponse:
    lang = ctx.lang
    context = {
        "ctx": ctx,
        "lang": lang,
        "_": lambda key, **v: t(key, lang, **v),
        "pick": lambda obj, name="name": _pick(obj, name, lang),
        "title": t("web.error.title", lang),
        "nav": None,
        "charts": {},
        "status": status,
        "message": t(message_key, lang),
        "problems": problems or [],
    }
    response: HTMLResponse = templates.TemplateResponse(
        ctx.request, "error.html", context, status_code=status
    )
    return response
