"""One label catalogue for zh-CN (default) and en.

The catalogue is the union of the YAML files in `catalogue/` (one per area, so areas do not edit
one file). Each file maps a dotted key to `{zh: …, en: …}`. Keys must be unique across files.
`t("nav.overview", "en")` → "Overview"; a key missing in a language falls back to zh, then to the key.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from carbonpeak import yaml_loader

CATALOGUE_DIR = Path(__file__).with_name("catalogue")
LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"


@cache
def catalogue() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(CATALOGUE_DIR.glob("*.yaml")):
        data = yaml_loader.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, labels in data.items():
            if key in merged:
                raise ValueError(f"{path.name}: label key {key!r} is defined twice in the catalogue")
            merged[key] = {str(k): str(v) for k, v in labels.items()}
    return merged


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    labels = catalogue().get(key)
    if labels is None:
        return key
    text = labels.get(lang) or labels.get(DEFAULT_LANGUAGE) or key
    return text.format(**values) if values else text


def normalise_language(lang: str | None) -> str:
    if not lang:
        return DEFAULT_LANGUAGE
    lang = lang.lower()
    if lang.startswith("en"):
        return "en"
    return "zh"
