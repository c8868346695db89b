"""ECharts options built from page models: `charts.tasks(page, lang)` → {chart id: option}.

Options are plain JSON, embedded in the page and handed to `echarts.setOption` by static/js/app.js.
JSON cannot hold functions, so formatters are named by a sentinel string the script replaces:
`"@num"` (万/亿 or thousands, numbers.format_number's rules), `"@pct"` (a 0–1 share as %),
`"@year"` (a year, without thousands separators).
Every value axis carries its unit as the axis name. A chart with no data is left out; the page
shows its empty state instead.
"""

from __future__ import annotations

from typing import Any

from carbonpeak.i18n import t
from carbonpeak.services import pages
from carbonpeak.services.pages.common import FanPoint, Point
from carbonpeak.web.numbers import emissions_display, tonnes_per, unit_label

PALETTE = [
    "#1f6f5c",
    "#d9822b",
    "#3b6fb6",
    "#b8483e",
    "#7a5ea8",
    "#3f9b8f",
    "#c2a12f",
    "#6b7b8c",
    "#9c5b7d",
    "#4f8f3a",
]
STATUS_COLOURS = {
    "on_track": "#2e8540",
    "achieved": "#1f6f5c",
    "at_risk": "#d9822b",
    "off_track": "#b8483e",
    "completed": "#1f6f5c",
    "in_progress": "#3b6fb6",
    "delayed": "#b8483e",
    "not_started": "#8a96a3",
    "no_data": "#c5cdd5",
}


def _label(obj: Any, lang: str, name: str = "label") -> str:
    def get(key: str) -> Any:
        return obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)

    return str(get(f"{name}_{lang}") or get(f"{name}_zh") or get("key") or "")


def _base(lang: str) -> dict[str, Any]:
    return {
        "color": PALETTE,
        "animation": False,  # pages are read, not watched; and screenshots must be complete at once
        "textStyle": {"fontFamily": "inherit"},
        "tooltip": {"trigger": "axis", "valueFormatter": "@num"},
        "grid": {"left": 8, "right": 24, "top": 64, "bottom": 30, "containLabel": True},
    }


def _value_axis(
    unit: str | None, lang: str, *, fmt: str = "@num", horizontal: bool = False, **extra: Any
) -> dict[str, Any]:
    """A value axis named by its unit: above a vertical axis, centred under a horizontal one."""
    place = {"nameLocation": "middle", "nameGap": 26} if horizontal else {"nameTextStyle": {"align": "left"}}
    return {
        "type": "value",
        "name": t("web.chart.unit", lang, unit=unit_label(unit, lang)) if unit else "",
        **place,
        "axisLabel": {"formatter": fmt},
        **extra,
    }


def _emissions(option: dict[str, Any], unit: str | None, lang: str, axis: str = "yAxis") -> dict[str, Any]:
    """`option` with emissions in their display unit (numbers.emissions_display, chosen by the largest
    value, stacked series summed): every value on the value axis scaled and the axis named by the
    unit, so the unit is said once (no "1.8万" under "万吨"). Other units: `option` unchanged."""
    per = tonnes_per(unit)
    series = option.get("series") or []
    if per is None or not series:
        return option

    def y(d: Any) -> float:
        v = d[1] if isinstance(d, list | tuple) else d
        return float(v) if isinstance(v, int | float) else 0.0

    stacks: dict[object, dict[int, float]] = {}
    for k, s in enumerate(series):
        level = stacks.setdefault(s.get("stack", k), {})
        for i, d in enumerate(s.get("data") or []):
            level[i] = level.get(i, 0.0) + abs(y(d))
    largest = max((v for level in stacks.values() for v in level.values()), default=0.0)
    div, label = emissions_display(largest * per, lang)
    f = per / div

    def scaled(d: Any) -> Any:
        if isinstance(d, list | tuple) and len(d) == 2 and isinstance(d[1], int | float):
            return [d[0], round(d[1] * f, 6)]
        return round(d * f, 6) if isinstance(d, int | float) else d

    for s in series:
        s["data"] = [scaled(d) for d in s.get("data") or []]
    option[axis] = {**option[axis], "name": t("web.chart.unit", lang, unit=label)}
    return option


def _year_axis(lang: str) -> dict[str, Any]:
    """Years on a value axis, printed as years (2030, not 2,030)."""
    return {
        "type": "value",
        "min": "dataMin",
        "max": "dataMax",
        "minInterval": 1,
        "name": t("common.year", lang),
        "nameLocation": "middle",
        "nameGap": 26,
        "axisLabel": {"formatter": "@year"},
    }


def _category_axis(values: list[Any], name: str = "", **extra: Any) -> dict[str, Any]:
    return {
        "type": "category",
        "data": values,
        "name": name,
        "nameLocation": "middle",
        "nameGap": 26,
        **extra,
    }


def _legend() -> dict[str, Any]:
    return {"type": "scroll", "top": 0}


# -- pages -----------------------------------------------------------------------------------


def tasks(page: pages.TasksPage, lang: str) -> dict[str, Any]:
    if not page.programmes:
        return {}
    names = [_label(p, lang, "name") for p in page.programmes]
    statuses = ["completed", "in_progress", "delayed", "not_started", "no_data"]
    series = []
    for s in statuses:
        counts = [sum(1 for r in p.tasks if (r.status or "no_data") == s) for p in page.programmes]
        if any(counts):
            series.append(
                {
                    "name": t(f"web.status.{s}", lang),
                    "type": "bar",
                    "stack": "tasks",
                    "data": counts,
                    "itemStyle": {"color": STATUS_COLOURS[s]},
                    "barMaxWidth": 22,
                }
            )
    option = _base(lang) | {
        "legend": _legend(),
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "xAxis": _value_axis("个", lang, horizontal=True, minInterval=1),
        "yAxis": _category_axis(names, inverse=True, axisLabel={"width": 150, "overflow": "truncate"}),
        "series": series,
    }
    return {"tasks-by-programme": option}


def projects(page: pages.ProjectsPage, lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if page.shown_categories:  # the projects shown: the chart follows the filters
        cats = page.shown_categories[:15]
        out["projects-by-category"] = _base(lang) | {
            "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
            "xAxis": _value_axis("个", lang, horizontal=True, minInterval=1),
            "yAxis": _category_axis([_label(c, lang) for c in cats], inverse=True),
            "series": [
                {
                    "type": "bar",
                    "name": t("web.count", lang),
                    "data": [c.count for c in cats],
                    "barMaxWidth": 18,
                }
            ],
        }
    totals = [r for r in page.totals if r.target_value]
    if totals:
        # each target has its own unit: show coverage (planned ÷ target) on one axis, values in the tooltip
        names = [f"{_label(r, lang, 'name')} ({r.target_year})" for r in totals]
        out["projects-vs-targets"] = _base(lang) | {
            "legend": _legend(),
            "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}, "valueFormatter": "@pct"},
            "xAxis": _value_axis("%", lang, fmt="@pct", horizontal=True),
            "yAxis": _category_axis(names, inverse=True, axisLabel={"width": 160, "overflow": "truncate"}),
            "series": [
                {
                    "type": "bar",
                    "name": t("web.projects.planned", lang),
                    "data": [round(r.planned / r.target_value, 4) for r in totals if r.target_value],
                    "barMaxWidth": 18,
                    "markLine": {"symbol": "none", "data": [{"xAxis": 1}], "label": {"formatter": "100%"}},
                }
            ],
        }
    return out


def indicator(page: pages.IndicatorPage, lang: str) -> dict[str, Any]:
    """The observed series and the trajectory to target, on the series' unit. The plan's own base and
    target values are drawn only when the plan states them in that unit (a reduction target in %
    judged on an intensity series is not)."""
    target = page.target
    # the unit of the series drawn (a reduction target's series is an intensity, not its %)
    observed_unit = next((o.unit for o in page.observations if o.unit), None)
    unit = observed_unit or target.series_unit or target.unit
    points: list[tuple[int, float]] = [(o.year, o.value) for o in page.observations]
    trajectory: list[tuple[int, float]] = [(p.year, p.value) for p in page.trajectory if p.value is not None]
    if not trajectory and target.unit == unit:
        plan_points = [(target.base_year, target.base_value)] + [
            (m.target_year, m.target_value) for m in page.milestones
        ]
        trajectory = sorted((y, v) for y, v in plan_points if y is not None and v is not None)
    out = _non_fossil_lines(page, lang)
    if not points and not trajectory:
        return out
    series: list[dict[str, Any]] = []
    if points:
        series.append(
            {"name": t("web.indicators.observed", lang), "type": "line", "data": points, "symbolSize": 7}
        )
    if trajectory:
        series.append(
            {
                "name": t("web.indicators.trajectory", lang),
                "type": "line",
                "data": trajectory,
                "lineStyle": {"type": "dashed"},
                "symbol": "diamond",
                "symbolSize": 7,
            }
        )
    required = _required_path(page, points, trajectory)
    if required:
        series.append(
            {
                "name": t("web.indicators.required_path", lang),
                "type": "line",
                "data": required,
                "lineStyle": {"type": "dotted", "width": 2},
                "symbol": "circle",
                "symbolSize": 5,
            }
        )
    option = _base(lang) | {
        "legend": _legend(),
        "xAxis": _year_axis(lang),
        "yAxis": _value_axis(unit, lang, scale=True),
        "series": series,
    }
    return out | {"indicator-series": _emissions(option, unit, lang)}


def _required_path(
    page: pages.IndicatorPage, points: list[tuple[int, float]], trajectory: list[tuple[int, float]]
) -> list[tuple[int, float]]:
    """From the latest observed value to the goal in the target year (the trajectory's end), when the
    target is not met yet: the path the remaining years require."""
    target = page.target
    if not points or not trajectory or target.status == "achieved":
        return []
    (ly, lv), (gy, gv) = points[-1], trajectory[-1]
    if gy != target.target_year or gy <= ly:
        return []
    return [(ly, lv), (gy, gv)]


def _non_fossil_lines(page: pages.IndicatorPage, lang: str) -> dict[str, Any]:
    """The non-fossil share under each crediting convention (the one the indicator counts drawn solid)."""
    view = page.non_fossil
    if view is None or not view.years:
        return {}
    series = [
        {
            "name": t(f"web.non_fossil.line.{line.key}", lang, grid=grid_name(line.grid, lang)),
            "type": "line",
            "data": [[y, v] for y, v in zip(view.years, line.values, strict=True)],
            "symbolSize": 5,
            "lineStyle": {"width": 3} if line.key == view.convention else {"type": "dashed"},
        }
        for line in view.lines
    ]
    return {
        "non-fossil-lines": _base(lang)
        | {"legend": _legend(), "xAxis": _year_axis(lang), "yAxis": _value_axis("%", lang), "series": series}
    }


def _fan_series(fan: list[FanPoint], lang: str) -> list[dict[str, Any]]:
    """A 90 % band as two stacked areas (p5, then p95 − p5) and the median line."""
    if not fan:
        return []
    return [
        {
            "name": "p5",
            "type": "line",
            "stack": "band",
            "data": [(f.year, f.p5) for f in fan],
            "lineStyle": {"opacity": 0},
            "symbol": "none",
            "tooltip": {"show": False},
        },
        {
            "name": t("web.projection.band", lang),
            "type": "line",
            "stack": "band",
            "data": [(f.year, f.p95 - f.p5) for f in fan],
            "lineStyle": {"opacity": 0},
            "symbol": "none",
            "areaStyle": {"color": "rgba(217,130,43,0.25)"},
            "tooltip": {"show": False},
        },
        {
            "name": t("web.projection.median", lang),
            "type": "line",
            "data": [(f.year, f.p50) for f in fan],
            "symbol": "none",
            "lineStyle": {"color": "#d9822b", "width": 2},
            "itemStyle": {"color": "#d9822b"},
        },
    ]


def _history_and_fan(history: list[Point], fan: list[FanPoint], unit: str, lang: str) -> dict[str, Any]:
    series = [
        {
            "name": t("web.projection.history", lang),
            "type": "line",
            "data": [(p.year, p.value) for p in history],
            "symbolSize": 5,
            "lineStyle": {"color": "#1f6f5c", "width": 2},
            "itemStyle": {"color": "#1f6f5c"},
        },
        *_fan_series(fan, lang),
    ]
    option = _base(lang) | {
        "legend": {**_legend(), "data": [s["name"] for s in series if s["name"] != "p5"]},
        "xAxis": _year_axis(lang),
        "yAxis": _value_axis(unit, lang, scale=True),
        "series": series,
    }
    return _emissions(option, unit, lang)


def overview(page: pages.OverviewPage, lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if page.history or page.fan:
        out["overview-history"] = _history_and_fan(page.history, page.fan, page.emissions_unit, lang)
    for code, points in page.sparklines.items():
        if len(points) >= 2:
            out[f"spark-{code}"] = {
                "animation": False,
                "grid": {"left": 2, "right": 2, "top": 4, "bottom": 4},
                "xAxis": {"type": "category", "show": False, "data": [p.year for p in points]},
                "yAxis": {"type": "value", "show": False, "scale": True},
                "series": [
                    {
                        "type": "line",
                        "data": [p.value for p in points],
                        "symbol": "none",
                        "lineStyle": {"width": 2, "color": "#1f6f5c"},
                        "areaStyle": {"opacity": 0.1},
                    }
                ],
            }
    return out


def inventory(page: pages.InventoryPage, lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for chart_id, rows in (("inventory-by-sector", page.by_sector), ("inventory-by-fuel", page.by_fuel)):
        if rows and page.years:
            out[chart_id] = _base(lang) | {
                "legend": _legend(),
                "xAxis": _category_axis(page.years, t("common.year", lang)),
                "yAxis": _value_axis(page.unit, lang),
                "series": [
                    {
                        "name": _label(s, lang),
                        "type": "bar",
                        "stack": "total",
                        "data": list(s.values),
                        "barMaxWidth": 28,
                    }
                    for s in rows
                ],
            }
            out[chart_id] = _emissions(out[chart_id], page.unit, lang)
    if page.flows:

        def name(key: str, suffix: str) -> str:
            label = page.labels.get(f"group:{key}", {})
            return f"{label.get(lang) or label.get('zh') or key}{suffix}"

        # a fuel kind and a sector group may share a label: the sector side gets a trailing space
        nodes = {name(f.source, "") for f in page.flows} | {name(f.target, " ") for f in page.flows}
        out["inventory-sankey"] = {
            "animation": False,
            "tooltip": {"trigger": "item", "valueFormatter": "@num"},
            "series": [
                {
                    "type": "sankey",
                    "left": 8,
                    "right": 140,
                    "top": 8,
                    "bottom": 8,
                    "nodeGap": 8,
                    "emphasis": {"focus": "adjacency"},
                    "lineStyle": {"color": "gradient", "opacity": 0.4},
                    "data": [{"name": n} for n in sorted(nodes)],
                    "links": [
                        {"source": name(f.source, ""), "target": name(f.target, " "), "value": f.value}
                        for f in page.flows
                        if f.value > 0
                    ],
                }
            ],
        }
    return out


def projection(page: pages.ProjectionPage, lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if page.history or page.fan:
        out["projection-fan"] = _history_and_fan(page.history, page.fan, page.unit, lang)
    if page.peak_years:
        out["projection-histogram"] = _base(lang) | {
            "tooltip": {"trigger": "axis", "valueFormatter": "@pct"},
            "xAxis": _category_axis([p.year for p in page.peak_years], t("common.year", lang)),
            "yAxis": _value_axis("%", lang, fmt="@pct"),
            "series": [
                {
                    "type": "bar",
                    "name": t("web.projection.share", lang),
                    "data": [p.value for p in page.peak_years],
                    "barMaxWidth": 24,
                }
            ],
        }
    if page.probabilities:
        out["projection-probabilities"] = _base(lang) | {
            "tooltip": {"trigger": "axis", "valueFormatter": "@pct"},
            "xAxis": _category_axis([p.year for p in page.probabilities], t("common.year", lang)),
            "yAxis": _value_axis("%", lang, fmt="@pct", max=1),
            "series": [
                {
                    "type": "line",
                    "step": "end",
                    "showSymbol": False,
                    "name": t("web.projection.cumulative", lang),
                    "data": [p.value for p in page.probabilities],
                }
            ],
        }
    if page.tornado:
        bars = page.tornado[:12]
        out["projection-tornado"] = _base(lang) | {
            "legend": _legend(),
            "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}, "valueFormatter": "@pct"},
            "xAxis": _value_axis("%", lang, fmt="@pct", horizontal=True, min=0, max=1),
            "yAxis": _category_axis(
                [_label(b, lang) for b in bars],
                inverse=True,
                axisLabel={"width": 150, "overflow": "truncate"},
            ),
            "series": [
                {
                    "type": "bar",
                    "name": t("web.projection.driver_low", lang),
                    "data": [b.low for b in bars],
                    "barMaxWidth": 12,
                },
                {
                    "type": "bar",
                    "name": t("web.projection.driver_high", lang),
                    "data": [b.high for b in bars],
                    "barMaxWidth": 12,
                },
            ],
        }
    if page.wedges and page.wedge_years:
        out["projection-wedges"] = _base(lang) | {
            "legend": _legend(),
            "xAxis": _category_axis(page.wedge_years, t("common.year", lang), boundaryGap=False),
            "yAxis": _value_axis(page.unit, lang),
            "tooltip": {"trigger": "axis", "valueFormatter": "@num"},
            "series": [
                {
                    "type": "line",
                    "stack": "wedges",
                    "areaStyle": {},
                    "symbol": "none",
                    "name": _label(w, lang),
                    "data": list(w.values),
                }
                for w in page.wedges
            ],
        }
        out["projection-wedges"] = _emissions(out["projection-wedges"], page.unit, lang)
    return out


def decomposition(page: pages.DecompositionPage, lang: str) -> dict[str, Any]:
    if not page.effects or page.start_value is None or page.end_value is None:
        return {}
    # a waterfall: an invisible base bar lifts each effect to where the previous one ended
    labels = [
        t("web.decomposition.start", lang),
        *[_label(e, lang) for e in page.effects],
        t("web.decomposition.end", lang),
    ]
    base, rise, fall = [0.0], [page.start_value], [0.0]
    level = page.start_value
    for e in page.effects:
        v = e.value or 0.0
        low = level + min(v, 0.0)
        base.append(low)
        rise.append(v if v > 0 else 0.0)
        fall.append(-v if v < 0 else 0.0)
        level += v
    base.append(0.0)
    rise.append(page.end_value)
    fall.append(0.0)
    return {
        "decomposition-waterfall": _emissions(
            _waterfall(labels, base, rise, fall, page.unit, lang), page.unit, lang
        )
    }


def _waterfall(
    labels: list[str], base: list[float], rise: list[float], fall: list[float], unit: str | None, lang: str
) -> dict[str, Any]:
    return _base(lang) | {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}, "valueFormatter": "@num"},
        "xAxis": _category_axis(labels, axisLabel={"interval": 0, "rotate": 30}),
        "yAxis": _value_axis(unit, lang),
        "series": [
            {
                "type": "bar",
                "stack": "w",
                "data": base,
                "itemStyle": {"color": "transparent"},
                "tooltip": {"show": False},
                "name": "base",
            },
            {
                "type": "bar",
                "stack": "w",
                "data": rise,
                "itemStyle": {"color": "#b8483e"},
                "name": "+",
                "barMaxWidth": 36,
            },
            {
                "type": "bar",
                "stack": "w",
                "data": fall,
                "itemStyle": {"color": "#2e8540"},
                "name": "−",
                "barMaxWidth": 36,
            },
        ],
    }


LEVEL_COLOURS = {1: "#b8483e", 2: "#d9822b", 3: "#1f6f5c"}  # 一级 red, 二级 orange, 三级 green


def budget(page: Any, lang: str) -> dict[str, Any]:
    """The monthly nowcast with its backtest band (± the city's backtest RMSE), and the districts'
    year-to-date execution coloured by warning level."""
    out: dict[str, Any] = {}
    if page.nowcast:
        span = [round(h - lo, 2) for h, lo in zip(page.band_high, page.band_low, strict=True)]
        out["budget-nowcast"] = _base(lang) | {
            "legend": _legend(),
            "xAxis": _category_axis(page.months),
            "yAxis": _value_axis(page.unit, lang, scale=True),
            "dataZoom": [{"type": "inside", "startValue": max(0, len(page.months) - 48)}],
            "series": [
                {
                    "type": "line",
                    "data": page.band_low,
                    "stack": "band",
                    "symbol": "none",
                    "lineStyle": {"opacity": 0},
                    "tooltip": {"show": False},
                },
                {
                    "type": "line",
                    "name": t("web.budget.band", lang),
                    "data": span,
                    "stack": "band",
                    "symbol": "none",
                    "itemStyle": {"color": "#8fbfb2"},
                    "lineStyle": {"opacity": 0},
                    "areaStyle": {"color": "#1f6f5c", "opacity": 0.18},
                },
                {
                    "type": "line",
                    "name": t("web.budget.nowcast_series", lang),
                    "data": page.nowcast,
                    "symbol": "none",
                    "lineStyle": {"color": PALETTE[0]},
                },
            ],
        }
    if page.districts:
        rows = sorted(page.districts, key=lambda d: d.execution_ratio)
        out["budget-districts"] = _base(lang) | {
            "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
            "grid": {"left": 8, "right": 24, "top": 24, "bottom": 30, "containLabel": True},
            "yAxis": _category_axis([_label(d, lang, "name") for d in rows]),
            "xAxis": {"type": "value", "min": 0.9, "axisLabel": {"formatter": "{value}"}},
            "series": [
                {
                    "type": "bar",
                    "data": [
                        {"value": round(d.execution_ratio, 4), "itemStyle": {"color": LEVEL_COLOURS[d.level]}}
                        for d in rows
                    ],
                    "markLine": {
                        "symbol": "none",
                        "data": [{"xAxis": 1.0}],
                        "lineStyle": {"color": "#6b7b8c"},
                    },
                }
            ],
        }
    return out


def task(page: Any, lang: str) -> dict[str, Any]:
    """A task's figure per period (supervision/progress.py), 0–100 %, coloured by its status."""
    if not page.periods:
        return {}
    return {
        "task-progress": _base(lang)
        | {
            "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
            "xAxis": _category_axis([p.period for p in page.periods]),
            "yAxis": _value_axis("%", lang, min=0, max=100),
            "series": [
                {
                    "type": "bar",
                    "name": t("web.tasks.progress", lang),
                    "data": [
                        {"value": p.percent, "itemStyle": {"color": STATUS_COLOURS.get(p.status, PALETTE[0])}}
                        for p in page.periods
                    ],
                    "barMaxWidth": 36,
                    "label": {"show": True, "position": "top"},
                }
            ],
        }
    }


def table_of(option: dict[str, Any], lang: str = "zh") -> dict[str, Any] | None:
    """The data of a chart as a table (the chart's text alternative): one row per category (or x
    value), one column per named series; a Sankey chart as its flows. None for a chart whose data
    cannot be laid out so. Values are the chart's own (in the unit its axis names)."""
    from carbonpeak.web.numbers import format_number

    series = [
        s
        for s in option.get("series") or []
        if (s.get("data") is not None or s.get("links"))
        and (s.get("itemStyle") or {}).get("color") != "transparent"  # a waterfall's invisible base
    ]
    if not series:
        return None

    def show(v: Any) -> str:
        if isinstance(v, dict):
            v = v.get("value")
        if isinstance(v, list | tuple):
            v = v[-1] if v else None
        return format_number(v, lang) if isinstance(v, int | float) and not isinstance(v, bool) else "—"

    if series[0].get("type") == "sankey":
        links = series[0].get("links") or []
        return {
            "head": [t("web.chart.from", lang), t("web.chart.to", lang), t("common.value", lang)],
            "rows": [[str(k.get("source")), str(k.get("target")), show(k.get("value"))] for k in links],
            "unit": "",
        }
    axes = [option.get("xAxis"), option.get("yAxis")]
    category = next((a for a in axes if isinstance(a, dict) and a.get("type") == "category"), None)
    value_axis = next(
        (a for a in axes if isinstance(a, dict) and a.get("type") == "value" and a is not category), None
    )
    unit = (
        (value_axis or {}).get("name", "")
        if category is not None
        else (option.get("yAxis") or {}).get("name", "")
    )
    names = [str(s.get("name") or "") for s in series]
    if category is not None:
        labels = [str(c) for c in category.get("data") or []]
        rows = [
            [label, *(show((s["data"] or [])[i]) if i < len(s["data"] or []) else "—" for s in series)]
            for i, label in enumerate(labels)
        ]
        return {"head": ["", *names], "rows": rows, "unit": unit}
    # [x, y] pairs (years on a value axis): one row per x; a line stacked on another (a band drawn as
    # lower bound + width) is shown as the upper bound it draws
    xs: dict[Any, list[str]] = {}
    level: dict[tuple[object, Any], float] = {}
    for k, s in enumerate(series):
        stack = s.get("stack") if s.get("type") == "line" else None
        if stack is not None and any(key[0] == stack for key in level):
            names[k] = f"{names[k]} · {t('web.chart.upper', lang)}"
        for d in s.get("data") or []:
            if isinstance(d, list | tuple) and len(d) >= 2:
                y = d[1]
                if stack is not None and isinstance(y, int | float):
                    y = level[(stack, d[0])] = level.get((stack, d[0]), 0.0) + y
                xs.setdefault(d[0], ["—"] * len(series))[k] = show(y)
    if not xs:
        return None
    return {
        "head": ["", *names],
        "rows": [[str(x), *vals] for x, vals in sorted(xs.items(), key=lambda kv: kv[0])],
        "unit": unit,
    }


def grid_name(code: str | None, lang: str) -> str:
    """A grid (山东, CN, 华北 …) by its name in `lang` (catalogue `grid.<code>`), else as coded."""
    if not code:
        return ""
    name = t(f"grid.{code}", lang)
    return code if name == f"grid.{code}" else name
