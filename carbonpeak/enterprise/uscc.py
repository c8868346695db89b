"""统一社会信用代码 (unified social credit code, USCC) check digit, GB 32100-2015.

An 18-character code: 1 registration authority, 1 organisation type, 6 administrative division,
9 organisation code (GB 11714), 1 check character. The alphabet is the 31 characters
0-9 A-H J-N P-R T-U W-Y (no I, O, Z, S, V); character i (0-based, of the first 17) has weight
3**i mod 31; the check character is the one whose value is 31 − (Σ value × weight mod 31), 31 → 0
(GB 32100-2015 clause 5 and appendix B).

    check_character(first17) -> str     the 18th character the first 17 call for
    uscc_error(code) -> (zh, en) | None why `code` is not a USCC, or None

Only the 18th character is checked here; the organisation code's own check (GB 11714) is not.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUE = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28


def check_character(first17: str) -> str:
    """The check character (GB 32100-2015) of the first 17 characters of a USCC."""
    total = sum(VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def uscc_error(code: str) -> tuple[str, str] | None:
    """(zh, en) saying why `code` is not a valid USCC, or None when it is."""
    if len(code) != 18:
        return (
            f"统一社会信用代码须为18位（现为{len(code)}位）",
            f"a USCC has 18 characters, not {len(code)}",
        )
    bad = sorted({c for c in code if c not in VALUE})
    if bad:
        chars = "".join(bad)
        return (
            f"统一社会信用代码含无效字符“{chars}”（不得含I、O、Z、S、V及小写）",
            f"invalid character(s) {chars!r} (I, O, Z, S, V and lower case are not used)",
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        return (
            f"统一社会信用代码校验位错误：应为“{expected}”，实为“{code[17]}”（GB 32100-2015）",
            f"check character is {code[17]!r}, GB 32100-2015 calls for {expected!r}",
        )
    return None


__all__ = ["ALPHABET", "WEIGHTS", "check_character", "uscc_error"]
