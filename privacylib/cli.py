"""The `privacy-audit` command.

Exit codes (audit/verdict.py says why): 0 the audit is complete (findings and
rejects are not errors), 1 a run failed, 2 bad usage or unusable input found
before the audit, 3 the audit finished but is incomplete, 4 findings at or
above --fail-on.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from privacylib import __version__
from privacylib.audit.verdict import ExitCode, Verdict
from privacylib.config.mapping import load_mapping
from privacylib.config.period import resolve_period
from privacylib.config.policy import load_policy
from privacylib.controls.catalog import SEVERITIES
from privacylib.errors import PrivacyLibError, UsageError
from privacylib.intake.ingest import LoadResult, load
from privacylib.intake.plausibility import check_times
from privacylib.masking.masker import KEY_ENV, KEY_FILE, Masker, mask_text, masker_for
from privacylib.report.outputs import atomic_folder, write_quality
from privacylib.trail.signing import (
    DEFAULT_KEY_DIR,
    PRIVATE_NAME,
    SIGNING_KEY_ENV,
    TRUSTED_ENV,
    TRUSTED_NAME,
)

EXIT_CODES = """exit codes:
  0  the audit is complete (findings and rejected rows are not errors)
  1  a run failed (its notebook is kept in NAME.FAILED/)
  2  bad usage or unusable input, found before the audit
  3  the audit finished but is incomplete (a dataset or control in error, or
     no data because the data was unusable)
  4  findings at or above --fail-on SEVERITY"""

VERIFY_CODES = """exit codes:
  0  proven: nothing changed, signed by a trusted key (--public-key, the
     trusted-keys file, or this machine's signing key), and the store records
     this run in this folder, in its chain
  1  something changed or is broken: a file, the signature, the folder's
     name, the store's record of the run, or the chain
  2  the folder, manifest or store cannot be read (one line says which)
  3  integrity only: nothing changed since it was signed, but the key is not
     trusted or there was no store to check the chain in"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 too; say what to do
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n  → see `{self.prog} --help`\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="privacy-audit",
                     description="Check customer-data records against privacy controls.",
                     epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"privacy-audit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    val = sub.add_parser("validate", help="load a data folder and report data quality only")
    val.add_argument("--data", required=True, type=Path, help="the data folder")
    val.add_argument("--mapping", type=Path, help="mapping.yaml (default: DATA/mapping.yaml)")
    val.add_argument("--policy", type=Path, help="policy.yaml (default: built-in defaults)")
    val.add_argument("--out", type=Path, default=Path("validation"),
                     help="where to write data_quality.csv and rejects/ (default: ./validation)")
    val.add_argument("--no-mask", action="store_true",
                     help="write rejected rows unmasked (they hold personal data)")
    val.add_argument("--key-file", type=Path,
                     help=f"pseudonym key (default: ${KEY_ENV}, else {KEY_FILE})")
    val.add_argument("--period", help="the month the data should cover, YYYY-MM: "
                     "warns (exit 3) when a log has no row in it or rows far from it")
    val.set_defaults(func=cmd_validate)
    run = sub.add_parser("run", help="run the audit notebook into a report folder")
    run.add_argument("--data", required=True, help="the data folder")
    run.add_argument("--period", help="the audited month, YYYY-MM (local)")
    run.add_argument("--period-start", help="or: first day or instant of the period")
    run.add_argument("--period-end", help="and: its last day (inclusive), or the first "
                     "instant after it")
    run.add_argument("--policy", help="policy.yaml (default: the data contract's defaults)")
    run.add_argument("--mapping", help="mapping.yaml (default: DATA/mapping.yaml)")
    run.add_argument("--scope", help="KEY=VALUE: department=… or system=…")
    run.add_argument("--lang", choices=["zh", "en"], default="zh", help="language (zh)")
    run.add_argument("--out", type=Path, default=Path("runs"),
                     help="where run folders go (default: ./runs)")
    run.add_argument("--no-mask", action="store_true",
                     help="write personal identifiers unmasked (recorded in the report and, "
                          "with --reason, in the store's record of unmasked views)")
    run.add_argument("--reason", help="why this run must be unmasked (required with --no-mask)")
    run.add_argument("--key-file", help=f"pseudonym key (default: ${KEY_ENV}, else {KEY_FILE}); "
                     "it must exist unless --new-key")
    run.add_argument("--new-key", action="store_true",
                     help="make a new pseudonym key in --key-file (every pseudonym changes)")
    run.add_argument("--exceptions", help="accepted risks, CSV or YAML (see the README)")
    run.add_argument("--store", help="audit store, a DuckDB file (default: OUT/audit-store.duckdb)")
    run.add_argument("--signing-key", type=Path,
                     help=f"Ed25519 key that signs the manifest (default: ${SIGNING_KEY_ENV}, "
                          f"else {DEFAULT_KEY_DIR / PRIVATE_NAME}, made on first use)")
    _fail_on(run)
    run.set_defaults(func=cmd_run)
    ver = sub.add_parser("verify", help="check a run folder against its signed manifest",
                         epilog=VERIFY_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    ver.add_argument("run_dir", type=Path, help="the run folder")
    ver.add_argument("--public-key", type=Path,
                     help="trust only this signing.pub (default: the trusted-keys file, and "
                          "this machine's own signing key)")
    ver.add_argument("--trusted-keys", type=Path,
                     help=f"file of trusted public keys, one a line (default: ${TRUSTED_ENV}, "
                          f"else {DEFAULT_KEY_DIR / TRUSTED_NAME})")
    ver.add_argument("--store", type=Path,
                     help="audit store for the chain (default: the one the manifest names)")
    ver.set_defaults(func=cmd_verify)
    key = sub.add_parser("keygen", help="make the Ed25519 key pair that signs manifests")
    key.add_argument("--out", type=Path, default=DEFAULT_KEY_DIR,
                     help=f"folder for signing.key and signing.pub (default: {DEFAULT_KEY_DIR})")
    key.add_argument("--force", action="store_true", help="replace an existing key pair")
    key.set_defaults(func=cmd_keygen)
    demo = sub.add_parser("demo", help="generate the sample company and audit it")
    demo.add_argument("--out", type=Path, default=Path("demo"), help="folder (default: ./demo)")
    demo.set_defaults(func=cmd_demo)
    bat = sub.add_parser("batch", help="run many audits from a YAML file, in parallel")
    bat.add_argument("--config", required=True, type=Path, help="the batch YAML file")
    _fail_on(bat)
    bat.set_defaults(func=cmd_batch)
    acc = sub.add_parser("access-log", help="who saw personal data unmasked, when, and why")
    acc.add_argument("--store", required=True, type=Path, help="the audit store")
    acc.set_defaults(func=cmd_access_log)
    ctl = sub.add_parser("controls", help="list the control catalog")
    ctl.add_argument("--lang", choices=["zh", "en"], default="zh", help="language (zh)")
    ctl.add_argument("--verbose", "-v", action="store_true", help="also the rule and datasets")
    ctl.set_defaults(func=cmd_controls)
    gen = sub.add_parser("generate", help="write a synthetic company with planted violations")
    gen.add_argument("--out", required=True, type=Path,
                     help="folder to create: OUT/exports (the data), OUT/planted.csv")
    gen.add_argument("--events", type=_positive, default=20_000, help="access events (20000)")
    gen.add_argument("--seed", type=int, default=7, help="the same seed gives the same company")
    gen.add_argument("--format", choices=["csv", "parquet"], default="csv",
                     help="of the access log's daily files (csv: .csv.gz)")
    gen.set_defaults(func=cmd_generate)
    return parser


def _fail_on(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--fail-on", choices=SEVERITIES, metavar="SEVERITY",
                        help="exit 4 when an open finding is at or above this severity "
                             f"({', '.join(SEVERITIES)})")


def _positive(text: str) -> int:
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


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
        if masker.enabled:  # fail closed: nothing unmasked is published (masking/leakguard.py)
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


def cmd_run(args: argparse.Namespace) -> int:
    from privacylib.audit.run import AuditConfig
    from privacylib.run.runner import execute, verdict

    config = AuditConfig.from_parameters(
        data=args.data, period=args.period, period_start=args.period_start,
        period_end=args.period_end, policy=args.policy, mapping=args.mapping, scope=args.scope,
        lang=args.lang, mask=not args.no_mask, key_file=args.key_file,
        exceptions=args.exceptions, store=args.store)
    if args.no_mask and not (args.reason or "").strip():
        raise UsageError("--no-mask needs --reason: an unmasked report is recorded, with why",
                         hint='e.g. --reason "regulator request 2026-117"')
    if args.new_key:
        from privacylib.masking.masker import load_key

        load_key(args.key_file, create=True)
    folder = execute(config, args.out, signing_key=args.signing_key)
    if args.no_mask:
        _record_unmasked_run(folder, args.reason)
    print(f"report folder: {folder}\nsummary:       {folder / 'summary.html'}\n"
          f"manifest:      {folder / 'manifest.json'} (signed; check with "
          f"`privacy-audit verify {folder}`)")
    return _conclude(verdict(folder), args.fail_on)


def _record_unmasked_run(folder: Path, reason: str) -> None:
    """Audit the auditor: who made an unmasked report, when, of which run, and why."""
    import json

    from privacylib.trail.access import record_view

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    record_view(manifest["store"], run_id=manifest["run_id"], kind="unmasked run",
                subject=folder.name, reason=reason)


def cmd_access_log(args: argparse.Namespace) -> int:
    from privacylib.trail.access import views

    table = views(args.store)
    if not len(table):
        print(f"no unmasked view is recorded in {args.store}")
        return 0
    print(table.to_string(index=False))
    return 0


def _conclude(found: Verdict, fail_on: str | None) -> int:
    """Why the audit is incomplete (to stderr), then the outcome counts, last."""
    for reason in found.incomplete:
        print(f"incomplete: {reason}", file=sys.stderr)
    print(found.line())
    return found.exit_code(fail_on)


def cmd_verify(args: argparse.Namespace) -> int:
    from privacylib.trail.verify import verify_run

    try:
        result = verify_run(args.run_dir, public_key=args.public_key, store=args.store,
                            trusted=args.trusted_keys)
    except PrivacyLibError as exc:  # unreadable: one line, exit 2
        print(f"error: {exc.message}" + (f" ({exc.hint})" if exc.hint else ""), file=sys.stderr)
        return 2
    for note in result.notes:
        print(f"note: {note}")
    for problem in result.problems:
        print(f"FAILED: {problem}")
    print(f"{args.run_dir}: {result.summary()}")
    return result.code


def cmd_keygen(args: argparse.Namespace) -> int:
    from privacylib.trail.signing import key_id, keygen, load_public, public_text

    private, public = keygen(args.out, force=args.force)
    key = load_public(public)
    print(f"signing key (keep it secret): {private}\npublic key (hand it to verifiers): "
          f"{public}\nkey id: {key_id(key)}\nfor a verifier's trusted-keys file: "
          f"{public_text(key)} {key_id(key)}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from privacylib.run.runner import demo

    folder = demo(args.out)
    print(f"the sample company was audited; open {folder / 'summary.html'}")
    return 0


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


def cmd_controls(args: argparse.Namespace) -> int:
    from privacylib.controls.catalog import load_catalog

    family = None
    for c in load_catalog():
        if c.family != family:
            family = c.family
            print(f"\n{family}")
        print(f"  {c.id}  {c.severity:<8}  {c.slug:<30}  {c.title(args.lang)}")
        if args.verbose:
            print(f"        seed {c.seed} · PIPL {c.pipl} · datasets: {', '.join(c.datasets)}")
            print(f"        {c.rule(args.lang)}")
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    from privacylib.synth import generate

    made = generate(args.out, args.events, seed=args.seed, fmt=args.format)
    print(f"wrote {made.events:,} access events and {made.planted} planted findings")
    print(f"data folder:      {made.folder}")
    print(f"planted findings: {args.out / 'planted.csv'}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except PrivacyLibError as exc:
        # A message may quote a value of the data: a terminal log is an output too.
        print(f"error: {mask_text(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # `privacy-audit controls | head`: the reader has had enough
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keep the interpreter quiet at exit
        return 0


if __name__ == "__main__":
    sys.exit(main())
