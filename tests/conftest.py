"""Shared helpers: write tiny data folders and load them."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import privacylib
from privacylib.config.mapping import mapping_from_dict
from privacylib.config.policy import Policy

if TYPE_CHECKING:
    from privacylib.controls.engine import ControlResult


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]],
              encoding: str = "utf-8", delimiter: str = ",") -> Path:
    """Write a CSV file the way an export would (empty string for None)."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    path.parent.mkdir(parents=True, exist_ok=True)
    data = buf.getvalue().encode(encoding)
    if path.name.endswith(".gz"):
        import gzip

        data = gzip.compress(data, mtime=0)
    path.write_bytes(data)
    return path


def load_dir(folder: Path, mapping: dict | None = None, policy: Policy | None = None,
             ) -> privacylib.LoadResult:
    return privacylib.load(folder, policy=policy,
                           mapping=mapping_from_dict(mapping or {}), progress=False)


def rows(result: privacylib.LoadResult, sql: str, params: dict | None = None) -> list[tuple]:
    return result.con.execute(sql, params or {}).fetchall()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


def run_control(folder: Path, control_id: str, tables: dict[str, list[dict]], *,
                policy: Policy | None = None, period: str = "2026-10", scope: str | None = None,
                checked: int | None = None) -> tuple[str, set[str]]:
    """Write tiny tables, load them, run one control: (outcome, subject ids).

    `checked`, when given, is the size of the control's population that the
    case expects (counted by hand from the population's words)."""
    outcome = run_control_result(folder, control_id, tables, policy=policy, period=period,
                                 scope=scope)
    assert outcome.outcome in ("pass", "fail", "no_data"), outcome.reason_en
    if checked is not None:
        assert outcome.checked == checked, (control_id, outcome.checked)
    if outcome.outcome == "no_data":
        assert outcome.checked == 0 and not outcome.findings and outcome.reason_en
    return outcome.outcome, {f.subject_id for f in outcome.findings}


def run_control_result(folder: Path, control_id: str, tables: dict[str, list[dict]], *,
                       policy: Policy | None = None, period: str = "2026-10",
                       scope: str | None = None) -> ControlResult:
    """As run_control, but the ControlResult itself (reason, checked, incomplete).

    An empty table is written as the contract's header alone: the dataset is
    present with no row, which is how a control whose population is a whole
    dataset (every consent, every record) gets nothing to examine."""
    from privacylib.config.period import resolve_period
    from privacylib.contract import DATASETS
    from privacylib.controls.catalog import load_catalog, select
    from privacylib.controls.engine import Scope, run_controls

    columns = {d.name: d.column_names for d in DATASETS}
    for name, table in tables.items():
        header = list(dict.fromkeys(k for row in table for k in row)) or list(columns[name])
        write_csv(folder / f"{name}.csv", header, [[row.get(h) for h in header] for row in table])
    loaded = load_dir(folder, policy=policy)
    assert all(d.rows_rejected == 0 for d in loaded.datasets.values()), "test data must load"
    result = run_controls(loaded, resolve_period(period, tz=loaded.policy.timezone),
                          scope=Scope.parse(scope), controls=select(load_catalog(),
                                                                    ids=[control_id]))
    (outcome,) = result.results
    return outcome


@pytest.fixture(scope="session")
def shared_root(tmp_path_factory, worker_id) -> Path:
    """A folder every pytest-xdist worker of this session sees (the base temp
    folder's parent under xdist, which holds one folder per worker)."""
    base = tmp_path_factory.getbasetemp()
    root = (base if worker_id == "master" else base.parent) / "shared"
    root.mkdir(exist_ok=True)
    return root


@pytest.fixture(scope="session")
def signing_keys(shared_root) -> tuple[Path, Path]:
    """(signing.key, signing.pub) made once for the whole session, every
    worker included: a run one worker signed is verified by another."""
    import fcntl
    import shutil

    from privacylib.trail.signing import PRIVATE_NAME, PUBLIC_NAME, keygen

    folder = shared_root / "keys"
    with (shared_root / "keys.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "done").exists():
            shutil.rmtree(folder, ignore_errors=True)  # a worker died while making it
            keygen(folder)
            (folder / "done").touch()
    return folder / PRIVATE_NAME, folder / PUBLIC_NAME


@pytest.fixture(scope="session")
def sample_audit(_keys):
    """The sample company's October audit in this process (run_audit: no
    notebook), made once per worker for the modules that only read it."""
    from privacylib.audit.run import AuditConfig, run_audit

    return run_audit(AuditConfig(data=str(SAMPLE / "exports"), period="2026-10"))


@pytest.fixture(scope="session")
def shared_runs(shared_root, _keys):
    """Whole runs of the sample company, made once for all workers (shared_runs.py)."""
    from shared_runs import SharedRuns

    return SharedRuns(shared_root)


@pytest.fixture(scope="session", autouse=True)
def _keys(signing_keys):
    """Tests never touch the user's pseudonym or signing key files: set for the
    whole session, so that module fixtures see them too."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PRIVACY_AUDIT_PSEUDONYM_KEY", "test-key-of-the-suite")
        patch.setenv("PRIVACY_AUDIT_SIGNING_KEY", str(signing_keys[0]))
        yield


SAMPLE = Path(__file__).parents[1] / "data" / "sample"


def sample_identifiers() -> set[str]:
    """Every raw identifier of the sample company's people (customer ids too)."""
    import csv as _csv

    found = set()
    for name, encoding in (("customers", "gb18030"), ("employees", "utf-8-sig")):
        with (SAMPLE / "exports" / f"{name}.csv").open(encoding=encoding) as fh:
            for row in _csv.DictReader(fh):
                found |= {row["身份证号"], row["手机号"], row["邮箱"]}
                if name == "customers":
                    found.add(row["客户编号"])
    return found


def assert_no_raw_identifiers(folder: Path) -> None:
    """No file of an output folder holds a raw ID number, phone, e-mail or customer id."""
    import re

    import openpyxl
    import pandas as pd

    secrets = sample_identifiers()
    assert len(secrets) > 1000
    pattern = re.compile("|".join(re.escape(s) for s in sorted(secrets, key=len, reverse=True)))
    checked = 0
    for path in folder.rglob("*"):
        if path.suffix in (".csv", ".html", ".ipynb"):
            text = path.read_text(encoding="utf-8")
        elif path.suffix == ".parquet":
            text = pd.read_parquet(path).to_csv()
        elif path.suffix == ".xlsx":
            text = "\n".join(str(c.value) for s in openpyxl.load_workbook(path).worksheets
                             for row in s.iter_rows() for c in row)
        elif path.suffix == ".pdf":
            from privacylib.report.pdf import pdf_text

            text = pdf_text(path)
        else:
            continue
        checked += 1
        leak = pattern.search(text)
        assert leak is None, (path.name, leak and leak.group())
    assert checked >= 5


def gb11643(body: str) -> str:
    """The check character of a 17-digit ID body, from the published rule."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def luhn(body: str) -> str:
    total = 0
    for i, d in enumerate(reversed(body)):
        n = int(d) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return str((10 - total % 10) % 10)
