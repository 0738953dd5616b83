"""Every reader reads a file whose path holds a glob character (in its name or
its folder's) as it reads the same file under a plain name (intake/literal.py):
the same tables and rejects, lines and counts; its own name in them, never the
link's; an unreadable file's error the same but for the name."""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from privacylib.intake.ingest import DatasetLoad, load

from conftest import write_csv

DATA = Path(__file__).parent.parent / "data"
HEADER = ["event_id", "ts", "actor_id", "customer_id", "system", "data_category", "action",
          "purpose", "ticket_id", "record_count", "result"]
PLAIN = "plainfile"  # the plain name's stem; no value of the inputs holds it
# Any trace of the loader's work folder or its links.
LEAKS = ("privacylib-", "literal-")


def _event(eid: str, ts: str = "2026-10-01 09:00:00") -> list[object]:
    return [eid, ts, "E1", "C1", "crm", "contact", "read", "support", "T1", 1, "success"]


def _events(*eids: str) -> list[list[object]]:
    """Good rows and one with a timestamp that is none (a typed reject); or
    one good row each of `eids` (a neighbour's)."""
    if eids:
        return [_event(e) for e in eids]
    return [_event("G1"), _event("BAD", "not a time"), _event("G2", "2026-10-02 10:00:00")]


def _bytes(path: Path, data: bytes) -> None:
    path.write_bytes(gzip.compress(data, mtime=0) if path.name.endswith(".gz") else data)


def _csv(path: Path, *eids: str, delimiter: str = ",") -> None:
    write_csv(path, HEADER, _events(*eids), delimiter=delimiter)
    if eids:
        return
    # A malformed line (one value too many: DuckDB's own reject), an empty
    # line, and a quoted value over two lines: the lines after them shift.
    more = delimiter.join(map(str, _event("EXTRA"))) + delimiter + "x\n\n"
    more += '"Q\n1"' + delimiter + delimiter.join(map(str, _event("")[1:])) + "\n"
    more += delimiter.join(map(str, _event("LAST"))) + "\n"
    data = gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes()
    _bytes(path, data + more.encode())


def _tsv(path: Path, *eids: str) -> None:
    _csv(path, *eids, delimiter="\t")


def _jsonl(path: Path, *eids: str) -> None:
    lines = [json.dumps(dict(zip(HEADER, e, strict=True))) for e in _events(*eids)]
    if not eids:
        lines = [lines[0], "[1, 2]", "", lines[1], "{not json", lines[2]]
    _bytes(path, ("\n".join(lines) + "\n").encode())


def _json(path: Path, *eids: str) -> None:
    records: list[object] = [dict(zip(HEADER, e, strict=True)) for e in _events(*eids)]
    _bytes(path, json.dumps(records + ([] if eids else [7]), indent=1).encode())


def _xlsx(path: Path, *eids: str) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    rows = _events(*eids)
    sheet.append(rows[0])
    sheet.append([None] * len(HEADER))  # a blank row: no row, its number skipped
    for row in rows[1:]:
        sheet.append(row)
    book.save(path)


def _parquet(path: Path, *eids: str) -> None:
    cols = list(zip(*_events(*eids), strict=True))
    pq.write_table(pa.table({h: list(c) if h == "record_count" else [str(v) for v in c]
                             for h, c in zip(HEADER, cols, strict=True)}), path)


def _sample(name: str, bad: str = "") -> Callable[..., None]:
    def write(path: Path) -> None:
        _bytes(path, (DATA / name).read_bytes() + bad.encode())
    return write


def _mysql(path: Path) -> None:
    record = {"audit_record": {"name": "Query", "timestamp": "2026-10-05T01:00:00Z",
                               "command_class": "select", "status": 0, "user": "u[u] @ h []",
                               "sqltext": "select * from customer", "db": "crm"}}
    _bytes(path, (json.dumps(record) + "\n{bad\n").encode())


@dataclasses.dataclass(frozen=True)
class Case:
    dataset: str
    mapping: str  # mapping.yaml, "" for none
    # write(path) the file; write(path, eid) a neighbour of one row (formats
    # DuckDB reads by path: a pattern would read it in the file's place).
    write: Callable[..., None]
    suffix: str
    neighbour: bool = False


SYSLOG = "access_log:\n  source: {name: syslog, year: 2026}\n  timezone: UTC\n"
CASES = {
    "csv": Case("access_log", "", _csv, ".csv", True),
    "csv.gz": Case("access_log", "", _csv, ".csv.gz", True),
    "tsv": Case("access_log", "", _tsv, ".tsv", True),
    "excel": Case("access_log", "", _xlsx, ".xlsx", True),
    "jsonl": Case("access_log", "", _jsonl, ".jsonl", True),
    "jsonl.gz": Case("access_log", "", _jsonl, ".jsonl.gz", True),
    "json": Case("access_log", "", _json, ".json", True),
    "json.gz": Case("access_log", "", _json, ".json.gz", True),
    "parquet": Case("access_log", "", _parquet, ".parquet", True),
    "pgaudit": Case("access_log", "access_log: {source: pgaudit}\n",
                    _sample("synthetic-formats/pgaudit_rds_prefix.log"), ".log"),
    "mysql-audit": Case("access_log", "access_log: {source: mysql-audit}\n", _mysql, ".log"),
    "cloudtrail": Case("access_log", "access_log: {source: cloudtrail}\n",
                       _sample("real/cloudtrail_records.json"), ".json"),
    "ranger": Case("access_log", "access_log: {source: ranger}\n",
                   _sample("synthetic-formats/ranger_hdfs_log4j.log"), ".log"),
    "syslog": Case("access_log", SYSLOG, _sample("real/syslog_auth_beats_test.log"), ".log"),
    "kantara": Case("consents", "consents: {source: kantara}\n",
                    _sample("synthetic-formats/kantara_receipts.jsonl", "not a receipt\n"),
                    ".jsonl"),
    "iab-tcf": Case("consents", "consents: {source: iab-tcf}\n",
                    _sample("real/iab_tcf_strings.txt"), ".txt"),
}
# The pattern each format's file is named (and its folder, exports<pattern>):
# DuckDB's own glob characters (* ? [ ]) for the formats it reads by path.
GLOBS = {"csv": "a[1]", "csv.gz": "*", "tsv": "a?1", "excel": "x{1,2}", "jsonl": "*",
         "jsonl.gz": "a[1]", "json": "a?1", "json.gz": "[ab]", "parquet": "[ab]",
         "pgaudit": "a[1]", "mysql-audit": "*", "cloudtrail": "x{1,2}", "ranger": "a?1",
         "syslog": "[ab]", "kantara": "a[1]", "iab-tcf": "*"}


def _folder(root: Path, case: Case) -> Path:
    folder = root / case.dataset
    folder.mkdir(parents=True)
    if case.mapping:
        (root / "mapping.yaml").write_text(case.mapping, encoding="utf-8")
    return folder


def _load(root: Path, case: Case) -> tuple[DatasetLoad, list[tuple], list[tuple], set[str]]:
    """The dataset's load, its table and rejects (sorted), and the files they name."""
    loaded = load(root, progress=False)
    d = loaded.datasets[case.dataset]
    table, rejects = (loaded.con.execute(f"SELECT * FROM {t}").fetchall()
                      for t in (case.dataset, case.dataset + "__rejects"))
    files = {r[0] for r in loaded.con.execute(
        f"SELECT _source_file FROM {case.dataset} UNION "
        f"SELECT _source_file FROM {case.dataset}__rejects").fetchall()}
    return d, sorted(table, key=repr), sorted(rejects, key=repr), files


def _said(value: object, old: str, new: str) -> object:
    """`value` (a row, a DatasetLoad field) with the plain name said as the glob one."""
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, list | tuple):
        return type(value)(_said(v, old, new) for v in value)
    if isinstance(value, dict):
        return {_said(k, old, new): _said(v, old, new) for k, v in value.items()}
    return value


def _fields(d: DatasetLoad, old: str = "", new: str = "") -> dict:
    """A DatasetLoad's fields (the name `old` said as `new`), its files in no
    order: they sort by name."""
    fields = _said(dataclasses.asdict(d), old, new) if old else dataclasses.asdict(d)
    return {**fields, "files": sorted(fields["files"])}


def _no_leak(*values: object) -> None:
    text = repr(values)
    assert not any(leak in text for leak in LEAKS), text


def _neighbour(glob: str) -> str:
    """A plain name the pattern `glob` matches: a1 for a[1], b for *, …"""
    for part, plain in (("[1]", "1"), ("*", "b"), ("?", "b"), ("{1,2}", "1"), ("[ab]", "a")):
        glob = glob.replace(part, plain)
    return glob


# A glob in the file's name (its folder plain), in its folder's, or in both;
# the formats DuckDB reads by path in each, the others in one. A folder's
# pattern that matches nothing would hide the name's: DuckDB then reads the
# path as written. So each pattern matches a file: the neighbour beside it,
# a decoy folder beside the data folder (exportsa1/ for exportsa[1]/).
PLACES = ("name", "folder", "both")
PARAMS = [(fmt, place) for i, (fmt, case) in enumerate(CASES.items()) for place in PLACES
          if case.neighbour or place == PLACES[i % len(PLACES)]]


def _layout(tmp_path: Path, case: Case, glob: str, place: str) -> tuple[Path, str, set[str]]:
    """The data folder of the file named like a pattern, the file's stem, and
    the names of its files; with the neighbour and decoy that pattern matches."""
    stem = "own" if place == "folder" else glob
    root = tmp_path / ("exports" if place == "name" else f"exports{glob}")
    decoy = tmp_path / f"exports{_neighbour(glob)}" / case.dataset
    folder = _folder(root, case)
    case.write(folder / f"{stem}{case.suffix}")
    names = {f"{case.dataset}/{stem}{case.suffix}"}
    if case.neighbour:
        if place != "folder":
            case.write(folder / f"{_neighbour(stem)}{case.suffix}", "NEIGHBOUR")
            names.add(f"{case.dataset}/{_neighbour(stem)}{case.suffix}")
        if place != "name" and decoy.parent != root:  # exportsx{1,2}: no pattern for DuckDB
            decoy.mkdir(parents=True)
            case.write(decoy / f"{_neighbour(stem)}{case.suffix}", "DECOY")
    return root, stem, names


def _plain(tmp_path: Path, case: Case, names: set[str], stem: str) -> Path:
    """The same files under plain names (the pattern's file as PLAIN)."""
    root = tmp_path / "plain"
    folder = _folder(root, case)
    for name in names:
        plain = Path(name.replace(stem, PLAIN, 1)).name
        if PLAIN in plain:
            case.write(folder / plain)
        else:
            case.write(folder / plain, "NEIGHBOUR")
    return root


@pytest.mark.parametrize(("fmt", "place"), PARAMS)
def test_each_format_reads_a_glob_name_as_its_plain_name(tmp_path: Path, fmt: str,
                                                          place: str) -> None:
    case, glob = CASES[fmt], GLOBS[fmt]
    glob_root, stem, names = _layout(tmp_path, case, glob, place)
    plain_root = _plain(tmp_path, case, names, stem)
    for path in (*plain_root.rglob("*.*"), *glob_root.rglob("*.*")):
        os.utime(path, (1_790_000_000,) * 2)  # a year-less syslog dates its lines by it
    want, want_table, want_rejects, want_files = _load(plain_root, case)
    got, table, rejects, files = _load(glob_root, case)
    assert got.status == "loaded", got.error
    assert want.rows_loaded > 0 and want.rows_read == (
        want.rows_loaded + want.rows_rejected + want.rows_filtered)
    assert _said(want_table, PLAIN, stem) == table
    assert _said(want_rejects, PLAIN, stem) == rejects
    assert _fields(want, PLAIN, stem) == _fields(got)
    assert files == names and want_files == {n.replace(stem, PLAIN, 1) for n in names}
    _no_leak(dataclasses.asdict(got), table, rejects)


def _cut(write: Callable[..., None]) -> Callable[..., None]:
    """`write`, its file cut in half (a copy that stopped); a neighbour whole."""
    def cut(path: Path, *eids: str) -> None:
        write(path, *eids)
        if not eids:
            data = path.read_bytes()
            path.write_bytes(data[: len(data) // 2])
    return cut


def _garbage(write: Callable[..., None]) -> Callable[..., None]:
    """`write`, its file text of no format; a neighbour whole."""
    def garbage(path: Path, *eids: str) -> None:
        write(path, *eids)
        if not eids:
            path.write_bytes(b"not the format its name says\n" * 3)
    return garbage


PGAUDIT = "access_log: {source: pgaudit}\n"
BROKEN = {
    "csv.gz cut": Case("access_log", "", _cut(_csv), ".csv.gz", True),
    "tsv.gz cut": Case("access_log", "", _cut(_tsv), ".tsv.gz", True),
    "jsonl.gz cut": Case("access_log", "", _cut(_jsonl), ".jsonl.gz", True),
    "json.gz cut": Case("access_log", "", _cut(_json), ".json.gz", True),
    "parquet cut": Case("access_log", "", _cut(_parquet), ".parquet", True),
    "parquet garbage": Case("access_log", "", _garbage(_parquet), ".parquet", True),
    "excel cut": Case("access_log", "", _cut(_xlsx), ".xlsx", True),
    "excel garbage": Case("access_log", "", _garbage(_xlsx), ".xlsx", True),
    "pgaudit gz cut": Case("access_log", PGAUDIT,
                           _cut(_sample("synthetic-formats/pgaudit_rds_prefix.log")), ".log.gz"),
}


@pytest.mark.parametrize("kind", list(BROKEN))
def test_an_unreadable_file_is_said_by_its_own_name(tmp_path: Path, kind: str) -> None:
    case = BROKEN[kind]
    glob_root, stem, names = _layout(tmp_path, case, "a[1]", "both")
    plain_root = _plain(tmp_path, case, names, stem)
    want, got = (load(root, progress=False).datasets[case.dataset]
                 for root in (plain_root, glob_root))
    assert (want.status, got.status) == ("error", "error"), (want, got)
    assert f"{case.dataset}/{stem}{case.suffix}" in got.error, got.error
    assert _said(want.error.replace(str(plain_root), str(glob_root)), PLAIN, stem) == got.error
    assert _fields(want, PLAIN, stem) | {"error": ""} == _fields(got) | {"error": ""}
    _no_leak(dataclasses.asdict(got))


def _link_rows(root: Path) -> tuple[DatasetLoad, list[tuple]]:
    loaded = load(root, progress=False)
    return loaded.datasets["access_log"], loaded.con.execute(
        "SELECT _source_file, _source_line, event_id FROM access_log ORDER BY 1, 2").fetchall()


def test_a_link_named_like_a_pattern_reads_its_target_inside_the_data_folder(
        tmp_path: Path) -> None:
    root = tmp_path / "data"
    _csv(root / "store" / "e[1].csv", "TARGET")
    _csv(root / "store" / "f[1].csv", "BY_PLAIN_LINK")
    _csv(root / "parts" / "g[1].csv", "IN_LINKED_FOLDER")
    _csv(root / "parts" / "g1.csv", "IN_LINKED_FOLDER_TOO")
    _csv(root / "access_log" / "l1.csv", "NEIGHBOUR")  # what l[1].csv is as a pattern
    (root / "access_log" / "l[1].csv").symlink_to(Path("..") / "store" / "e[1].csv")
    (root / "access_log" / "plain.csv").symlink_to(root / "store" / "f[1].csv")
    (root / "access_log" / "part[1]").symlink_to(Path("..") / "parts", target_is_directory=True)
    d, got = _link_rows(root)
    assert d.status == "loaded" and d.rows_read == d.rows_loaded == 5, d
    assert got == [("access_log/l1.csv", 2, "NEIGHBOUR"), ("access_log/l[1].csv", 2, "TARGET"),
                   ("access_log/part[1]/g1.csv", 2, "IN_LINKED_FOLDER_TOO"),
                   ("access_log/part[1]/g[1].csv", 2, "IN_LINKED_FOLDER"),
                   ("access_log/plain.csv", 2, "BY_PLAIN_LINK")]
    _no_leak(dataclasses.asdict(d))


def test_a_link_named_like_a_pattern_that_leads_outside_is_refused(tmp_path: Path) -> None:
    _csv(tmp_path / "secret[1].csv", "SECRET")
    root = tmp_path / "data"
    _csv(root / "access_log" / "l1.csv", "NEIGHBOUR")
    (root / "access_log" / "l[1].csv").symlink_to(tmp_path / "secret[1].csv")
    d, got = _link_rows(root)
    assert d.status == "error" and got == []
    assert d.error.startswith("access_log/l[1].csv is a link to ") and (
        "outside the data folder" in d.error), d.error


def test_a_relative_data_folder_whose_name_starts_with_a_tilde_is_read_there(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # DuckDB reads `~exports/…` as a path in the home folder (its `~` expanded).
    monkeypatch.chdir(tmp_path)
    _csv(tmp_path / "~exports" / "access_log" / "a.csv", "MINE")
    d, got = _link_rows(Path("~exports"))
    assert d.status == "loaded", d.error
    assert got == [("access_log/a.csv", 2, "MINE")]
    (tmp_path / "~broken" / "access_log").mkdir(parents=True)
    (tmp_path / "~broken" / "access_log" / "b.parquet").write_bytes(b"no Parquet")
    d, _ = _link_rows(Path("~broken"))
    assert "'~broken/access_log/b.parquet' too small to be a Parquet file" in d.error, (
        d.error)
    _no_leak(dataclasses.asdict(d))


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_a_file_in_a_key_value_folder_keeps_its_own_values(tmp_path: Path, fmt: str) -> None:
    """DuckDB guesses Hive partitions from a path (system=erp/): the readers
    turn that off, or the folder's name replaced the file's own column."""
    folder = tmp_path / "data" / "access_log" / "system=erp"
    folder.mkdir(parents=True)
    # Its row's system is crm. (With a file read through a link beside it,
    # DuckDB sees no partition in the scan: the value then depends on the neighbour.)
    if fmt == "parquet":
        _parquet(folder / "a.parquet", "PLAIN")
    else:
        write_csv(folder / "a.csv", HEADER, [_event("PLAIN")])
    loaded = load(tmp_path / "data", progress=False)
    d = loaded.datasets["access_log"]
    assert d.status == "loaded" and d.extra_columns == [], d
    assert loaded.con.execute("SELECT event_id, system FROM access_log ORDER BY 1").fetchall(
        ) == [("PLAIN", "crm")]
