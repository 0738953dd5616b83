"""`privacy-audit verify` and `keygen`: a run folder checked against its signed
manifest, and the key pair that signs manifests."""

from __future__ import annotations

import argparse
import sys

from privacylib.errors import PrivacyLibError


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
