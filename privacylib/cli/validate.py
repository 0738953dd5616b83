"""`privacy-audit validate`: load a data folder and write its data quality only,
guarded against leaks like a run."""

from __future__ import annotations

import argparse
import sys

from privacylib.audit.verdict import ExitCode
from privacylib.config.mapping import load_mapping
from privacylib.config.period import resolve_period
from privacylib.config.policy import load_policy
from privacylib.intake.ingest import LoadResult, load
from privacylib.intake.plausibility import check_times
from privacylib.masking.masker import Masker, masker_for
from privacylib.report.outputs import atomic_folder, write_quality


def _print_quality(result: LoadResult, masker: Masker) -> None:
    """One line per dataset; warnings and errors quote the data, so masked."""
    width = max(len(name) for name in result.datasets)
    for d in result.datasets.values():
        if d.status == "loaded":
            line = (f"read {d.rows_read:>10,}  loaded {d.rows_loaded:>10,}  "
                    f"rejected {d.rows_rejected:>8,}")
            if d.earliest and d.latest:
                line += f"  dated {d.earliest:%Y-%m-%d} .. {d.latest:%Y-%m-%d}"
        elif d.status == "absent":
            line = "(controls that need it will be skipped)"
        else:
            line = "(see the error below)"
        print(f"{d.dataset:<{width}}  {d.status:<7} {line}")
    for d in result.datasets.values():
        for warning in [*d.period_warnings, *d.warnings]:
            print(f"warning: {d.dataset}: {masker.value(None, warning)}")
    for d in result.datasets.values():
        if d.error:
            print(f"\nerror: {masker.value(None, d.error)}", file=sys.stderr)


def cmd_validate(args: argparse.Namespace) -> int:
    policy = load_policy(args.policy)
    mapping = load_mapping(args.mapping, args.data)
    period = resolve_period(args.period, tz=policy.timezone) if args.period else None
    result = load(args.data, policy=policy, mapping=mapping)
    check_times(result, period)
    masker = masker_for(result.con, args.key_file, not args.no_mask)
    with atomic_folder(args.out) as folder:
        write_quality(result, folder, masker)
        if masker.enabled:  # fail closed: nothing unmasked is published (masking/leakguard/)
            from privacylib.masking.leakguard import failed_folder, guard_folder, raw_values

            guard_folder(folder, raw_values(result.con), failed_folder(args.out),
                         "This validation")
    _print_quality(result, masker)
    print(f"\ndata quality written to {args.out / 'data_quality.csv'}")
    if not result.ok:
        return ExitCode.USAGE
    unusable = [d.dataset for d in result.datasets.values() if d.all_rejected
                or d.period_warnings]
    if unusable:
        print(f"unusable: {', '.join(unusable)} (see the warnings above)", file=sys.stderr)
        return ExitCode.INCOMPLETE
    return ExitCode.OK
