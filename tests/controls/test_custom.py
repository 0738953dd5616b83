"""A company's own controls (--controls-dir): checked by the catalog's rules,
run by the engine, in every output of a real run.

The example shipped in examples/controls/ (X01, exports on public holidays)
is also the template the README points to: its golden cases run here.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from controls.golden import GoldenCase, load_file
from privacylib.cli import main
from privacylib.config.params import AuditConfig, ResolvedConfig, resolve
from privacylib.config.policy import load_policy
from privacylib.config.waivers import load_exceptions
from privacylib.controls.catalog import load_catalog, select
from privacylib.controls.checks import select_problem
from privacylib.controls.custom import catalog_for, load_custom, policy_keys
from privacylib.errors import ConfigError, DefinitionProblems, PolicyProblems, UsageError
from privacylib.run.batch import load_batch

from conftest import SAMPLE, load_dir, write_csv

EXAMPLES = Path(__file__).parents[2] / "examples" / "controls"
X01 = EXAMPLES / "X01_holiday_export.sql"
CASES = load_file(EXAMPLES / "cases" / "X01.yaml")


def run_case(folder: Path, case: GoldenCase):
    from privacylib.config.period import resolve_period
    from privacylib.contract import DATASETS
    from privacylib.controls.engine import run_controls

    columns = {d.name: d.column_names for d in DATASETS}
    for name, table in case.tables.items():
        header = list(dict.fromkeys(k for row in table for k in row)) or list(columns[name])
        write_csv(folder / f"{name}.csv", header, [[row.get(h) for h in header] for row in table])
    loaded = load_dir(folder, policy=case.policy)
    assert case.controls_dir is not None
    controls = select(load_custom(case.controls_dir), ids=[case.control_id])
    (result,) = run_controls(loaded, resolve_period(case.period, tz=loaded.policy.timezone),
                             controls=controls).results
    return result


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_the_example_controls_golden_cases(tmp_path: Path, case: GoldenCase) -> None:
    result = run_case(tmp_path, case)
    found = {f.subject_id for f in result.findings}
    assert (str(result.outcome), found) == (case.expect.outcome, set(case.expect.subjects)), (
        case.title, result.reason_en)
    assert result.checked == case.expect.checked, (case.title, result.checked)
    if case.expect.reason_names:
        assert f"in {case.expect.reason_names} (" in result.reason_en


def test_the_example_has_failing_and_passing_cases_and_declares_its_policy_key() -> None:
    assert {c.expect.outcome for c in CASES} == {"fail", "pass", "no_data"}
    (x01,) = load_custom(EXAMPLES)
    assert (x01.id, x01.custom, dict(x01.policy_defaults)) == (
        "X01", True, {"public_holidays": ("01-01", "05-01", "10-01", "10-02", "10-03")})
    assert x01 not in load_catalog() and x01 in catalog_for(EXAMPLES)
    assert len(catalog_for(EXAMPLES)) == len(load_catalog()) + 1


# ---- the catalog's rules, for a company's folder -------------------------------------------

def _write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def _x01() -> str:
    return X01.read_text(encoding="utf-8")


def broken_folder(root: Path) -> Path:
    """One good control and four broken ones, each with one problem."""
    folder = root / "company-controls"
    _write(folder, X01.name, _x01())
    # A built-in id: it would collide with (or shadow) C01.
    _write(folder, "C01_holiday_export.sql", _x01().replace("id: X01", "id: C01"))
    # A dataset the data contract does not have.
    _write(folder, "X02_holiday_export.sql", _x01().replace("id: X01", "id: X02")
           .replace("datasets: [access_log]", "datasets: [access_logs, access_log]"))
    # No remediation.
    text = _x01().replace("id: X01", "id: X03")
    head, _, rest = text.partition("-- remediation:")
    _write(folder, "X03_holiday_export.sql", head + rest.split("\n", 3)[3])
    # A second statement after the query: the engine would run it too.
    _write(folder, "X04_holiday_export.sql", _x01().replace("id: X01", "id: X04").rstrip()
           + ";\nDELETE FROM customers\n")
    return folder


def test_every_problem_of_a_company_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(DefinitionProblems) as exc:
        load_custom(broken_folder(tmp_path))
    text = str(exc.value)
    assert "4 problem(s)" in text, text
    assert "C01_holiday_export.sql: id 'C01' has the form of the built-in ids" in text
    assert "X02_holiday_export.sql: dataset 'access_logs' is not in the data contract" in text
    assert "X03_holiday_export.sql: the header lacks remediation" in text
    assert "X04_holiday_export.sql: the query must be one statement, not 2" in text
    assert "X01_holiday_export.sql" not in text


@pytest.mark.parametrize("command", ["validate", "run", "controls"])
def test_the_commands_exit_2_naming_every_problem(tmp_path: Path, capsys, command) -> None:
    folder = broken_folder(tmp_path)
    args = {"validate": ["validate", str(SAMPLE / "exports"), "--out", str(tmp_path / "v")],
            "run": ["run", "--data", str(SAMPLE / "exports"), "--period", "2026-10",
                    "--out", str(tmp_path / "runs")],
            "controls": ["controls"]}[command]
    assert main([*args, "--controls-dir", str(folder)]) == 2
    err = capsys.readouterr().err
    for name in ("C01_holiday_export.sql", "X02_holiday_export.sql", "X03_holiday_export.sql",
                 "X04_holiday_export.sql"):
        assert name in err, (name, err)
    assert not (tmp_path / "runs").exists()  # refused before any notebook ran


@pytest.mark.parametrize(("change", "message"), [
    (("id: X01", "id: X1"), "id 'X1' is not X and two or three digits"),
    (("id: X01", "id: ACME-01"), "id 'ACME-01' is not X and two or three digits"),
    (("id: X01", "id: S12"), "id 'S12' has the form of the built-in ids"),
    (("public_holidays: [", "dsr_response_days: ["), "policy key 'dsr_response_days' is a built"),
    (("public_holidays: [", "public_holidays: {a: 1}\n--   x: ["),
     "policy key 'public_holidays' has a default of type dict"),
    (("$public_holidays))\n", "$holidays))\n"), "unknown parameters: holidays"),
    (("WHERE in_period", "WHER in_period"), "the query is not valid SQL"),
    (("SELECT a.event_id", "DELETE FROM access_log; SELECT a.event_id"),
     "the query must be one statement, not 2"),
    (("SELECT a.event_id", "SELECT 1) ; DROP TABLE customers; SELECT (a.event_id"),
     "the query is not valid SQL"),
])
def test_each_rule_of_a_company_control(tmp_path: Path, change, message) -> None:
    old, new = change
    assert old in _x01()
    folder = tmp_path / "c"
    _write(folder, X01.name, _x01().replace(old, new, 1))
    with pytest.raises(DefinitionProblems, match=message):
        load_custom(folder)


def test_a_template_reaches_only_columns(tmp_path: Path) -> None:
    # {x.attr} or {x[key]} would walk from a value into Python objects.
    folder = tmp_path / "c"
    _write(folder, X01.name, _x01().replace("{actor_id} exported",
                                            "{actor_id.__class__} {event_id[0]} exported"))
    with pytest.raises(DefinitionProblems) as exc:
        load_custom(folder)
    assert "placeholders that are not column names: {actor_id.__class__}, {event_id[0]}" \
        in str(exc.value)
    _write(folder, X01.name, _x01().replace("{actor_id} exported", "{actor_id exported"))
    with pytest.raises(DefinitionProblems, match=r"reason \(en\) is not a valid template"):
        load_custom(folder)


# ---- a company's control runs shut in, and a defective one is its own error ---------------

def run_custom(root: Path, texts: dict[str, str], with_builtin: str = "U02"):
    """The first golden case's data audited by these company controls (id: text)
    and one built-in control: {id: ControlResult}."""
    from privacylib.config.period import resolve_period
    from privacylib.controls.engine import run_controls

    folder = root / "company"
    for control_id, text in texts.items():
        _write(folder, f"{control_id}_holiday_export.sql", text)
    case = CASES[0]
    data = root / "data"
    data.mkdir()
    for name, table in case.tables.items():
        header = list(dict.fromkeys(k for row in table for k in row))
        write_csv(data / f"{name}.csv", header, [[row.get(h) for h in header] for row in table])
    controls = select(catalog_for(folder), ids=[*texts, with_builtin])
    loaded = load_dir(data, policy=load_policy(None, extra_keys=policy_keys(controls)))
    period = resolve_period(case.period, tz=loaded.policy.timezone)
    return {r.control.id: r for r in run_controls(loaded, period, controls=controls).results}, \
        loaded


def _as(control_id: str, old: str = "", new: str = "") -> str:
    text = _x01().replace("id: X01", f"id: {control_id}")
    assert old in text
    return text.replace(old, new, 1)


def test_a_company_control_cannot_read_files_or_change_the_connection(tmp_path: Path) -> None:
    secret = tmp_path / "signing.key"
    secret.write_text("PRIVATE-KEY-9f3a", encoding="utf-8")
    evidence = "to_json({'event': a, 'holiday': local_day_text(a.ts, $tz)})"
    results, loaded = run_custom(tmp_path, {
        "X01": _x01(),
        "X02": _as("X02", evidence, f"to_json({{'k': (SELECT content FROM "
                   f"read_text('{secret}'))}})"),
        "X03": _as("X03", "FROM access_log a\n", "FROM access_log a, enable_profiling()\n"),
        "X04": _as("X04", "FROM access_log a\n", "FROM access_log a, customers c\n"),
        "X05": _as("X05", "FROM access_log a\n",
                   "FROM access_log a, (SELECT * FROM glob('/root/*')) g\n"),
    })
    assert (results["X01"].outcome, len(results["X01"].findings)) == ("fail", 3)
    assert results["U02"].outcome in ("pass", "fail", "no_data")  # the built-in ran as before
    for control_id, why in (("X02", "file system operations are disabled"),
                            ("X03", "the configuration has been locked"),
                            ("X04", "customers does not exist"),
                            ("X05", "file system operations are disabled")):
        result = results[control_id]
        assert (result.outcome, result.findings) == ("error", []), control_id
        assert why in result.reason_en, (control_id, result.reason_en)
        assert "PRIVATE-KEY" not in result.reason_en
    # The audit's own connection is as it was: no profiling, files readable by our code.
    con = loaded.con
    assert con.execute("SELECT current_setting('enable_external_access')").fetchall() == [
        (True,)]
    assert con.execute("SELECT current_setting('enable_profiling')").fetchall()[0][0] in (
        None, "", "no_output", "NO_OUTPUT")


def test_a_defective_company_control_is_its_own_error_and_the_others_run(tmp_path) -> None:
    evidence = "to_json({'event': a, 'holiday': local_day_text(a.ts, $tz)})"
    results, _ = run_custom(tmp_path, {
        "X01": _x01(),
        # Evidence that is not a JSON object, or not JSON at all.
        "X02": _as("X02", evidence, "'not json'"),
        "X03": _as("X03", evidence, "to_json([1, 2])"),
        # A template the values do not fit: a number format on text.
        "X04": _as("X04", "exported {record_count} records", "exported {actor_id:.1f} records"),
        # A population count that counts nothing.
        "X05": _as("X05", "SELECT count(*) FROM access_log a WHERE",
                   "SELECT NULL FROM access_log a WHERE"),
    })
    assert (results["X01"].outcome, len(results["X01"].findings)) == ("fail", 3)
    for control_id, why in (("X02", "JSONDecodeError"), ("X03", "not an object"),
                            ("X04", "ValueError"), ("X05", "not one whole number")):
        result = results[control_id]
        assert (result.outcome, result.incomplete, result.findings) == ("error", True, []), \
            control_id
        assert why in result.reason_en, (control_id, result.reason_en)


def test_a_key_declared_twice_needs_one_default_and_an_empty_folder_is_named(tmp_path):
    folder = tmp_path / "c"
    _write(folder, X01.name, _x01())
    _write(folder, "X02_holiday_export.sql", _x01().replace("id: X01", "id: X02")
           .replace("'10-03']", "'10-04']"))
    with pytest.raises(DefinitionProblems, match=r"X02_holiday_export\.sql: policy key "
                                                 r"'public_holidays' has another default"):
        load_custom(folder)
    (tmp_path / "empty").mkdir()
    with pytest.raises(DefinitionProblems, match="holds no control"):
        load_custom(tmp_path / "empty")
    with pytest.raises(UsageError, match="does not exist"):
        load_custom(tmp_path / "nowhere")


def test_a_built_in_query_is_one_select() -> None:
    assert all(select_problem(c.sql) is None for c in load_catalog())
    assert select_problem("SELECT 1) ; DROP TABLE customers; SELECT (1") is not None


# ---- policy keys of a company's controls --------------------------------------------------

def test_policy_yaml_may_set_a_company_key_and_unknown_keys_stay_errors(tmp_path: Path):
    keys = policy_keys(load_custom(EXAMPLES))
    path = tmp_path / "policy.yaml"
    path.write_text("public_holidays: [2026-10-05, '12-25']\ndsr_response_days: 10\n",
                    encoding="utf-8")
    policy = load_policy(path, extra_keys=keys)
    assert policy.as_dict()["public_holidays"] == ["2026-10-05", "12-25"]
    assert load_policy(None, extra_keys=keys).as_dict()["public_holidays"][0] == "01-01"
    with pytest.raises(PolicyProblems, match="key 'public_holidays': is not a policy key"):
        load_policy(path)  # without the company's controls, the key is unknown
    path.write_text("public_holiday: ['10-01']\npublic_holidays: 3\n", encoding="utf-8")
    with pytest.raises(PolicyProblems) as exc:
        load_policy(path, extra_keys=keys)
    assert "did you mean 'public_holidays'" in str(exc.value)
    assert "public_holidays': must be a list of names" in str(exc.value)


def test_the_resolved_configuration_carries_the_company_controls(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    shutil.copytree(EXAMPLES, folder)
    resolved = resolve(AuditConfig(data=str(SAMPLE / "exports"), period="2026-10",
                                   controls_dir=str(folder)))
    again = ResolvedConfig.from_json(resolved.to_json())
    assert again == resolved and again.policy.as_dict()["public_holidays"][0] == "01-01"
    assert [c.id for c in again.catalog()].count("X01") == 1
    # A control edited after the run was configured is not the one it was configured with.
    x01 = folder / X01.name
    x01.write_text(x01.read_text(encoding="utf-8").replace("medium", "high"), encoding="utf-8")
    with pytest.raises(ConfigError, match="changed after the run was configured: X01"):
        ResolvedConfig.from_json(resolved.to_json())
    # Without a controls folder, the configuration is the text it always was.
    plain = resolve(AuditConfig(data=str(SAMPLE / "exports"), period="2026-10"))
    assert "custom_controls" not in plain.to_json() and plain.catalog() == load_catalog()


def test_exceptions_may_name_a_company_control(tmp_path: Path) -> None:
    from datetime import date

    path = tmp_path / "exceptions.yaml"
    path.write_text("- {control_id: X01, subject_id: 'EV*', reason: holiday cover rota, "
                    "compensating_control: manager sign-off, approved_by: CISO, "
                    "requested_by: ops, expires: 2027-01-01}\n", encoding="utf-8")
    ids = {c.id for c in catalog_for(EXAMPLES)}
    (judged,) = load_exceptions(path, as_of_date=date(2026, 11, 1), control_ids=ids)
    assert judged.state == "valid", judged.problem
    (unknown,) = load_exceptions(path, as_of_date=date(2026, 11, 1))
    assert unknown.state == "invalid"


def test_a_batch_file_names_the_controls_for_every_run(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "controls")
    path = tmp_path / "batch.yaml"
    path.write_text(f"defaults: {{data: {SAMPLE / 'exports'}}}\ncontrols_dir: controls\n"
                    "matrix: {period: [2026-10]}\n", encoding="utf-8")
    (resolved,) = load_batch(path).configs
    assert resolved.config.controls_dir == str((tmp_path / "controls").resolve())
    assert [c.id for c in resolved.custom_controls] == ["X01"]


# ---- in every output of a real run --------------------------------------------------------

def test_the_notebook_as_an_analyst_runs_it_every_cell(tmp_path):
    """The audit notebook with its own parameters, as in JupyterLab (papermill,
    every cell, the ask-your-own-question ones too): the company's controls
    reach every output, and the analyst's SQL answers masked."""
    import papermill

    from privacylib.run.kernel import IPCKernelManager
    from privacylib.run.runner import NOTEBOOK

    out = tmp_path / "report"
    out.mkdir()
    done = papermill.execute_notebook(
        str(NOTEBOOK), str(tmp_path / "report.ipynb"), kernel_name="python3",
        parameters={"data": str(SAMPLE / "exports"), "period": "2026-10", "lang": "en",
                    "controls_dir": str(EXAMPLES), "out": str(out)},
        progress_bar=False, cwd=str(NOTEBOOK.parent), kernel_manager_class=IPCKernelManager)
    _assert_x01_everywhere(out)
    asked = [c for c in done.cells if "notebook-only" in c.metadata.get("tags", [])
             and c.cell_type == "code"]
    shown = ["".join(o.get("data", {}).get("text/plain", "")) for o in asked[-1].outputs]
    sql = "".join(shown)
    assert "export" in sql and sql.count("CU-") == 5, sql  # five customers, pseudonyms
    days = [pd.read_csv(p, dtype=str) for p in (SAMPLE / "exports" / "access_log").iterdir()]
    exports = pd.concat(days)
    raw = set(exports.loc[exports["action"] == "export", "customer_id"].dropna())
    assert raw and not any(value in sql for value in raw)


def _assert_x01_everywhere(folder: Path) -> None:
    findings = pd.read_csv(folder / "findings.csv")
    x01 = findings[findings["control_id"] == "X01"]
    # The sample company exports on 1-3 October (National Day).
    assert len(x01) == 21 and set(x01["severity"]) == {"medium"}
    controls = pd.read_csv(folder / "controls.csv")
    assert controls.loc[controls["control_id"] == "X01", "outcome"].tolist() == ["fail"]
    result = json.loads((folder / "result.json").read_text(encoding="utf-8"))
    assert "X01" in json.dumps(result)
    book = openpyxl.load_workbook(folder / "workbook.xlsx", read_only=True)
    (sheet,) = [s for s in book.sheetnames if s.startswith("X01")]
    cells = [row[0] for row in book[sheet].iter_rows(values_only=True)]
    assert set(x01["subject_id"]) <= set(cells)


def test_a_real_run_with_controls_dir_has_them_in_every_output_and_the_manifest(tmp_path):
    code = main(["run", "--data", str(SAMPLE / "exports"), "--period", "2026-10",
                 "--out", str(tmp_path), "--controls-dir", str(EXAMPLES), "--lang", "en"])
    folder = tmp_path / "2026-10"
    assert code == 0
    _assert_x01_everywhere(folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    (entry,) = [c for c in manifest["controls"] if c["id"] == "X01"]
    assert entry["definition_sha256"] == load_custom(EXAMPLES)[0].definition_hash
    assert main(["verify", str(folder)]) == 0


def test_the_notebook_parameter_and_validate_know_the_company_keys(tmp_path: Path, capsys):
    config = AuditConfig.from_parameters(data=str(SAMPLE / "exports"), period="2026-10",
                                         controls_dir=str(EXAMPLES))
    assert config.controls_dir == str(EXAMPLES)
    with pytest.raises(UsageError, match="parameter 'controls_dir' must be str"):
        AuditConfig.from_parameters(data=str(SAMPLE / "exports"), controls_dir=3)
    policy = tmp_path / "policy.yaml"
    policy.write_text("public_holidays: ['2026-10-05']\n", encoding="utf-8")
    args = ["validate", str(SAMPLE / "exports"), "--out", str(tmp_path / "v"),
            "--policy", str(policy), "--lang", "en"]
    assert main(args) == 2  # without the company's controls, the key is unknown
    assert "public_holidays" in capsys.readouterr().err
    assert main([*args, "--controls-dir", str(EXAMPLES)]) == 0
    assert "X01  runs" in capsys.readouterr().out
