"""The files of a company's controls folder (--controls-dir) as they come:
other encodings, a byte-order mark, folders, symlinks, pipes, huge files,
upper-case suffixes, repeated or misspelt header keys, a dataset written
without a list. Each is a named problem (every one at once, exit 2) or read
as meant, never a traceback.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import yaml

from privacylib.cli import main
from privacylib.controls.catalog import load_catalog, split_file
from privacylib.controls.custom import MAX_FILE_BYTES, Unreadable, load_custom, read_text
from privacylib.errors import DefinitionProblems

EXAMPLES = Path(__file__).parents[2] / "examples" / "controls"
X01 = EXAMPLES / "X01_holiday_export.sql"
TEXT = X01.read_text(encoding="utf-8")


def _as(control_id: str, old: str = "", new: str = "") -> str:
    text = TEXT.replace("id: X01", f"id: {control_id}")
    assert old in text
    return text.replace(old, new, 1)


def _problems(folder: Path) -> str:
    with pytest.raises(DefinitionProblems) as exc:
        load_custom(folder)
    return str(exc.value)


def _folder(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    folder = tmp_path / "company"
    folder.mkdir(exist_ok=True)
    for name, content in files.items():
        if isinstance(content, bytes):
            (folder / name).write_bytes(content)
        else:
            (folder / name).write_text(content, encoding="utf-8")
    return folder


# ---- files that cannot be read: each named, all at once ------------------------------------

def broken_files(tmp_path: Path) -> Path:
    """One good control and six files that cannot be read, each for its own reason."""
    folder = _folder(tmp_path, {
        X01.name: TEXT,
        "X02_holiday_export.sql": _as("X02").encode("gbk"),
        "X07_holiday_export.sql": _as("X07").encode("utf-16"),
    })
    (folder / "X03_x.sql").mkdir()
    (folder / "X04_gone.sql").symlink_to(tmp_path / "nowhere.sql")
    (folder / "X05_loop.sql").symlink_to(folder / "X05_loop.sql")
    os.mkfifo(folder / "X06_pipe.sql")  # opening it would block: it must not be opened
    return folder


def test_every_unreadable_file_is_a_named_problem(tmp_path: Path) -> None:
    text = _problems(broken_files(tmp_path))
    assert "6 problem(s)" in text, text
    # The GBK bytes of 法 start line 5 (title: zh:).
    assert "X02_holiday_export.sql: is not UTF-8 text (byte 0xb7 on line 5)" in text
    assert "save it as UTF-8" in text
    assert "X03_x.sql: is a folder, not a control file" in text
    assert f"X04_gone.sql: is a symlink to {tmp_path / 'nowhere.sql'}, which does not exist" \
        in text
    assert "X05_loop.sql: is a symlink loop" in text
    assert "X06_pipe.sql: is not a regular file" in text
    assert "X07_holiday_export.sql: is in UTF-16, not UTF-8" in text
    assert "X01_holiday_export.sql" not in text


def test_a_symlink_loop_of_two_is_named(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {X01.name: TEXT})
    (folder / "X02_a.sql").symlink_to(folder / "X03_b.sql")
    (folder / "X03_b.sql").symlink_to(folder / "X02_a.sql")
    text = _problems(folder)
    assert "X02_a.sql: is a symlink loop" in text and "X03_b.sql: is a symlink loop" in text


def test_an_unreadable_file_is_named(tmp_path: Path, monkeypatch) -> None:
    # The tests run as root, whom chmod 000 does not stop: the refusal is simulated.
    folder = _folder(tmp_path, {X01.name: TEXT, "X02_holiday_export.sql": _as("X02")})
    real_open = Path.open

    def refuse(self: Path, *args, **kwargs):
        if self.name == "X02_holiday_export.sql":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    text = _problems(folder)
    assert "X02_holiday_export.sql: cannot be read: Permission denied" in text
    assert "check the file's permissions" in text


def test_the_command_exits_2_naming_each_file_without_a_traceback(tmp_path: Path,
                                                                   capsys) -> None:
    assert main(["controls", "--controls-dir", str(broken_files(tmp_path))]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for name in ("X02_holiday_export.sql", "X03_x.sql", "X04_gone.sql", "X05_loop.sql",
                 "X06_pipe.sql", "X07_holiday_export.sql"):
        assert f"{name}: " in err, (name, err)


# ---- size: refused before it is read --------------------------------------------------------

def test_a_2_gb_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {X01.name: TEXT})
    with (folder / "X02_dump.sql").open("wb") as file:
        file.truncate(2 << 30)  # sparse: 2 GB long, nothing on disk
    start = time.perf_counter()
    text = _problems(folder)
    assert time.perf_counter() - start < 5
    assert "X02_dump.sql: is larger than 1 MB (2,147,483,648 bytes)" in text


def test_the_limit_is_1_mb_exactly(tmp_path: Path) -> None:
    path = tmp_path / "X01_a.sql"
    path.write_bytes(b"-" * MAX_FILE_BYTES)
    assert len(read_text(path)) == MAX_FILE_BYTES
    path.write_bytes(b"-" * (MAX_FILE_BYTES + 1))
    with pytest.raises(Unreadable, match="is larger than 1 MB"):
        read_text(path)


# ---- read as meant: a byte-order mark, .SQL, a symlink out of the folder -------------------

def test_a_byte_order_mark_is_dropped(tmp_path: Path) -> None:
    (plain,) = load_custom(EXAMPLES)
    (bom,) = load_custom(_folder(tmp_path, {X01.name: b"\xef\xbb\xbf" + TEXT.encode()}))
    assert (bom.id, bom.title, bom.sql, bom.policy_defaults) == (
        plain.id, plain.title, plain.sql, plain.policy_defaults)
    # The mark is no part of the definition: adding one does not change the hash.
    assert bom.definition_hash == plain.definition_hash


def test_an_upper_case_suffix_is_read(tmp_path: Path) -> None:
    (x01,) = load_custom(_folder(tmp_path, {"X01_holiday_export.SQL": TEXT}))
    assert x01.id == "X01"
    # The same control in both spellings (one file on Windows, two on Linux) is named.
    (tmp_path / "company" / X01.name).write_text(TEXT, encoding="utf-8")
    assert "X01: is defined more than once (X01_holiday_export.SQL, X01_holiday_export.sql)" \
        in _problems(tmp_path / "company")


def test_hidden_files_are_not_controls(tmp_path: Path) -> None:
    # Emacs' lock file is a dangling symlink; macOS writes ._ metadata files.
    folder = _folder(tmp_path, {X01.name: TEXT, "._X01_holiday_export.sql": b"\x00\x05\x16\x07"})
    (folder / ".#X01_holiday_export.sql").symlink_to("analyst@laptop.4242")
    assert [c.id for c in load_custom(folder)] == ["X01"]


def test_a_symlink_out_of_the_folder_is_followed(tmp_path: Path) -> None:
    folder = tmp_path / "company"
    folder.mkdir()
    (folder / X01.name).symlink_to(X01)
    (x01,) = load_custom(folder)
    assert (x01.id, x01.sql) == ("X01", split_file(TEXT)[1])


# ---- the header: repeated and unknown keys, names without a list ---------------------------

def test_a_repeated_key_is_named_at_any_depth(tmp_path: Path) -> None:
    text = _as("X01", "-- severity: medium\n", "-- severity: medium\n-- severity: low\n")
    text = text.replace("--   en: No export", "--   zh: 重复\n--   en: No export", 1)
    problems = _problems(_folder(tmp_path, {X01.name: text}))
    assert "the header repeats 'severity' (line 9); YAML would keep only the last" in problems
    assert "the header repeats 'zh' (line 6)" in problems


def test_an_unknown_key_is_named_with_the_nearest_known_one(tmp_path: Path) -> None:
    text = _as("X01", "-- remediation:", "-- remediaton:").replace(
        "-- severity: medium", "-- severity: medium\n-- owner: privacy-team")
    problems = _problems(_folder(tmp_path, {X01.name: text}))
    assert "the header key 'remediaton' is unknown\n    → did you mean 'remediation'?" in problems
    assert "the header key 'owner' is unknown" in problems
    assert "the header lacks remediation" in problems


def test_the_built_in_headers_hold_only_known_keys() -> None:
    # The same rules read the built-in files: none is refused.
    assert len(load_catalog()) == 36


@pytest.mark.parametrize(("datasets", "expected"), [
    ("datasets: access_log", ("access_log",)),
    ("datasets: [access_log]", ("access_log",)),
    ("datasets:\n--   - access_log\n--   - consents", ("access_log", "consents")),
])
def test_datasets_may_name_one_dataset_without_a_list(tmp_path: Path, datasets, expected,
                                                       ) -> None:
    (x01,) = load_custom(_folder(tmp_path, {X01.name: _as("X01", "datasets: [access_log]",
                                                           datasets)}))
    assert x01.datasets == expected


def test_optional_datasets_may_name_one_dataset_without_a_list(tmp_path: Path) -> None:
    text = _as("X01", "-- policy:", "-- optional_datasets: role_assignments\n-- policy:")
    (x01,) = load_custom(_folder(tmp_path, {X01.name: text}))
    assert x01.optional_datasets == ("role_assignments",)


@pytest.mark.parametrize(("datasets", "message"), [
    ("datasets: access_log, consents", "dataset 'access_log, consents' is not in the data "
     "contract\n    → write several as a list: [a, b]"),
    ("datasets: acces_log", "dataset 'acces_log' is not in the data contract\n"
     "    → did you mean 'access_log'?"),
    ("datasets: 3", "datasets must be a dataset name or a list of them"),
    ("datasets: {access_log: 1}", "datasets must be a dataset name or a list of them"),
    ("datasets: [access_log, 3]", "datasets must be a dataset name or a list of them"),
])
def test_datasets_are_never_split_into_letters(tmp_path: Path, datasets, message) -> None:
    problems = _problems(_folder(tmp_path, {X01.name: _as("X01", "datasets: [access_log]",
                                                           datasets)}))
    assert message in problems, problems
    assert "dataset 'a'" not in problems


def test_a_header_that_is_not_keys_is_named(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {X01.name: "-- holiday exports, see the wiki\n\nSELECT 1\n"})
    assert "the header is not `-- key: value` lines" in _problems(folder)


def test_a_date_that_is_none_is_named(tmp_path: Path) -> None:
    text = _as("X01", "-- seed: 公司制度：节假日数据导出须经审批", "-- seed: 2026-13-45")
    problems = _problems(_folder(tmp_path, {X01.name: text}))
    assert "the header is not valid YAML: month must be in 1..12" in problems


def test_a_value_of_any_type_under_any_key_is_a_problem_or_read(tmp_path: Path) -> None:
    """Every header key set to each YAML type: DefinitionProblems or a control, no other
    exception (a number where a text was expected was an AttributeError); only a text or
    a number is ever read (a list as seed was read as the text '[1, 2]')."""
    head, sql = split_file(TEXT)
    meta = yaml.safe_load(head)
    paths = [(k,) for k in meta] + [("population", k) for k in meta["population"]] + [
        (k, lang) for k in ("title", "rule", "reason", "remediation") for lang in ("zh", "en")]
    crashed, read = [], set()
    for path in paths:
        for value in (7, "x", [1, 2], {"a": 1}, None, True):
            changed = yaml.safe_load(head)
            *parents, last = path
            target = changed
            for key in parents:
                target = target[key]
            target[last] = value
            header = yaml.safe_dump(changed, allow_unicode=True, sort_keys=False)
            _folder(tmp_path, {X01.name: "".join(f"-- {line}\n" for line in
                                                 header.splitlines()) + "\n" + sql})
            try:
                load_custom(tmp_path / "company")
                read.add(repr(value))
            except DefinitionProblems:
                pass
            except Exception as exc:  # any other is the failure looked for
                crashed.append((path, value, repr(exc)))
    assert not crashed, crashed
    assert read == {"7", "'x'"}
