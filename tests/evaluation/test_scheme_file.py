from carbonpeak.evaluation.scheme import SCHEMES_DIR, load_scheme, scheme_digest


def test_jinan_scheme_follows_the_national_pattern():
    s = load_scheme(SCHEMES_DIR / "jinan-2024.yaml")
    assert [(g.name_zh, g.min_score) for g in s.grades] == [
        ("优秀", 90),
        ("良好", 80),
        ("合格", 60),
        ("不合格", 0),
    ]
    assert all(a.total_points == 100 for a in s.audiences)
    vetoes = [c.code for a in s.audiences for c in a.criteria if c.veto]
    assert vetoes == ["co2_intensity"]
    assert s.grade_for(89.996).name_zh == "优秀"  # compared at 0.01 point
    assert s.grade_for(89.994).name_zh == "良好"
    assert len(scheme_digest(s)) == 64


def test_scheme_indicators_are_targets_of_the_jinan_plan():
    from carbonpeak.plan.load import load_plan

    plan = load_plan()
    codes = {t.code for t in plan.targets}
    s = load_scheme(SCHEMES_DIR / "jinan-2024.yaml")
    named = {c.indicator for a in s.audiences for c in a.criteria if c.indicator}
    assert named and named <= codes
