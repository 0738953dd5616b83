"""`privacy-audit run`, `demo`, `batch` and `generate`: audits run through the
notebook (privacylib.run), and the synthetic company they can audit."""

from __future__ import annotations

import argparse
import sys

from privacylib.audit.verdict import ExitCode, Verdict
from privacylib.errors import UsageError


def cmd_run(args: argparse.Namespace) -> int:
    from privacylib.audit.run import AuditConfig
    from privacylib.run.runner import execute, verdict

    config = AuditConfig.from_parameters(
        data=args.data, period=args.period, period_start=args.period_start,
        period_end=args.period_end, policy=args.policy, mapping=args.mapping, scope=args.scope,
        lang=args.lang, mask=not args.no_mask, key_file=args.key_file,
        exceptions=args.exceptions, store=args.store, controls_dir=args.controls_dir,
        engine=args.engine, spark_master=args.spark_master,
        spark_reads=args.spark_reads)
    if args.no_mask and not (args.reason or "").strip():
        raise UsageError("--no-mask needs --reason: an unmasked report is recorded, with why",
                         hint='e.g. --reason "regulator request 2026-117"')
    if args.new_key:
        from privacylib.masking.masker import load_key

        load_key(args.key_file, create=True)
    folder = execute(config, args.out, signing_key=args.signing_key,
                     reason=args.reason if args.no_mask else None)
    print(f"report folder: {folder}\nsummary:       {folder / 'summary.html'}\n"
          f"manifest:      {folder / 'manifest.json'} (signed; check with "
          f"`privacy-audit verify {folder}`)")
    return _conclude(verdict(folder), args.fail_on)


def _conclude(found: Verdict, fail_on: str | None) -> int:
    """Why the audit is incomplete (to stderr), then the outcome counts, last."""
    for reason in found.incomplete:
        print(f"incomplete: {reason}", file=sys.stderr)
    print(found.line())
    return found.exit_code(fail_on)


def cmd_demo(args: argparse.Namespace) -> int:
    from privacylib.run.runner import demo, verdict

    folder = demo(args.out)
    print(f"the sample company was audited; open {folder / 'summary.html'}")
    return _conclude(verdict(folder), None)


def cmd_batch(args: argparse.Namespace) -> int:
    from privacylib.run.batch import run_batch

    outcomes = run_batch(args.config, fail_on=args.fail_on)
    width = max(len(o.name) for o in outcomes)
    print(f"{'run':<{width}}  status      seconds  folder or error")
    for o in outcomes:
        print(f"{o.name:<{width}}  {o.status:<10}  {o.seconds:7.1f}  {o.detail}")
    counts = {s: sum(o.status == s for o in outcomes)
              for s in ("done", "findings", "incomplete", "failed")}
    print("\n" + ", ".join(f"{n} {s}" for s, n in counts.items() if n))
    # The gravest run decides: failed, then incomplete, then findings.
    codes = {o.code for o in outcomes}
    for code in (ExitCode.FAILED, ExitCode.USAGE, ExitCode.INCOMPLETE, ExitCode.FINDINGS):
        if code in codes:
            return code
    return ExitCode.OK


def cmd_generate(args: argparse.Namespace) -> int:
    from privacylib.synth import generate

    made = generate(args.out, args.events, seed=args.seed, fmt=args.format)
    print(f"wrote {made.events:,} access events and {made.planted} planted findings")
    print(f"data folder:      {made.folder}")
    print(f"planted findings: {args.out / 'planted.csv'}")
    return 0
