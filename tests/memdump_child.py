"""Child process for tests/test_memory_secrets.py: unlock, use, lock, then dump memory.

It writes every readable mapping of its own address space (bounded) to a file, so the
parent can look for key material there. The child never holds the key text it is
looked for: the parent knows it, the child only knows the passphrase.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path

REGION_CAP = 256 * 1024 * 1024
TOTAL_CAP = 1024 * 1024 * 1024
CHUNK = 1024 * 1024
SKIP = ("[vvar]", "[vsyscall]", "[vvar_vclock]")


def dump_memory(out: Path) -> int:
    """Copy this process's readable memory into ``out``; returns the bytes written."""
    regions = []
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split()
            start, end = (int(x, 16) for x in fields[0].split("-"))
            if fields[1][0] != "r" or (len(fields) > 5 and fields[5] in SKIP):
                continue
            regions.append((start, min(end, start + REGION_CAP)))
    written = 0
    with open("/proc/self/mem", "rb", buffering=0) as mem, open(out, "wb") as sink:
        for start, end in regions:
            pos = start
            while pos < end and written < TOTAL_CAP:
                try:
                    mem.seek(pos)
                    chunk = mem.read(min(CHUNK, end - pos))
                except (OSError, ValueError, OverflowError):
                    break
                if not chunk:
                    break
                sink.write(chunk)
                written += len(chunk)
                pos += len(chunk)
    return written


def main() -> None:
    from victim_log.model import IncidentData
    from victim_log.vault import Vault

    folder, passphrase, out = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    vault = Vault.open(folder, passphrase)
    vault.add_incident(IncidentData(summary="a note to read back"))
    vault.count_incidents()
    vault.lock()
    del vault
    gc.collect()
    dump_memory(out)


if __name__ == "__main__":
    main()
