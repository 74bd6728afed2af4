"""The command line: argument parsing and exit codes, nothing else.

The commands, their ``--json`` fields and the exit codes are a public contract that
officers' and support workers' scripts rely on: extend, never break. The fields are
named in :mod:`victim_log.cli.json_contract`; each command group has its own module
(:mod:`~victim_log.cli.incidents`, :mod:`~victim_log.cli.evidence`, ...), the
parser is :mod:`~victim_log.cli.parser` and secrets are read by
:mod:`~victim_log.cli.secrets`.

Exit codes: 0 ok; 1 a check found a problem; 2 usage or bad input; 3 wrong passphrase
or locked vault. No traceback reaches the user: :mod:`~victim_log.cli.exit_codes` is
the one place an exception becomes a message and an exit code.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from .. import paths
from ..errors import EXIT_OK
from ..errors import WrongPassphrase
from .exit_codes import run_command
from .gui_start import gui_args
from .output import tolerant_output


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``victim-log`` with ``argv`` (default: the process's arguments); the exit code."""
    paths.secure_umask()
    from ..safety import harden_process

    harden_process()
    tolerant_output()
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or args_list[0].startswith("--vault"):
        args_list = ["gui", *args_list]

    def parse_and_run() -> int:
        quick = gui_args(args_list)  # the app's own start, without the whole parser (#5)
        if quick is not None:
            return int(quick.func(quick))
        from .parser import build_parser

        parser = build_parser()
        args = parser.parse_args(args_list)
        if not getattr(args, "func", None):
            parser.print_help()
            return EXIT_OK
        return int(args.func(args))

    return run_command(parse_and_run)


def run() -> NoReturn:
    """The console script and the packaged app's entry point."""
    sys.exit(main())


def build_parser() -> argparse.ArgumentParser:
    """The full parser (imported when needed: the app's own start does without it)."""
    from .parser import build_parser as build

    return build()


__all__ = ["main", "run", "build_parser", "WrongPassphrase"]
