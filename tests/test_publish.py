"""Publishing as one step (#13): a full disk at each step, a kill between
steps, a crash in nbconvert; then the folder/store pair and what the next run
compares with.

The notebook is run for real once; the runs here replay its files through a
stand-in for papermill (no kernel, no HTML conversion), so that every
publishing step is the real code.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from privacylib.audit.run import AuditConfig
from privacylib.errors import PrivacyLibError
from privacylib.run import runner
from privacylib.trail import publish
from privacylib.trail.manifest import MANIFEST, UNLISTED, sha256_file
from privacylib.trail.store import previous_run

from conftest import SAMPLE

LATER = "2026-12-01T00:00:00+08:00"  # the end of a later period: what would it compare with?


@pytest.fixture(scope="module")
def template(tmp_path_factory, shared_runs) -> Path:
    """One real run's files, without what publishing adds."""
    out = tmp_path_factory.mktemp("template")
    run = shared_runs.out("october") / "2026-10"
    files = out / "files"
    shutil.copytree(run, files, ignore=lambda _d, names: [n for n in names if n in UNLISTED
                                                          or n == "report.html"])
    return files


def fake_papermill(template: Path):
    def execute_notebook(_input: str, output: str, **_kwargs: object) -> None:
        shutil.copytree(template, Path(output).parent, dirs_exist_ok=True)
    return execute_notebook


class _NoKernel:
    manager = None

    def notebook_done(self) -> None:
        pass


@contextlib.contextmanager
def no_kernel(_mask: bool):
    """The stand-in for papermill runs no notebook: no kernel to start."""
    yield _NoKernel(), None


def fake_html(_notebook: Path, target: Path, _exporter: object) -> None:
    target.write_text("<html><body>replayed</body></html>", encoding="utf-8")


def replaying(papermill: object, template: Path, patch) -> None:
    """papermill replays the template; the kernel, the HTML conversion and the
    leak guard, which are not publishing steps, are left out (each ~2 s a run)."""
    patch(papermill, "execute_notebook", fake_papermill(template))
    patch(runner, "_kernel_for", no_kernel)
    patch(runner, "_to_html", fake_html)
    patch(runner, "guard_run", lambda *_a, **_k: None)  # replayed files: not its test


@pytest.fixture
def replay(template, monkeypatch):
    import papermill

    replaying(papermill, template, monkeypatch.setattr)
    return template


def run_once(out: Path) -> Path:
    return runner.execute(AuditConfig(data=str(SAMPLE / "exports"), period="2026-10"), out)


def state(out: Path) -> dict[str, object]:
    """The folder/store pair: runs by state, what each folder holds, what is left over."""
    con = duckdb.connect(str(out / "audit-store.duckdb"), read_only=True)
    rows = con.execute("SELECT run_id, state, folder, manifest_sha256 FROM runs "
                       "ORDER BY seq").fetchall()
    counts = {t: con.execute(f"SELECT count(DISTINCT run_id) FROM {t}").fetchone()[0]
              for t in ("outcomes", "findings")}
    con.close()
    published = [r for r in rows if r[1] == "published"]
    for _run_id, _state, folder, digest in published:  # the store points at what is there
        assert sha256_file(Path(folder) / MANIFEST) == digest
    return {"states": [r[1] for r in rows], "published": [r[0] for r in published],
            "counts": counts, "leftovers": sorted(p.name for p in out.iterdir()
                                                  if p.name.startswith("."))}


def run_id_of(folder: Path) -> str:
    return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["run_id"]


# After `published` only the old folder's removal is left, which ignores errors.
@pytest.mark.parametrize("step", publish.STEPS[:-1])
def test_a_full_disk_at_each_step_keeps_the_run_before(replay, tmp_path, monkeypatch, step):
    first = run_one = run_once(tmp_path)
    kept = run_id_of(run_one)

    def full(name: str) -> None:
        if name == step:
            raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(publish, "_step", full)
    with pytest.raises(PrivacyLibError, match="No space left") as exc:
        run_once(tmp_path)
    assert exc.value.exit_code == 1
    assert state(tmp_path) == {"states": ["published"], "published": [kept],
                               "counts": {"outcomes": 1, "findings": 1}, "leftovers": []}
    assert run_id_of(first) == kept
    assert previous_run(tmp_path / "audit-store.duckdb", None, LATER).run_id == kept


@pytest.mark.parametrize("where", ["rename", "manifest", "nbconvert"])
def test_a_write_that_fails_leaves_nothing(replay, tmp_path, monkeypatch, where):
    """The first run of a folder: out of space renaming it, writing the
    manifest; nbconvert crashing. No folder, nothing recorded, nothing left."""
    if where == "rename":
        real = os.rename

        def rename(src, dst):
            if ".tmp-" in str(src):
                raise OSError(errno.ENOSPC, "No space left on device")
            return real(src, dst)
        monkeypatch.setattr(os, "rename", rename)
    elif where == "manifest":
        def write_signed(*_args):
            raise OSError(errno.ENOSPC, "No space left on device")
        monkeypatch.setattr(publish, "write_signed", write_signed)
    else:
        def crash(*_args):
            raise RuntimeError("nbconvert crashed")
        monkeypatch.setattr(runner, "_to_html", crash)
    with pytest.raises((PrivacyLibError, RuntimeError)):
        run_once(tmp_path)
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit-store.duckdb"]
    assert state(tmp_path)["states"] == []
    assert previous_run(tmp_path / "audit-store.duckdb", None, LATER) is None


KILLED = """
import os, sys
from pathlib import Path
import papermill
sys.path.insert(0, {tests!r})
from test_publish import replaying, run_once
replaying(papermill, Path({template!r}), setattr)
os.environ["PRIVACY_AUDIT_FAULT"] = {step!r}
run_once(Path({out!r}))
"""


@pytest.mark.parametrize("step", publish.STEPS)
def test_a_kill_between_steps_is_finished_or_undone_by_the_next_run(replay, tmp_path, step,
                                                                    capsys):
    first = run_once(tmp_path)
    kept = run_id_of(first)
    code = KILLED.format(tests=str(Path(__file__).parent), template=str(replay), step=step,
                         out=str(tmp_path))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env={**os.environ})
    assert proc.returncode == -9, proc.stderr
    # Whatever the kill left, the store knows: a pending run covers any folder not as recorded.
    con = duckdb.connect(str(tmp_path / "audit-store.duckdb"), read_only=True)
    rows = con.execute("SELECT state, folder, manifest_sha256 FROM runs").fetchall()
    con.close()
    pending = {folder for s, folder, _ in rows if s == "pending"}
    for _s, folder, digest in [r for r in rows if r[0] == "published"]:
        path = Path(folder) / MANIFEST
        assert (path.exists() and sha256_file(path) == digest) or folder in pending
    again = run_once(tmp_path)  # the next run: finishes or undoes, then publishes itself
    said = capsys.readouterr().err
    swept = step in ("signed", "published")  # only a temporary folder was left
    assert ("left by a run that was killed" if swept else "interrupted") in said
    after = state(tmp_path)
    assert after["leftovers"] == [] and "pending" not in after["states"]
    assert after["published"] == [run_id_of(again)]
    finished = step in ("renamed", "published")  # the killed run's folder was in place
    assert after["states"] == (["superseded"] * 2 if finished else ["superseded"]) + [
        "published"]
    assert previous_run(tmp_path / "audit-store.duckdb", None, LATER).run_id == run_id_of(again)
    assert kept not in after["published"]


def test_temporary_folders_of_killed_runs_are_swept(replay, tmp_path, capsys):
    run_once(tmp_path)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    left = tmp_path / f".2026-10.tmp-{dead}-abc123"
    left.mkdir()
    (left / "findings.csv").write_text("half", encoding="utf-8")
    alive = tmp_path / f".2026-10.tmp-{os.getppid()}-def456"  # a run still writing
    alive.mkdir()
    os.utime(left, (0, 0))
    os.utime(alive, (0, 0))
    run_once(tmp_path)
    assert not left.exists() and alive.exists()
    assert f"removed {left}" in capsys.readouterr().err


def test_a_run_compared_with_a_run_recorded_meanwhile_is_refused(replay, tmp_path):
    """The replayed files compare with nothing; once an earlier period is
    published, the store's history differs, and the run is not published."""
    run_once(tmp_path)
    con = duckdb.connect(str(tmp_path / "audit-store.duckdb"))
    con.execute("UPDATE runs SET period_end = '2026-10-01T00:00:00+08:00'")  # now: September
    con.close()
    with pytest.raises(PrivacyLibError, match="recorded while it ran"):
        runner.execute(AuditConfig(data=str(SAMPLE / "exports"), period="2026-10"),
                       tmp_path)
    assert state(tmp_path)["states"] == ["published"]


def test_paths_are_taken_literally_and_a_named_key_file_must_exist(tmp_path):
    from papermill.parameterize import parameterize_path

    from privacylib.errors import UsageError
    from privacylib.masking.masker import load_key

    for path in ("o{x}/report.ipynb", "o{lang}/report.ipynb", "a}b{/r.ipynb"):
        assert parameterize_path(runner._literal(Path(path)), {"lang": "zh"}) == path
    missing = tmp_path / "typo.key"
    with pytest.raises(UsageError, match="does not exist"):
        runner.prepare_run(AuditConfig(data=str(SAMPLE / "exports"), period="2026-10",
                                       key_file=str(missing)), tmp_path)
    with pytest.raises(UsageError, match="--new-key"):
        load_key(missing)
    assert load_key(missing, create=True) and missing.stat().st_mode & 0o077 == 0
    with pytest.raises(UsageError, match="already exists"):
        load_key(missing, create=True)


def test_paths_holding_an_identifier_are_masked_in_the_manifest_and_the_store(tmp_path):
    """A data folder and a policy named after a customer's ID number: the
    manifest masked its inputs' paths but not the parameters, the policy's
    file or the store, and the store kept the parameters as given; and an
    output folder named with a mobile number."""
    id_number = "110101199003071234"
    data = tmp_path / f"cust-{id_number}" / "exports"
    shutil.copytree(SAMPLE / "exports", data)
    policy = tmp_path / f"pol-{id_number}" / "policy.yaml"
    policy.parent.mkdir()
    policy.write_text("timezone: Asia/Shanghai\n", encoding="utf-8")
    # papermill keeps the notebook's output path in its metadata: a masked
    # run under a folder named with a mobile number failed its own leak guard.
    out = tmp_path / "out-13912345678"
    folder = runner.execute(AuditConfig(data=str(data), period="2026-10", policy=str(policy),
                                        store=str(out / f"store-{id_number}.duckdb")), out)
    notebook = (folder / "report.ipynb").read_text(encoding="utf-8")
    assert "13912345678" not in notebook and "139****5678" in notebook
    manifest = (folder / MANIFEST).read_text(encoding="utf-8")
    assert id_number not in manifest and "110101********1234" in manifest
    loaded = json.loads(manifest)
    assert "110101********1234" in loaded["parameters"]["data"]
    assert "110101********1234" in loaded["policy"]["file"] + loaded["store"]
    con = duckdb.connect(str(out / f"store-{id_number}.duckdb"), read_only=True)
    (parameters,) = con.execute("SELECT parameters FROM runs").fetchone()
    con.close()
    assert id_number not in parameters and "110101********1234" in parameters


def test_a_data_file_that_changes_during_the_run_publishes_nothing(tmp_path, monkeypatch):
    """The manifest signs the inputs' hashes taken before the notebook read
    them: an export still being written when the audit started made a PROVEN
    run naming other bytes than it read. The files are hashed again after."""
    import papermill

    data = tmp_path / "exports"
    shutil.copytree(SAMPLE / "exports", data)
    executed = papermill.execute_notebook

    def while_an_export_writes(*args, **kwargs):
        done = executed(*args, **kwargs)
        with (data / "employees.csv").open("a", encoding="utf-8") as fh:
            fh.write("E9999,迟到者,客服中心,2026-10-01 09:00:00,,agent\n")
        return done

    monkeypatch.setattr(papermill, "execute_notebook", while_an_export_writes)
    out = tmp_path / "runs"
    from privacylib.run.guards import InputsChanged

    with pytest.raises(InputsChanged, match=r"employees\.csv") as caught:
        runner.execute(AuditConfig(data=str(data), period="2026-10"), out)
    assert caught.value.exit_code == 2 and "nothing was published" in str(caught.value)
    assert [p.name for p in out.iterdir() if not p.name.startswith(".")] in (
        [], ["audit-store.duckdb"])


def test_an_unmasked_run_is_recorded_before_anything_unmasked_is_written(tmp_path,
                                                                         monkeypatch):
    """Recorded after publishing, a kill (or a busy store) in between left an
    unmasked report that `access-log` did not list."""
    from privacylib.errors import UsageError
    from privacylib.trail.access import views

    config = AuditConfig(data=str(SAMPLE / "exports"), period="2026-10", mask=False)
    with pytest.raises(UsageError, match="needs a reason"):
        runner.execute(config, tmp_path / "runs")

    import papermill

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # a kill as the notebook starts: it may write unmasked

    monkeypatch.setattr(papermill, "execute_notebook", killed)
    with pytest.raises(KeyboardInterrupt):
        runner.execute(config, tmp_path / "runs", reason="regulator request 117")
    seen = views(tmp_path / "runs" / "audit-store.duckdb")
    assert list(seen["kind"]) == ["unmasked run"]
    assert list(seen["reason"]) == ["regulator request 117"]
    assert list(seen["subject"]) == ["2026-10"]


def test_an_output_that_cannot_hold_the_run_is_said_in_words(tmp_path):
    """They were tracebacks (exit 1): --out naming a file, the run's folder
    name taken by a file, a scope too long for a file name."""
    from privacylib.errors import UsageError

    config = AuditConfig(data=str(SAMPLE / "exports"), period="2026-10")
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    with pytest.raises(UsageError, match="is not a folder"):
        runner.execute(config, tmp_path / "a-file")
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "2026-10").write_text("x", encoding="utf-8")
    with pytest.raises(UsageError, match="is a file, where this run's folder goes"):
        runner.execute(config, tmp_path / "runs")
    long = AuditConfig(data="d", period="2026-10", scope="department=" + "风控" * 60)
    name = runner.folder_name(long)
    assert len((f".{name}.tmp-4194304-abcdefgh").encode()) < 255
    assert name != runner.folder_name(AuditConfig(data="d", period="2026-10",
                                                  scope="department=" + "风控" * 61))


def test_runs_inside_the_data_folder_are_refused(tmp_path):
    """Its runs and store were hashed as the next run's inputs, and they
    change while a run writes them (the data would seem changed meanwhile)."""
    from privacylib.errors import UsageError

    data = tmp_path / "exports"
    shutil.copytree(SAMPLE / "exports", data)
    with pytest.raises(UsageError, match=r"--out .* is inside the data folder"):
        runner.execute(AuditConfig(data=str(data), period="2026-10"), data / "runs")
    with pytest.raises(UsageError, match=r"the store .* is inside the data folder"):
        runner.execute(AuditConfig(data=str(data), period="2026-10",
                                   store=str(data / "store.duckdb")), tmp_path / "runs")


def test_a_kernel_that_dies_is_said_in_words(tmp_path, monkeypatch):
    """A kernel killed (the out-of-memory killer) was reported as its repr,
    DeadKernelError('Kernel died')."""
    import papermill
    from nbclient.exceptions import DeadKernelError

    def died(*args, **kwargs):
        raise DeadKernelError("Kernel died")

    monkeypatch.setattr(papermill, "execute_notebook", died)
    with pytest.raises(runner.RunFailed, match="kernel died while it ran") as caught:
        runner.execute(AuditConfig(data=str(SAMPLE / "exports"), period="2026-10"),
                       tmp_path / "runs")
    assert caught.value.exit_code == 1 and "more memory" in caught.value.hint
    assert not [p for p in (tmp_path / "runs").iterdir() if not p.name.startswith(".")
                and p.name != "audit-store.duckdb"]
