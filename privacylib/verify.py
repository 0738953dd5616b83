"""`privacy-audit verify RUN_DIR`: was anything in a run folder changed?

Checks, in order: the manifest's signature (against the public key given,
else the key the manifest names, which proves integrity but not who signed:
pin your key with --public-key), every output file's SHA-256 and size,
files missing or added, and the chain: the store's record of this run must
hold this manifest's hash, and the manifest must name the hash of the run
recorded before it. Every problem is named; none stops the others.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .errors import UsageError
from .manifest import MANIFEST, SIGNATURE, UNLISTED, file_entries, sha256_bytes
from .signing import is_valid, key_id, load_public, public_from_raw
from .store import open_store


@dataclass
class Verification:
    # What is wrong: each line names a file, the signature or the chain.
    problems: list[str] = field(default_factory=list)
    # What was checked, and what could not be.
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_run(folder: str | Path, *, public_key: str | Path | None = None,
               store: str | Path | None = None) -> Verification:
    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError(f"run folder {folder} does not exist",
                         hint="pass the folder that holds manifest.json")
    result = Verification()
    if not (folder / MANIFEST).is_file():
        result.problems.append(f"{MANIFEST} is missing: this folder cannot be verified")
        return result
    data = (folder / MANIFEST).read_bytes()
    try:
        manifest = json.loads(data)
    except ValueError as exc:
        result.problems.append(f"{MANIFEST} is not valid JSON ({exc}): it was edited")
        return result
    _check_signature(folder, data, manifest, public_key, result)
    _check_files(folder, manifest.get("outputs", []), result)
    _check_chain(manifest, sha256_bytes(data), store or manifest.get("store"), result)
    return result


def _check_signature(folder: Path, data: bytes, manifest: dict, public_key: str | Path | None,
                     result: Verification) -> None:
    if not (folder / SIGNATURE).is_file():
        result.problems.append(f"{SIGNATURE} is missing: the manifest is not signed")
        return
    signature = (folder / SIGNATURE).read_text(encoding="ascii", errors="replace").strip()
    named = manifest.get("signing", {}).get("public_key", "")
    key: Ed25519PublicKey
    if public_key:
        key = load_public(public_key)
        result.notes.append(f"signature checked against {public_key} (key {key_id(key)})")
    else:
        try:
            key = public_from_raw(named)
        except ValueError:
            result.problems.append("the manifest names no usable public key: it was edited")
            return
        result.notes.append(f"signature checked against the key the manifest names "
                            f"(key {key_id(key)}); pass --public-key to check it is yours")
    if not is_valid(key, signature, data):
        result.problems.append(
            f"the signature does not match {MANIFEST}: the manifest was edited, or it was "
            f"signed by another key (it names key {manifest.get('signing', {}).get('key_id')})")


def _check_files(folder: Path, listed: list[dict], result: Verification) -> None:
    present = {e["path"]: e for e in file_entries(folder, skip=UNLISTED)}
    for entry in listed:
        found = present.pop(entry["path"], None)
        if found is None:
            result.problems.append(f"missing: {entry['path']}")
        elif (found["sha256"], found["size"]) != (entry["sha256"], entry["size"]):
            result.problems.append(f"changed: {entry['path']} (sha256 {found['sha256'][:12]}…, "
                                   f"the manifest says {entry['sha256'][:12]}…)")
    result.problems.extend(f"added: {path}" for path in sorted(present))
    result.notes.append(f"{len(listed)} output files checked")


def _check_chain(manifest: dict, manifest_hash: str, store: str | Path | None,
                 result: Verification) -> None:
    already = len(result.problems)
    if not store or not Path(store).is_file():
        result.notes.append(f"chain not checked: audit store {store or '(none)'} not found")
        return
    with open_store(store, write=False) as con:
        found = con.execute("SELECT seq, manifest_sha256, previous_manifest_sha256 FROM runs "
                            "WHERE run_id = $id", {"id": manifest.get("run_id")}).fetchall()
        if not found:
            result.problems.append(f"chain broken: the store {store} has no run "
                                   f"{manifest.get('run_id')}")
            return
        seq, recorded, recorded_previous = found[0]
        before = con.execute("SELECT manifest_sha256 FROM runs WHERE seq < $seq "
                             "ORDER BY seq DESC LIMIT 1", {"seq": seq}).fetchall()
    if recorded != manifest_hash:
        result.problems.append(f"chain broken: the store recorded another manifest for run "
                               f"{manifest.get('run_id')} ({recorded[:12]}…)")
    expected_previous = before[0][0] if before else None
    if manifest.get("previous_manifest_sha256") != expected_previous or (
            recorded_previous != expected_previous):
        result.problems.append("chain broken: the manifest does not name the previous run's "
                               "manifest as the store has it")
    if len(result.problems) == already:
        result.notes.append(f"chain checked in {store} (run {seq})")
