"""Child for tests/test_rekey_memory.py: unlock, re-key, lock, then dump memory."""

from __future__ import annotations

import gc
import sys
from pathlib import Path

from tests.memdump_child import dump_memory


def main() -> None:
    from victim_log.vault import Vault

    folder, old, new, out = Path(sys.argv[1]), sys.argv[2], sys.argv[3], Path(sys.argv[4])
    vault = Vault.open(folder, old)
    vault.rekey(new)
    vault.count_incidents()
    vault.lock()
    del vault
    gc.collect()
    dump_memory(out)


if __name__ == "__main__":
    main()
