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

from carbonpeak.i18n import t

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUE = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28


def check_character(first17: str) -> str:
    """The check character (GB 32100-2015) of the first 17 characters of a USCC."""
    total = sum(VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def uscc_error(code: str) -> tuple[str, str] | None:
    """(zh, en) saying why `code` is not a valid USCC (texts from the catalogue), or None when it is."""
    if len(code) != 18:
        return (
            t("problem.enterprise.uscc.length", "zh", length=len(code)),
            t("problem.enterprise.uscc.length", "en", length=len(code)),
        )
    bad = sorted({c for c in code if c not in VALUE})
    if bad:
        chars = "".join(bad)
        return (
            t("problem.enterprise.uscc.characters", "zh", chars=chars),
            t("problem.enterprise.uscc.characters", "en", chars=chars),
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        return (
            t("problem.enterprise.uscc.check", "zh", expected=expected, actual=code[17]),
            t("problem.enterprise.uscc.check", "en", expected=expected, actual=code[17]),
        )
    return None


__all__ = ["ALPHABET", "WEIGHTS", "check_character", "uscc_error"]
