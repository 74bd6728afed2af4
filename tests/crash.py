"""Crash injection: run an operation loop in a subprocess and SIGKILL it mid-write."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_driver(
    op: str,
    count: int,
    *,
    start: int = 0,
    kill_after: float | None = None,
    crash_in: str | None = None,
    crash_at: int = 1,
    timeout: float = 120,
    file: str | None = None,
) -> list[int]:
    """Run the driver; kill it after ``kill_after`` seconds (or let it crash itself).

    Returns the ids it reported as done before it died.
    """
    cmd = [sys.executable, "-m", "tests.crash_driver", op, str(count), "--start", str(start)]
    if crash_in:
        cmd += ["--crash-in", crash_in, "--crash-at", str(crash_at)]
    if file:
        cmd += ["--file", file]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ)
    )
    try:
        if kill_after is not None:
            time.sleep(kill_after)
            proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if proc.returncode not in (0, -signal.SIGKILL):
        raise AssertionError(f"driver failed ({proc.returncode}): {err.decode()[-2000:]}")
    return [int(line.split()[1]) for line in out.decode().splitlines() if line.startswith("ok ")]


def random_kill_times(seed: int, n: int, low: float, high: float) -> list[float]:
    rng = random.Random(seed)
    return [rng.uniform(low, high) for _ in range(n)]
