"""Settings are the one way to configure: every CARBONPEAK_ variable is a Settings field, stands in the
table of settings.py's docstring, and no module reads the environment for one itself."""

from __future__ import annotations

import re
from pathlib import Path

import carbonpeak
from carbonpeak import settings as settings_module
from carbonpeak.settings import Settings, current

PACKAGE = Path(carbonpeak.__file__).parent


def _table_variables() -> set[str]:
    names: set[str] = set()
    for line in (settings_module.__doc__ or "").splitlines():
        m = re.match(r"\| (CARBONPEAK_[A-Z_]+)( / (_[A-Z_]+))? \|", line)
        if m:
            names.add(m.group(1))
            if m.group(3):  # `CARBONPEAK_MQTT_HOST / _PORT`
                names.add(m.group(1).rsplit("_", 1)[0] + m.group(3))
    return names


def test_every_settings_field_stands_in_the_table_and_every_row_is_a_field():
    fields = {f"CARBONPEAK_{name.upper()}" for name in Settings.model_fields}
    assert _table_variables() == fields


def test_no_module_reads_a_carbonpeak_variable_from_the_environment_itself():
    readers = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"(environ\.get|environ\[|getenv)\(?\s*[\"'](CARBONPEAK_[A-Z_]+)", text):
            readers.append(f"{path.relative_to(PACKAGE)}: {m.group(2)}")
    assert readers == []


def test_the_process_settings_are_read_once_until_cleared(monkeypatch):
    current.cache_clear()
    monkeypatch.setenv("CARBONPEAK_LANGUAGE", "en")
    first = current()
    monkeypatch.setenv("CARBONPEAK_LANGUAGE", "zh")
    assert current() is first and first.language == "en"
    current.cache_clear()
    assert current().language == "zh"
    current.cache_clear()


def test_the_new_users_password_is_a_setting_kept_out_of_its_repr(monkeypatch):
    monkeypatch.setenv("CARBONPEAK_NEW_PASSWORD", "long enough pw")
    s = Settings()
    assert s.new_password == "long enough pw"
    assert "long enough pw" not in repr(s)
