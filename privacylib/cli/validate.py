"""`privacy-audit validate`: load a data folder and write its data quality only,
guarded against leaks like a run."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO
from zoneinfo import ZoneInfo

from privacylib.audit.verdict import ExitCode
from privacylib.cli.coverage import coverage_lines
from privacylib.config.mapping import load_mapping
from privacylib.config.period import resolve_period
from privacylib.config.policy import load_policy
from privacylib.controls.coverage import coverage
from privacylib.controls.custom import catalog_for, policy_keys
from privacylib.errors import UsageError
from privacylib.intake.ingest import LoadResult, load
from privacylib.intake.plausibility import check_times
from privacylib.masking.masker import Masker, masker_for
from privacylib.report.outputs import atomic_folder, write_quality


def _print_quality(result: LoadResult, masker: Masker, out: TextIO | None = None) -> None:
    """One line per dataset; warnings and errors quote the data, so masked."""
    out = out or sys.stdout
    width = max(len(name) for name in result.datasets)
    for d in result.datasets.values():
        if d.status == "loaded":
            line = (f"read {d.rows_read:>10,}  loaded {d.rows_loaded:>10,}  "
                    f"rejected {d.rows_rejected:>8,}")
            if d.earliest and d.latest:  # local days: as the rows were written
                zone = ZoneInfo(result.policy.timezone)
                line += (f"  dated {d.earliest.astimezone(zone):%Y-%m-%d} .. "
                         f"{d.latest.astimezone(zone):%Y-%m-%d}")
        elif d.status == "absent":
            line = "(controls that need it will be skipped)"
        else:
            line = "(see the error below)"
        print(f"{d.dataset:<{width}}  {d.status:<7} {line}", file=out)
    for d in result.datasets.values():
        for warning in [*d.period_warnings, *d.warnings]:
            print(f"warning: {d.dataset}: {masker.value(None, warning)}", file=out)
    for d in result.datasets.values():
        if d.error:
            print(f"\nerror: {masker.value(None, d.error)}", file=sys.stderr)


def _is_template(result: LoadResult) -> bool:
    """Every dataset of the contract is there with its header and no row: the
    starter folder `privacy-audit init` writes. Fewer files without rows are
    an export that came out empty, and its empty logs stay warnings (exit 3)."""
    return all(d.status == "loaded" and not d.rows_read for d in result.datasets.values())


def _data_folder(args: argparse.Namespace) -> None:
    """`validate DIR` and `validate --data DIR` are the same; one is needed."""
    if args.data_dir and args.data and args.data_dir != args.data:
        raise UsageError(f"two data folders given: {args.data_dir} and --data {args.data}",
                         hint="give the folder once")
    args.data = args.data or args.data_dir
    if args.data is None:
        raise UsageError("no data folder given", hint="privacy-audit validate DIR")


def cmd_validate(args: argparse.Namespace) -> int:
    _data_folder(args)
    # The company's controls first: their policy keys are keys of policy.yaml,
    # and the coverage table says which of them can run too.
    catalog = catalog_for(args.controls_dir)
    policy = load_policy(args.policy, extra_keys=policy_keys(catalog))
    mapping = load_mapping(args.mapping, args.data)
    period = resolve_period(args.period, tz=policy.timezone) if args.period else None
    result = load(args.data, policy=policy, mapping=mapping)
    template = _is_template(result)
    if not template:  # an empty log in a template is the template, not a lost export
        check_times(result, period)
    masker = masker_for(result.con, args.key_file, not args.no_mask)
    with atomic_folder(args.out) as folder:
        write_quality(result, folder, masker)
        if masker.enabled:  # fail closed: nothing unmasked is published (masking/leakguard/)
            from privacylib.masking.leakguard import failed_folder, guard_folder, raw_values

            guard_folder(folder, raw_values(result.con), failed_folder(args.out),
                         "This validation")
    cov = coverage(result.datasets, catalog)
    # With --json, stdout is the document alone; the human lines go to stderr.
    human = sys.stderr if args.json else sys.stdout
    _print_quality(result, masker, human)
    print(f"\ndata quality written to {args.out / 'data_quality.csv'}", file=human)
    if template:
        print("\nno file here holds a row yet: a starter folder (privacy-audit init). "
              "Fill in the files (README.md lists every column), delete those you do not "
              "have, and validate again.", file=human)
    if args.json:
        datasets = {d.dataset: {"status": d.status, "rows_read": d.rows_read,
                                "rows_loaded": d.rows_loaded, "rows_rejected": d.rows_rejected}
                    for d in result.datasets.values()}
        print(json.dumps({"datasets": datasets, "template": template, **cov.as_dict()},
                         ensure_ascii=False, indent=2))
    else:
        print("\n" + "\n".join(coverage_lines(cov, args.lang)))
    if not result.ok:
        return ExitCode.USAGE
    unusable = [d.dataset for d in result.datasets.values() if d.all_rejected
                or d.period_warnings]
    if unusable:
        print(f"unusable: {', '.join(unusable)} (see the warnings above)", file=sys.stderr)
        return ExitCode.INCOMPLETE
    return ExitCode.OK
