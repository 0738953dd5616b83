"""Property tests: the value parsers and the reconciliation, on generated input."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import load_dir, rows, write_csv

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
SHANGHAI = timedelta(hours=8)  # no daylight saving since 1991


@st.composite
def timestamp_texts(draw):
    """(text, expected instant) in any of the contract's timestamp forms."""
    moment = draw(st.datetimes(datetime(1995, 1, 1), datetime(2099, 12, 31)))
    date_sep = draw(st.sampled_from(["-", "/"]))
    shape = draw(st.sampled_from(["date", "minutes", "seconds", "fraction"]))
    if shape == "date":
        moment = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    elif shape == "minutes":
        moment = moment.replace(second=0, microsecond=0)
    elif shape == "seconds":
        moment = moment.replace(microsecond=0)
    text = moment.strftime(f"%Y{date_sep}%m{date_sep}%d")
    if shape != "date":
        text += draw(st.sampled_from(["T", " "])) + moment.strftime("%H:%M")
        if shape != "minutes":
            text += moment.strftime(":%S") + (f".{moment.microsecond:06d}"
                                              if shape == "fraction" else "")
    offset = None
    if shape != "date" and date_sep == "-":
        offset = draw(st.none() | st.integers(-12 * 4, 14 * 4).map(lambda q: q * 15))
    if offset is None:
        return text, (moment - SHANGHAI).replace(tzinfo=UTC)
    if offset == 0 and draw(st.booleans()):
        return text + "Z", moment.replace(tzinfo=UTC)
    sign, minutes = ("+" if offset >= 0 else "-"), abs(offset)
    text += f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    return text, (moment - timedelta(minutes=offset)).replace(tzinfo=UTC)


@SETTINGS
@given(values=st.lists(timestamp_texts(), min_size=1, max_size=30))
def test_every_timestamp_form_reads_as_its_instant(tmp_path_factory, values):
    folder = tmp_path_factory.mktemp("ts")
    write_csv(folder / "training.csv", ["actor_id", "completed_at"],
              [[f"A{i}", text] for i, (text, _) in enumerate(values)])
    result = load_dir(folder)
    got = rows(result, "SELECT completed_at FROM training ORDER BY _source_line")
    assert [g[0] for g in got] == [expected for _, expected in values]


@SETTINGS
@given(values=st.lists(st.integers(-(2**63), 2**63 - 1), min_size=1, max_size=30),
       plus=st.booleans(), pad=st.sampled_from(["", " ", "\t"]))
def test_integers_round_trip(tmp_path_factory, values, plus, pad):
    folder = tmp_path_factory.mktemp("int")
    texts = [f"{pad}{'+' if plus and v >= 0 else ''}{v}{pad}" for v in values]
    write_csv(folder / "incidents.csv", ["incident_id", "detected_at", "records_affected"],
              [[f"I{i}", "2026-10-01", t] for i, t in enumerate(texts)])
    got = rows(load_dir(folder), "SELECT records_affected FROM incidents ORDER BY _source_line")
    assert [g[0] for g in got] == values


WORDS = {"true": True, "1": True, "yes": True, "y": True, "是": True,
         "false": False, "0": False, "no": False, "n": False, "否": False}


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(sorted(WORDS)), st.lists(st.booleans(), max_size=5)),
                min_size=1, max_size=20))
def test_booleans_in_any_case(tmp_path_factory, picks):
    folder = tmp_path_factory.mktemp("bool")
    texts = ["".join(c.upper() if up else c for c, up in zip(w, flips + [False] * 5,
                                                              strict=False))
             for w, flips in picks]
    write_csv(folder / "data_categories.csv", ["data_category", "sensitive"],
              [[f"c{i}", t] for i, t in enumerate(texts)])
    got = rows(load_dir(folder), "SELECT sensitive FROM data_categories ORDER BY _source_line")
    assert [g[0] for g in got] == [WORDS[w] for w, _ in picks]


item = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"),
                             blacklist_characters=";|；｜[]\"\\,\u3000\ufeff"), min_size=1,
               max_size=8)


@SETTINGS
@given(st.lists(st.lists(item, min_size=1, max_size=5), min_size=1, max_size=10),
       st.sampled_from(["json", ";", "|", " ; "]))
def test_lists_in_every_form(tmp_path_factory, lists, form):
    folder = tmp_path_factory.mktemp("list")
    texts = [json.dumps(v, ensure_ascii=False) if form == "json" else form.join(v)
             for v in lists]
    write_csv(folder / "notices.csv", ["notice_version", "published_at", "purposes"],
              [[f"v{i}", "2026-01-01", t] for i, t in enumerate(texts)])
    got = rows(load_dir(folder), "SELECT purposes FROM notices ORDER BY _source_line")
    assert [g[0] for g in got] == lists


cell = st.sampled_from(["ok", "bad", "dup"])


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, 15), cell), min_size=1, max_size=60),
       st.integers(1, 4))
def test_every_row_is_loaded_or_rejected_and_the_first_key_wins(tmp_path_factory, plan, nfiles):
    """Random keys (with repeats) and unreadable values over several files."""
    folder = tmp_path_factory.mktemp("recon")
    header = ["event_id", "ts", "actor_id", "data_category", "action", "purpose", "record_count"]
    files: list[list[list[str]]] = [[] for _ in range(nfiles)]
    for n, (key, kind) in enumerate(plan):
        count = "12x" if kind == "bad" else str(n)
        files[n % nfiles].append([f"E{key}", "2026-10-01 10:00", "A", "c", "read", "p", count])
    for i, body in enumerate(files):
        write_csv(folder / "access_log" / f"day{i}.csv", header, body)
    result = load_dir(folder)
    d = result.datasets["access_log"]
    assert d.rows_read == len(plan) == d.rows_loaded + d.rows_rejected
    # Expected: in file then line order, the first readable row of each key.
    expected: dict[str, str] = {}
    for body in files:
        for row in body:
            if row[-1] != "12x":
                expected.setdefault(row[0], row[-1])
    got = dict(rows(result, "SELECT event_id, CAST(record_count AS VARCHAR) FROM access_log"))
    assert got == expected


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, 12), cell), min_size=1, max_size=40),
       st.sampled_from(["jsonl", "parquet", "tsv"]))
def test_reconciliation_in_every_format(tmp_path_factory, plan, fmt):
    """The same rows as JSON Lines, Parquet (all text) or TSV: same loaded and rejected."""
    import duckdb

    folder = tmp_path_factory.mktemp("fmt")
    header = ["event_id", "ts", "actor_id", "data_category", "action", "purpose", "record_count"]
    body = [[f"E{key}", "2026-10-01 10:00", "A", "c", "read", "p",
             "12x" if kind == "bad" else str(n)] for n, (key, kind) in enumerate(plan)]
    if fmt == "tsv":
        write_csv(folder / "access_log.tsv", header, body, delimiter="\t")
    elif fmt == "jsonl":
        (folder / "access_log.jsonl").write_text(
            "".join(json.dumps(dict(zip(header, row, strict=True))) + "\n" for row in body),
            encoding="utf-8")
    else:
        con = duckdb.connect()
        con.execute("CREATE TABLE t (" + ", ".join(f"{h} VARCHAR" for h in header) + ")")
        con.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)", body)
        con.execute(f"COPY t TO '{folder / 'access_log.parquet'}' (FORMAT parquet)")
    result = load_dir(folder)
    d = result.datasets["access_log"]
    assert d.rows_read == len(plan) == d.rows_loaded + d.rows_rejected
    expected: dict[str, str] = {}
    for row in body:
        if row[-1] != "12x":
            expected.setdefault(row[0], row[-1])
    got = dict(rows(result, "SELECT event_id, CAST(record_count AS VARCHAR) FROM access_log"))
    assert got == expected
    lines = [r[0] for r in rows(result, "SELECT _source_line FROM access_log ORDER BY 1")]
    first = 2 if fmt == "tsv" else 1
    assert set(lines) <= set(range(first, first + len(plan)))


CONSENTS = ["consent_id", "customer_id", "purpose", "granted_at"]


@SETTINGS
@given(st.lists(st.tuples(st.integers(-10**13, 10**14), st.integers(0, 999),
                          st.sampled_from(["epoch_s", "epoch_ms"])), min_size=1, max_size=30),
       st.sampled_from(["epoch_s", "epoch_ms"]))
def test_epoch_values_read_in_range_and_reject_outside(tmp_path_factory, values, unit):
    """Whole or fractional numbers in either unit: a value is read when it
    lies in 1990-2099 in the mapping's unit, else it is a reject."""
    folder = tmp_path_factory.mktemp("epoch")
    texts = [f"{n}.{frac:03d}" if frac % 2 else str(n) for n, frac, _ in values]
    write_csv(folder / "consents.csv", CONSENTS,
              [[f"r{i}", "c", "p", t] for i, t in enumerate(texts)])
    result = load_dir(folder, {"consents": {"timestamp_format": unit}})
    divisor = 1 if unit == "epoch_s" else 1000
    expected = {}
    for i, text in enumerate(texts):
        seconds = float(text) / divisor
        if 631_152_000 <= seconds < 4_102_444_800:
            expected[f"r{i}"] = seconds
    got = rows(result, "SELECT consent_id, epoch_us(granted_at) FROM consents")
    assert {k: v for k, v in got} == pytest.approx(
        {k: round(v * 1_000_000) for k, v in expected.items()}, abs=1)
    d = result.datasets["consents"]
    assert d.rows_rejected == len(texts) - len(expected) and d.rows_filtered == 0


@SETTINGS
@given(st.lists(st.tuples(st.datetimes(datetime(1995, 1, 1), datetime(2090, 12, 31)),
                          st.sampled_from(["UTC", "GMT", "Z", " UTC", "+", "-", "none"]),
                          st.integers(0, 14 * 4).map(lambda q: q * 15)),
                min_size=1, max_size=30),
       st.sampled_from(["UTC", "Asia/Shanghai"]))
def test_zone_words_and_offsets_read_as_their_instant(tmp_path_factory, values, tz):
    folder = tmp_path_factory.mktemp("zone")
    texts, expected = [], []
    for moment, zone, minutes in values:
        moment = moment.replace(microsecond=0)
        text = moment.strftime("%Y-%m-%dT%H:%M:%S")
        if zone in ("+", "-"):
            text += f"{zone}{minutes // 60:02d}:{minutes % 60:02d}"
            shift = timedelta(minutes=minutes if zone == "+" else -minutes)
        elif zone == "none":
            shift = SHANGHAI if tz == "Asia/Shanghai" else timedelta(0)
        else:
            text += zone if zone != "UTC" else " UTC"
            shift = timedelta(0)
        texts.append(text)
        expected.append((moment - shift).replace(tzinfo=UTC))
    write_csv(folder / "consents.csv", CONSENTS,
              [[f"r{i:03d}", "c", "p", t] for i, t in enumerate(texts)])
    result = load_dir(folder, {"consents": {"timezone": tz}})
    got = rows(result, "SELECT granted_at FROM consents ORDER BY consent_id")
    assert [g[0] for g in got] == expected


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(["Data", "Mgmt", " Data", "data", ""]),
                          st.sampled_from(["read", "nope?"])), min_size=1, max_size=40))
def test_filters_keep_the_accounting(tmp_path_factory, plan):
    """rows read = loaded + rejected + filtered; a filtered row is never a reject."""
    folder = tmp_path_factory.mktemp("filter")
    header = ["event_id", "ts", "actor_id", "data_category", "action", "purpose", "kind"]
    write_csv(folder / "access_log.csv", header,
              [[f"E{i}", "2026-10-01 10:00", "A", "c", action, "p", kind]
               for i, (kind, action) in enumerate(plan)])
    result = load_dir(folder, {"access_log": {"keep": {"kind": ["Data", None]}}})
    d = result.datasets["access_log"]
    kept = [(k, a) for k, a in plan if k.strip() in ("Data", "")]
    assert d.rows_filtered == len(plan) - len(kept)
    assert d.rows_loaded == len(kept)  # an unknown action is a warning, not a reject
    assert d.rows_read == d.rows_loaded + d.rows_rejected + d.rows_filtered == len(plan)


@st.composite
def tc_strings(draw):
    """A TC string's core fields (v2) as intake/tcf.py encodes them."""
    from privacylib.intake.tcf import TcString

    letters = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2)
    created = draw(st.datetimes(datetime(2018, 1, 1), datetime(2090, 1, 1)))
    created = created.replace(microsecond=created.microsecond // 100_000 * 100_000,
                              tzinfo=UTC)
    updated = created + timedelta(milliseconds=100 * draw(st.integers(0, 10**9)))
    return TcString(2, created, updated, draw(st.integers(0, 4095)),
                    draw(st.integers(0, 4095)), draw(st.integers(0, 63)), draw(letters),
                    draw(st.integers(0, 4095)),
                    tuple(sorted(draw(st.sets(st.integers(1, 24))))),
                    draw(st.integers(0, 63)), draw(letters))


@settings(max_examples=200, deadline=None)
@given(tc_strings())
def test_tc_strings_round_trip_their_core_fields(tc):
    from privacylib.intake.tcf import decode, encode

    assert decode(encode(tc)) == tc


@settings(max_examples=200, deadline=None)
@given(tc_strings(), st.integers(1, 40))
def test_a_cut_tc_string_is_refused_with_a_reason(tc, cut):
    """Cutting a string short never decodes to other values: it is refused."""
    from privacylib.intake.tcf import TcfError, decode, encode

    text = encode(tc)
    with pytest.raises(TcfError, match=r"ends at bit|is empty|not base64url"):
        decode(text[: max(0, len(text) - cut)])
