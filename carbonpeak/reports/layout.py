"""Column widths of a report table so that it fits the page and no column is narrower than its header.

    text_width(text)                  estimated width of a line of text in em (CJK 1 em, Latin 0.35–0.95 em)
    table_layout(columns, cells, …)   TableLayout: column shares of the table width, page orientation
                                      (portrait, or landscape when the columns' minimum widths do not
                                      fit the portrait text width) and the font size in pt

The minimum width of a column is its header on one line (headers never wrap, so a header such as
目标年 is never broken one character per line) or, for a number column, its widest number (numbers
never wrap). What is left of the page is shared in proportion to how much wider each column's
content would like to be. When even the landscape text width cannot hold the minimum widths, the
font shrinks until it can (never below 6 pt). Widths are estimates from character classes, with a
margin; the PDF test (tests/reports/test_report_layout.py) checks the outcome with pdftotext.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

PORTRAIT_MM = 210.0 - 2 * 14.0  # A4 text width with the template's 14 mm side margins
LANDSCAPE_MM = 297.0 - 2 * 14.0
PT_PER_MM = 72.0 / 25.4
FONT_PT = 8.5  # the template's table font size
MIN_FONT_PT = 6.0
PADDING_EM = 1.6  # cell padding (2 × 4 pt) and borders, with a margin, in em of the table font
TEXT_CAP_EM = 28.0  # a text column never asks for more than this (it wraps)
TEXT_MIN_EM = 4.0  # nor gets less than this, or its header (so 存在风险 is not broken either)


def _char_width(ch: str) -> float:
    if unicodedata.east_asian_width(ch) in "WF":
        return 1.0
    if ch in "MWmw@%":
        return 0.95
    if ch.isupper():
        return 0.72
    if ch in " .,:;'|!il":
        return 0.35
    return 0.6


def text_width(text: str) -> float:
    """Width of `text` on one line, in em: wide (CJK, full-width) characters 1 em, Latin 0.35–0.95 em
    by letter class (Noto Sans, with a margin)."""
    return sum(_char_width(ch) for ch in text)


@dataclass(frozen=True)
class TableLayout:
    shares: tuple[float, ...]  # fraction of the table width per column; they sum to 1
    landscape: bool
    font_pt: float

    def percent(self, i: int) -> str:
        return f"{100 * self.shares[i]:.2f}%"


def table_layout(
    columns: Sequence[str], cells: Sequence[Sequence[str]], numeric: Sequence[bool]
) -> TableLayout:
    """Layout of a table with header `columns`, formatted `cells` (rows of strings) and which columns
    hold numbers (never wrapped)."""
    n = len(columns)
    if n == 0:
        return TableLayout((), False, FONT_PT)
    minimum: list[float] = []
    desired: list[float] = []
    for i, header in enumerate(columns):
        widest = max((text_width(row[i]) for row in cells if i < len(row)), default=0.0)
        head = text_width(header) * 1.05  # headers are bold
        if numeric[i] if i < len(numeric) else False:
            low = max(head, widest)
            want = low
        else:
            low = max(head, min(widest, TEXT_MIN_EM))
            want = max(low, min(widest, TEXT_CAP_EM))
        minimum.append(low + PADDING_EM)
        desired.append(want + PADDING_EM)
    need = sum(minimum)
    font, landscape = FONT_PT, False
    portrait_em = PORTRAIT_MM * PT_PER_MM / FONT_PT
    if need > portrait_em:
        landscape = True
        landscape_em = LANDSCAPE_MM * PT_PER_MM / FONT_PT
        if need > landscape_em:
            font = max(MIN_FONT_PT, math.floor(100 * FONT_PT * landscape_em / need) / 100)
    room = (LANDSCAPE_MM if landscape else PORTRAIT_MM) * PT_PER_MM / font
    extra = max(0.0, room - need)
    slack = [d - m for d, m in zip(desired, minimum, strict=True)]
    total_slack = sum(slack)
    if total_slack > 0:
        give = min(extra, total_slack)
        widths = [m + give * s / total_slack for m, s in zip(minimum, slack, strict=True)]
    else:
        widths = list(minimum)
    total = sum(widths)
    return TableLayout(tuple(w / total for w in widths), landscape, font)


__all__ = ["TableLayout", "table_layout", "text_width"]
