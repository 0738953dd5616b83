"""Recognising identifiers: vectors built here from the published rules.

Check characters are computed in this file (GB 11643-1999 weights, Luhn), not
taken from the library under test, so a wrong library would fail here.
"""

from __future__ import annotations

import re
from datetime import date
from itertools import pairwise

import duckdb
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from privacylib.masking.identifiers import (
    check_column,
    check_values,
    find,
    kind_of,
    mask_identifiers,
    normalise,
    problems,
)


def gb11643(first17: str) -> str:
    """The check character of GB 11643: weights 2^(17-i) mod 11, then 1-10-X-9-8…"""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    return "10X98765432"[total % 11]


def luhn_digit(payload: str) -> str:
    """The digit that makes payload + digit pass Luhn."""
    total = 0
    for i, d in enumerate(reversed(payload)):
        n = int(d) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return str(-total % 10)


def resident_id(region: str, born: str, seq: str) -> str:
    return region + born + seq + gb11643(region + born + seq)


def bad_check(number: str) -> str:
    """The same number with a wrong check character."""
    return number[:-1] + ("0" if number[-1] != "0" else "1")


IDS = [resident_id(r, b, s) for r, b, s in (
    ("440308", "19990110", "151"), ("110101", "19900307", "123"), ("110105", "19491231", "002"),
    ("310115", "20000229", "418"), ("510104", "18991231", "999"), ("650102", "20231001", "000"),
)] + [resident_id("330106", f"1985{m:02d}{d:02d}", "77" + str(m % 10))
      for m, d in ((1, 31), (6, 30), (12, 1))]
IDS_BAD_CHECK = [bad_check(n) for n in IDS[:4]]  # structure holds: masked all the same
LEGACY = ["110101900307123", "440308991231001", "320505850101888"]
MOBILES = [p + "12345678" for p in ("130", "138", "145", "152", "166", "177", "186", "199")]
CARDS = [p + luhn_digit(p) for p in (
    "622202123456789012", "62220212345678901", "6212261202011584", "4111111111111",  # 19, 18…
    "62145812345678", "621483123456789", "436742123456789")]  # 14-15-digit UnionPay
# Tickets and orders: Luhn fails, so they are no cards and must stay readable.
TICKETS = [p + str((int(luhn_digit(p)) + 1) % 10) for p in (
    "202610031234567", "9876543210123456", "20261003000012345", "202610030000123456")]


def shapes(number: str, kind: str) -> list[str]:
    """The ways the tester found identifiers written."""
    full = number.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789X"})
    cut = {"id": (6, 14), "legacy": (6, 12), "mobile": (3, 7), "card": (4, 8, 12, 16)}[kind]
    bounds = [0, *[c for c in cut if c < len(number)], len(number)]
    groups = [number[a:b] for a, b in pairwise(bounds)]
    out = [number, " ".join(groups), "-".join(groups), full, " ".join(groups).translate(
        {ord(c): ord(c) + 0xFEE0 for c in "0123456789"}), f"EV-{number}", f"id={number}",
           f"客户来电说{number}是他的号码，请核实。", f"({'.'.join(groups)})"]
    if kind == "mobile":
        out += [f"+86 {' '.join(groups)}", f"+86-{number}", f"0086 {number}", f"86{number}",
                f"+86{number}", "＋８６ " + full]
    return out


def raw_left(number: str, masked: str) -> bool:
    """Whether the digits of `number` can still be read in `masked`, separators ignored."""
    return number.upper() in re.sub(r"[^0-9X*]", "", normalise(masked).upper())


@pytest.mark.parametrize(("kind", "numbers"), [
    ("id", IDS + IDS_BAD_CHECK), ("legacy", LEGACY), ("mobile", MOBILES), ("card", CARDS)])
def test_no_valid_identifier_is_left_raw_in_any_shape(kind, numbers):
    leaks = [text for number in numbers for text in shapes(number, kind)
             if raw_left(number, mask_identifiers(text))]
    assert leaks == []


def test_the_vectors_are_what_the_rules_say():
    assert IDS[2] == "11010519491231002X"  # the README's example, computed here
    assert all(problems(n, "resident_id") == [] for n in IDS)
    assert all(problems(n, "resident_id") == ["checksum"] for n in IDS_BAD_CHECK)
    assert all(problems(n, "bank_card") == [] for n in CARDS)
    assert all(problems(n, "bank_card") == ["checksum"] for n in TICKETS)


def test_masks_keep_the_shapes_of_the_readme_and_are_stable():
    assert mask_identifiers("110101199003071234") == "110101********1234"
    assert mask_identifiers("身份证号11010519491231002X，") == "身份证号110105********002X，"
    assert mask_identifiers("440308 19990110 1512") == "440308********1512"
    assert mask_identifiers("110101900307123") == "110101*****7123"
    assert mask_identifiers("+86 138 1234 5678") == "+86 138****5678"
    assert mask_identifiers("mail zhang.san99@qq.com") == "mail z***@qq.com"
    card = CARDS[0]
    assert mask_identifiers(f"卡号 {card}") == "卡号 " + "*" * 15 + card[-4:]
    for kind, number in (("id", IDS[0]), ("mobile", MOBILES[1]), ("card", CARDS[2])):
        masks = {mask_identifiers(text) for text in shapes(number, kind)[:5]}
        assert len(masks) == 1, masks  # written five ways, masked one way


def test_checksum_failures_are_masked_and_recorded():
    good, bad = find(IDS[0]), find(IDS_BAD_CHECK[0])
    assert [f.kind for f in good + bad] == ["resident_id", "resident_id"]
    assert good[0].checksum_ok is True and bad[0].checksum_ok is False


def test_seventeen_digits_of_an_unknown_region_with_the_check_apart_are_masked():
    # Hypothesis found it: region 999999, the body cut once, the X glued to a word.
    assert mask_identifiers("9 9999919330204620 XA") == "999999********620 XA"


def test_tickets_orders_and_other_numbers_stay_readable():
    for ticket in TICKETS:
        for text in (ticket, f"工单 {ticket} 已关闭", f"order={ticket}"):
            assert mask_identifiers(text) == text
    kept = ["EV0000012345 at 2026-10-03 09:15:00+08, ticket TK123456789, 1200 records",
            "138123456781234567890",  # 21 digits: one number, no mobile inside it
            MOBILES[0] + "9",  # 12 digits
            "2026-10-03 13:45", "10.20.30.40", "共 1,234,567 条"]
    assert [mask_identifiers(t) for t in kept] == kept


def test_separated_numbers_beside_an_identifier_do_not_hide_it():
    assert mask_identifiers(f"records 3 {MOBILES[1]}") == "records 3 138****5678"
    assert mask_identifiers(f"2026-10-03 {IDS[1]}") == f"2026-10-03 110101********{IDS[1][-4:]}"
    assert mask_identifiers(f"{MOBILES[1]} 12345@qq.com") == "138****5678 1***@qq.com"


DIGITS = "0123456789"
SEPARATORS = st.sampled_from(["", " ", "-", " - ", ".", "\u3000", "－", "  "])
NOISE = st.text(st.characters(blacklist_categories=("Nd", "Cs")), max_size=12)


@st.composite
def written(draw, number: str) -> str:
    """`number` cut at random places, joined by one separator, maybe full-width."""
    cuts = sorted(draw(st.sets(st.integers(1, len(number) - 1), max_size=4)))
    sep = draw(SEPARATORS)
    parts = [number[a:b] for a, b in pairwise([0, *cuts, len(number)])]
    text = sep.join(parts)
    if draw(st.booleans()):
        text = text.translate({ord(c): ord(c) + 0xFEE0 for c in DIGITS})
    return text


@settings(max_examples=400)
@given(st.data(), st.sampled_from(["110101", "440308", "650102", "999999"]),
       st.dates(date(1900, 1, 1), date(2025, 12, 31)), st.integers(0, 999), NOISE, NOISE)
def test_any_valid_id_in_any_shape_in_any_text_is_masked(data, region, born, seq, left, right):
    number = resident_id(region, born.strftime("%Y%m%d"), f"{seq:03d}")
    text = left + data.draw(written(number)) + right
    assert not raw_left(number, mask_identifiers(text))


@settings(max_examples=300)
@given(st.data(), st.sampled_from("3456789"), st.text(DIGITS, min_size=9, max_size=9),
       st.sampled_from(["", "+86 ", "+86-", "0086 ", "86"]), NOISE, NOISE)
def test_any_mobile_in_any_shape_in_any_text_is_masked(data, second, rest, prefix, left, right):
    number = "1" + second + rest
    text = left + prefix + data.draw(written(number)) + right
    assert not raw_left(number, mask_identifiers(text))


@settings(max_examples=300)
@given(st.text(DIGITS, min_size=15, max_size=18), NOISE, NOISE)
def test_digit_runs_failing_luhn_stay_readable(payload, left, right):
    number = payload + str((int(luhn_digit(payload)) + 1) % 10)
    # ID numbers (18 digits with a birth date, 15 legacy) are masked on purpose.
    assume(all(f.kind == "bank_card" for f in find(number)))
    text = f"{left} {number} {right}"
    assert mask_identifiers(text) == text


@settings(max_examples=200)
@given(st.text(DIGITS, min_size=20, max_size=30))
def test_a_longer_run_is_judged_whole(number):
    assert mask_identifiers(number) == number


def test_quality_counts_values_that_break_their_rules():
    ids = [*IDS[:3], IDS_BAD_CHECK[0], resident_id("110101", "19901307", "123"),
           resident_id("991231", "19900307", "123"), "12345", None, "", LEGACY[0]]
    got = check_values(ids, "resident_id")
    assert (got.checked, got.failed) == (8, 4)
    assert got.by_rule == {"checksum": 1, "date": 1, "region": 1, "length": 1}
    assert problems(IDS[0], "resident_id", as_of=date(1990, 1, 1)) == ["date"]
    assert problems("+86 138 1234 5678", "mobile") == []
    assert problems("12812345678", "mobile") == ["prefix"]
    assert problems("1381234567", "mobile") == ["length"]
    assert problems("zhang@qq", "email") == ["format"]
    assert kind_of(" 身份证号 ") == "resident_id" and kind_of("name") is None


def test_quality_of_a_column_in_duckdb():
    con = duckdb.connect()
    con.execute('CREATE TABLE customers (customer_id VARCHAR, "手机号" VARCHAR)')
    con.executemany("INSERT INTO customers VALUES (?, ?)",
                    [("C1", MOBILES[0]), ("C2", "12012345678"), ("C3", None), ("C4", "138")])
    got = check_column(con, "customers", "手机号")
    assert (got.kind, got.checked, got.failed, got.by_rule) == (
        "mobile", 3, 2, {"prefix": 1, "length": 1})
    with pytest.raises(ValueError, match="holds no known identifier"):
        check_column(con, "customers", "customer_id")


def test_an_id_whose_check_character_is_cut_off_is_still_masked():
    # Found by hypothesis: "X" glued to a word is no check character, and the
    # 17 digits before it must not stay readable.
    number = "11010120040106064"
    masked = mask_identifiers(number + " XA")
    assert number not in masked and masked.startswith("110101********064")
    assert mask_identifiers("12345678901234567") == "12345678901234567"  # no region, no date


@pytest.mark.parametrize(("text", "masked"), [
    ("备注 (138)1234-5678", "备注 (138****5678"),
    ("+86 (138) 1234 5678", "+86 (138****5678"),
    ("138\u20021234\u20025678", "138****5678"),   # en spaces
    ("138\u200b12345678", "138****5678"),         # a zero-width space
    ("138/1234/5678", "138****5678"),
    ("4401031974\n04081547", "440103********1547"),  # split over two lines
    ("张三@126.com", "张***@126.com"),
    ("usér@qq.com", "u***@qq.com"),
    ("huang.gao@例子.中国", "h***@例子.中国"),
    ("2026/10/05 13:00 订单 10/20", "2026/10/05 13:00 订单 10/20"),  # dates stay
])
def test_shapes_a_reviewer_found_missing(text, masked):
    assert mask_identifiers(text) == masked
