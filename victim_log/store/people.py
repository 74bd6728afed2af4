"""Use cases for people: adding (one person per name), editing, taking out, finding.

Each person is a versioned record (:mod:`.records`) with a row in ``people`` for
listing. The search text of an incident names its people, so an edit refreshes it.
"""

from __future__ import annotations

import contextlib

from ..errors import BadInput
from ..errors import NotFound
from ..model import Person
from ..model import PersonData
from ..textsafe import plural
from . import index
from .db import Connection
from .orders import list_orders
from .records import Records
from .records import versions


def get_person(conn: Connection, person_id: int) -> Person:
    rows = versions(conn, "person", person_id)
    if not rows:
        raise NotFound(f"There is no person {person_id}.")
    latest = rows[-1]
    return Person(person_id, latest.version, PersonData.from_dict(latest.body), latest.deleted)


def list_people(conn: Connection) -> list[Person]:
    ids = [
        int(r[0])
        for r in conn.execute("SELECT id FROM people WHERE deleted = 0 ORDER BY name COLLATE NOCASE, id")
    ]
    return [get_person(conn, i) for i in ids]


def find_person(conn: Connection, name: str) -> Person | None:
    """The person with this name, alias, phone number or account (any case)."""
    wanted = name.strip().casefold()
    for person in list_people(conn):
        d = person.data
        if wanted in {n.casefold() for n in (d.name, *d.aliases, *d.phones, *d.accounts)}:
            return person
    return None


def require_people(conn: Connection, people: tuple[int, ...]) -> None:
    """NotFound for the first id that is no person."""
    for pid in people:
        get_person(conn, pid)


def people_text(rec: Records, people: tuple[int, ...]) -> str:
    """The words an incident's search row holds for its people (names, aliases,
    numbers, accounts, vehicles); remembered per set of people in a bulk change."""
    batch = rec.batch
    if batch is not None and people in batch.people_text:
        return batch.people_text[people]
    words: list[str] = []
    for pid in people:
        with contextlib.suppress(NotFound):
            p = get_person(rec.conn, pid).data
            words.extend([p.name, *p.aliases, *p.phones, *p.accounts, *p.vehicles])
    text = " ".join(words)
    if batch is not None:
        batch.people_text[people] = text
    return text


def add_person(rec: Records, data: PersonData, reason: str = "created") -> int:
    """Record a new person (``data`` validated) in the caller's transaction."""
    pid = rec.next_id("person")
    rec.write("person", pid, 1, data.to_dict(), reason=reason, deleted=False, action="create")
    rec.conn.execute(
        "INSERT INTO people (id, version, deleted, name, role) VALUES (?,?,?,?,?)",
        (pid, 1, 0, data.name, data.role),
    )
    return pid


def person_by_name(rec: Records, name: str, role: str = "perpetrator", reason: str = "created") -> int:
    """The id of the person with this name or alias, adding them if new.

    Run inside the caller's transaction, which holds the write lock: no other process
    can add the same name between the look-up and the insert (one person per name).
    """
    found = find_person(rec.conn, name)
    if found is not None:
        return found.id
    return add_person(rec, PersonData(name=name, role=role).validated(), reason)


def edit_person(rec: Records, person_id: int, data: PersonData, reason: str) -> None:
    """A new version (``data`` validated, ``reason`` checked). The search text of the
    incidents naming them is the caller's to refresh
    (:func:`victim_log.store.incidents.refresh_people_text`)."""
    conn = rec.conn
    current = get_person(conn, person_id)
    if current.deleted:
        raise BadInput(f"Person {person_id} was taken out of People; they cannot be edited.")
    if current.data == data:
        raise BadInput("Nothing has changed, so no new version was saved.")
    version = current.version + 1
    rec.write("person", person_id, version, data.to_dict(), reason=reason, deleted=False, action="edit")
    conn.execute(
        "UPDATE people SET version = ?, name = ?, role = ? WHERE id = ?",
        (version, data.name, data.role, person_id),
    )


def delete_person(rec: Records, person_id: int, reason: str) -> None:
    """Take someone out of People, refused while an entry or an order names them."""
    conn = rec.conn
    current = get_person(conn, person_id)
    if current.deleted:
        raise BadInput(f"Person {person_id} was already taken out of People.")
    entries = len(index.incidents_naming(conn, person_id))
    if entries:
        raise BadInput(
            f"This person is named in {plural(entries, 'entry', 'entries')}. Take them "
            "out of those entries first, then they can leave People."
        )
    if any(o.data.person_id == person_id for o in list_orders(conn)):
        raise BadInput("An order is against this person, so they stay in People.")
    rec.write(
        "person",
        person_id,
        current.version + 1,
        current.data.to_dict(),
        reason=reason,
        deleted=True,
        action="delete",
    )
    conn.execute("UPDATE people SET version = ?, deleted = 1 WHERE id = ?", (current.version + 1, person_id))
