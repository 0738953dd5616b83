"""A batch file of the wrong shape is the batch's own list of problems (exit 2),
never a traceback, a run with a wrong value, or a silent default."""

from __future__ import annotations

import pytest

from privacylib.cli import main
from privacylib.errors import ProblemsError
from privacylib.run import batchfile
from privacylib.run.batch import load_batch

from conftest import SAMPLE

DATA = f"{{data: {SAMPLE / 'exports'}}}"


def _problems(tmp_path, text: str) -> str:
    path = tmp_path / "batch.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProblemsError) as exc:
        load_batch(path)
    return str(exc.value)


def test_a_file_not_utf8_is_said_so(tmp_path, capsys):
    path = tmp_path / "batch.yaml"
    path.write_bytes(b"\xff\xfeout: x\n")
    assert main(["batch", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "is not UTF-8 text" in err and "Traceback" not in err


@pytest.mark.parametrize("workers", ["many", "0", "-3", "1.7", "true", "null"])
def test_workers_is_a_whole_number_of_at_least_one(tmp_path, capsys, workers):
    path = tmp_path / "batch.yaml"
    path.write_text(f"defaults: {DATA}\nruns: [{{period: 2026-10}}]\nworkers: {workers}\n",
                    encoding="utf-8")
    assert main(["batch", "--config", str(path)]) == 2  # 1.7 ran with 1, 0 and -3 with 1
    assert "'workers'" in capsys.readouterr().err


@pytest.mark.parametrize(("runs", "said"), [
    ("{period: 2026-10}", "'runs': is a mapping, not a list of runs"),
    ("hello", "'runs': is a text, not a list of runs"),
    ("[null, {period: 2026-10}]", "run 1: is empty (null), not a mapping of parameters"),
    ("[{period: 2026-10}, 3]", "run 2: is a int, not a mapping of parameters"),
])
def test_runs_is_a_list_of_mappings(tmp_path, runs, said):
    assert said in _problems(tmp_path, f"defaults: {DATA}\nruns: {runs}\n")


def test_defaults_and_matrix_are_mappings(tmp_path):
    text = _problems(tmp_path, "defaults: [1]\nmatrix: [2026-10]\nruns: [{period: 2026-10}]\n")
    assert "'defaults': is a list, not a mapping" in text
    assert "'matrix': is a list, not a mapping" in text


@pytest.mark.parametrize(("value", "hint"), [("2026-10", "period: [2026-10]"),
                                             ("2026-10-01", "period: [2026-10-01]"),
                                             ("202610", "period: [202610]"),
                                             ("null", "period: […]")])
def test_a_matrix_value_is_a_list(tmp_path, value, hint):
    """`period: 2026-10` ran as 7 runs of periods '2', '0', '-', …"""
    text = _problems(tmp_path, f"defaults: {DATA}\nmatrix: {{period: {value}}}\n")
    assert "matrix 'period': is" in text and "not a list of values" in text and hint in text
    assert "1 problem(s)" in text  # and no run of one character


def test_matrix_items_null_empty_or_a_date(tmp_path):
    text = _problems(tmp_path, f"defaults: {DATA}\n"
                               "matrix: {period: [2026-10, null], lang: []}\n")
    assert "matrix 'period': holds an empty value (null)" in text
    assert "matrix 'lang': is an empty list" in text
    # A date item is its text, as in `runs`; a null scope is the whole company.
    path = tmp_path / "dates.yaml"
    path.write_text(f"defaults: {DATA}\nmatrix: {{period_start: [2026-10-01], "
                    "period_end: [2026-10-31], scope: [system=crm, null]}\n", encoding="utf-8")
    batch = load_batch(path)
    assert [(c.config.period_start, c.config.scope) for c in batch.configs] == [
        ("2026-10-01", "system=crm"), ("2026-10-01", None)]


def test_out_is_the_batchs_and_names_a_folder(tmp_path):
    """A run's `out` was taken and ignored; `out: null` wrote to a folder 'None'."""
    text = _problems(tmp_path, f"defaults: {DATA}\nruns: [{{period: 2026-10, out: elsewhere}}]\n"
                               "matrix: {period: [2026-11], out: [x]}\nout: null\n")
    assert "run 1: 'out' is the batch's, not a run's" in text
    assert "'matrix': 'out' is the batch's" in text
    assert "'out': is empty (null), not a folder" in text


def test_a_parameter_that_is_not_text_is_a_problem_not_a_traceback(tmp_path):
    text = _problems(tmp_path, "runs: [{data: 5, period: 2026-10}, {1: x}]\nstore: 5\n")
    assert "parameter name 1 is not a text" in text and "'store': is a int, not a file" in text


def test_too_many_runs_are_refused_before_any_is_resolved(tmp_path, monkeypatch):
    def resolve(*_args):
        raise AssertionError("a run was resolved")

    monkeypatch.setattr(batchfile, "resolve", resolve)
    hundred = "[" + ", ".join(f"s{i}" for i in range(100)) + "]"
    matrix = f"{{period: {hundred}, scope: {hundred}, lang: {hundred}}}"
    text = _problems(tmp_path, f"defaults: {DATA}\nmatrix: {matrix}\n")
    assert "asks for 1,000,000 runs, more than 10,000 at once" in text
