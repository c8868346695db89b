"""Small SVG charts for the reports, drawn directly (no plotting library, fonts from the page's CSS).

`bar_chart(rows, …)` draws horizontal bars, one per (label, value), with an optional reference
value per row drawn as a tick (a target) and a vertical rule (e.g. the 60-point pass line).
The SVG is inlined in the HTML; WeasyPrint draws it as vectors in the PDF.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

FONT = "Noto Sans CJK SC, Noto Sans CJK, sans-serif"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    reference: float | None = None  # e.g. the target, drawn as a tick
    note: str = ""  # printed after the bar, e.g. "92.5" or "35 %"


def bar_chart(
    rows: Sequence[Bar],
    *,
    title: str = "",
    rules: Sequence[float] = (),
    width: int = 640,
    bar_height: int = 16,
    label_width: int = 170,
    colour: str = "#2f7d4a",
) -> str:
    """A horizontal bar chart as an SVG string; the axis runs from 0 to the largest value or reference."""
    top = 24 if title else 6
    height = top + len(rows) * (bar_height + 8) + 8
    scale_max = max([r.value for r in rows] + [r.reference or 0.0 for r in rows] + list(rules) + [1e-9])
    plot = width - label_width - 70

    def x(v: float) -> float:
        return label_width + max(v, 0.0) / scale_max * plot

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" class="chart" role="img" font-family="{FONT}">'
    ]
    if title:
        parts.append(f'<text x="0" y="15" font-size="13" font-weight="bold">{escape(title)}</text>')
    for i, r in enumerate(rows):
        y = top + i * (bar_height + 8)
        parts.append(
            f'<text x="{label_width - 6}" y="{y + bar_height - 4}" font-size="11" text-anchor="end">'
            f"{escape(r.label)}</text>"
        )
        parts.append(
            f'<rect x="{label_width}" y="{y}" width="{x(r.value) - label_width:.1f}" height="{bar_height}" '
            f'fill="{colour}"/>'
        )
        if r.reference is not None:
            xr = x(r.reference)
            parts.append(
                f'<line x1="{xr:.1f}" y1="{y - 2}" x2="{xr:.1f}" y2="{y + bar_height + 2}" '
                'stroke="#c0392b" stroke-width="2"/>'
            )
        if r.note:
            parts.append(
                f'<text x="{x(max(r.value, r.reference or 0.0)) + 4:.1f}" y="{y + bar_height - 4}" '
                f'font-size="11">{escape(r.note)}</text>'
            )
    for v in rules:
        parts.append(
            f'<line x1="{x(v):.1f}" y1="{top - 4}" x2="{x(v):.1f}" y2="{height - 4}" stroke="#888" '
            'stroke-dasharray="3,3"/>'
        )
    parts.append("</svg>")
    return "".join(parts)
