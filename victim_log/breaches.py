"""Which condition of a protection order an entry breaches: the rule the command line
and the desktop app share.

A person names the condition by its number in the order's list (from 1, as
``victim-log order list`` shows it) or by its text; an entry that breaches an order is
always of the kind ``order_breach`` (the export lists it under breaches).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .errors import BadInput
from .model import Order

BREACH_KIND = "order_breach"


def find_order(orders: Iterable[Order], order_id: int) -> Order | None:
    """The order with this id among ``orders`` (a vault's ``list_orders()``), or None."""
    return next((o for o in orders if o.id == order_id), None)


def breached_condition(order: Order, condition: str) -> str:
    """The condition's text: ``condition`` itself, or the one it numbers (``"2"``)."""
    if condition.isdigit():
        n = int(condition)
        if not 1 <= n <= len(order.data.conditions):
            raise BadInput(f"Order {order.id} has {len(order.data.conditions)} conditions.")
        return order.data.conditions[n - 1]
    return condition


def with_breach_kind(kinds: Sequence[str]) -> list[str]:
    """``kinds`` with ``order_breach`` added at the end if it is not there yet."""
    return list(kinds) if BREACH_KIND in kinds else [*kinds, BREACH_KIND]
