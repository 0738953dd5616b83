"""The `privacy-audit` command.

Exit codes (audit/verdict.py says why): 0 the audit is complete (findings and
rejects are not errors), 1 a run failed, 2 bad usage or unusable input found
before the audit, 3 the audit finished but is incomplete, 4 findings at or
above --fail-on.

The parser and its help (parser.py), and one module per group of commands:
validate (validate.py, its coverage table in coverage.py), init (init.py), run,
demo, batch and generate (run.py), verify and
keygen (verify.py), access-log (access.py), controls (catalog.py).
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Sequence

from privacylib.cli.parser import build_parser
from privacylib.errors import PrivacyLibError

__all__ = ["build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except PrivacyLibError as exc:
        from privacylib.masking.masker import mask_text

        # A message may quote a value of the data: a terminal log is an output too.
        print(f"error: {mask_text(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # `privacy-audit controls | head`: the reader has had enough
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keep the interpreter quiet at exit
        return 0
    except OSError as exc:
        # A path that cannot be used (--out naming a file, a home that cannot
        # be written, a full disk) where no command said it first: one line,
        # not a traceback. A path given that cannot serve is bad usage (2).
        from privacylib.masking.masker import mask_text

        print(f"error: {mask_text(str(exc))}\n  → check that path: a folder where one is "
              "wanted, writable, with free space", file=sys.stderr)
        return 2 if exc.errno in _UNUSABLE else 1


# What a path given that cannot serve raises (as opposed to a failing disk).
_UNUSABLE = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EEXIST, errno.EISDIR, errno.EACCES,
                       errno.EPERM, errno.EROFS, errno.ENAMETOOLONG})
