"""Receive files from a phone with Tella's Nearby Sharing (issue #22).

:class:`Receiver` runs the HTTPS receiver for one session; :mod:`.protocol` says what
was matched with the published protocol and what could not be confirmed.
"""

from __future__ import annotations

from .protocol import DEFAULT_PORT
from .protocol import grouped_hash
from .server import Receiver
from .server import local_address
from .session import CLOSED
from .session import STOPPED
from .session import TIMED_OUT
from .session import TOO_MANY_PINS
from .session import Destination
from .session import Event
from .session import Limits
from .session import Offer
from .session import OfferedFile
from .session import Received
from .session import Refused
from .session import Summary

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
