"""Launcher used when /usr/bin/time is missing: ``python -S -I spawn.py RSS_FILE CMD...``.

Runs CMD, writes its peak RSS in KiB (``ru_maxrss`` from ``wait4``) to RSS_FILE the way
``time -f %M -o`` would, and exits with CMD's status. It is started fresh (small), so
the RSS it reports is CMD's own and not that of the big process that ran the benchmark.
Standard library only, and no site packages, to stay small.
"""

import os
import sys


def main() -> int:
    rss_file, argv = sys.argv[1], sys.argv[2:]
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    _pid, status, usage = os.wait4(pid, 0)
    with open(rss_file, "w") as fh:
        fh.write(f"{usage.ru_maxrss}\n")
    return os.waitstatus_to_exitcode(status) & 0xFF if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)


if __name__ == "__main__":
    sys.exit(main())
