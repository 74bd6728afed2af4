"""The breach rule the CLI and the app share (victim_log/breaches.py): a condition by
number or text, and the kind ``order_breach`` added once."""

from __future__ import annotations

import pytest

from victim_log.breaches import breached_condition
from victim_log.breaches import find_order
from victim_log.breaches import with_breach_kind
from victim_log.errors import BadInput
from victim_log.model import Order
from victim_log.model import OrderData

ORDER = Order(id=4, version=1, data=OrderData(order_type="SPO", conditions=("No contact", "Stay away")))


def test_a_condition_by_number_or_text() -> None:
    assert breached_condition(ORDER, "2") == "Stay away"
    assert breached_condition(ORDER, "Not to follow her") == "Not to follow her"
    assert breached_condition(ORDER, "") == ""
    assert breached_condition(ORDER, "\u00b2") == "\u00b2"  # a digit to isdigit, not to int()
    with pytest.raises(BadInput, match="Order 4 has 2 conditions"):
        breached_condition(ORDER, "3")
    with pytest.raises(BadInput):
        breached_condition(ORDER, "0")


def test_the_order_and_the_kind() -> None:
    assert find_order([ORDER], 4) is ORDER
    assert find_order([ORDER], 5) is None
    assert with_breach_kind(["message"]) == ["message", "order_breach"]
    assert with_breach_kind(["order_breach", "threat"]) == ["order_breach", "threat"]
