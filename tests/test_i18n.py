from carbonpeak.i18n import catalogue, t


def test_every_label_has_zh_and_en():
    for key, labels in catalogue().items():
        assert labels.get("zh"), f"{key} has no zh label"
        assert labels.get("en"), f"{key} has no en label"


def test_lookup_and_fallback():
    assert t("app.name", "en") == "Carbon Peak Platform"
    assert t("app.name") == "碳达峰工作平台"
    assert t("no.such.key", "en") == "no.such.key"
