"""`privacy-audit verify RUN_DIR`: what can be proven about a run folder.

Checks, in order: the manifest's signature, and whether its key is trusted
(pinned with --public-key, or in the trusted-keys file, or this machine's
own signing key: signing.py); every output file's SHA-256 and size, files
missing or added, the folder walked without following links (a symbolic
link, a FIFO, a device: anything not a regular file or a folder is named,
and a link never counts as the file it points to); the marker file's text,
which is fixed; where the run lives: the folder's name must be the one the
manifest binds the run to; and the store: its record of this run must hold
this manifest's hash, the same folder, period and scope, be the published
run of that folder (not one it replaced, not one never published), and the
manifest must name the hash of the run recorded before it. Every problem is
named; none stops the others.

It also names the run's result seal (manifest.py): result.json's hash as
the signed manifest lists it, the string report.pdf's cover and footers
print, so a reader holding the PDF can match it to this folder. A
result.json whose hash is not the seal is a changed file like any other,
and a note says it is the sealed one.

The outcome (`Verification.code`): 0 proven (nothing changed, signed by a
trusted key, chain checked in the store), 1 something changed or is broken,
3 nothing changed but only integrity could be checked (the key is not
trusted, or there is no store to check the chain in). A manifest or store
that cannot be read raises an error of exit code 2.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from privacylib.audit.result import RESULT, file_integrity
from privacylib.digests import sha256_file
from privacylib.errors import PrivacyLibError, UsageError
from privacylib.report.outputs import MARKER
from privacylib.report.outputs import MARKER_TEXT as WRITTEN  # as text; its bytes below
from privacylib.trail.manifest import (
    FORMAT,
    MANIFEST,
    SIGNATURE,
    UNLISTED,
    result_seal,
    sha256_bytes,
)
from privacylib.trail.signing import is_valid, key_id, load_public, public_from_raw, trusted_keys
from privacylib.trail.store import open_store
from privacylib.trail.walk import walk

# What privacy-audit writes in every run folder's MARKER (report/outputs.py,
# trail/publish.py), the same since the first run: the manifest does not list
# the marker, but its text is known, so a changed or missing one is a change.
MARKER_TEXT = WRITTEN.encode()


class ManifestUnreadable(PrivacyLibError):
    """manifest.json is not JSON, or not the shape a manifest has."""

    exit_code = 2


@dataclass
class Verification:
    # What is wrong: each line names a file, the signature, the folder or the chain.
    problems: list[str] = field(default_factory=list)
    # What was checked, and what could not be.
    notes: list[str] = field(default_factory=list)
    # The signature is valid and its key trusted (pinned, listed, or ours).
    trusted: bool = False
    # The folder, the run and the chain were checked against the store.
    chained: bool = False
    # result.json's hash as the manifest lists it (sha256-BASE64), as report
    # covers print it; None when the manifest lists no result.json.
    seal: str | None = None

    @property
    def ok(self) -> bool:
        """Nothing changed (integrity); `proven` says whether more is known."""
        return not self.problems

    @property
    def proven(self) -> bool:
        return self.ok and self.trusted and self.chained

    @property
    def code(self) -> int:
        return 1 if self.problems else 0 if self.proven else 3

    def summary(self) -> str:
        if self.problems:
            return f"FAILED: {len(self.problems)} problem(s)"
        if self.proven:
            return ("PROVEN: nothing was changed, it was signed by a trusted key, and the "
                    "store records it in this folder")
        missing = [w for w, done in (("the signer's key is not trusted", self.trusted),
                                     ("the store was not checked", self.chained)) if not done]
        return ("INTEGRITY ONLY: nothing was changed since it was signed, but "
                + " and ".join(missing))


def verify_run(folder: str | Path, *, public_key: str | Path | None = None,
               store: str | Path | None = None,
               trusted: str | Path | None = None) -> Verification:
    folder = Path(folder).resolve()  # "." and "../2026-10" have the name of the folder they are
    if not folder.is_dir():
        raise UsageError(f"run folder {folder} does not exist",
                         hint="pass the folder that holds manifest.json")
    if store is not None and not Path(store).is_file():
        raise UsageError(f"audit store {store} does not exist", hint="check --store")
    result = Verification()
    if not (folder / MANIFEST).is_file():
        result.problems.append(f"{MANIFEST} is missing: this folder cannot be verified")
        return result
    data = (folder / MANIFEST).read_bytes()
    manifest = _read(folder / MANIFEST, data)
    _check_signature(folder, data, manifest, public_key, trusted, result)
    _check_files(folder, manifest["outputs"], result)
    _check_seal(folder, manifest, result)
    binding = manifest.get("binding")
    if binding is None:
        result.notes.append(f"the manifest's format ({manifest.get('format')}) does not bind "
                            "the run to its folder: integrity only")
    elif binding["folder"] != folder.name:
        result.problems.append(
            f"this folder is named {folder.name}, but it holds run {binding['run_id']} of "
            f"folder {binding['folder']} (period {binding['period']}, scope "
            f"'{binding['scope']}'): it was renamed, swapped or replaced")
    _check_chain(manifest, sha256_bytes(data), store or manifest.get("store"), result)
    return result


def _read(path: Path, data: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(data)
    except ValueError as exc:
        raise ManifestUnreadable(f"{path} is not valid JSON ({exc})") from None
    problem = _shape(manifest)
    if problem:
        raise ManifestUnreadable(f"{path} is not a run manifest: {problem}")
    return manifest


def _shape(m: Any) -> str:
    """What makes `m` unusable as a manifest, or ''."""
    if not isinstance(m, dict):
        return "it holds no object"
    if not isinstance(m.get("run_id"), str):
        return "'run_id' is missing or not text"
    outputs = m.get("outputs")
    if not isinstance(outputs, list) or not all(
            isinstance(e, dict) and isinstance(e.get("path"), str)
            and isinstance(e.get("sha256"), str) and isinstance(e.get("size"), int)
            for e in outputs):
        return "'outputs' is not a list of files with path, sha256 and size"
    if not isinstance(m.get("signing"), dict) or not isinstance(
            m["signing"].get("public_key"), str):
        return "'signing' does not name a public key"
    for name in ("store", "previous_manifest_sha256"):
        if not isinstance(m.get(name), str | None):
            return f"'{name}' is not text"
    binding = m.get("binding")
    # An older format may lack it; any that has it must have its shape (a
    # binding of {} under another format was a KeyError).
    if (m.get("format") == FORMAT or binding is not None) and not (
            isinstance(binding, dict) and all(isinstance(binding.get(k), str)
                                              for k in ("run_id", "folder", "period", "scope"))):
        return "'binding' does not name the run's folder, period and scope"
    return ""


def _check_signature(folder: Path, data: bytes, manifest: dict, public_key: str | Path | None,
                     trusted: str | Path | None, result: Verification) -> None:
    if not (folder / SIGNATURE).is_file():
        result.problems.append(f"{SIGNATURE} is missing: the manifest is not signed")
        return
    signature = (folder / SIGNATURE).read_text(encoding="ascii", errors="replace").strip()
    if public_key:
        key = load_public(public_key)
        why = f"the key pinned with --public-key {public_key}"
    else:
        try:
            key = public_from_raw(manifest["signing"]["public_key"])
        except ValueError:
            result.problems.append("the manifest names no usable public key: it was edited")
            return
        why = trusted_keys(trusted).get(key_id(key), "")
    if not is_valid(key, signature, data):
        result.problems.append(
            f"the signature does not match {MANIFEST}: the manifest was edited, or it was "
            f"signed by another key (it names key {manifest['signing'].get('key_id')})")
        return
    result.trusted = bool(why)
    result.notes.append(f"signed by key {key_id(key)}, trusted: {why}" if why else
                        f"signed by key {key_id(key)}, which is not trusted here: pass "
                        "--public-key, or add it to your trusted-keys file")


def _check_files(folder: Path, listed: list[dict], result: Verification) -> None:
    files, odd = walk(folder, result.problems)
    if MARKER in files:
        _check_marker(files[MARKER], result)
    elif MARKER not in odd:
        result.problems.append(f"missing: {MARKER} (the marker privacy-audit writes in every "
                               "run folder)")
    for name in sorted(UNLISTED & odd.keys()):  # manifest.json, manifest.sig, the marker
        result.problems.append(f"changed: {name} (not a regular file: {odd.pop(name)})")
    for name in UNLISTED:
        files.pop(name, None)
    for entry in listed:
        path = entry["path"]
        if path in files:
            _check_file(path, files.pop(path), entry, result)
        elif path in odd:  # a link to the right bytes is still not the file
            result.problems.append(f"changed: {path} (not a regular file: {odd.pop(path)})")
        else:
            result.problems.append(f"missing: {path}")
    added = {**{p: "" for p in files},
             **{p: f" (not a regular file: {what})" for p, what in odd.items()}}
    result.problems.extend(f"added: {p}{added[p]}" for p in sorted(added))
    result.notes.append(f"{len(listed)} output files checked")


def _check_file(name: str, path: Path, entry: dict, result: Verification) -> None:
    try:
        found = (sha256_file(path), path.stat().st_size)
    except OSError as exc:
        result.problems.append(f"unreadable: {name} ({exc.strerror})")
        return
    if found != (entry["sha256"], entry["size"]):
        result.problems.append(f"changed: {name} (sha256 {found[0][:12]}…, "
                               f"the manifest says {entry['sha256'][:12]}…)")


def _check_marker(path: Path, result: Verification) -> None:
    try:
        with path.open("rb") as fh:
            text = fh.read(len(MARKER_TEXT) + 1)  # more than it should hold is enough to know
    except OSError as exc:
        result.problems.append(f"unreadable: {MARKER} ({exc.strerror})")
        return
    if text != MARKER_TEXT:
        result.problems.append(f"changed: {MARKER} (privacy-audit writes "
                               f"{MARKER_TEXT.decode()!r} in it, and nothing else)")


def _check_seal(folder: Path, manifest: dict, result: Verification) -> None:
    result.seal = result_seal(manifest["outputs"])
    if result.seal is None:
        result.problems.append(f"the manifest lists no {RESULT}: the run has no result seal")
        return
    result.notes.append(f"result seal: {result.seal} ({RESULT} of run {manifest['run_id']}, "
                        "as report.pdf's cover prints it)")
    path = folder / RESULT
    if path.is_file() and not path.is_symlink() and file_integrity(path) != result.seal:
        # One problem per file: `changed: result.json` already counts it.
        result.notes.append(f"{RESULT} is not the one the result seal names: the result was "
                            "changed after it was signed")


def _check_chain(manifest: dict, manifest_hash: str, store: str | Path | None,
                 result: Verification) -> None:
    already = len(result.problems)
    if not store or not Path(store).is_file():
        result.notes.append(f"chain not checked: audit store {store or '(none)'} not found")
        return
    run_id = manifest["run_id"]
    with open_store(store, write=False) as con:
        cursor = con.execute("SELECT * FROM runs WHERE run_id = $id", {"id": run_id})
        names = [c[0] for c in cursor.description]
        found = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        if not found:
            result.problems.append(f"chain broken: the store {store} has no run {run_id}")
            return
        run = found[0]
        before = con.execute("SELECT manifest_sha256 FROM runs WHERE seq < $seq "
                             "ORDER BY seq DESC LIMIT 1", {"seq": run["seq"]}).fetchall()
        current = con.execute("SELECT run_id FROM runs WHERE folder = $f AND state = "
                              "'published'", {"f": run["folder"]}).fetchall() if (
            run.get("state") == "superseded") else []
    if run["manifest_sha256"] != manifest_hash:
        result.problems.append(f"chain broken: the store recorded another manifest for run "
                               f"{run_id} ({run['manifest_sha256'][:12]}…)")
    expected_previous = before[0][0] if before else None
    if manifest.get("previous_manifest_sha256") != expected_previous or (
            run["previous_manifest_sha256"] != expected_previous):
        result.problems.append("chain broken: the manifest does not name the previous run's "
                               "manifest as the store has it")
    _check_record(manifest, run, current, result)
    if len(result.problems) == already and manifest.get("binding") is not None:
        result.chained = True
        result.notes.append(f"chain checked in {store} (run {run['seq']}, folder "
                            f"{run['folder']})")


def _check_record(manifest: dict, run: dict, current: list, result: Verification) -> None:
    """The store's record of where the run lives, against the manifest's binding."""
    binding = manifest.get("binding") or {}
    recorded = run.get("folder_name") or Path(run["folder"] or "").name
    state = run.get("state") or "published"
    if binding and (recorded, run["period"], run["scope"]) != (
            binding["folder"], binding["period"], binding["scope"]):
        result.problems.append(
            f"the store records run {run['run_id']} in folder {recorded} (period "
            f"{run['period']}, scope '{run['scope']}'), the manifest in {binding['folder']}")
    if state == "superseded":
        now = current[0][0] if current else "another run"
        result.problems.append(f"the store says folder {run['folder']} now holds run {now}: "
                               f"this is run {run['run_id']}, which it replaced, put back")
    elif state == "pending":
        result.problems.append(f"the store never published run {run['run_id']}: it was "
                               "interrupted while being written")
