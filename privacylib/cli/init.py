"""`privacy-audit init DIR`: a starter data folder to fill in (config/templates.py)."""

from __future__ import annotations

import argparse

from privacylib.config.templates import write_templates


def cmd_init(args: argparse.Namespace) -> int:
    written, kept = write_templates(args.dir, lang=args.lang, force=args.force)
    print(f"wrote {len(written)} file(s) into {args.dir}: {', '.join(written)}")
    if kept:
        print(f"kept as they were (a file is never overwritten): {', '.join(kept)}")
    print(f"next: fill in the .csv files (README.md lists every column with an example), "
          f"delete those you do not have, then `privacy-audit validate {args.dir}`")
    return 0
