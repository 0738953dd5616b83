"""The files of a report folder that are not the notebook: tables for
machines (CSV, Parquet), a workbook for auditors who live in Excel, the
code-free summary page for managers (summary.py), run.json, what the run
was, and result.json, what it found (audit/result.py), which the runner,
manifest and store read. Everything personal is masked by the audit's
Masker (see masking/masker.py); `--no-mask` output says so on every page.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from privacylib.audit.names import code_names
from privacylib.audit.result import (
    RunResult,
    file_integrity,
    findings_file,
    from_audit,
    write_result,
)
from privacylib.audit.run import Audit
from privacylib.report.cells import write_csv
from privacylib.report.outputs import write_quality
from privacylib.report.pdf import write_pdf
from privacylib.report.summary import summary_html
from privacylib.report.workbook import write_workbook


def write_report_files(audit: Audit, folder: Path, *, run_id: str | None = None,
                       signer: str | None = None) -> RunResult:
    """findings.csv/.parquet, controls.csv, exceptions.csv, resolved.csv,
    data_quality.csv, rejects/, result.json, run.json, workbook.xlsx,
    summary.html and report.pdf; return the result written. result.json comes before the
    pages: they show its seal. run_id and signer (the signing key's id): the
    runner's, when it names them."""
    masker = audit.masker
    controls, findings = audit.controls(), audit.findings()
    exceptions = audit.exceptions_table()  # masked by the Audit, like the findings
    write_csv(controls.drop(columns=["seconds"]), folder / "controls.csv")
    write_csv(findings, folder / "findings.csv")
    findings.to_parquet(folder / "findings.parquet", index=False)  # the original text
    result = from_audit(audit, findings_file(folder / "findings.parquet"))
    write_csv(exceptions, folder / "exceptions.csv")
    write_csv(audit.resolved(), folder / "resolved.csv")
    write_quality(audit.loaded, folder, masker)
    write_result(folder, result)
    (folder / "run.json").write_text(
        json.dumps(result.run_record(), ensure_ascii=False, indent=1, sort_keys=True) + "\n",
        encoding="utf-8")
    seal = file_integrity(folder / "result.json")
    write_workbook(result, {r.control.id: r.control for r in audit.result.results}, findings,
                   exceptions, folder / "workbook.xlsx", seal=seal, run_id=run_id,
                   names=code_names(audit), policy=_policy(audit))
    (folder / "summary.html").write_text(summary_html(audit, result, seal=seal, run_id=run_id,
                                                            signer=signer), encoding="utf-8")
    write_pdf(result, findings, folder, result.run.lang, run_id=run_id,
              catalog=[r.control for r in audit.result.results])
    return result


def _policy(audit: Audit) -> dict[str, Any]:
    """The policy's settings, for rules that name one; text masked like the manifest's."""
    values = audit.loaded.policy.as_dict()
    if not audit.masker.enabled:
        return values
    text = audit.masker.text
    return {k: text(v) if isinstance(v, str) else
            [text(x) if isinstance(x, str) else x for x in v] if isinstance(v, list | tuple)
            else v for k, v in values.items()}
