"""`privacy-audit access-log`: who saw personal data unmasked, when, and why."""

from __future__ import annotations

import argparse


def cmd_access_log(args: argparse.Namespace) -> int:
    from privacylib.trail.access import views

    table = views(args.store)
    if not len(table):
        print(f"no unmasked view is recorded in {args.store}")
        return 0
    print(table.to_string(index=False))
    return 0
