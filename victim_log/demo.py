"""An invented demonstration case, for trying the app without typing a real diary.

The story (resources/demo/case.json) follows a common course of conduct: contact
after a break-up, escalating to following, monitoring and damage, then breaches of
a Stalking Protection Order. Every person, number and place is made up.
"""

from __future__ import annotations

import json
import random
from datetime import datetime
from datetime import timedelta
from typing import Any

from .model import IncidentData
from .model import OrderData
from .model import PersonData
from .model import PoliceReport
from .resources import resource_path
from .vault import Vault


def load_case() -> dict[str, Any]:
    return dict(json.loads(resource_path("demo/case.json").read_text(encoding="utf-8")))


def fill_demo(vault: Vault, *, seed: int = 7, total: int = 60) -> int:
    """Add the demo case to ``vault``; returns how many incidents were added."""
    case = load_case()
    rng = random.Random(seed)  # noqa: S311 - invented demo data, not security
    people: dict[str, int] = {}
    for p in case["people"]:
        person = PersonData(
            name=p["name"],
            role=p["role"],
            relationship=p.get("relationship", ""),
            aliases=tuple(p.get("aliases", ())),
            phones=tuple(p.get("phones", ())),
            accounts=tuple(p.get("accounts", ())),
            vehicles=tuple(p.get("vehicles", ())),
        )
        existing = vault.find_person(person.name)
        people[p["key"]] = existing.id if existing else vault.add_person(person)
    order_id = vault.add_order(OrderData.from_dict({**case["order"], "person_id": people["dan"]}))
    if not vault.get_setting("case_title"):
        vault.set_setting("case_title", case["case_title"])
        vault.set_setting("initials", case["victim_initials"])
    start = datetime.fromisoformat(case["start"]).astimezone()
    order_conditions = case["order"]["conditions"]

    entries: list[tuple[datetime, dict[str, Any]]] = []
    for fixed in case["fixed"]:
        hh, mm = (int(x) for x in fixed["time"].split(":"))
        when = start + timedelta(days=fixed["day"], hours=hh, minutes=mm)
        entries.append((when, fixed))
    templates = case["repeating"]
    weights = [t["weight"] for t in templates]
    while len(entries) < total:
        day = rng.randrange(case["days"])
        when = start + timedelta(days=day, hours=rng.randrange(7, 24), minutes=rng.randrange(60))
        entries.append((when, rng.choices(templates, weights)[0]))
    entries.sort(key=lambda e: e[0])

    order_made = start + timedelta(days=49, hours=10, minutes=1)  # the SPO entry below
    count = 0
    for when, t in entries:
        kinds = list(t["kinds"])
        breach_condition = ""
        if when > order_made and "order_breach" not in kinds and kinds != ["other"]:
            kinds.append("order_breach")
        if "order_breach" in kinds:
            breach_condition = order_conditions[int(t.get("breach", 0))]
        persons = [people["dan"]]
        if t.get("third"):
            persons.append(people[t["third"]])
        witness = ""
        if t.get("witness"):
            persons.append(people[t["witness"]])
            witness = "Priya Shah (neighbour), 07700 900321"
        police = PoliceReport(**t["police"]) if t.get("police") else PoliceReport()
        data = IncidentData(
            summary=t["summary"],
            kinds=tuple(kinds),
            occurred_start=when.isoformat(),
            precision=t.get("precision", "exact"),
            location=t.get("location", ""),
            details=t["details"],
            people=tuple(persons),
            witnesses=witness,
            effects=tuple(t.get("effects", ("alarm_distress",) if rng.random() < 0.3 else ())),
            actions=t.get("did", "Kept the evidence (screenshot)."),
            police=police,
            order_id=order_id if breach_condition else None,
            order_condition=breach_condition,
            complete_later=rng.random() < 0.05,
        )
        vault.add_incident(data)
        count += 1
    return count
