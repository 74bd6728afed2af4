"""Receive files from a phone with Tella's Nearby Sharing (issue #22).

:class:`Receiver` runs the HTTPS receiver for one session; :mod:`.protocol` says what
was matched with the published protocol and what could not be confirmed.
"""

from __future__ import annotations

from .protocol import DEFAULT_PORT, grouped_hash
from .server import Receiver, local_address
from .session import (
    CLOSED,
    STOPPED,
    TIMED_OUT,
    TOO_MANY_PINS,
    Destination,
    Event,
    Limits,
    Offer,
    OfferedFile,
    Received,
    Refused,
    Summary,
)

__all__ = [
    "CLOSED",
    "DEFAULT_PORT",
    "STOPPED",
    "TIMED_OUT",
    "TOO_MANY_PINS",
    "Destination",
    "Event",
    "Limits",
    "Offer",
    "OfferedFile",
    "Received",
    "Receiver",
    "Refused",
    "Summary",
    "grouped_hash",
    "local_address",
]
