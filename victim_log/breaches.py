"""Breaches of protection orders: which condition an entry breaches, and whether the
order was in force on the date of the breach.

A person names the condition by its number in the order's list (from 1, as
``victim-log order list`` shows it) or by its text; an entry that breaches an order is
always of the kind ``order_breach`` (the export lists it under breaches).

Why the in-force check (#16.3): a breach is an offence only while the order is in
force, and for a non-molestation order made without notice only once the respondent
knew of it (s.42A Family Law Act 1996; the Stalking Protection Orders guidance has a
section on service). A defence lawyer checks every breach's date against the order's
term first; an export that lists a breach dated before the order was made, before it
was served or after it ended, without saying so, makes a truthful victim look
unreliable. So each breach is checked against **the order as recorded, on the date
of the breach** (never on the day of the export) and the result is a value that the
app and every export show the same way. The check is pure: no vault, no clock.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import tzinfo
from enum import StrEnum

from .errors import BadInput
from .model import IncidentData
from .model import Order
from .model import OrderData
from .model import order_day
from .textsafe import ascii_digits

BREACH_KIND = "order_breach"


def find_order(orders: Iterable[Order], order_id: int) -> Order | None:
    """The order with this id among ``orders`` (a vault's ``list_orders()``), or None."""
    return next((o for o in orders if o.id == order_id), None)


def breached_condition(order: Order, condition: str) -> str:
    """The condition's text: ``condition`` itself, or the one it numbers (``"2"``)."""
    if ascii_digits(condition):
        n = int(condition)
        if not 1 <= n <= len(order.data.conditions):
            raise BadInput(f"Order {order.id} has {len(order.data.conditions)} conditions.")
        return order.data.conditions[n - 1]
    return condition


def with_breach_kind(kinds: Sequence[str]) -> list[str]:
    """``kinds`` with ``order_breach`` added at the end if it is not there yet."""
    return list(kinds) if BREACH_KIND in kinds else [*kinds, BREACH_KIND]


def is_breach(data: IncidentData) -> bool:
    """Whether an entry is recorded as a breach (the kind, or a linked order)."""
    return BREACH_KIND in data.kinds or data.order_id is not None


# ---------------------------------------------------------------------------- in force


class InForce(StrEnum):
    """Whether an order was in force on the date of a breach. The values are machine ids
    (``timeline.json``, ``incidents.csv``); :data:`LABELS` and :meth:`BreachCheck.text`
    say them in words."""

    IN_FORCE = "in_force"  # made, served (or made on notice), not ended
    SERVICE_NOT_RECORDED = "service_not_recorded"  # in its term, made on notice, service not recorded
    NOT_SERVED = "not_served"  # made without notice, service not recorded: may not have known
    BEFORE_MADE = "before_made"
    BEFORE_SERVED = "before_served"
    SAME_DAY = "same_day"  # made, served or ended that very day: which came first is not recorded
    AFTER_EXPIRY = "after_expiry"
    SPANS_CHANGE = "spans_change"  # a time range across a change of status
    DATE_UNKNOWN = "date_unknown"  # the entry has no date
    ORDER_DATE_UNKNOWN = "order_date_unknown"  # neither the date made nor served is readable
    NO_ORDER = "no_order"  # a breach not linked to a recorded order


#: Short labels, for a table cell or a badge.
LABELS: dict[InForce, str] = {
    InForce.IN_FORCE: "In force on the date of the breach",
    InForce.SERVICE_NOT_RECORDED: "In force on the date; service not recorded",
    InForce.NOT_SERVED: "Made without notice; service not recorded",
    InForce.BEFORE_MADE: "Before the order was made",
    InForce.BEFORE_SERVED: "Before the order was served",
    InForce.SAME_DAY: "Same day as the order was made, served or ended",
    InForce.AFTER_EXPIRY: "After the order ended",
    InForce.SPANS_CHANGE: "Time range spans a change in the order",
    InForce.DATE_UNKNOWN: "Date of the breach not known",
    InForce.ORDER_DATE_UNKNOWN: "Date the order was made not recorded",
    InForce.NO_ORDER: "Not linked to a recorded order",
}

#: Dated outside the order's term as recorded: listed apart, never counted as breaches.
OUTSIDE_TERM = frozenset({InForce.BEFORE_MADE, InForce.BEFORE_SERVED, InForce.AFTER_EXPIRY})
#: In force as far as the log shows (service may still be unrecorded: said so).
IN_TERM = frozenset({InForce.IN_FORCE, InForce.SERVICE_NOT_RECORDED})


def _iso(day: date) -> str:
    return day.isoformat()


@dataclass(frozen=True)
class BreachCheck:
    """The result of checking one breach's date against its order.

    ``flagged`` is what the app and the exports act on: anything but "in force as far
    as the log shows" is set apart with its reason, never listed silently as a breach.
    """

    status: InForce
    breach_day: date | None = None
    breach_end: date | None = None
    made_on: date | None = None
    served_on: date | None = None
    expires_on: date | None = None
    without_notice: bool = False
    same_day_as: str = ""  # "made", "served" or "ended" for SAME_DAY

    @property
    def flagged(self) -> bool:
        return self.status not in IN_TERM

    @property
    def outside_term(self) -> bool:
        """Dated, by the log's own dates, when the order was not (yet, or any more) in force."""
        return self.status in OUTSIDE_TERM

    @property
    def in_force(self) -> bool | None:
        """True in force, False not in force, None the log cannot say."""
        if self.status in IN_TERM:
            return True
        if self.status in OUTSIDE_TERM:
            return False
        return None

    @property
    def label(self) -> str:
        return LABELS[self.status]

    def text(self, fmt: Callable[[str], str] = str) -> str:
        """One sentence, for the PDF, the app and the CSV; ``fmt`` writes an ISO date in
        words (the export's ``format_date``)."""

        def d(day: date | None) -> str:
            return fmt(_iso(day)) if day is not None else "?"

        made = f"made on {d(self.made_on)}" if self.made_on else "date made not recorded"
        ends = f"ends on {d(self.expires_on)}" if self.expires_on else "until further order"
        s = self.status
        if s is InForce.IN_FORCE:
            served = f", served on {d(self.served_on)}" if self.served_on else ""
            return f"In force on the date of the breach ({made}{served}, {ends})."
        if s is InForce.SERVICE_NOT_RECORDED:
            return (
                f"In force on the date of the breach ({made}, {ends}). When the order was "
                "served is not recorded."
            )
        if s is InForce.NOT_SERVED:
            return (
                f"Check: the order was made without notice ({made}) and its service is not "
                "recorded, so this log does not show that the respondent knew of it on "
                f"{d(self.breach_day)} (s.42A Family Law Act 1996 for non-molestation orders)."
            )
        if s is InForce.BEFORE_MADE:
            return (
                f"Not in force: dated {d(self.breach_day)}, before the order was made on {d(self.made_on)}."
            )
        if s is InForce.BEFORE_SERVED:
            return (
                f"Not yet served: dated {d(self.breach_day)}, before the order was served on "
                f"{d(self.served_on)}."
            )
        if s is InForce.AFTER_EXPIRY:
            return f"Not in force: dated {d(self.breach_day)}, after the order ended on {d(self.expires_on)}."
        if s is InForce.SAME_DAY:
            return (
                f"Check: the order was {self.same_day_as} on the same day as the breach "
                f"({d(self.breach_day)}); this log does not record which came first."
            )
        if s is InForce.SPANS_CHANGE:
            return (
                f"Check: the entry's time runs from {d(self.breach_day)} to {d(self.breach_end)}, "
                f"across a change in the order ({made}"
                + (f", served on {d(self.served_on)}" if self.served_on else "")
                + f", {ends})."
            )
        if s is InForce.DATE_UNKNOWN:
            return "Check: the entry has no date, so whether the order was in force cannot be shown."
        if s is InForce.ORDER_DATE_UNKNOWN:
            return (
                "Check: the date the order was made is not recorded as a date, so whether it "
                "was in force cannot be shown."
            )
        return "Check: not linked to a recorded order, so whether an order was in force cannot be shown."


def _day_of(when: str, zone: tzinfo | None = None) -> date | None:
    """The calendar date of an entry's time: on ``zone``'s clock (the case's zone, the
    one every display uses) when given, else as the time was written. An imported
    message stored in UTC at 23:30 on 30 June is 1 July on a UK clock in summer."""
    text = when.strip() if when else ""
    if not text:
        return None
    if zone is not None and len(text) > 10:
        try:
            dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if dt.tzinfo is not None:
                return dt.astimezone(zone).date()
        except (ValueError, OverflowError):
            pass  # read as written
    return order_day(text[:10])


def _status_on(order: OrderData, day: date) -> tuple[InForce, str]:
    made, served, ends = order_day(order.made_on), order_day(order.served_on), order_day(order.expires_on)
    if ends is not None and day > ends:
        return InForce.AFTER_EXPIRY, ""
    if made is not None and day < made:
        return InForce.BEFORE_MADE, ""
    if served is not None and day < served:
        return InForce.BEFORE_SERVED, ""
    if made is None and served is None:
        return InForce.ORDER_DATE_UNKNOWN, ""
    if served is not None and day == served:
        return InForce.SAME_DAY, "served"
    if made is not None and day == made:
        return InForce.SAME_DAY, "made"
    if ends is not None and day == ends:
        return InForce.SAME_DAY, "ended"
    if served is None:
        return (InForce.NOT_SERVED if order.without_notice else InForce.SERVICE_NOT_RECORDED), ""
    return InForce.IN_FORCE, ""


def in_force_on(
    order: OrderData | None, occurred_start: str, occurred_end: str = "", *, zone: tzinfo | None = None
) -> BreachCheck:
    """Whether ``order`` was in force (and known to be served) when the breach happened.

    Dates are calendar days as recorded (an order's time of day is not recorded), so a
    breach on the very day the order was made, served or ended is ``SAME_DAY``: a check,
    not a verdict. A range (``occurred_end``) that starts and ends under different
    statuses is ``SPANS_CHANGE``. Stored orders from before service was recorded read
    as "service not recorded", or as not served when made without notice. ``zone``:
    the case's time zone, so the day judged is the day every display shows.
    """
    start, end = _day_of(occurred_start, zone), _day_of(occurred_end, zone)
    if order is None:
        return BreachCheck(InForce.NO_ORDER, start, end)

    def result(status: InForce, which: str = "") -> BreachCheck:
        return BreachCheck(
            status,
            start,
            end,
            made_on=order_day(order.made_on),
            served_on=order_day(order.served_on),
            expires_on=order_day(order.expires_on),
            without_notice=bool(order.without_notice),
            same_day_as=which,
        )

    if start is None:
        return result(InForce.DATE_UNKNOWN)
    status, which = _status_on(order, start)
    if end is not None and end != start and _status_on(order, end)[0] is not status:
        return result(InForce.SPANS_CHANGE)
    return result(status, which)


def check_breach(
    data: IncidentData, orders: Mapping[int, Order] | Iterable[Order], *, zone: tzinfo | None = None
) -> BreachCheck | None:
    """The in-force check for an entry, or None when it is not recorded as a breach.

    ``orders`` are the vault's orders (a mapping by id, or a list); an entry linked to
    an order that is gone is checked as "not linked to a recorded order".
    """
    if not is_breach(data):
        return None
    by_id = orders if isinstance(orders, Mapping) else {o.id: o for o in orders}
    order = by_id.get(data.order_id) if data.order_id is not None else None
    return in_force_on(
        order.data if order is not None else None, data.occurred_start, data.occurred_end, zone=zone
    )
