"""How much Argon2id work one passphrase guess costs: the policy behind ``calibrate()``.

The review measured 128-156 MiB and one pass here (0.6-0.7 s a guess): the old
calibration aimed at 0.6 s and, when one pass over 256 MiB took longer, gave memory
away first. Memory is what makes a guess dear on an attacker's GPUs, and RFC 9106's
second recommended setting is two or more passes, so now:

* memory is 256 MiB (:data:`MAX_MEMORY_KIB`) wherever a quarter of the memory
  available can spare it; otherwise a quarter of what is available, never under
  :data:`MIN_MEMORY_KIB`;
* at least two passes, more while they fit in :data:`TARGET_SECONDS` (about one
  second, a wait people accept at unlock);
* only on a machine so slow that two passes over 256 MiB take more than
  :data:`SLOWEST_SECONDS` does memory shrink, so that two passes take about that long.

The result stays inside what :func:`keys.slot_params` accepts from a key file
(<= 256 MiB, <= 10 passes, 4 lanes), so a vault made here opens everywhere. The
bounds live here, with the policy, and ``keys`` imports them (never the other way
round: this module imports nothing of the package).
Passes are timed on the wall clock, as the person waits (:func:`time_one_pass`): in a
virtual machine the thread's CPU time was 60 % of it, so calibrating on CPU time gave
three passes and a 1.7 s unlock. To resist a moment of load (which would give memory
away for good, as the review's 128-156 MiB likely were), the probe runs twice over
128 MiB and the faster run counts. :func:`choose_cost` takes the timing function as
an argument, so tests can run it on a pretend machine.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

MIN_MEMORY_KIB = 64 * 1024  # the least choose_cost() ever returns
MAX_MEMORY_KIB = 256 * 1024  # what choose_cost() starts from and never exceeds
MAX_ITERATIONS = 10
TARGET_SECONDS = 1.0
SLOWEST_SECONDS = 2.5  # two passes may take this long before memory is given up
MIN_ITERATIONS = 2
PROBE_KIB = 128 * 1024  # timed twice (the faster counts) and scaled to the memory used
MEMORY_SHARE = 4  # use at most a quarter of the memory available


def available_memory_kib() -> int | None:
    """Memory the system can give without swapping (MemAvailable), or None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 1024
    except (OSError, ValueError, AttributeError):
        return None


def choose_cost(
    time_one_pass: Callable[[int], float],
    target_seconds: float = TARGET_SECONDS,
    available_kib: int | None = None,
) -> tuple[int, int]:
    """``(iterations, memory_kib)`` for a new passphrase slot on this machine.

    ``time_one_pass(memory_kib)`` runs one Argon2id pass over that much memory and
    returns the seconds it took. ``available_kib`` defaults to
    :func:`available_memory_kib`.
    """
    if available_kib is None:
        available_kib = available_memory_kib()
    memory = MAX_MEMORY_KIB
    if available_kib is not None:
        memory = max(MIN_MEMORY_KIB, min(memory, available_kib // MEMORY_SHARE // 1024 * 1024))
    probe = min(PROBE_KIB, memory)
    per_kib = min(time_one_pass(probe), time_one_pass(probe)) / probe
    one = max(per_kib * memory, 1e-3)
    slowest = target_seconds * SLOWEST_SECONDS / TARGET_SECONDS
    if MIN_ITERATIONS * one > slowest:
        shrunk = int(memory * slowest / (MIN_ITERATIONS * one)) // 1024 * 1024
        return MIN_ITERATIONS, max(MIN_MEMORY_KIB, shrunk)
    iterations = int(target_seconds / one)  # rounded down: about a second, not more
    return max(MIN_ITERATIONS, min(MAX_ITERATIONS, iterations)), memory


def _one_pass(memory_kib: int) -> None:
    Argon2id(salt=b"\0" * 16, length=32, iterations=1, lanes=4, memory_cost=memory_kib).derive(b"calibration")


def time_one_pass(memory_kib: int, one_pass: Callable[[int], object] | None = None) -> float:
    """Seconds one Argon2id pass over ``memory_kib`` takes here, on the wall clock.

    ``one_pass`` runs the pass (``keys.calibrate`` passes its own, so the pass timed
    is the one a slot runs); by default a plain one with the slots' lanes.
    """
    run = _one_pass if one_pass is None else one_pass
    start = time.perf_counter()
    run(memory_kib)
    return time.perf_counter() - start
