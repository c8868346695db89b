"""The annual report names how its figures are counted and what its odds assume (issue 16): the
non-fossil share's crediting convention and energy intensity's rules beside the targets table, and
P(peak by 2030) as "if the plan is delivered in full: …; on current trends: …"."""

from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook

from carbonpeak.cli import main


def test_annual_report_names_conventions_and_both_scenarios(tmp_path, initialised):
    for lang, convention, odds in (
        (
            "zh",
            "口径：净调入电力按山东当年非化石能源发电占比计入非化石能源",
            ("若方案全面落实（方案情景）：", "按当前趋势（基准情景）："),
        ),
        (
            "en",
            "net imported electricity credited as non-fossil at the year's non-fossil share of Shandong",
            ("if the plan is delivered in full (plan scenario): ", "on current trends (baseline scenario): "),
        ),
    ):
        out = tmp_path / f"annual-{lang}.html"
        main(["report", "annual", "--year", "2024", "--format", "html", "--lang", lang, "--out", str(out)])
        text = out.read_text(encoding="utf-8").replace("&#39;", "'")
        assert convention in text, lang
        assert ("十四五考核口径" if lang == "zh" else "14th Five-Year Plan assessment rules") in text, lang
        for clause in odds:
            assert clause in text, (lang, clause)


def test_emissions_in_the_report_tables_carry_one_display_unit_per_language(tmp_path, initialised):
    """Units shown once: 万吨二氧化碳 in Chinese (the number in 万t), Mt CO₂ in English (the number
    in Mt): the same inventory total, never the store's 万tCO2 code, never a scaled number under a
    scaled unit."""
    totals = {}
    for lang, label in (("zh", "万吨二氧化碳"), ("en", "Mt CO₂")):
        out = tmp_path / f"annual-{lang}.xlsx"
        main(["report", "annual", "--year", "2024", "--format", "xlsx", "--lang", lang, "--out", str(out)])
        rows = list(load_workbook(out)["inventory"].iter_rows(min_row=3, values_only=True))
        units = {r[2] for r in rows if isinstance(r[1], float)}
        assert units == {label}, (lang, units)
        totals[lang] = rows[3][1]
        html = tmp_path / f"annual-{lang}.html"
        main(["report", "annual", "--year", "2024", "--format", "html", "--lang", lang, "--out", str(html)])
        text = html.read_text(encoding="utf-8")
        assert "万tCO2" not in text and "MtCO2" not in text, lang
        assert not re.search(r"\d万\s*(万吨|亿吨)", text), lang
    assert totals["en"] == pytest.approx(totals["zh"] / 100, rel=1e-12)  # 万t → Mt


def test_annual_report_gives_the_non_fossil_sensitivity_lines_of_the_indicator_page(tmp_path, initialised):
    from carbonpeak.services.assessment import non_fossil_view
    from carbonpeak.store.db import Database

    db = Database(initialised)
    try:
        view = non_fossil_view(db, "jinan")
    finally:
        db.dispose()
    assert view is not None
    i = view.years.index(2024)
    lines = {line.key: line.values[i] for line in view.lines}
    assert lines["no_credit"] < lines["provincial"] < lines["national"]
    out = tmp_path / "annual.html"
    main(["report", "annual", "--year", "2024", "--format", "html", "--lang", "zh", "--out", str(out)])
    text = out.read_text(encoding="utf-8")
    expected = (
        "非化石能源消费比重的口径敏感性（2024年，外来电的计入方式）："
        f"外来电不计入 {lines['no_credit']:.2f}%；按山东占比计入 {lines['provincial']:.2f}%；"
        f"按全国占比计入 {lines['national']:.2f}%"
    )
    assert expected in text
    assert text.count("口径：净调入电力按山东当年非化石能源发电占比计入") == 1  # once, not per target
