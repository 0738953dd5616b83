"""manifest.json: what a run read, did and wrote, signed with Ed25519.

The manifest names the run (id, times, parameters, the policy's content and
hash as the audit used it (the resolved configuration), versions, the engine
the controls ran on: duckdb, or spark with its version and master), every
input file and every output file with its SHA-256 and size, each control's
definition hash, outcome and finding count, the hash of the manifest of
the store's previous run (a chain per store), and where the run lives:
`binding` ties the run id, period and scope to the run folder's name, so a
folder renamed, swapped or put back from elsewhere is caught (the store
records the same).
manifest.sig holds the signature of manifest.json's exact bytes, so that a
change to any output changes a hash, and a change to the manifest breaks
the signature. `privacy-audit verify` checks all of it (verify.py).

Of the run folder it reads result.json alone (audit/result.py): the tables
are for people, and their shape is not part of what is signed. Every file
of the folder is listed, whoever wrote it (report.pdf too): `file_entries`
walks the folder, it keeps no list of names. result.json's hash, written as
`integrity()` does, is the run's **result seal**: the covers of report.pdf
and the pages print it, and `verify` shows it (`result_seal`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import platform
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from privacylib.audit.result import RESULT, integrity, open_result
from privacylib.config.params import AuditConfig, ResolvedConfig
from privacylib.digests import sha256_file
from privacylib.errors import PrivacyLibError
from privacylib.report.outputs import MARKER
from privacylib.trail.signing import key_id, raw_public, sign
from privacylib.vocab import Engine

# 2: with `binding`. Format 1 manifests verify for integrity only.
FORMAT = "privacy-workbook manifest 2"
MANIFEST, SIGNATURE = "manifest.json", "manifest.sig"
# Not listed in the manifest: itself, its signature, and the marker written
# as the folder takes its final name.
UNLISTED = frozenset({MANIFEST, SIGNATURE, MARKER})
VERSIONED = ("privacylib", "duckdb", "pandas", "papermill", "pyarrow", "nbconvert",
             "cryptography")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_entries(folder: Path, *, skip: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    """Every file under `folder`: relative path (with /), SHA-256 and size, sorted."""
    return [{"path": p.relative_to(folder).as_posix(), "sha256": sha256_file(p),
             "size": p.stat().st_size}
            for p in sorted(folder.rglob("*"))
            if p.is_file() and p.relative_to(folder).as_posix() not in skip]


def result_seal(outputs: list[dict[str, Any]]) -> str | None:
    """The result seal the manifest's outputs give (result.json's SHA-256 as
    `integrity()`), or None when they list no result.json."""
    entry = next((e for e in outputs if e["path"] == RESULT), None)
    return integrity(entry["sha256"]) if entry else None


def data_entries(config: AuditConfig) -> list[dict[str, Any]]:
    """The data folder's files as the manifest lists them (role data)."""
    return [{"role": "data", **e} for e in file_entries(Path(config.data))]


def input_entries(config: AuditConfig) -> list[dict[str, Any]]:
    """The data folder's files, then the policy, mapping and exceptions files."""
    entries = data_entries(config)
    for role in ("policy", "mapping", "exceptions"):
        path = getattr(config, role)
        if path:
            entries.append({"role": role, "path": str(path), "sha256": sha256_file(Path(path)),
                            "size": Path(path).stat().st_size})
    return entries


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in VERSIONED:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def engine_record(config: AuditConfig) -> dict[str, str]:
    """Where the controls ran: the engine, its version and, for Spark, the
    master and the transpiler (the controls' Spark SQL is sqlglot's)."""
    def installed(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    if config.engine != Engine.SPARK:
        return {"name": "duckdb", "version": installed("duckdb")}
    from privacylib.spark.session import DEFAULT_MASTER

    return {"name": "spark", "version": installed("pyspark"),
            "master": config.spark_master or DEFAULT_MASTER,
            "transpiler": f"sqlglot {installed('sqlglot')}",
            # The datasets Spark read itself (the others DuckDB loaded), and
            # the catalog table of each read from one; spark_inputs hashes
            # every file Spark read.
            "reads": list(config.spark_datasets),
            "tables": {n: t for n, t in config.spark_tables.items() if t is not None}}


class ResultMismatch(PrivacyLibError):
    """The notebook ran with another policy than the runner resolved: not signed."""

    exit_code = 1


@dataclass
class RunRecord:
    """What the runner knows of a run before its outputs exist."""

    # The configuration the notebook is given (and its policy, as used).
    resolved: ResolvedConfig
    # Input files with their hashes, taken before the notebook reads them.
    inputs: list[dict[str, Any]]
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    started_at: str = field(default_factory=lambda: now())

    @property
    def config(self) -> AuditConfig:
        return self.resolved.config


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def build_manifest(record: RunRecord, folder: Path, *, previous_hash: str | None,
                   store: str | None, key: Ed25519PrivateKey, folder_name: str,
                   ) -> dict[str, Any]:
    """The manifest of the run written in `folder`, to be published as `folder_name`."""
    result = open_result(folder)
    resolved = record.resolved
    if result.run.policy_digest != integrity(resolved.policy_sha256):
        raise ResultMismatch(
            f"the audit used policy {result.run.policy_digest}, not the resolved policy "
            f"{integrity(resolved.policy_sha256)}", hint="run it again; nothing was published")
    hashes = {c.id: c.definition_hash for c in resolved.catalog()}
    policy = json.loads(resolved.policy_text)
    parameters = {k: v for k, v in record.config.parameters().items() if k != "out"}
    policy_file = record.config.policy
    run = result.run_record()
    inputs = record.inputs
    spark_inputs = [asdict(f) for f in result.spark_inputs]
    if record.config.mask:
        # The manifest travels with the report: a file name or a policy value
        # holding an ID number is masked like the rest (the hashes stay exact,
        # the policy's taken over its real content).
        from privacylib.masking.masker import mask_text

        inputs = [{**e, "path": mask_text(e["path"])} for e in inputs]
        spark_inputs = [{**e, "path": mask_text(e["path"])} for e in spark_inputs]
        policy = {k: _masked(v, mask_text) for k, v in policy.items()}
        # The paths given (data, policy, key file, store…) too: a folder named
        # after a customer's ID number reached manifest.json and the store.
        parameters = {k: _masked(v, mask_text) for k, v in parameters.items()}
        policy_file = _masked(policy_file, mask_text)
        store = _masked(store, mask_text)
    return {
        "format": FORMAT,
        "run_id": record.run_id,
        "started_at": record.started_at,
        "finished_at": now(),
        "run": run,
        "binding": {"run_id": record.run_id, "folder": folder_name, "period": run["period"],
                    "scope": run["scope"] or ""},
        "parameters": parameters,
        "policy": {"file": policy_file, "content": policy,
                   "sha256": resolved.policy_sha256},
        "versions": versions(),
        "engine": {**engine_record(record.config),
                   # What the session said it is: a Connect server's own version.
                   **({"session_version": result.engine_version}
                      if result.engine_version else {})},
        "inputs": inputs,
        # The files Spark read itself, hashed as read (a catalog table's
        # content is recorded nowhere else).
        "spark_inputs": spark_inputs,
        "outputs": file_entries(folder, skip=UNLISTED),
        "controls": [{"id": c.id, "definition_sha256": hashes[c.id],
                      "outcome": str(c.outcome), "findings": c.findings,
                      "checked": c.checked or None}
                     for c in result.controls],
        "store": store,
        "previous_manifest_sha256": previous_hash,
        "signing": {"algorithm": "Ed25519", "key_id": key_id(key.public_key()),
                    "public_key": base64.b64encode(raw_public(key.public_key())).decode()},
    }


def _masked(value: Any, mask: Any) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, list | tuple):
        return [_masked(v, mask) for v in value]
    return value


def write_signed(folder: Path, manifest: dict[str, Any], key: Ed25519PrivateKey) -> str:
    """Write manifest.json and manifest.sig; return the manifest's SHA-256."""
    data = (json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()
    (folder / MANIFEST).write_bytes(data)
    (folder / SIGNATURE).write_text(sign(key, data) + "\n", encoding="ascii")
    return sha256_bytes(data)
