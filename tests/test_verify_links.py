"""`privacy-audit verify` walks a run folder without following links: a
symbolic link (to a folder, to a file, dangling), a FIFO, a socket is named
and fails the run, a link never stands for the file the manifest lists, and
the marker file must hold the text privacy-audit writes in it."""

from __future__ import annotations

import os
import shutil
import socket

import pytest
from test_verify import verified

from privacylib.report.outputs import MARKER
from privacylib.trail.manifest import MANIFEST
from privacylib.trail.verify import MARKER_TEXT, verify_run


@pytest.fixture(scope="module")
def run(shared_runs):
    """The sample company's published October run (after September)."""
    return shared_runs.out("september-october") / "2026-10"


@pytest.fixture
def copy(run, tmp_path):
    """A copy to tamper with, proven as it is (the store records the folder by name)."""
    target = tmp_path / run.name
    shutil.copytree(run, target)
    assert verify_run(target).code == 0, verify_run(target).problems
    return target


def test_a_linked_folder_with_a_fake_report_fails(copy, tmp_path):
    """helper-40's attack: `ln -s $PWD/evil RUN/appendix`, evil/report.html a fake."""
    evil = tmp_path / "evil"
    evil.mkdir()
    (evil / "report.html").write_text("<p>no findings</p>", encoding="utf-8")
    (copy / "appendix").symlink_to(evil, target_is_directory=True)
    code, said = verified(copy)
    assert code == 1, said
    assert f"FAILED: added: appendix (not a regular file: a symbolic link to {evil}, a folder)" \
        in said
    assert "PROVEN" not in said and "appendix/report.html" not in said  # not followed


def test_dangling_and_looping_links_fail(copy, tmp_path):
    (copy / "notes.txt").symlink_to(tmp_path / "nowhere.txt")
    (copy / "rejects" / "loop").symlink_to(copy / "rejects" / "loop")
    result = verify_run(copy)
    assert result.problems == [
        f"added: notes.txt (not a regular file: a symbolic link to {tmp_path / 'nowhere.txt'}, "
        "which does not exist)",
        f"added: rejects/loop (not a regular file: a symbolic link loop "
        f"({copy / 'rejects' / 'loop'}))"]
    assert result.code == 1


def test_a_link_to_the_same_bytes_is_not_the_listed_file(copy, tmp_path):
    """report.html moved out and linked back: its bytes are right, but the
    folder no longer holds it (whoever owns the target may change it)."""
    moved = tmp_path / "elsewhere" / "report.html"
    moved.parent.mkdir()
    shutil.move(copy / "report.html", moved)
    (copy / "report.html").symlink_to(moved)
    inside = copy / "rejects" / "findings.csv"  # a link inside the folder is no better
    (copy / "findings.csv").rename(inside)
    (copy / "findings.csv").symlink_to(os.path.join("rejects", "findings.csv"))
    result = verify_run(copy)
    assert result.problems == [
        "changed: findings.csv (not a regular file: a symbolic link to rejects/findings.csv, "
        "a file)",
        f"changed: report.html (not a regular file: a symbolic link to {moved}, a file)",
        "added: rejects/findings.csv"]


def test_a_linked_manifest_fails(copy, tmp_path):
    """The signature still matches (the link's target is the signed manifest);
    the folder does not hold it."""
    moved = tmp_path / MANIFEST
    shutil.move(copy / MANIFEST, moved)
    (copy / MANIFEST).symlink_to(moved)
    result = verify_run(copy)
    assert result.problems == [
        f"changed: {MANIFEST} (not a regular file: a symbolic link to {moved}, a file)"]


def test_a_fifo_and_a_socket_fail_and_are_never_opened(copy, monkeypatch):
    os.mkfifo(copy / "rejects" / "pipe")
    monkeypatch.chdir(copy)  # a socket's path must be short: bind it relative
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind("sock")
        code, said = verified(copy)  # opening the FIFO would block: the CLI has a timeout
    assert code == 1, said
    assert "FAILED: added: rejects/pipe (not a regular file: a named pipe (FIFO))" in said
    assert "FAILED: added: sock (not a regular file: a socket)" in said


def test_a_device_fails(copy):
    import stat

    try:
        os.mknod(copy / "null", stat.S_IFCHR | 0o600, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device needs privileges this machine does not give")
    assert verify_run(copy).problems == ["added: null (not a regular file: a device)"]


def test_the_marker_holds_its_fixed_text(run, copy, tmp_path):
    assert (run / MARKER).read_bytes() == MARKER_TEXT  # as the run wrote it
    marker = copy / MARKER
    flipped = bytearray(MARKER_TEXT)
    flipped[3] ^= 0x01
    marker.write_bytes(bytes(flipped))
    result = verify_run(copy)
    assert [p.split(" (")[0] for p in result.problems] == [f"changed: {MARKER}"]
    assert result.code == 1
    marker.write_bytes(MARKER_TEXT + b"x")  # the right text and more
    assert [p.split(" (")[0] for p in verify_run(copy).problems] == [f"changed: {MARKER}"]
    marker.unlink()
    assert [p.split(" (")[0] for p in verify_run(copy).problems] == [f"missing: {MARKER}"]
    outside = tmp_path / "marker"
    outside.write_bytes(MARKER_TEXT)
    marker.symlink_to(outside)
    assert verify_run(copy).problems == [
        f"changed: {MARKER} (not a regular file: a symbolic link to {outside}, a file)"]
    marker.unlink()
    marker.write_bytes(MARKER_TEXT)
    assert verify_run(copy).code == 0
