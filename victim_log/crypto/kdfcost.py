"""How much Argon2id work one passphrase guess costs: the policy behind ``calibrate()``.

The review measured 128-156 MiB and one pass here (0.6-0.7 s a guess): the old
calibration aimed at 0.6 s and, when one pass over 256 MiB took longer, gave memory
away first. Memory is what makes a guess dear on an attacker's GPUs, and RFC 9106's
second recommended setting is two or more passes, so now:

* memory is 256 MiB (:data:`keys.MAX_MEMORY_KIB`) wherever a quarter of the memory
  available can spare it; otherwise a quarter of what is available, never under
  :data:`keys.MIN_MEMORY_KIB`;
* at least two passes, more while they fit in :data:`TARGET_SECONDS` (about one
  second, a wait people accept at unlock);
* only on a machine so slow that two passes over 256 MiB take more than
  :data:`SLOWEST_SECONDS` does memory shrink, so that two passes take about that long.

The result stays inside what :func:`keys.kdf_params` accepts from a key file
(<= 256 MiB, <= 10 passes, 4 lanes), so a vault made here opens everywhere.
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


def choose_cost(time_one_pass: Callable[[int], float], target_seconds: float = TARGET_SECONDS,
                available_kib: int | None = None) -> tuple[int, int]:
    """``(iterations, memory_kib)`` for a new passphrase slot on this machine.

    ``time_one_pass(memory_kib)`` runs one Argon2id pass over that much memory and
    returns the seconds it took. ``available_kib`` defaults to
    :func:`available_memory_kib`.
    """
    from .keys import MAX_ITERATIONS, MAX_MEMORY_KIB, MIN_MEMORY_KIB

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


def time_one_pass(memory_kib: int) -> float:
    """Seconds one Argon2id pass over ``memory_kib`` takes here, on the wall clock."""
    from .keys import KdfParams, argon2id

    start = time.perf_counter()
    argon2id(b"calibration", b"\0" * 16, KdfParams(iterations=1, memory_kib=memory_kib))
    return time.perf_counter() - start
