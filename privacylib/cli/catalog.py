"""`privacy-audit controls`: the control catalog, by family."""

from __future__ import annotations

import argparse


def cmd_controls(args: argparse.Namespace) -> int:
    from privacylib.controls.custom import catalog_for

    family = None
    for c in catalog_for(args.controls_dir):
        if c.family != family:
            family = c.family
            print(f"\n{family}")
        print(f"  {c.id}  {c.severity:<8}  {c.slug:<30}  {c.title(args.lang)}")
        if args.verbose:
            print(f"        seed {c.seed} · PIPL {c.pipl} · datasets: {', '.join(c.datasets)}")
            print(f"        {c.rule(args.lang)}")
    return 0
