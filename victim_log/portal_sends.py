"""What was sent through a police upload link, batch by batch (#21).

``export --portal DIR`` cuts an export into numbered batches (``portal.json`` lists
them: :func:`victim_log.export.portal.read_portal`). As the person sends each batch
through the officer's link, they tick it, and the tick is kept in the vault's
journal: which batches (by the SHA-256 of every file in them), when they were sent
(a UTC instant, shown on the case's clock), to which police reference or link they
typed, and by whom. Nothing is ever changed or removed: sending a batch again to
another reference is a new version, and taking a tick back is a recorded
correction with a reason (:func:`mark_not_sent`), so the history shows both.

Qt-free; the CLI (``victim-log portal``) and the app's "Send through the police
link" window are faces over these functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from . import casetime
from .errors import BadInput
from .export.portal import PortalFile
from .export.portal import PortalFolder
from .export.portal import read_portal
from .model import require_reason
from .store import portal_sends as store

if TYPE_CHECKING:
    from .vault import Vault

__all__ = [
    "BatchState",
    "SendRecord",
    "batch_states",
    "last_folder",
    "last_reference",
    "mark_not_sent",
    "mark_sent",
    "read_portal",
    "remember_folder",
    "with_record",
]

FOLDER_SETTING = "portal_last_folder"  # the last batches made or opened, for the app
_MAX_REFERENCE = 200
_FUTURE_SLACK = timedelta(minutes=5)  # a clock a little fast is not "the future"


@dataclass(frozen=True)
class SendRecord:
    """One tick (or one tick taken back) as the journal keeps it."""

    seq: int  # the journal entry
    portal: str  # which batches (portal.json's ``id``)
    batch: int
    version: int  # 1 for the batch's first entry, then 2, 3... (never overwritten)
    sent: bool  # False: a correction saying the batch was not sent after all
    reference: str  # the police reference or link label typed ("" for a correction)
    sent_at: str  # UTC instant, ISO 8601 with Z ("" for a correction)
    time_zone: str  # the case's time zone when it was recorded
    author: str  # "victim" or "support:NAME"
    recorded_at: str
    reason: str  # why a tick was taken back ("" for a send)
    files: tuple[str, ...]  # the SHA-256 of each file sent

    @property
    def sent_local(self) -> str:
        """When it was sent on the case's clock, ISO 8601 with offset ("" for a correction)."""
        return casetime.data_text(self.sent_at) if self.sent_at else ""

    @property
    def sent_text(self) -> str:
        """``2026-03-04 18:30 GMT``: for people."""
        return casetime.short_text(self.sent_at) if self.sent_at else ""


@dataclass(frozen=True)
class BatchState:
    """One batch of a portal folder with everything the journal says about it."""

    number: int
    folder: str
    files: tuple[PortalFile, ...]
    history: tuple[SendRecord, ...]  # oldest first

    @property
    def latest(self) -> SendRecord | None:
        return self.history[-1] if self.history else None

    @property
    def sent(self) -> bool:
        return self.latest is not None and self.latest.sent


def _record(seq: int, at: str, action: str, d: dict[str, Any]) -> SendRecord:
    files = d.get("files", [])

    def text(key: str) -> str:
        value = d.get(key, "")
        return value if isinstance(value, str) else ""

    def number(key: str) -> int:
        value = d.get(key, 0)
        return value if type(value) is int else 0

    return SendRecord(
        seq=seq,
        portal=text("portal"),
        batch=number("batch"),
        version=number("version"),
        sent=action == store.SENT,
        reference=text("reference"),
        sent_at=text("sent_at"),
        time_zone=text("time_zone"),
        author=text("author") or "victim",
        recorded_at=at,
        reason=text("reason"),
        files=tuple(f for f in files if isinstance(f, str)) if isinstance(files, list) else (),
    )


def _states(folder: PortalFolder, rows: Sequence[tuple[int, str, str, dict[str, Any]]]) -> list[BatchState]:
    by_batch: dict[int, list[SendRecord]] = {}
    for row in rows:
        r = _record(*row)
        by_batch.setdefault(r.batch, []).append(r)
    return [
        BatchState(n, folder.folder(n), files, tuple(by_batch.get(n, ())))
        for n, files in enumerate(folder.batches, 1)
    ]


def batch_states(vault: Vault, folder: PortalFolder) -> list[BatchState]:
    """Every batch of ``folder``, in order, each with its history of ticks."""
    return _states(folder, store.load(vault.conn, folder.id))


def _clean_reference(reference: str) -> str:
    text = " ".join((reference or "").split())
    if not text:
        raise BadInput(
            "Give the police reference (or the name of the link) you sent the batch to, "
            "for example the crime reference number in the officer's email."
        )
    if len(text) > _MAX_REFERENCE:
        raise BadInput(f"Please keep the reference under {_MAX_REFERENCE} characters.")
    if any(not ch.isprintable() for ch in text):
        raise BadInput("The reference has characters that cannot be shown.")
    return text


def _clean_author(author: str) -> str:
    who = (author or "").strip() or "victim"
    if who != "victim" and not (who.startswith("support:") and len(who) > len("support:")):
        raise BadInput("Who sent it is 'victim' or 'support:NAME'.")
    return who


def _sent_instant(when: datetime | None, folder: PortalFolder) -> datetime:
    now = datetime.now(UTC)
    moment = now if when is None else when
    if moment.tzinfo is None:
        raise BadInput("Say when it was sent with its time zone, or on the case's clock.")
    moment = moment.astimezone(UTC).replace(microsecond=0)
    if moment > now + _FUTURE_SLACK:
        raise BadInput("That time is in the future: give the time the batch was sent.")
    made = casetime.parse_instant(folder.exported_at)
    # To the minute: a time typed as 18:30 for an export made at 18:30:40 is not "before".
    if made is not None and moment < made.astimezone(UTC).replace(second=0, microsecond=0):
        raise BadInput(
            f"These batches were made on {casetime.short_text(folder.exported_at)}: they cannot "
            "have been sent before that. Check the date."
        )
    return moment


def _write(
    vault: Vault, folder: PortalFolder, number: int, action: str, extra: dict[str, Any], author: str
) -> SendRecord:
    files = folder.batch(number)  # BadInput for a batch that does not exist
    with vault.transaction("the record of what you sent") as tx:
        rows = store.load(tx.conn, folder.id)
        state = _states(folder, rows)[number - 1]
        if action == store.SENT and state.sent:
            latest = state.latest
            assert latest is not None
            if latest.reference == extra["reference"]:
                raise BadInput(  # what was typed stays out of the message (it is the diary's)
                    f"Batch {number} is already recorded as sent to that reference on "
                    f"{latest.sent_text}. If that was a mistake, take the tick back first."
                )
        if action == store.NOT_SENT and not state.sent:
            raise BadInput(f"Batch {number} is not recorded as sent, so there is nothing to take back.")
        detail: dict[str, Any] = {
            "portal": folder.id,
            "bundle": folder.bundle,
            "batch": number,
            "of": len(folder.batches),
            "version": len(state.history) + 1,
            "author": author,
            **extra,
        }
        if action == store.SENT:
            detail["files"] = [f.sha256 for f in files]
        seq, at = store.append(tx, action, detail)
    return _record(seq, at, action, detail)


def with_record(states: Sequence[BatchState], record: SendRecord) -> list[BatchState]:
    """``states`` with ``record`` (just written) added to its batch's history: what
    :func:`batch_states` would now read, without reading the journal again."""
    return [replace(s, history=(*s.history, record)) if s.number == record.batch else s for s in states]


def mark_sent(
    vault: Vault,
    folder: PortalFolder,
    number: int,
    reference: str,
    *,
    when: datetime | None = None,
    author: str = "victim",
) -> SendRecord:
    """Record that batch ``number`` was sent (now, or ``when``) to ``reference``."""
    ref = _clean_reference(reference)
    who = _clean_author(author)
    moment = _sent_instant(when, folder)
    extra = {
        "reference": ref,
        "sent_at": moment.isoformat().replace("+00:00", "Z"),
        "time_zone": casetime.active_zone().key,
    }
    return _write(vault, folder, number, store.SENT, extra, who)


def mark_not_sent(
    vault: Vault, folder: PortalFolder, number: int, reason: str, *, author: str = "victim"
) -> SendRecord:
    """Take back the tick of batch ``number``: a new entry with ``reason``, the old one kept."""
    why = require_reason(reason)
    return _write(vault, folder, number, store.NOT_SENT, {"reason": why}, _clean_author(author))


def last_reference(states: Sequence[BatchState]) -> str:
    """The reference the latest tick of these batches gave ("" if none): asked once."""
    sent = [s.latest for s in states if s.latest is not None and s.latest.sent]
    return max(sent, key=lambda r: r.seq).reference if sent else ""


def remember_folder(vault: Vault, path: Path) -> None:
    """Keep where the last batches are (a setting inside the encrypted vault)."""
    vault.set_setting(FOLDER_SETTING, str(Path(path).absolute()))


def last_folder(vault: Vault) -> Path | None:
    """The last batches made or opened, if the folder is still there."""
    value = vault.get_setting(FOLDER_SETTING, "")
    path = Path(value) if value else None
    return path if path is not None and path.is_dir() else None
