"""USCC check character (GB 32100-2015)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carbonpeak.enterprise.uscc import ALPHABET, WEIGHTS, check_character, uscc_error


def test_weights_are_powers_of_three_mod_31():
    assert WEIGHTS[:6] == (1, 3, 9, 27, 19, 26)
    assert WEIGHTS[-1] == 28


def test_the_standards_example_passes():
    # the example code of GB 32100-2015 (appendix), widely reproduced
    assert check_character("91350100M000100Y4") == "3"
    assert uscc_error("91350100M000100Y43") is None


@pytest.mark.parametrize(
    ("code", "rule_word"),
    [
        ("91350100M000100Y44", "check"),  # wrong check character
        ("91350100M000100Y4", "18"),  # 17 characters
        ("91350100M000100I43", "I"),  # I is not in the alphabet
        ("91350100m000100Y43", "m"),  # lower case
    ],
)
def test_bad_codes_say_why_in_both_languages(code, rule_word):
    zh, en = uscc_error(code)
    assert zh and rule_word in en


@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17))
def test_a_code_with_its_check_character_passes_and_any_other_fails(first17):
    good = first17 + check_character(first17)
    assert uscc_error(good) is None
    other = next(c for c in ALPHABET if c != good[-1])
    assert uscc_error(first17 + other) is not None


@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17), st.integers(0, 16), st.sampled_from(ALPHABET))
def test_any_single_substitution_is_caught(first17, pos, char):
    good = first17 + check_character(first17)
    changed = good[:pos] + char + good[pos + 1 :]
    assert (uscc_error(changed) is None) == (changed == good)
