"""The `privacy-audit` parser: its commands, options, help and exit codes."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable
from pathlib import Path

from privacylib import __version__
from privacylib.controls.catalog import SEVERITIES
from privacylib.masking.masker import KEY_ENV, KEY_FILE
from privacylib.trail.signing import (
    DEFAULT_KEY_DIR,
    PRIVATE_NAME,
    SIGNING_KEY_ENV,
    TRUSTED_ENV,
    TRUSTED_NAME,
)
from privacylib.vocab import Engine

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


def _command(module: str, name: str) -> Callable[[argparse.Namespace], int]:
    """A command's function, imported when it runs: `run` then starts its kernel
    without first loading what `validate` needs (pandas, the readers), and
    `--help` loads none of it."""
    def command(args: argparse.Namespace) -> int:
        return int(getattr(importlib.import_module(f"privacylib.cli.{module}"), name)(args))

    command.__name__ = name
    return command


class _Once(argparse._StoreAction):
    """An option given twice is an error: argparse keeps the last silently
    (--scope department=客服中心 --scope system=crm audited crm alone)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        given = vars(namespace).setdefault("_given", set())
        if self.dest in given:
            parser.error(f"{option_string} is given twice; give it once")
        given.add(self.dest)
        super().__call__(parser, namespace, values, option_string)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.register("action", None, _Once)
        self.register("action", "store", _Once)

    def error(self, message: str) -> None:  # argparse exits 2 too; say what to do
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n  → see `{self.prog} --help`\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="privacy-audit",
                     description="Check customer-data records against privacy controls.",
                     epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"privacy-audit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    val = sub.add_parser("validate", help="load a data folder, report its data quality and "
                         "which controls can run on it")
    val.add_argument("data_dir", nargs="?", type=Path, metavar="DIR",
                     help="the data folder (or --data DIR)")
    val.add_argument("--data", type=Path, help="the data folder")
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
    val.add_argument("--lang", choices=["zh", "en"], default="zh",
                     help="language of the coverage table (zh)")
    _controls_dir(val)
    val.add_argument("--json", action="store_true",
                     help="print the datasets' counts and the coverage as JSON on stdout "
                          "(the other lines go to stderr)")
    val.set_defaults(func=_command("validate", "cmd_validate"))
    ini = sub.add_parser("init", help="write a starter data folder: each dataset's header, "
                         "a README of every column, mapping.yaml and policy.yaml templates")
    ini.add_argument("dir", type=Path, metavar="DIR", help="a new or empty folder")
    ini.add_argument("--lang", choices=["zh", "en"], default="en",
                     help="column names: en (the contract's) or zh (the built-in Chinese "
                          "ones where they exist) (en)")
    ini.add_argument("--force", action="store_true",
                     help="write into a non-empty folder (an existing file is never "
                          "overwritten)")
    ini.set_defaults(func=_command("init", "cmd_init"))
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
    _controls_dir(run)
    run.add_argument("--engine", choices=[e.value for e in Engine], default=Engine.DUCKDB.value,
                     help="where the controls run: duckdb (default) or spark (needs "
                          "pip install 'privacy-workbook[spark]' and Java 17+)")
    run.add_argument("--spark-master", metavar="URL",
                     help="with --engine spark: local[2] (default), spark://HOST:7077 or "
                          "sc://HOST:15002 (Spark Connect)")
    run.add_argument("--spark-reads", metavar="DATASETS",
                     help="with --engine spark: datasets Spark reads itself, a comma list "
                          "(accepted: access_log), each from the data folder or, as "
                          "access_log=SCHEMA.TABLE, from a Parquet or JSON table of Spark's "
                          "catalog; the others are loaded by DuckDB. The explorer's "
                          "drill-down and ad hoc SQL cannot read them")
    run.add_argument("--signing-key", type=Path,
                     help=f"Ed25519 key that signs the manifest (default: ${SIGNING_KEY_ENV}, "
                          f"else {DEFAULT_KEY_DIR / PRIVATE_NAME}, made on first use)")
    _fail_on(run)
    run.set_defaults(func=_command("run", "cmd_run"))
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
    ver.set_defaults(func=_command("verify", "cmd_verify"))
    key = sub.add_parser("keygen", help="make the Ed25519 key pair that signs manifests")
    key.add_argument("--out", type=Path, default=DEFAULT_KEY_DIR,
                     help=f"folder for signing.key and signing.pub (default: {DEFAULT_KEY_DIR})")
    key.add_argument("--force", action="store_true", help="replace an existing key pair")
    key.set_defaults(func=_command("verify", "cmd_keygen"))
    demo = sub.add_parser("demo", help="generate the sample company and audit it")
    demo.add_argument("--out", type=Path, default=Path("demo"), help="folder (default: ./demo)")
    demo.set_defaults(func=_command("run", "cmd_demo"))
    bat = sub.add_parser("batch", help="run many audits from a YAML file, in parallel")
    bat.add_argument("--config", required=True, type=Path, help="the batch YAML file")
    _fail_on(bat)
    bat.set_defaults(func=_command("run", "cmd_batch"))
    acc = sub.add_parser("access-log", help="who saw personal data unmasked, when, and why")
    acc.add_argument("--store", required=True, type=Path, help="the audit store")
    acc.set_defaults(func=_command("access", "cmd_access_log"))
    ctl = sub.add_parser("controls", help="list the control catalog")
    ctl.add_argument("--lang", choices=["zh", "en"], default="zh", help="language (zh)")
    ctl.add_argument("--verbose", "-v", action="store_true", help="also the rule and datasets")
    _controls_dir(ctl)
    ctl.set_defaults(func=_command("catalog", "cmd_controls"))
    gen = sub.add_parser("generate", help="write a synthetic company with planted violations")
    gen.add_argument("--out", required=True, type=Path,
                     help="folder to create: OUT/exports (the data), OUT/planted.csv")
    gen.add_argument("--events", type=_positive, default=20_000, help="access events (20000)")
    gen.add_argument("--seed", type=int, default=7, help="the same seed gives the same company")
    gen.add_argument("--format", choices=["csv", "parquet"], default="csv",
                     help="of the access log's daily files (csv: .csv.gz)")
    gen.set_defaults(func=_command("run", "cmd_generate"))
    return parser


def _fail_on(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--fail-on", choices=SEVERITIES, metavar="SEVERITY",
                        help="exit 4 when an open finding is at or above this severity "
                             f"({', '.join(SEVERITIES)})")


def _controls_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--controls-dir", metavar="DIR",
                        help="the company's own controls, X01_….sql files written like the "
                             "built-in ones (see the README), added to the catalog")


def _positive(text: str) -> int:
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value

