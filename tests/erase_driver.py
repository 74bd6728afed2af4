"""A process that erases one file for good and is killed part-way (tests/test_erase_crash.py).

Usage: python -m tests.erase_driver EVIDENCE_ID --crash-in POINT --crash-at N
(the crash driver's points: os.fsync, os.replace, os.write, commit; plus os.unlink).
Prints "ok" when the erase returned.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from tests.crash_driver import CRASH_POINTS
from tests.crash_driver import PASSPHRASE
from tests.crash_driver import arm


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("evidence_id", type=int)
    ap.add_argument("--crash-in", required=True)
    ap.add_argument("--crash-at", type=int, default=1)
    args = ap.parse_args()
    from victim_log.vault import Vault

    vault = Vault.open(Path(os.environ["VICTIM_LOG_VAULT"]), PASSPHRASE, wait=True)
    CRASH_POINTS.setdefault("os.unlink", (os, "unlink"))
    CRASH_POINTS.setdefault("os.pwrite", (os, "pwrite"))
    arm(args.crash_in, args.crash_at)
    vault.evidence.remove(args.evidence_id, "sent by mistake", permanent=True)
    print("ok", flush=True)


if __name__ == "__main__":
    main()
