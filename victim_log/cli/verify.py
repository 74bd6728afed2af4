"""The verify command: check a received bundle, or that a newer one extends an older
one (no vault needed)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import EXIT_OK
from ..errors import EXIT_PROBLEM
from ..errors import UsageError
from .json_contract import not_a_bundle_json
from .output import print_json


def cmd_verify(args: argparse.Namespace) -> int:
    """One bundle; or two (``OLD NEW`` or ``NEW --since OLD``): does NEW's history
    extend OLD's? ``--expect-key`` pins the signer for every bundle named."""
    from ..errors import NotABundle

    try:
        return _verify(args)
    except NotABundle as exc:
        if not args.json:
            raise
        print_json(not_a_bundle_json(exc))
        print(f"victim-log: {exc.message}", file=sys.stderr)
        return exc.exit_code


def _verify(args: argparse.Namespace) -> int:
    from ..verify import format_report
    from ..verify import verify_bundle

    if args.newer and args.since:
        raise UsageError("Give the older export either first or after --since, not both.")
    older = args.since or (args.bundle if args.newer else None)
    if older is not None:
        from ..lineage import format_lineage
        from ..lineage import verify_lineage

        newer = args.newer or args.bundle
        lineage = verify_lineage(Path(older), Path(newer), expected_fingerprint=args.expect_key)
        if args.json:
            print_json(lineage.to_json())
        else:
            print(format_lineage(lineage))
        return EXIT_OK if lineage.extends else EXIT_PROBLEM
    report = verify_bundle(Path(args.bundle), expected_fingerprint=args.expect_key)
    if args.json:
        print_json(report.to_json())
    else:
        print(format_report(report))
    return EXIT_OK if report.valid else EXIT_PROBLEM
