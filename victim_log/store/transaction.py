"""The unit of work: one SQLite transaction whose methods compose any changes.

``with vault.transaction() as tx:`` opens one (``BEGIN IMMEDIATE``: it holds the
write lock from the start); every method of :class:`Transaction` writes inside it,
and the block's end commits all of it, or, when anything raises, none of it. The
public ``Vault`` methods are each one such block around one method, so a caller
that needs several changes at once (an import, an entry with its files and a new
person) composes them here instead of reaching for private helpers.

Nesting joins: ``vault.transaction()`` inside an open one on the same thread gives
the same :class:`Transaction`, and everything commits with the outermost block.
An exception leaving an inner block marks the transaction failed, so even if the
outer block catches it, nothing of the transaction is saved (:class:`PartFailed`
at the commit); there are no partial commits. A bulk transaction (``bulk=True``,
an import) keeps its next ids and journal head in memory (:class:`BatchState`) and
sends INSERTs in groups; joined by a plain one, it stays bulk.

Methods that take data validate it (``add_incidents`` expects validated data: an
import validates each incident as it builds it, and validating twice cost time).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence

from ..errors import VictimLogError
from ..model import IncidentData
from ..model import IncidentVersion
from ..model import OrderData
from ..model import Person
from ..model import PersonData
from ..model import require_reason
from . import db
from . import exhibits
from . import imports
from . import incidents
from . import meta
from . import orders
from . import people
from . import stats
from .records import BatchState
from .records import Records


class PartFailed(VictimLogError):
    """A block joined to a transaction raised, and the outer block went on to commit."""


class Transaction(Records):
    """Changes inside one open transaction (see the module's docstring).

    It is the transaction's :class:`~.records.Records` (``next_id``, ``versions``,
    ``write_record``, ``record_event``, ``conn`` for the store's own functions, and
    ``batch``: the :class:`BatchState` of a bulk one), with the use cases on top.
    """

    def __init__(self, conn: db.Connection, what: str, batch: BatchState | None = None) -> None:
        super().__init__(conn, batch)
        self.what = what
        self.failed = False

    @property
    def bulk(self) -> bool:
        return self.batch is not None

    # Store one version and its journal entry (returns when it was recorded); a journal
    # entry for something that is not a record (an export, an import).
    write_record = Records.write
    record_event = Records.event

    # ------------------------------------------------------------------ meta

    def get_meta(self, key: str) -> str | None:
        return meta.get(self.conn, key)

    def put_meta(self, key: str, value: str, *, replace: bool = True) -> None:
        meta.put(self.conn, key, value, replace=replace)

    def delete_meta(self, keys: Sequence[str]) -> None:
        meta.delete(self.conn, list(keys))

    # ------------------------------------------------------------------ incidents

    def add_incidents(self, new: Sequence[tuple[IncidentData, tuple[int, ...]]], reason: str) -> list[int]:
        """Many new incidents (VALIDATED data, exhibit ids), written table by table."""
        return incidents.add_incidents(self, new, reason)

    def add_incident(
        self, data: IncidentData, evidence: tuple[int, ...] = (), reason: str = "created"
    ) -> int:
        data = data.validated()
        people.require_people(self.conn, data.people)
        return incidents.add_incidents(self, [(data, tuple(evidence))], reason)[0]

    def get_incident(self, incident_id: int) -> IncidentVersion:
        return incidents.get_incident(self.conn, incident_id)

    def edit_incident(
        self, incident_id: int, data: IncidentData, reason: str, *, evidence: tuple[int, ...] | None = None
    ) -> None:
        reason = require_reason(reason)
        data = data.validated()
        people.require_people(self.conn, data.people)
        incidents.edit_incident(self, incident_id, data, reason, evidence=evidence)

    def delete_incident(self, incident_id: int, reason: str) -> None:
        incidents.delete_incident(self, incident_id, require_reason(reason))

    def link_evidence(
        self, incident_id: int, evidence_ids: Iterable[int], reason: str = "attached evidence"
    ) -> bool:
        """Cite more exhibits from an incident (one new version); False when it cited
        them all already (nothing written)."""
        current = incidents.get_incident(self.conn, incident_id)
        merged = tuple(dict.fromkeys(current.evidence + tuple(evidence_ids)))
        if merged == current.evidence:
            return False
        self.edit_incident(incident_id, current.data, reason, evidence=merged)
        return True

    def attach_evidence(self, evidence_id: int, incident_id: int) -> None:
        """An exhibit just taken in, cited by an incident (recorded as an attachment)."""
        incidents.attach_evidence(self, evidence_id, incident_id)

    def require_active_evidence(self, evidence_id: int) -> None:
        exhibits.require_active(self.conn, evidence_id)

    # ------------------------------------------------------------------ people

    def add_person(self, data: PersonData, reason: str = "created") -> int:
        """A new person, even if one has the same name (see :meth:`person_by_name`)."""
        return people.add_person(self, data.validated(), reason)

    def person_by_name(self, name: str, role: str = "perpetrator", reason: str = "created") -> int:
        """The person with this name or alias, added if new: one person per name."""
        return people.person_by_name(self, name, role, reason)

    def find_person(self, name: str) -> Person | None:
        return people.find_person(self.conn, name)

    def edit_person(self, person_id: int, data: PersonData, reason: str) -> None:
        people.edit_person(self, person_id, data.validated(), require_reason(reason))
        incidents.refresh_people_text(self, person_id)

    def delete_person(self, person_id: int, reason: str) -> None:
        people.delete_person(self, person_id, require_reason(reason))

    # ------------------------------------------------------------------ orders

    def add_order(self, data: OrderData, reason: str = "created") -> int:
        return orders.add_order(self, data.validated(), reason)

    def update_order(self, order_id: int, data: OrderData, reason: str) -> None:
        orders.update_order(self, order_id, data.validated(), require_reason(reason))

    # ------------------------------------------------------------------ imports

    def import_source_known(self, source_key: str) -> bool:
        return imports.source_known(self.conn, source_key)

    def remember_imported_items(self, items: Iterable[tuple[str, int]]) -> None:
        imports.remember_items(self.conn, items)

    def remember_import_source(
        self, source_keys: Iterable[str], evidence_id: int | None, at: str, incident_count: int
    ) -> None:
        imports.remember_source(self.conn, source_keys, evidence_id, at, incident_count)


BATCH_CACHE_KIB = 256 * 1024


@contextlib.contextmanager
def begin(conn: db.Connection, what: str, *, bulk: bool = False) -> Iterator[Transaction]:
    """A new transaction on ``conn`` (the Vault joins nested ones; see the module)."""
    if not bulk:
        with db.transaction(conn, what):
            tx = Transaction(conn, what)
            yield tx
            _refuse_failed(tx)
            stats.settle(tx)  # the pattern's days this changed, counted again
        return
    # A bigger page cache while the transaction lasts: a large import's new pages
    # then stay in memory until the commit instead of being encrypted and spilled
    # to the file midway (SQLite allocates it only as pages are used).
    with db.cache_size(conn, BATCH_CACHE_KIB), db.transaction(conn, what), conn.deferred_inserts():
        tx = Transaction(conn, what, BatchState())
        yield tx
        _refuse_failed(tx)
        stats.settle(tx)


def _refuse_failed(tx: Transaction) -> None:
    if tx.failed:
        raise PartFailed(f"Part of {tx.what} could not be saved, so none of it was. Nothing was changed.")


@contextlib.contextmanager
def joined(tx: Transaction) -> Iterator[Transaction]:
    """The open transaction again, for a nested block: an exception leaving it marks
    the transaction failed (nothing of it may be committed)."""
    try:
        yield tx
    except BaseException:
        tx.failed = True
        raise
