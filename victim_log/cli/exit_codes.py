"""The one place an exception becomes a message and an exit code.

0 ok; 1 a check found a problem; 2 usage or bad input, or a vault busy in another
window or process (:class:`~victim_log.errors.VaultBusy`: nothing changed, try again);
3 wrong passphrase or locked vault (each :class:`~victim_log.errors.VictimLogError`
carries its own). Anything
else prints one calm line and logs the technical details (never diary text): no
traceback ever reaches the person.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable

from ..errors import EXIT_BAD_INPUT
from ..errors import EXIT_OK
from ..errors import VictimLogError
from ..logs import log_unexpected

EXIT_INTERRUPTED = 130  # the shell's own code for Ctrl+C


def run_command(func: Callable[[], int]) -> int:
    """Run a parsed command (or the parsing itself) and map what it raised to an exit code."""
    try:
        return int(func())
    except VictimLogError as exc:
        print(f"victim-log: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("victim-log: stopped. Nothing half-done was saved.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # Output piped into `head` and the reader left: not an error worth a message.
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback for users
        log = log_unexpected(exc)
        where = f" Technical details (none of your diary) are in {log}." if log else ""
        print(
            f"victim-log: something went wrong inside Victim Log; nothing half-done was saved.{where}",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
