/* carbonpeak pages: initialise every ECharts chart from the JSON embedded beside it.
 * A chart is <div data-chart="ID"> with <script type="application/json" id="ID">option</script>.
 * The sentinel strings "@num", "@pct" and "@year" become formatters (see carbonpeak/web/charts.py). */
(function () {
  "use strict";
  var lang = document.body.getAttribute("data-lang") || "zh";

  function significant(v, digits) {
    if (v === 0) return "0";
    var mag = Math.floor(Math.log10(Math.abs(v)));
    var decimals = Math.max(0, digits - 1 - mag);
    var text = v.toFixed(decimals);
    if (text.indexOf(".") >= 0) text = text.replace(/0+$/, "").replace(/\.$/, "");
    return text === "-0" ? "0" : text;
  }
  function grouped(text) {
    var parts = text.split(".");
    parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return parts.join(".");
  }
  /* mirrors carbonpeak.web.numbers.format_number */
  function formatNumber(v, digits) {
    if (v === null || v === undefined || typeof v !== "number" || !isFinite(v)) return "—";
    digits = digits || 3;
    var steps = lang === "zh" ? [[1e12, "万亿"], [1e8, "亿"], [1e4, "万"]] : [[1e9, " bn"], [1e6, " M"]];
    for (var i = 0; i < steps.length; i++) {
      if (Math.abs(v) >= steps[i][0]) {
        var text = significant(v / steps[i][0], digits);
        if (lang === "zh" && Math.abs(parseFloat(text)) >= 1e4 && steps[i][1] !== "万亿") {
          return formatNumber(parseFloat(text) * steps[i][0], digits);
        }
        return (lang === "zh" ? text : grouped(text)) + steps[i][1];
      }
    }
    var plain = significant(v, digits);
    return lang === "zh" ? plain : grouped(plain);
  }
  function formatShare(v) {
    if (v === null || v === undefined || !isFinite(v)) return "—";
    return significant(v * 100, 3) + "%";
  }
  function valueOf(v) { return Array.isArray(v) ? v[v.length - 1] : v; }
  var FORMATTERS = {
    "@num": function (v) { return formatNumber(valueOf(v)); },
    "@pct": function (v) { return formatShare(valueOf(v)); },
    "@year": function (v) { return String(valueOf(v)); }
  };
  function resolve(node) {
    if (Array.isArray(node)) { node.forEach(resolve); return node; }
    if (node && typeof node === "object") {
      Object.keys(node).forEach(function (k) {
        var v = node[k];
        if (typeof v === "string" && FORMATTERS[v] && (k === "formatter" || k === "valueFormatter")) node[k] = FORMATTERS[v];
        else resolve(v);
      });
    }
    return node;
  }
  var charts = [];
  var loading = false;
  /* ECharts is loaded by the page only when it has charts; content swapped in by htmx may bring the
   * first chart, and then the script is fetched (its content-hash URL is on <body data-echarts>). */
  function loadEcharts() {
    if (loading) return;
    loading = true;
    var s = document.createElement("script");
    s.src = document.body.getAttribute("data-echarts");
    s.onload = function () { initCharts(document); };
    document.head.appendChild(s);
  }
  function initCharts(root) {
    var nodes = (root || document).querySelectorAll("[data-chart]");
    if (nodes.length && typeof echarts === "undefined") { loadEcharts(); return; }
    Array.prototype.forEach.call(nodes, function (el) {
      if (el.getAttribute("data-drawn")) return;
      var source = document.getElementById(el.getAttribute("data-chart"));
      if (!source || typeof echarts === "undefined") return;
      var option = resolve(JSON.parse(source.textContent));
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option);
      el.setAttribute("data-drawn", "1");
      charts.push(chart);
    });
  }
  window.cpFormat = { number: formatNumber, share: formatShare };
  var timer = null;
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      charts = charts.filter(function (c) { return !c.isDisposed() && document.body.contains(c.getDom()); });
      charts.forEach(function (c) { c.resize(); });
    }, 120);
  });
  document.addEventListener("DOMContentLoaded", function () { initCharts(document); });
  // the swapped-in content replaces its target, so look at the whole document (drawn charts are skipped)
  document.addEventListener("htmx:afterSettle", function () { initCharts(document); });
})();
