"""Command groups (``victim-log person|evidence|order ACTION ...``), all built one way.

Apart from :mod:`.parser` so that a command module can build its own group (as
``order`` does) without importing the parser, which imports every command module.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from ..errors import UsageError

Handler = Callable[[argparse.Namespace], int]


def add_vault_args(p: argparse.ArgumentParser) -> None:
    """The options every command that opens the vault takes."""
    p.add_argument(
        "--vault", metavar="DIR", help="vault folder (default: VICTIM_LOG_VAULT or your user data folder)"
    )
    p.add_argument("--passphrase-file", metavar="FILE", help="read the passphrase from FILE")


def missing_action(p: argparse.ArgumentParser, actions: Any) -> int:
    """``victim-log person`` alone: a usage error that names the group's own actions."""
    raise UsageError(f"say what to do: {p.prog} {'|'.join(actions.choices)}")


def action_group(sub: Any, name: str, help: str) -> Callable[..., argparse.ArgumentParser]:
    """Add the group ``name`` to the subcommands ``sub``; returns ``action(name, func,
    help, describe=True)``, which adds one action that opens the vault and runs ``func``.

    The group alone is a usage error listing its real actions (an earlier hand-made
    list went stale), and its actions parse with the group's own parser class, so a
    mistake in them is one line and exit code 2 like any other. ``describe`` repeats
    the help line at the top of the action's ``--help``.
    """
    group = sub.add_parser(name, help=help)
    actions = group.add_subparsers(dest=f"{name}_command", metavar="ACTION", parser_class=type(group))
    group.set_defaults(func=lambda a: missing_action(group, actions))

    def action(
        action_name: str, func: Handler, action_help: str, describe: bool = True
    ) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = actions.add_parser(
            action_name, help=action_help, description=action_help if describe else None
        )
        add_vault_args(p)
        p.set_defaults(func=func)
        return p

    return action
