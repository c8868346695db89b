"""The wire formats readings may arrive in, by name: `pack_format(name)` → a `PackFormat`
(metering.senml: bytes → readings, problems).

    senml+json   RFC 8428 JSON packs (metering.senml.SenMLFormat), the one implemented
    gbt37947     the national access-end format of GB/T 37947 (parts 1 and 7): registered but not
                 available, since its text is not at hand; asking for it is an InputError that
                 says so, never a guessed implementation

Adding a format: a class with `name` and `parse` (the PackFormat protocol) in `WIRE_FORMATS`;
everything after parsing (the monotone check, the store, refusals) is shared.
"""

from __future__ import annotations

from carbonpeak.errors import InputError, Problem
from carbonpeak.metering.senml import PackFormat, SenMLFormat

# name → the format, or None while it is known but not implemented (with why, in zh and en)
WIRE_FORMATS: dict[str, PackFormat | None] = {"senml+json": SenMLFormat(), "gbt37947": None}
NOT_AVAILABLE = {
    "gbt37947": (
        "GB/T 37947（第1部分、第7部分）数据格式尚未实现：标准文本未到手；请用SenML（senml+json）报送",
        "the GB/T 37947 (parts 1 and 7) wire format is not implemented: the standard's text is not at "
        "hand; send SenML (senml+json)",
    )
}


def pack_format(name: str) -> PackFormat:
    """The wire format called `name`; InputError (rule metering.format) for one registered but not
    available, or unknown."""
    fmt = WIRE_FORMATS.get(name)
    if fmt is not None:
        return fmt
    if name in NOT_AVAILABLE:
        zh, en = NOT_AVAILABLE[name]
    else:
        known = ", ".join(n for n, f in WIRE_FORMATS.items() if f is not None)
        zh, en = f"未知的数据格式，可用：{known}", f"unknown wire format; available: {known}"
    raise InputError(en, [Problem("format", "metering.format", zh, en, name)], message_zh=zh)
