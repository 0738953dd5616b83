"""`privacy-audit run`: the audit notebook executed by papermill into a run folder.

Stages: resolve the configuration once (config/params.py: policy, mapping,
period, scope, key file, exceptions; bad usage is exit 2 here) and hash the
inputs (`prepare_run`); then (`execute_run`) finish or undo runs a kill left
half-published, and sweep their temporary folders (trail/publish.py); run the
notebook with the resolved configuration as its one canonical parameter
(`resolved`, JSON), so it never reads the policy file again; it compares with
the store's previous run of the same scope and writes every file, with
result.json; convert it to HTML; then publish: sign, record, rename, mark
published, as one step (trail/publish.py). After the notebook, only
result.json (and findings.parquet through audit/result.py) is read.

History (new/open/resolved) is by period. Of the two designs, holding the
store for the whole notebook (runs would take turns for minutes) or ordering
the runs, this is the second: the previous run is the latest published run
of the scope with an earlier period; a batch runs each scope's periods in
order (batch.py), so it is recorded before the next period starts; and the
store recomputes the history inside the transaction that records the run,
refusing a run whose files were compared with another run (trail/store.py). The
files and the store always agree, whatever the number of workers.

A run writes into a temporary folder that takes its final name only when
everything is written. A run whose notebook fails leaves `NAME.FAILED/`
(the executed notebook, with papermill's error at its top, and a FAILED
file) and never a folder that looks complete.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import importlib
import json
import os
import re
import shutil
import sys
import threading
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from privacylib.config.params import AuditConfig, ResolvedConfig, resolve
from privacylib.errors import UsageError
from privacylib.masking.leakguard import guard_run, values_file
from privacylib.masking.leakguard.values import VALUES_ENV
from privacylib.masking.masker import mask_text
from privacylib.report.markup import NOTEBOOK_ONLY_TAG
from privacylib.run.guards import RunFailed, inputs_unchanged, usable_out, written
from privacylib.run.kernel import ServingKernel, StartedKernel, started_kernel
from privacylib.trail.signing import key_id, load_private, signing_key_path

# The trail's modules load pandas (the store's findings): imported where used,
# after the kernel has started, so that it boots meanwhile.
if TYPE_CHECKING:
    from privacylib.audit.verdict import Verdict
    from privacylib.trail.manifest import RunRecord

# nbformat imports jsonschema, whose format checkers import rfc3987_syntax when
# it is installed (a Jupyter dependency): it compiles some thirty IRI grammars at
# import, 0.7-0.9 s of every run (python-jsonschema/jsonschema#1428). Nothing in
# a run checks an "iri" format (nbformat validates without format checkers), so
# the runner's process does without it: jsonschema then skips those two formats.
# Only when jsonschema is not loaded yet, so no checker already made changes.
if "jsonschema" not in sys.modules:
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

# Package data, so that an installed wheel runs as a source checkout does.
NOTEBOOK = Path(str(resources.files("privacylib") / "notebooks" / "privacy_audit.ipynb"))


# Errors the notebook raises before any control runs, for the user to fix (exit 2):
# a scope the data lacks, a data folder with no dataset of the contract.
USAGE_ERRORS = frozenset({"ScopeError", "UsageError", "DataError"})


def folder_name(config: AuditConfig) -> str:
    """The run folder's name, from its parameters: 2026-10, 2026-10_system=crm.

    A label that had to be changed to be a name (风控/部, a space) ends in
    a digest of itself: 风控/部 and 风控_部 are two scopes, and one folder
    took the second's run in place of the first's."""
    label = config.period or f"{config.period_start}..{config.period_end}"
    if config.scope:
        label += "_" + config.scope
    name = re.sub(r"[^\w.=+-]+", "_", label).strip("._") or "run"
    if len(name.encode()) > NAME_BYTES:  # a long scope: a file name has 255 bytes
        name = name.encode()[:NAME_BYTES].decode(errors="ignore")
    if name != label:
        name += "-" + hashlib.sha256(label.encode()).hexdigest()[:8]
    return name


# The longest run folder name kept whole, in bytes: the temporary folder
# beside it (".NAME.tmp-PID-XXXXXXXX") and a failed run's NAME.FAILED must
# fit in a file name's 255 bytes, with the digest of a shortened name.
NAME_BYTES = 180


def batch_notebook() -> Any:
    """The audit notebook as a batch run executes it: without its
    notebook-only cells (how to run it, the analyst's own questions), which
    are for someone at the keyboard, and would copy the data for nobody."""
    import nbformat

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    notebook.cells = [c for c in notebook.cells
                      if NOTEBOOK_ONLY_TAG not in c.get("metadata", {}).get("tags", [])]
    return notebook


def _literal(path: Path) -> str:
    """papermill formats paths with the parameters (o{lang} -> ozh): a path is a path."""
    return str(path).replace("{", "{{").replace("}", "}}")


def prepare_run(config: AuditConfig | ResolvedConfig, out_root: str | Path) -> RunRecord:
    """The run's resolved configuration and its input files' hashes. Without a
    store in `config`, the store is OUT_ROOT/audit-store.duckdb."""
    from privacylib.trail.manifest import RunRecord, input_entries
    from privacylib.trail.store import STORE_NAME

    if isinstance(config, AuditConfig):
        store = config.store or str(Path(out_root).resolve() / STORE_NAME)
        config = resolve(dataclasses.replace(config, store=store))
    elif config.config.store is None:
        raise UsageError("a resolved configuration for a run must name its store")
    return RunRecord(config, input_entries(config.config))


def execute(config: AuditConfig | ResolvedConfig, out_root: str | Path, *,
            signing_key: str | Path | None = None, reason: str | None = None) -> Path:
    """Run the notebook for `config`; return the finished, signed run folder.
    Without a store in `config`, the store is OUT_ROOT/audit-store.duckdb.
    An unmasked run needs `reason`: it is recorded in the store before the
    notebook runs (trail/access.py)."""
    mask = config.mask if isinstance(config, AuditConfig) else config.config.mask
    if not mask and not (reason or "").strip():
        raise UsageError("an unmasked run needs a reason: it is recorded, with why",
                         hint='e.g. --reason "regulator request 2026-117"')
    # The kernel boots while the configuration is resolved and the inputs hashed.
    with _kernel_for(mask) as (kernel, values):
        return _run(prepare_run(config, out_root), out_root, signing_key, kernel, values,
                    reason)


def execute_run(record: RunRecord, out_root: str | Path, *,
                signing_key: str | Path | None = None,
                kernel: ServingKernel | None = None) -> Path:
    """Run the notebook for a prepared run; return the finished, signed run
    folder. `kernel`: a batch worker's kernel, which serves this run then
    others (run/kernel.py); None: a kernel of its own, started now."""
    if kernel is None:
        with _kernel_for(record.config.mask) as (started, values):
            return _run(record, out_root, signing_key, started, values)
    from privacylib.intake.cache import VAR  # loaded by the batch already

    # What a kernel started now would inherit: the guard's values file, the kept load.
    with values_file(record.config.mask) as values:
        kernel.begin({name: os.environ.get(name) for name in (VALUES_ENV, VAR)})
        return _run(record, out_root, signing_key, kernel, values)


@contextlib.contextmanager
def _kernel_for(mask: bool) -> Iterator[tuple[StartedKernel, Path | None]]:
    """A kernel started now, and the leak guard's values file it writes: the
    file is named in the environment the kernel starts with, so it comes first."""
    with values_file(mask) as values, started_kernel(str(NOTEBOOK.parent)) as kernel:
        yield kernel, values


def _run(record: RunRecord, out_root: str | Path, signing_key: str | Path | None,
         kernel: StartedKernel, values: Path | None, reason: str | None = None) -> Path:
    import papermill
    from nbclient.exceptions import DeadKernelError

    from privacylib.trail.publish import prepare, publish_run, staging

    later = _AfterNotebook()  # papermill, imported above, loaded what they share

    key = load_private(signing_key_path(signing_key))
    out_root = Path(out_root).resolve()
    config = record.config
    target = out_root / folder_name(config)
    usable_out(out_root, target, config)
    assert config.store is not None  # prepare_run names one
    for note in prepare(config.store, out_root):
        print(f"note: {note}", file=sys.stderr)
    if not config.mask:
        # Audit the auditor, before any unmasked byte is written: recorded
        # after publishing, a kill or a busy store in between lost it.
        from privacylib.trail.access import record_view

        Path(config.store).parent.mkdir(parents=True, exist_ok=True)
        record_view(config.store, run_id=record.run_id, kind="unmasked run",
                    subject=target.name, reason=reason or "")
    # A failed folder's name is masked too: a scope value may hold an identifier.
    failed = target.with_name((mask_text(target.name) if config.mask else target.name)
                              + ".FAILED")
    with staging(target) as tmp:
        # One parameter, data not code: the notebook audits with exactly this.
        params = {"resolved": record.resolved.with_out(tmp).to_json(),
                  "run_id": record.run_id, "signer": key_id(key.public_key())}
        try:
            written(papermill.execute_notebook,
                batch_notebook(), _literal(tmp / "report.ipynb"), parameters=params,
                kernel_name="python3", progress_bar=False, cwd=str(NOTEBOOK.parent),
                km=kernel.manager,
                # Saved when done or failed, not after every cell (30 writes
                # of the whole notebook, 0.25 s a run); a killed run keeps none.
                request_save_on_cell_execute=False)
        except papermill.PapermillExecutionError as exc:
            if exc.ename in USAGE_ERRORS:  # found before the audit: no folder, exit 2
                raise UsageError(exc.evalue) from None
            _keep_failure(tmp, failed, exc, masked=config.mask)
            raise RunFailed(f"the audit notebook failed: {exc.ename}: {exc.evalue}",
                            hint=f"the executed notebook is in {failed}") from exc
        except DeadKernelError as exc:  # it was repr()'d: DeadKernelError('Kernel died')
            raise RunFailed("the notebook's kernel died while it ran (killed, or out of "
                            "memory?): nothing of the run was kept",
                            hint="run it again; a large log needs more memory") from exc
        kernel.notebook_done()  # a kernel of its own exits while the page is made
        inputs_unchanged(record)
        if config.mask:  # the injected configuration quotes the policy and the scope
            _mask_notebook(tmp / "report.ipynb")
        written(_to_html, tmp / "report.ipynb", tmp / "report.html", later.exporter())
        # Fail closed: a masked run that leaks is not published.
        guard_run(tmp, values, failed, written=_finding_keys(tmp) if values else frozenset())
        publish_run(record, tmp, target, key)
    if failed.exists():
        shutil.rmtree(failed)  # an earlier failure of this run, now superseded
    return target


def _finding_keys(folder: Path) -> frozenset[str]:
    """The run's finding keys: digests of ours, some of them 16 digits that
    pass the card checksum, which the leak guard must not take for cards."""
    from privacylib.audit.result import read_findings

    return frozenset(read_findings(folder, columns=("finding_key",))["finding_key"])


def _mask_notebook(path: Path) -> None:
    """The injected parameters of a masked run, masked, in the cell papermill
    adds and in the copy it keeps in the metadata: a policy value or a scope
    may hold an identifier (the manifest masks the same)."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    kept = notebook.get("metadata", {}).get("papermill", {})
    for key in ("parameters", "input_path", "output_path"):  # the paths: an --out too
        if key in kept:
            kept[key] = _each_string(kept[key], mask_text)
    for cell in notebook["cells"]:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["source"] = _each_string(cell["source"], mask_text)
    path.write_text(json.dumps(notebook, ensure_ascii=False, indent=1), encoding="utf-8")


def _keep_failure(tmp: Path, failed: Path, exc: Exception, *, masked: bool) -> None:
    """The executed notebook and the error, kept for the analyst. A crash on a
    value quotes it in the traceback: a masked run masks what it keeps."""
    text = mask_text if masked else (lambda t: t)
    if failed.exists():
        shutil.rmtree(failed)
    failed.mkdir(parents=True)
    if (tmp / "report.ipynb").exists():
        notebook = json.loads((tmp / "report.ipynb").read_text(encoding="utf-8"))
        (failed / "report.ipynb").write_text(
            json.dumps(_each_string(notebook, text), ensure_ascii=False, indent=1),
            encoding="utf-8")
    (failed / "FAILED").write_text(f"This run failed and is incomplete.\n{text(str(exc))}\n",
                                   encoding="utf-8")


def _each_string(value: object, change: Callable[[str], str]) -> object:
    if isinstance(value, str):
        return change(value)
    if isinstance(value, list):
        return [_each_string(v, change) for v in value]
    if isinstance(value, dict):
        return {k: _each_string(v, change) for k, v in value.items()}
    return value


def _to_html(notebook: Path, target: Path, exporter: Any) -> None:
    from privacylib.report.markup import notebook_html

    target.write_text(notebook_html(notebook, exporter), encoding="utf-8")


# What the runner needs once the notebook is done, besides the exporter.
_AFTER = ("privacylib.trail.store", "privacylib.audit.result", "pyarrow.parquet", "pypdfium2")


class _AfterNotebook:
    """nbconvert's exporter, the modules of the leak guard and the trail, and
    the control catalog the manifest lists, loaded in a thread while the
    kernel works (the runner only waits for it then). Nothing is run but
    imports, the template's compilation and the catalog's cached reading; a
    failure here is left for the runner's own import or call to raise, where
    it is reported."""

    def __init__(self) -> None:
        self._exporter: Any = None
        self._thread = threading.Thread(target=self._load, name="privacy-audit-after",
                                        daemon=True)
        self._thread.start()

    def _load(self) -> None:
        from privacylib.report.markup import html_exporter

        with contextlib.suppress(Exception):
            self._exporter = html_exporter()
        for name in _AFTER:
            with contextlib.suppress(Exception):
                importlib.import_module(name)
        with contextlib.suppress(Exception):  # cached: the manifest hashes every control
            from privacylib.controls.catalog import load_catalog

            load_catalog()

    def exporter(self) -> Any:
        """The exporter, or None (the conversion makes one)."""
        self._thread.join()
        return self._exporter


def verdict(run_folder: Path) -> Verdict:
    """The finished run's outcome counts and completeness, from its result.json."""
    from privacylib.audit.result import open_result

    return open_result(run_folder).verdict


def demo(out_root: str | Path) -> Path:
    """Generate the sample company and audit it; return the run folder."""
    from privacylib.synth import generate

    out_root = Path(out_root)
    company = generate(out_root / "sample-company")
    config = AuditConfig(data=str(company.folder), period="2026-10")
    return execute(config, out_root / "runs")
