"""The annual report names how its figures are counted and what its odds assume (issue 16): the
non-fossil share's crediting convention and energy intensity's rules beside the targets table, and
P(peak by 2030) as "if the plan is delivered in full: …; on current trends: …"."""

from __future__ import annotations

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
            "net imported electricity credited as non-fossil at the year's non-fossil share of 山东",
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
