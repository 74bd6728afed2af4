"""A support worker's session: who is entering changes, and how it is recorded.

Why: an advocate (an IDVA, a stalking advocate, a caseworker) often sits with the
victim and types for them. An officer or a court must be able to tell what the victim
wrote from what a worker wrote with them, so every entry and every new version records
its ``author``: ``"victim"`` or ``"support:NAME"`` (the CLI's ``--author``). The app's
support session sets the worker once (name and organisation); from then until the
diary locks, everything saved is theirs (:func:`attributed`).

The name and organisation are remembered only as settings inside the encrypted vault
(:data:`NAME_SETTING`, :data:`ORG_SETTING`), never in a plaintext file.

Qt-free: the vault applies it, the app starts and ends it.
"""

from __future__ import annotations

import dataclasses

from .errors import BadInput
from .imported import AUTHOR_IMPORTED
from .model import IncidentData

__all__ = ["NAME_SETTING", "ORG_SETTING", "PREFIX", "attributed", "support_author", "worker_of"]

PREFIX = "support:"
NAME_SETTING = "support_name"
ORG_SETTING = "support_org"
_MAX = 120


def _clean(text: str, what: str) -> str:
    text = " ".join(text.split())
    if any(not ch.isprintable() for ch in text):
        raise BadInput(f"The {what} has characters that cannot be shown.")
    if len(text) > _MAX:
        raise BadInput(f"Please keep the {what} under {_MAX} characters.")
    return text


def support_author(name: str, org: str = "") -> str:
    """``support:NAME (ORG)`` for a worker; BadInput without a name."""
    name = _clean(name, "name")
    org = _clean(org, "organisation")
    if not name:
        raise BadInput("Please give the support worker's name.")
    return f"{PREFIX}{name} ({org})" if org else f"{PREFIX}{name}"


def worker_of(author: str) -> str:
    """The worker an author names (``NAME (ORG)``), or "" when it is not a worker."""
    return author[len(PREFIX) :] if author.startswith(PREFIX) else ""


def attributed(data: IncidentData, acting: str | None) -> IncidentData:
    """``data`` as saved while ``acting`` (a worker's author, or None) enters changes.

    An imported record keeps its author (it is the sender's words, or the victim's
    reply kept as context, whoever edits it); anything else becomes the worker's.
    """
    if not acting or data.author == acting:
        return data
    if data.author == AUTHOR_IMPORTED or data.author.startswith(AUTHOR_IMPORTED + ":"):
        return data
    return dataclasses.replace(data, author=acting)
