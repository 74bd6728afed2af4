"""Use cases for court orders: adding one, new versions (served, varied, corrected),
and reading them.

Each is a versioned record (:mod:`.records`) with a row in ``orders`` saying its
latest version and whether it was taken out.
"""

from __future__ import annotations

from ..errors import BadInput
from ..errors import NotFound
from ..model import Order
from ..model import OrderData
from .db import Connection
from .records import Records
from .records import versions


def add_order(rec: Records, data: OrderData, reason: str = "created") -> int:
    """Record a new order (``data`` validated) in the caller's transaction."""
    oid = rec.next_id("order")
    rec.write("order", oid, 1, data.to_dict(), reason=reason, deleted=False, action="create")
    rec.conn.execute("INSERT INTO orders (id, version, deleted) VALUES (?,?,0)", (oid, 1))
    return oid


def update_order(rec: Records, order_id: int, data: OrderData, reason: str) -> None:
    """A new version (``data`` validated, ``reason`` checked): never an overwrite."""
    current = get_order(rec.conn, order_id)
    if current.data == data:
        raise BadInput("Nothing has changed, so no new version was saved.")
    version = current.version + 1
    rec.write("order", order_id, version, data.to_dict(), reason=reason, deleted=False, action="edit")
    rec.conn.execute("UPDATE orders SET version = ? WHERE id = ?", (version, order_id))


def order_history(conn: Connection, order_id: int) -> list[Order]:
    """Every version of an order, oldest first, each with when and why it was written."""
    rows = versions(conn, "order", order_id)
    if not rows:
        raise NotFound(f"There is no order {order_id}.")
    return [Order(order_id, r.version, OrderData.from_dict(r.body), r.recorded_at, r.reason) for r in rows]


def get_order(conn: Connection, order_id: int) -> Order:
    return order_history(conn, order_id)[-1]


def list_orders(conn: Connection) -> list[Order]:
    out = []
    for (oid,) in conn.execute("SELECT id FROM orders WHERE deleted = 0 ORDER BY id"):
        latest = versions(conn, "order", int(oid))[-1]
        out.append(Order(int(oid), latest.version, OrderData.from_dict(latest.body)))
    return out
