"""What an import checks beside the named sender's messages (#16.5), in one place.

:mod:`.service` turns the named sender's messages into incidents; this module holds
what it asks on the way, so the service needs only a few calls:

* every *other* item is offered (:meth:`Screening.offer`) so the victim's replies
  asking him to stop can be kept as context entries (:mod:`.context`);
* the sender's new messages are screened against the entries the victim typed
  (:meth:`Screening.screen`): likely duplicates are reported, and left out only when
  the request says so, never silently (:mod:`.duplicates`);
* the results go into the report (:meth:`Screening.fill`).
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC
from datetime import datetime
from typing import TYPE_CHECKING
from typing import Protocol
from typing import TypeVar

from ..imported import AUTHOR_IMPORTED
from ..imported import import_provenance
from ..model import IncidentData
from .context import ContextCollector
from .context import context_incident
from .duplicates import PossibleDuplicate
from .duplicates import find_duplicates
from .duplicates import typed_entries
from .records import ParsedItem

if TYPE_CHECKING:
    from ..vault import Vault

__all__ = ["AUTHOR_IMPORTED", "ScreenedReport", "Screening", "import_provenance"]

T = TypeVar("T")


class ScreenedReport(Protocol):
    """The fields of :class:`~.service.ImportReport` the screening fills in."""

    possible_duplicates: list[PossibleDuplicate]
    context_ids: list[int]
    context_created: int
    context_note: str


class Screening:
    """One import's context replies and duplicate checks."""

    def __init__(
        self, vault: Vault, wanted: Sequence[str], *, me: str | None, context: bool, skip_duplicates: bool
    ) -> None:
        self._vault = vault
        self._wanted = tuple(w for w in wanted if w and w.strip())
        self._collector = ContextCollector(self._wanted, me, enabled=context)
        self._skip = skip_duplicates
        self.duplicates: list[PossibleDuplicate] = []
        self.context_items: list[ParsedItem] = []

    def offer(self, item: ParsedItem) -> None:
        """An item not from the named sender: kept if it is the victim asking to stop."""
        self._collector.offer(item)

    def _person_ids(self) -> set[int]:
        ids: set[int] = set()
        for name in self._wanted:
            found = self._vault.find_person(name)
            if found is not None:
                ids.add(found.id)
        return ids

    def screen(
        self, planned: list[tuple[ParsedItem, T]], when: Callable[[ParsedItem], str]
    ) -> list[tuple[ParsedItem, T]]:
        """The sender's new items, less likely duplicates of typed entries if asked.

        ``when`` gives an item's stored time (ISO with offset). Every likely duplicate
        is in :attr:`duplicates`, marked ``skipped`` when it was left out.
        """
        typed = typed_entries(self._vault)
        if not typed or not planned:
            return planned
        found = find_duplicates(typed, ((item, when(item)) for item, _ in planned), self._person_ids())
        if not found:
            return planned
        if not self._skip:
            self.duplicates = found
            return planned
        self.duplicates = [replace(d, skipped=True) for d in found]
        left_out = {d.ref for d in found}
        return [(item, extra) for item, extra in planned if item.source_ref not in left_out]

    def context(self, is_new: Callable[[ParsedItem], bool]) -> list[ParsedItem]:
        """The victim's replies to keep (call once the stream is read), less those a
        previous import of the same chat already kept."""
        self.context_items = [i for i in self._collector.finish() if is_new(i)]
        return self.context_items

    def split_at_replies(self, planned: list[tuple[ParsedItem, T]]) -> list[list[tuple[ParsedItem, T]]]:
        """The sender's items in runs that no kept reply falls between, so a burst is
        never one entry across the victim's "please stop": what he sent after being
        told matters on its own (call after :meth:`context`)."""
        replies = sorted(
            (t for t in (i.occurred_at for i in self.context_items) if t is not None), key=_naive
        )
        if not replies or not planned:
            return [planned]
        parts: list[list[tuple[ParsedItem, T]]] = [[]]
        k = 0
        for item, extra in planned:
            t = item.occurred_at
            if t is not None:
                while k < len(replies) and _naive(replies[k]) < _naive(t):
                    k += 1
                    if parts[-1]:
                        parts.append([])
            parts[-1].append((item, extra))
        return parts

    @property
    def note(self) -> str:
        """Why no reply could be kept, when we could not tell which are the victim's."""
        return self._collector.note

    def context_entries(
        self,
        *,
        when: Callable[[ParsedItem], str],
        person_id: int | None,
        source_prefix: str,
        kinds: Callable[[ParsedItem], tuple[str, ...]],
    ) -> list[IncidentData]:
        """The context entries for :attr:`context_items`, in the same order."""
        return [
            context_incident(
                item,
                when=when(item),
                person_id=person_id,
                source=source_prefix + item.source_ref,
                kinds=kinds(item),
            )
            for item in self.context_items
        ]

    def fill(self, report: ScreenedReport, created: Sequence[int] = ()) -> None:
        """Write the screening's results into an import report: in a dry run
        ``created`` is empty and the count is of the replies that would be kept."""
        report.possible_duplicates = list(self.duplicates)
        report.context_ids = list(created)
        report.context_created = len(created) if created else len(self.context_items)
        report.context_note = self.note


def _naive(dt: datetime) -> datetime:
    """Wall-clock UTC for aware times, as written for naive ones (one source is one or
    the other), so the two sort together."""
    return dt.astimezone(UTC).replace(tzinfo=None) if dt.tzinfo is not None else dt
