"""``victim-log gui`` (and ``victim-log`` alone) read without building the whole parser.

Why: start-up to a painted unlock screen has a budget (issue 5: at most 1.6 times a
bare Qt window), and building the full parser imports every command's module (the
diary's model, stats, the export's helpers) only to read the three options the app
takes. The usual ways the app is started (its menu entry, ``--vault DIR``,
``--smoke``, ``--open-bundle FILE``) are read here into the same namespace the full
parser makes; anything else (``--help``, a typo, an option given twice) returns None
and the full parser answers exactly as it always has.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from .. import paths
from ..errors import BadInput

__all__ = ["cmd_gui", "gui_args"]

_VALUED = {"--vault": "vault", "--passphrase-file": "passphrase_file", "--open-bundle": "open_bundle"}


def gui_args(argv: Sequence[str]) -> argparse.Namespace | None:
    """The namespace ``build_parser().parse_args(argv)`` gives for a plain ``gui``
    command line, or None when the full parser must read it."""
    if not argv or argv[0] != "gui":
        return None
    values: dict[str, object] = {"command": "gui", "smoke": False}
    values.update(dict.fromkeys(_VALUED.values()))
    seen: set[str] = set()
    rest = list(argv[1:])
    while rest:
        token = rest.pop(0)
        name, eq, value = token.partition("=")
        if name in seen:
            return None
        seen.add(name)
        if name == "--smoke" and not eq:
            values["smoke"] = True
        elif name in _VALUED:
            if not eq:
                if not rest or rest[0].startswith("-"):
                    return None
                value = rest.pop(0)
            if not value:
                return None
            values[_VALUED[name]] = value
        else:
            return None
    return argparse.Namespace(**values, func=cmd_gui)


def cmd_gui(args: argparse.Namespace) -> int:
    """``victim-log gui``: the desktop app (Qt is imported only now)."""
    try:
        from ..gui.shell.app import run_gui
    except ImportError as exc:
        raise BadInput(f"The desktop app cannot start: {exc.name or 'Qt'} is not installed.") from None
    # The commands' own vault_dir (cli/session.py) would bring the passphrase reader
    # (getpass, termios) that the app never uses; the rule is the same.
    given = getattr(args, "vault", None)
    folder = Path(given).expanduser() if given else paths.default_vault_dir()
    return int(run_gui(folder, smoke=args.smoke, open_bundle=args.open_bundle))
