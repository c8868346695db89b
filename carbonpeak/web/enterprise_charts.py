"""ECharts options of the enterprise pages (the conventions of web/charts.py)."""

from __future__ import annotations

from typing import Any

from carbonpeak import units
from carbonpeak.i18n import t
from carbonpeak.web.charts import PALETTE, _base, _value_axis

GRADE_COLOURS = ["#1f6f5c", "#4f8f3a", "#c2a12f", "#d9822b", "#b8483e", "#c5cdd5"]


def enterprises_charts(page: Any, lang: str) -> dict[str, Any]:
    if not page.grade_counts:
        return {}
    labels = [t("web.enterprises.grade_n", lang, n=g) for g in range(1, 6)] + [
        t("web.enterprises.not_graded", lang)
    ]
    option = {
        **_base(lang),
        "xAxis": {"type": "category", "data": labels},
        "yAxis": _value_axis(t("web.enterprises.count", lang), lang),
        "series": [
            {
                "type": "bar",
                "data": [
                    {"value": v, "itemStyle": {"color": GRADE_COLOURS[i]}}
                    for i, v in enumerate(page.grade_counts)
                ],
                "label": {"show": True, "position": "top"},
            }
        ],
    }
    return {"enterprise-grades": option}


def enterprise_charts(page: Any, lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if page.trend:
        out["enterprise-trend"] = {
            **_base(lang),
            "legend": {"top": 0},
            "xAxis": {"type": "category", "data": [str(p.year) for p in page.trend]},
            "yAxis": [
                _value_axis("万tCO2", lang),
                _value_axis("tCO2/万元", lang, position="right", splitLine={"show": False}),
            ],
            "series": [
                {
                    "name": t("web.enterprises.co2", lang),
                    "type": "bar",
                    "data": [round(units.convert(p.co2_t, "tCO2", "万tCO2"), 4) for p in page.trend],
                    "itemStyle": {"color": PALETTE[0]},
                },
                {
                    "name": t("web.enterprises.intensity", lang),
                    "type": "line",
                    "yAxisIndex": 1,
                    "data": [None if p.intensity is None else round(p.intensity, 4) for p in page.trend],
                    "itemStyle": {"color": PALETTE[1]},
                },
            ],
        }
    if page.monthly:
        out["enterprise-monthly"] = {
            **_base(lang),
            "xAxis": {"type": "category", "data": [str(p.month) for p in page.monthly]},
            "yAxis": _value_axis("万tCO2", lang),
            "series": [
                {
                    "type": "bar",
                    "data": [round(units.convert(p.co2_t, "tCO2", "万tCO2"), 4) for p in page.monthly],
                }
            ],
        }
    if page.peers_k:
        out["enterprise-peers"] = {
            **_base(lang),
            "tooltip": {"trigger": "item"},
            "xAxis": {"type": "category", "data": [str(i + 1) for i in range(len(page.peers_k))]},
            "yAxis": _value_axis(None, lang, name="K"),
            "series": [
                {
                    "type": "bar",
                    "data": [
                        {
                            "value": round(k, 4),
                            "itemStyle": {"color": PALETTE[1] if i == page.position else "#c5cdd5"},
                        }
                        for i, k in enumerate(page.peers_k)
                    ],
                    "markLine": {
                        "symbol": "none",
                        "data": [{"yAxis": b} for b in (0.6, 0.8, 1.2, 2.0)],
                        "lineStyle": {"type": "dashed"},
                    },
                }
            ],
        }
    return out
