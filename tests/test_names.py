"""Known names in free text (masking/names.py): Chinese names found by set
lookups give exactly what one regex of every name gives, leftmost, longest."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from privacylib.masking.masker import Masker, mask_name
from privacylib.masking.names import NameFinder, names_pattern

SURNAMES = "王李张刘陈杨黄赵"
GIVEN = "小明华伟芳娜静"
cjk_names = st.text(alphabet=SURNAMES + GIVEN, min_size=1, max_size=4)
latin_names = st.text(alphabet="abcKIM ", min_size=1, max_size=6)
texts = st.lists(st.one_of(cjk_names, latin_names, st.sampled_from([" ", "，", "x", "1", "é"])),
                 max_size=12).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(cjk_names, latin_names), max_size=8), texts)
def test_the_finder_masks_what_one_regex_of_every_name_masks(names, text):
    pattern = names_pattern(names)
    expected = pattern.sub(lambda m: mask_name(m[0]), text) if pattern else text
    assert NameFinder(names).replace(text, mask_name) == expected


def test_the_longest_name_at_a_place_wins_and_latin_names_are_whole_words():
    finder = NameFinder(["王小", "王小明", "Kim", "李"])  # one character: never a name
    assert finder.spans("王小明和王小，李") == [(0, 3), (4, 6)]
    assert finder.spans("KIM, Kimberly, kim") == [(0, 3), (15, 18)]
    masker = Masker(b"k", names=frozenset({"王小明", "Kim"}))
    assert masker.text("王小明 met KIM") == "王** met K**"
