"""Entry point of a benchmark child: ``python -m bench.child MODULE:FUNCTION 'JSON ARGS'``.

The function gets the decoded arguments and returns a JSON-able dict, printed on the
last line after :data:`bench.harness.RESULT_PREFIX`; the process then ends at once
(``os._exit``), so functions close what they open themselves. One operation per process, so
the parent's ``wait4`` reports that operation's peak memory and nothing else's.
Case modules import the code under test inside these functions, never at the top.
"""

from __future__ import annotations

import importlib
import json
import os
import sys

RESULT_PREFIX = "BENCH-RESULT "  # same as bench.harness.RESULT_PREFIX (not imported: keep this light)


def main(argv: list[str]) -> int:
    if len(argv) != 3 or ":" not in argv[1]:
        print("usage: python -m bench.child MODULE:FUNCTION 'JSON ARGS'", file=sys.stderr)
        return 2
    module_name, func_name = argv[1].split(":", 1)
    func = getattr(importlib.import_module(module_name), func_name)
    result = func(json.loads(argv[2]))
    sys.stdout.flush()
    sys.stdout.write("\n" + RESULT_PREFIX + json.dumps(result) + "\n")
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip interpreter finalisation: the work is done and measured, and tearing down
    # Qt objects from the garbage collector at exit can crash PySide6 (seen here as
    # "none_dealloc" after a full GUI session), which would lose a good result.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
