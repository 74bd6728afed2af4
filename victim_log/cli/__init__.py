"""The command line: argument parsing and exit codes, nothing else.

The commands, their ``--json`` fields and the exit codes are a public contract that
officers' and support workers' scripts rely on: extend, never break.

Exit codes: 0 ok; 1 a check found a problem; 2 usage or bad input; 3 wrong passphrase
or locked vault. No traceback reaches the user: an unexpected error prints one calm
line and writes the technical details (never diary text) to the log file.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import getpass
import io
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from .. import __version__, paths
from ..errors import EXIT_OK, EXIT_PROBLEM, BadInput, UsageError, VictimLogError, WrongPassphrase
from ..logs import log_unexpected
from ..model import KINDS, PERSON_ROLES, IncidentData
from ..textsafe import display_safe, plural

if TYPE_CHECKING:  # the vault's code loads when a command needs it: the desktop app
    from ..model import IncidentVersion
    from ..vault import IncidentSummary, Vault  # paints its first screen without it


def one_line(text: str) -> str:
    """Untrusted text for a one-line display (file names, list rows)."""
    return display_safe(text, single_line=True)

PASSPHRASE_ENV = "VICTIM_LOG_PASSPHRASE"  # noqa: S105 - the name of a variable, not a secret
NEW_PASSPHRASE_ENV = "VICTIM_LOG_NEW_PASSPHRASE"  # noqa: S105
RECOVERY_ENV = "VICTIM_LOG_RECOVERY_KEY"


class ArgParser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


# ---------------------------------------------------------------------- argument types

MAX_NUMBER = 2**63 - 1  # SQLite's largest integer: an id or count beyond it cannot exist


def _number(text: str, minimum: int | None) -> int:
    try:
        n = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{one_line(text[:30])}' is not a whole number") from None
    if n > MAX_NUMBER:
        raise argparse.ArgumentTypeError(
            f"{one_line(text[:24])}{'…' if len(text) > 24 else ''} is too large "
            f"(the largest is {MAX_NUMBER})")
    if minimum is not None and n < minimum:
        raise argparse.ArgumentTypeError(f"{n} is not allowed: give {minimum} or more")
    return n


def id_arg(text: str) -> int:
    """An entry, person, order or evidence number (a missing one is 'no such ...')."""
    if text.strip().lstrip("-").isdigit() and int(text) < -MAX_NUMBER:
        raise argparse.ArgumentTypeError(f"{one_line(text[:24])}… is too large")
    return _number(text, None)


def count_arg(text: str) -> int:
    """A --limit or --group-minutes: a whole number from 0."""
    return _number(text, 0)


def when_arg(text: str) -> str:
    """A date or date-time the person typed, checked now so that one the timeline
    cannot place (year 1 without an offset overflows local time) is a clear message."""
    from ..model import parse_when

    try:
        dt = parse_when(text)
        dt.astimezone().timestamp()
    except BadInput as exc:
        raise argparse.ArgumentTypeError(one_line(exc.message)) from None
    except (OverflowError, ValueError, OSError):
        raise argparse.ArgumentTypeError(
            f"'{one_line(text[:40])}' is in a year too far from today to place on a "
            "timeline; please check the year") from None
    return text


def date_arg(text: str) -> str:
    """A calendar date (an order made or expiring): validated, kept as typed."""
    from datetime import date

    try:
        date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{one_line(text[:40])}' is not a date: use a form like 2026-03-04") from None
    return text.strip()


def clean_text(text: str) -> str:
    """Text from the command line with undecodable bytes shown as U+FFFD (JSON and the
    journal need real text; file names keep their bytes elsewhere)."""
    from ..model import _SURROGATE

    return _SURROGATE.sub("\ufffd", text)


# ---------------------------------------------------------------------- secrets input


def _read_secret_file(path: str, what: str) -> str:
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read(64 * 1024)
    except OSError as exc:
        raise BadInput(f"Cannot read the {what} file '{one_line(path)}' ({exc.strerror}).") from None
    except UnicodeDecodeError:
        raise BadInput(f"The {what} file is not UTF-8 text.") from None
    return text.rstrip("\r\n")


def _prompt(prompt: str) -> str:
    if not sys.stdin.isatty():
        raise BadInput(
            "A passphrase is needed: use --passphrase-file FILE, set VICTIM_LOG_PASSPHRASE, "
            "or run this in a terminal."
        )
    return getpass.getpass(prompt)


def _secret(file: str | None, env_name: str, label: str, *, confirm: bool) -> str:
    """A passphrase from a file, else the environment, else typed (twice if ``confirm``)."""
    if file:
        return _read_secret_file(file, label.lower())
    env = os.environ.get(env_name)
    if env:
        return env
    first = _prompt(f"{label}: ")
    if confirm and _prompt(f"{label} again: ") != first:
        raise BadInput("The two passphrases were not the same. Nothing was changed.")
    return first


def passphrase(args: argparse.Namespace, *, confirm: bool = False) -> str:
    return _secret(getattr(args, "passphrase_file", None), PASSPHRASE_ENV, "Passphrase",
                   confirm=confirm)


def new_passphrase(args: argparse.Namespace) -> str:
    return _secret(getattr(args, "new_passphrase_file", None), NEW_PASSPHRASE_ENV,
                   "New passphrase", confirm=True)


def vault_dir(args: argparse.Namespace) -> Path:
    return Path(args.vault).expanduser() if getattr(args, "vault", None) else paths.default_vault_dir()


_CLEANED: list[str] = []  # leftovers of a crash removed when this run opened the vault


def open_vault(args: argparse.Namespace) -> Vault:
    from ..vault import Vault

    path = vault_dir(args)
    Vault._load_keyfile(path)  # "no vault here" before asking for a passphrase
    delay = Vault.pending_delay(path)
    if delay > 0:
        print(f"Too many wrong tries: waiting {int(delay) + 1} seconds…", file=sys.stderr)
        time.sleep(delay)
    vault = Vault.open(path, passphrase(args))
    from ..leftovers import clean_leftovers

    try:
        _CLEANED[:] = clean_leftovers(vault)  # what a crash left; 'check' says what went
    except VictimLogError:
        _CLEANED[:] = []
    if vault.unlock_info.failed_attempts:
        n = len(vault.unlock_info.failed_attempts)
        print(f"Note: {n} failed attempt{'s' if n != 1 else ''} to open this vault since it "
              f"was last opened (last at {vault.unlock_info.failed_attempts[-1]}).",
              file=sys.stderr)
    if vault.unlock_info.history_warning:
        print(f"Note: {vault.unlock_info.history_warning}", file=sys.stderr)
    return vault


# ---------------------------------------------------------------------- output helpers


class _Lookups:
    """People and exhibits for a page of incidents, each read once (an imported chat's
    one exhibit is cited by every message: reading it per row made ``list --json``
    of an imported vault take minutes)."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self.people: dict[int, dict[str, Any]] = {}
        self.evidence: dict[int, dict[str, Any]] = {}

    def load_evidence(self, ids: Iterable[int]) -> None:
        missing = {i for i in ids if i not in self.evidence}
        for eid, item in self.vault.evidence.get_many(missing).items():
            self.evidence[eid] = {"id": item.id, "filename": item.filename,
                                  "sha256": item.sha256, "size": item.size,
                                  "media_type": item.media_type, "removed": item.removed}

    def person(self, pid: int) -> dict[str, Any]:
        if pid not in self.people:
            p = self.vault.get_person(pid)
            self.people[pid] = {"id": p.id, "name": p.data.name, "role": p.data.role}
        return self.people[pid]

    def exhibit(self, eid: int) -> dict[str, Any]:
        if eid not in self.evidence:
            self.load_evidence([eid])
            if eid not in self.evidence:
                from ..errors import NotFound

                raise NotFound(f"There is no evidence item {eid}.")
        return self.evidence[eid]


def incident_json(vault: Vault, incident_id: int, *, history: bool = False,
                  include_private: bool = True, lookups: _Lookups | None = None,
                  version: IncidentVersion | None = None) -> dict[str, Any]:
    if version is not None:
        versions = [version]
    else:
        versions = (vault.incident_history(incident_id) if history
                    else [vault.get_incident(incident_id)])
    current = versions[-1]
    look = lookups or _Lookups(vault)
    look.load_evidence(e for v in versions for e in v.evidence)

    def one(v: Any) -> dict[str, Any]:
        d = v.data
        people = [look.person(pid) for pid in d.people]
        evidence = [look.exhibit(eid) for eid in v.evidence]
        out = {
            "id": v.incident_id, "version": v.version, "occurred_start": d.occurred_start,
            "occurred_end": d.occurred_end, "precision": d.precision,
            "recorded_at": v.first_recorded_at, "version_recorded_at": v.recorded_at,
            "reason": v.reason, "deleted": v.deleted, "kinds": list(d.kinds),
            "summary": d.summary, "details": d.details, "location": d.location,
            "people": people, "witnesses": d.witnesses, "effects": list(d.effects),
            "effect_text": d.effect_text, "actions": d.actions,
            "police": {"reference": d.police.reference, "officer": d.police.officer,
                       "collar_number": d.police.collar_number,
                       "reported_on": d.police.reported_on},
            "author": d.author, "complete_later": d.complete_later,
            "evidence": evidence, "source": d.source,
            "order_id": d.order_id, "order_condition": d.order_condition,
        }
        if include_private:
            out["private_note"] = d.private_note
        return out

    result = one(current)
    if history:
        result["history"] = [one(v) for v in versions]
    return result


def print_json(value: Any, out: TextIO | None = None) -> None:
    """JSON as UTF-8 text, or \\u escapes where the output cannot carry it
    (``PYTHONIOENCODING=ascii``): still the same JSON to any reader."""
    out = out or sys.stdout
    encoding = (getattr(out, "encoding", None) or "utf-8").lower().replace("-", "")
    json.dump(value, out, ensure_ascii=encoding not in ("utf8", "utf16", "utf32"), indent=2)
    out.write("\n")


def _tolerant_output() -> None:
    """Text the terminal's encoding cannot show is escaped, never an internal error
    (a non-ASCII entry under ``PYTHONIOENCODING=ascii`` or a C locale)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError, io.UnsupportedOperation):
                reconfigure(errors="backslashreplace")


def summary_line(s: IncidentSummary) -> str:
    when = s.occurred_start[:16].replace("T", " ") if s.occurred_start else "time unknown"
    flags = []
    if s.evidence_count:
        flags.append(f"{s.evidence_count} evidence")
    if s.reported:
        flags.append("reported")
    if s.breach:
        flags.append("BREACH")
    if s.complete_later:
        flags.append("to complete")
    if s.deleted:
        flags.append("deleted")
    tail = f"  [{', '.join(flags)}]" if flags else ""
    return f"{s.id:>6}  {when:<16}  {','.join(s.kinds):<22}  {one_line(s.summary)}{tail}"


# ---------------------------------------------------------------------- commands


def cmd_init(args: argparse.Namespace) -> int:
    from ..vault import Vault

    path = vault_dir(args)
    if Vault.exists(path):
        from ..errors import VaultExists

        raise VaultExists(f"There is already a vault in {path}. Nothing was changed.")
    secret = passphrase(args, confirm=True)
    vault, recovery = Vault.create(path, secret)
    vault.lock()
    print(f"Created a new vault in {path}")
    print()
    print("Your RECOVERY KEY (shown only this once; write it down and keep it somewhere safe):")
    print()
    print(f"    {recovery}")
    print()
    print("With it you can set a new passphrase if you forget yours. Nobody else, not even "
          "the makers of Victim Log, can open your vault without one of them.")
    return EXIT_OK


def _kinds(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    return tuple(k.strip() for k in text.split(",") if k.strip())


def _data_from_args(vault: Vault, args: argparse.Namespace, base: IncidentData | None, *,
                    names_later: bool = False) -> IncidentData:
    """The entry the options describe (on top of ``base`` for an edit).

    With ``names_later``, ``--person`` names are left for the caller to resolve in
    the transaction that saves the entry (``add_incident(people_names=...)``).
    """
    d = base.to_dict() if base else IncidentData(summary="").to_dict()
    if args.when and (args.start or args.end):
        raise UsageError("Use either --when or --from/--to, not both.")
    if args.end and not args.start and not (base and base.occurred_start):
        raise UsageError("--to needs --from: say when it started as well as when it ended.")
    if args.when:
        d["occurred_start"], d["occurred_end"] = args.when, ""
    if args.start:
        d["occurred_start"] = args.start
    if args.end:
        d["occurred_end"] = args.end
    simple = {"summary": "summary", "where": "location", "details": "details",
              "witnesses": "witnesses", "effect": "effect_text", "did": "actions",
              "private_note": "private_note", "precision": "precision", "author": "author"}
    for arg, key in simple.items():
        value = getattr(args, arg, None)
        if value is not None:
            d[key] = value
    if args.kind:
        d["kinds"] = list(_kinds(args.kind))
    if args.effects:
        d["effects"] = list(_kinds(args.effects))
    if args.complete_later is not None:
        d["complete_later"] = args.complete_later
    if args.order is not None:
        order = next((o for o in vault.list_orders() if o.id == args.order), None)
        if order is None:
            raise BadInput(f"There is no order {args.order}; see 'victim-log order list'.")
        d["order_id"] = order.id
        condition = args.condition or ""
        if condition.isdigit():
            n = int(condition)
            if not 1 <= n <= len(order.data.conditions):
                raise BadInput(f"Order {order.id} has {len(order.data.conditions)} conditions.")
            condition = order.data.conditions[n - 1]
        d["order_condition"] = condition
        if "order_breach" not in d["kinds"]:
            d["kinds"] = [*d["kinds"], "order_breach"]
    police = dict(d.get("police") or {})
    for arg, key in (("police_ref", "reference"), ("officer", "officer"),
                     ("collar", "collar_number"), ("reported_on", "reported_on")):
        value = getattr(args, arg, None)
        if value is not None:
            police[key] = value
    d["police"] = police
    if args.person and not names_later:
        people = list(d.get("people") or [])
        for name in args.person:
            pid = vault.person_by_name(name)
            if pid not in people:
                people.append(pid)
        d["people"] = people
    if base is None and not d.get("occurred_start"):
        from ..vault import now_iso

        d["occurred_start"] = now_iso()
    return IncidentData.from_dict(d)


def cmd_add(args: argparse.Namespace) -> int:
    if not args.kind:
        raise UsageError("--kind is required (for example --kind message or --kind phone_call).")
    from ..evidence import open_regular_file

    files = [Path(f) for f in args.attach or []]
    for f in files:  # before the passphrase: a wrong name is the commonest mistake
        fh, _ = open_regular_file(f)
        fh.close()
    with open_vault(args) as vault:
        data = _data_from_args(vault, args, None, names_later=True).validated()
        # One transaction: the entry, its files and any new person, or none of them.
        incident_id = vault.add_incident(data, files=files, people_names=args.person or ())
    print(incident_id)
    return EXIT_OK


def cmd_edit(args: argparse.Namespace) -> int:
    with open_vault(args) as vault:
        current = vault.get_incident(args.id)
        data = _data_from_args(vault, args, current.data)
        v = vault.edit_incident(args.id, data, args.reason)
        print(f"Incident {args.id} is now at version {v.version}.")
    return EXIT_OK


def cmd_delete(args: argparse.Namespace) -> int:
    with open_vault(args) as vault:
        vault.delete_incident(args.id, args.reason)
        print(f"Incident {args.id} was deleted (its history is kept).")
    return EXIT_OK


JSON_PAGE = 500  # incidents whose exhibits are read in one query


def _print_incidents(vault: Vault, rows: list[IncidentSummary], as_json: bool) -> None:
    if as_json:
        _print_json_list(vault, [r.id for r in rows])
        return
    for r in rows:
        print(summary_line(r))
    print(f"{len(rows)} incident{'s' if len(rows) != 1 else ''}", file=sys.stderr)


def _print_json_list(vault: Vault, ids: list[int]) -> None:
    """The same JSON array as ``print_json([incident_json(...)...])``, written a page
    at a time: exhibits for a page in one query, memory bounded at any size."""
    out = sys.stdout
    if not ids:
        print_json([])
        return
    lookups = _Lookups(vault)
    encoding = (getattr(out, "encoding", None) or "utf-8").lower().replace("-", "")
    # One incident a line: json's C encoder (indenting takes its slow pure-Python path,
    # half the time of a 100,000-incident list); the same JSON to any reader.
    encoder = json.JSONEncoder(ensure_ascii=encoding not in ("utf8", "utf16", "utf32"))
    out.write("[\n")
    records = vault.incident_records(ids)  # bodies as text: parsed a page at a time
    for start in range(0, len(ids), JSON_PAGE):
        chunk = ids[start:start + JSON_PAGE]
        page = [(i, _parsed(i, records.pop(i))) for i in chunk]
        lookups.load_evidence(int(e) for _i, r in page for e in r[5].get("evidence", ()))
        out.write(",\n".join(encoder.encode(_record_json(i, r, lookups)) for i, r in page))
        out.write(",\n" if start + JSON_PAGE < len(ids) else "\n")
    out.write("]\n")


def _parsed(incident_id: int, record: tuple[str, int, str, str, bool, str]) -> tuple[
        str, int, str, str, bool, dict[str, Any]]:
    try:
        body = json.loads(record[5])
    except ValueError:
        from ..errors import VaultCorrupt

        raise VaultCorrupt(f"The stored incident {incident_id} is damaged. "
                           "Run 'victim-log check'.") from None
    return (*record[:5], body)


_DATA_DEFAULTS: dict[str, Any] = {}


def _record_json(incident_id: int, record: tuple[str, int, str, str, bool, dict[str, Any]],
                 look: _Lookups) -> dict[str, Any]:
    """:func:`incident_json` straight from a stored body (the same fields and values),
    without building an ``IncidentData`` per row: a fifth of a long list's time."""
    first_at, version, at, reason, deleted, body = record
    if not _DATA_DEFAULTS:
        _DATA_DEFAULTS.update(IncidentData(summary="").to_dict())
    try:
        d = body["data"]
        if len(d) != len(_DATA_DEFAULTS):  # an older record: fill in the newer fields
            d = {**_DATA_DEFAULTS, **{k: v for k, v in d.items() if k in _DATA_DEFAULTS}}
        police = d["police"]
        if len(police) != 4:
            d["police"] = {k: str(police.get(k, "")) for k in _DATA_DEFAULTS["police"]}
        d["evidence"] = [look.exhibit(int(e)) for e in body.get("evidence", ())]
        d["people"] = [look.person(int(p)) for p in d["people"]]
    except (KeyError, TypeError, ValueError, AttributeError):
        from ..errors import VaultCorrupt

        raise VaultCorrupt(f"The stored incident {incident_id} is damaged. "
                           "Run 'victim-log check'.") from None
    d.update(id=incident_id, version=version, recorded_at=first_at, version_recorded_at=at,
             reason=reason, deleted=deleted)
    return d  # type: ignore[no-any-return]


def cmd_list(args: argparse.Namespace) -> int:
    from ..vault import IncidentFilter

    flt = IncidentFilter(start=args.start or "", end=args.end or "", kinds=_kinds(args.kind),
                         include_deleted=args.include_deleted)
    with open_vault(args) as vault:
        rows = vault.list_incidents(flt, limit=args.limit, oldest_first=args.oldest_first)
        _print_incidents(vault, rows, args.json)
    return EXIT_OK


def cmd_search(args: argparse.Namespace) -> int:
    with open_vault(args) as vault:
        _print_incidents(vault, vault.search(args.query, limit=args.limit), args.json)
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    with open_vault(args) as vault:
        doc = incident_json(vault, args.id, history=args.history)
        if args.json:
            print_json(doc)
            return EXIT_OK
        docs = doc.get("history", [doc])
        for i, v in enumerate(docs):
            if i:
                print("-" * 60)
            _print_incident(v)
    return EXIT_OK


def _print_incident(d: dict[str, Any]) -> None:
    label = f"Incident {d['id']}, version {d['version']}"
    if d["deleted"]:
        label += " (DELETED)"
    print(label)
    print(f"  When:        {d['occurred_start'] or 'unknown'}"
          + (f" to {d['occurred_end']}" if d["occurred_end"] else "") + f" ({d['precision']})")
    print(f"  Recorded:    {d['recorded_at']}" + (
        f"; this version {d['version_recorded_at']} ({display_safe(d['reason'])})"
        if d["version"] > 1 else ""))
    print(f"  Kinds:       {', '.join(KINDS.get(k, k) for k in d['kinds'])}")
    print(f"  Summary:     {display_safe(d['summary'])}")
    for key, title in (("location", "Where"), ("details", "Details"), ("witnesses", "Witnesses"),
                       ("effect_text", "Effect on me"), ("actions", "What I did"),
                       ("private_note", "Private note")):
        if d.get(key):
            print(f"  {title + ':':<12} {display_safe(d[key])}")
    if d["people"]:
        print("  People:      " + ", ".join(f"{one_line(p['name'])} ({p['role']})"
                                           for p in d["people"]))
    police = d["police"]
    if any(police.values()):
        print(f"  Police:      ref {police['reference']} officer {police['officer']} "
              f"collar {police['collar_number']} reported {police['reported_on']}")
    for e in d["evidence"]:
        print(f"  Evidence {e['id']}: {one_line(e['filename'])} ({e['size']} bytes, "
              f"{e['media_type']}) sha256 {e['sha256']}" + (" REMOVED" if e["removed"] else ""))


def cmd_check(args: argparse.Namespace) -> int:
    with open_vault(args) as vault:
        report = vault.check()
        warnings = vault.clock_went_back()
    cleaned = list(_CLEANED)
    if args.json:
        print_json({"ok": report.ok, "problems": report.problems, "warnings": warnings,
                    "cleaned": cleaned,
                    "journal_entries": report.journal_entries,
                    "incidents": report.incidents, "blobs_checked": report.blobs_checked,
                    "history_warning": report.history_warning,
                    "orphaned_blobs": report.orphaned_blobs})
    elif report.ok:
        print(f"All good: {report.journal_entries} journal entries, {report.incidents} incidents "
              f"and {report.blobs_checked} evidence files verified.")
    else:
        print(f"Problems found ({len(report.problems)}):")
        for p in report.problems:
            print(f"  - {p}")
    if not args.json:
        for w in warnings:
            print(f"Note: {w}")
        for c in cleaned:
            print(f"Cleaned up {c}.")
    return EXIT_OK if report.ok else EXIT_PROBLEM


def cmd_passwd(args: argparse.Namespace) -> int:
    with open_vault(args) as vault:
        new = new_passphrase(args)
        try:
            vault.change_passphrase(new)
        except VictimLogError as exc:
            if not _key_file_opens_with(vault.path, new):
                raise
            # The key file was rewritten, then the journal entry failed (a full disk):
            # "Nothing was changed" would be untrue, and the old passphrase is gone.
            from ..fsutil import unrecorded_reason

            print("Your passphrase WAS changed: use the new one from now on. Your recovery "
                  "key still works.")
            _warn(f"the diary's history does not record the change ({unrecorded_reason(exc)}).")
            return EXIT_OK
    print("Your passphrase was changed. Your recovery key still works.")
    return EXIT_OK


def _key_file_opens_with(path: Path, passphrase_text: str) -> bool:
    """Whether the key file on disk now opens with ``passphrase_text`` (exact reporting
    after a failure part-way through a change)."""
    from ..crypto import keys
    from ..vault import KEY_NAME

    try:
        keys.KeyFile.load(path / KEY_NAME).unwrap_with_passphrase(passphrase_text)
    except (VictimLogError, OSError, ValueError):
        return False
    return True


def _warn(text: str) -> None:
    print(f"victim-log: note: {text}", file=sys.stderr)


def cmd_recover(args: argparse.Namespace) -> int:
    from ..vault import Vault

    path = vault_dir(args)
    Vault._load_keyfile(path)
    if args.recovery_key_file:
        key = _read_secret_file(args.recovery_key_file, "recovery key")
    elif os.environ.get(RECOVERY_ENV):
        key = os.environ[RECOVERY_ENV]
    else:
        key = _prompt("Recovery key: ")
    with Vault.open(path, recovery_key=key, wait=True) as vault:
        vault.change_passphrase(new_passphrase(args))
    print("A new passphrase is set. Your recovery key still works; keep it safe.")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from ..demo import fill_demo

    with open_vault(args) as vault:
        count = fill_demo(vault)
    print(f"Added an invented demonstration case: {count} incidents over three months.")
    return EXIT_OK


def cmd_gui(args: argparse.Namespace) -> int:
    try:
        from ..gui.shell.app import run_gui
    except ImportError as exc:
        raise BadInput(f"The desktop app cannot start: {exc.name or 'Qt'} is not installed.") from None
    return int(run_gui(vault_dir(args), smoke=args.smoke, open_bundle=args.open_bundle))


# -- evidence --


def cmd_evidence_add(args: argparse.Namespace) -> int:
    with open_vault(args) as vault:
        eid, new = vault.evidence.add(Path(args.file), incident_id=args.incident)
        item = vault.evidence.get(eid)
        if args.json:
            print_json(evidence_json(item))
        else:
            print(eid)
            if not new:
                print(f"This file was already stored as evidence {eid}; it was not stored twice.",
                      file=sys.stderr)
    return EXIT_OK


def evidence_json(item: Any) -> dict[str, Any]:
    return {"id": item.id, "filename": item.filename, "size": item.size,
            "media_type": item.media_type, "sha256": item.sha256, "added_at": item.added_at,
            "added_by": item.added_by, "incidents": list(item.incidents),
            "metadata": item.metadata, "removed": item.removed}


def cmd_evidence_list(args: argparse.Namespace) -> int:
    with open_vault(args) as vault:
        items = vault.evidence.items(include_removed=args.include_removed)
        if args.json:
            print_json([evidence_json(i) for i in items])
        else:
            for i in items:
                inc = ",".join(str(x) for x in i.incidents) or "-"
                print(f"{i.id:>5}  {i.size:>12}  {i.media_type:<24}  {i.sha256[:16]}…  "
                      f"incidents {inc:<10}  {one_line(i.filename)}"
                      + ("  [removed]" if i.removed else ""))
    return EXIT_OK


def cmd_evidence_get(args: argparse.Namespace) -> int:
    with open_vault(args) as vault:
        item = vault.evidence.save_copy(args.id, Path(args.out), overwrite=args.force)
    print(f"Saved evidence {item.id} to {one_line(args.out)} (verified, sha256 {item.sha256}).")
    return EXIT_OK


def cmd_evidence_remove(args: argparse.Namespace) -> int:
    with open_vault(args) as vault:
        vault.evidence.remove(args.id, args.reason, permanent=args.permanent)
    if args.permanent:
        print(f"Evidence {args.id} was permanently removed: its key was erased and it can "
              "never be read again. The removal is recorded.")
    else:
        print(f"Evidence {args.id} was removed from use. It is still stored and the removal "
              "is recorded; use --permanent to destroy it.")
    return EXIT_OK


# -- export and verify --


def _id_list(text: str) -> tuple[int, ...]:
    """``--incidents 3,5,8``: every item must be an entry number."""
    ids = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if not part.isdigit():
            raise UsageError(f"'{one_line(part[:30])}' is not an entry number (use --incidents 3,5,8).")
        try:
            ids.append(count_arg(part))
        except argparse.ArgumentTypeError as exc:
            raise UsageError(f"--incidents: {exc}") from None
    return tuple(dict.fromkeys(ids))


def cmd_export(args: argparse.Namespace) -> int:
    from ..export.bundle import export
    from ..export.case import ExportOptions

    redact = frozenset(r.strip() for r in (args.redact or "").split(",") if r.strip())
    with open_vault(args) as vault:
        person_id = None
        if args.person:
            found = vault.find_person(args.person)
            if found is None:
                raise BadInput(f"There is nobody called '{one_line(args.person)}' in People.")
            person_id = found.id
        ids = _id_list(args.incidents or "")
        for iid in ids:
            vault.get_incident(iid)  # "There is no incident N" rather than an empty export
        options = ExportOptions(start=args.start or "", end=args.end or "", person_id=person_id,
                                incident_ids=ids, include_private=args.include_private,
                                redact=redact, initials=args.initials or "")
        from ..leftovers import remembering_temps

        with remembering_temps(vault):  # a partial file left by a crash is found again
            result = export(vault, Path(args.out), options, fmt=args.format)
    if result.not_recorded:
        _warn(f"the export is complete, but the diary's history does not record it "
              f"({result.not_recorded}).")
    if args.json:
        print_json({"path": str(result.path), "format": result.format,
                    "recorded": not result.not_recorded,
                    "incidents": result.incidents, "exhibits": result.exhibits,
                    "fingerprint": result.fingerprint,
                    "fingerprint_readout": result.short_fingerprint,
                    "redactions": list(result.redactions)})
    else:
        print(f"Exported {result.incidents} incidents and {result.exhibits} exhibits to "
              f"{one_line(str(result.path))}.")
        if result.format == "bundle":
            print(f"Signing key: {result.fingerprint}")
            print(f"Read this out to the officer to confirm it: {result.short_fingerprint}")
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    """One bundle; or two (``OLD NEW`` or ``NEW --since OLD``): does NEW's history
    extend OLD's? ``--expect-key`` pins the signer for every bundle named."""
    from ..errors import NotABundle

    try:
        return _verify(args)
    except NotABundle as exc:
        if not args.json:
            raise
        reason = getattr(exc, "reason", None)
        print_json({"status": "NOT A BUNDLE", "valid": False, "reason": reason,
                    "message": exc.message})
        print(f"victim-log: {exc.message}", file=sys.stderr)
        return exc.exit_code


def _verify(args: argparse.Namespace) -> int:
    from ..verify import format_report, verify_bundle

    if args.newer and args.since:
        raise UsageError("Give the older export either first or after --since, not both.")
    older = args.since or (args.bundle if args.newer else None)
    if older is not None:
        from ..lineage import format_lineage, verify_lineage

        newer = args.newer or args.bundle
        lineage = verify_lineage(Path(older), Path(newer), expected_fingerprint=args.expect_key)
        if args.json:
            print_json(lineage.to_json())
        else:
            print(format_lineage(lineage))
        return EXIT_OK if lineage.extends else EXIT_PROBLEM
    report = verify_bundle(Path(args.bundle), expected_fingerprint=args.expect_key)
    if args.json:
        print_json(report.to_json())
    else:
        print(format_report(report))
    return EXIT_OK if report.valid else EXIT_PROBLEM


# -- import --


def cmd_import(args: argparse.Namespace) -> int:
    from ..importers.service import ImportRequest, run_import

    senders = args.sender or []
    req = ImportRequest(format=args.format, source=Path(args.source),
                        sender=senders[0] if senders else None, other_senders=tuple(senders[1:]),
                        group_minutes=args.group_minutes, date_order=args.date_order,
                        me=args.me, dry_run=args.dry_run, photo_incidents=args.make_incidents)
    with open_vault(args) as vault:
        report = run_import(vault, req)
    if args.json:
        print_json(report.to_json())
    elif report.already_imported:
        print("This file was imported before; nothing new was added.")
    elif args.sender is None and args.format != "photos":
        print(f"{report.messages_seen} messages or calls seen. Senders:")
        for sender, count in report.senders:
            print(f"  {count:>6}  {one_line(sender)}")
    else:
        def were(n: int) -> str:
            return "would be" if report.dry_run else "was" if n == 1 else "were"

        print(f"{report.messages_seen} messages or calls seen, {report.matched} from "
              f"{one_line(' / '.join(senders) or 'the folder')}.")
        print(f"{plural(report.incidents_created, 'incident')} {were(report.incidents_created)}"
              f" created and {plural(report.exhibits_stored, 'exhibit')} "
              f"{were(report.exhibits_stored)} stored; "
              f"{plural(report.skipped_lines, 'line')} skipped"
              + (f", {report.duplicates_skipped} already imported" if report.duplicates_skipped
                 else "") + ".")
        for line in report.preview:
            print(f"  - {one_line(line)}")
    if (args.sender is None and args.format != "photos" and not args.dry_run
            and not report.already_imported):
        raise UsageError("Say which sender is the person harassing you with --sender NAME "
                         "(the list above shows them). Nothing was imported.")
    return EXIT_OK


# -- orders --


MAX_CONDITION = 20_000  # an order's condition is a paragraph, never a book


def cmd_order_add(args: argparse.Namespace) -> int:
    from ..model import OrderData

    if args.made_on and args.expires_on and args.expires_on < args.made_on:
        raise BadInput("The order expires before it was made: please check the two dates.")
    conditions = tuple(clean_text(c) for c in args.condition or ())
    if any(len(c) > MAX_CONDITION for c in conditions):
        raise BadInput(f"A condition is too long (the most is {MAX_CONDITION} characters).")
    data = OrderData(order_type=clean_text(args.type), made_on=args.made_on or "",
                     expires_on=args.expires_on or "", court=clean_text(args.court or ""),
                     reference=clean_text(args.reference or ""), conditions=conditions)
    data.validated()  # before the passphrase is asked for
    with open_vault(args) as vault:
        person_id = vault.person_by_name(clean_text(args.person)) if args.person else None
        oid = vault.add_order(dataclasses.replace(data, person_id=person_id))
    print(oid)
    return EXIT_OK


def cmd_order_list(args: argparse.Namespace) -> int:
    with open_vault(args) as vault:
        orders = vault.list_orders()
        docs = [{"id": o.id, **o.data.to_dict()} for o in orders]
    if args.json:
        print_json(docs)
    else:
        for d in docs:
            print(f"{d['id']:>4}  {one_line(d['order_type'])} {one_line(d['reference'])}  "
                  f"made {d['made_on'] or '?'}, expires {d['expires_on'] or 'until further order'}")
            for n, condition in enumerate(d["conditions"], start=1):
                print(f"        {n}. {one_line(condition)}")
    return EXIT_OK


# -- people --


def cmd_person_list(args: argparse.Namespace) -> int:
    with open_vault(args) as vault:
        docs = [{"id": p.id, **p.data.to_dict()} for p in vault.list_people()]
    if args.json:
        print_json(docs)
    else:
        for d in docs:
            print(f"{d['id']:>4}  {one_line(d['name'])}  ({PERSON_ROLES.get(d['role'], d['role'])})")
    return EXIT_OK


def cmd_person_delete(args: argparse.Namespace) -> int:
    with open_vault(args) as vault:
        vault.delete_person(args.id, args.reason)
    print(f"Person {args.id} was taken out of People (the history keeps them and your reason).")
    return EXIT_OK


# -- backup --


def cmd_backup(args: argparse.Namespace) -> int:
    from ..backup import write_backup

    with open_vault(args) as vault:
        info = write_backup(vault, Path(args.out))
    print(f"Backup written to {one_line(str(info.path))} ({info.files} files, {info.bytes} bytes, "
          "still encrypted: it opens only with your passphrase or recovery key).")
    if info.not_recorded:
        _warn(f"the backup is complete, but the diary's history does not record it "
              f"({info.not_recorded}).")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from ..backup import restore_backup

    target = vault_dir(args)
    if args.recovery_key_file or os.environ.get(RECOVERY_ENV):
        key = (_read_secret_file(args.recovery_key_file, "recovery key") if args.recovery_key_file
               else os.environ[RECOVERY_ENV])
        vault = restore_backup(Path(args.file), target, recovery_key=key)
    else:
        vault = restore_backup(Path(args.file), target, passphrase=passphrase(args))
    with vault:
        n = vault.count_incidents()
    print(f"Restored the vault into {target}: {n} incidents, and it passed its check.")
    return EXIT_OK


# ---------------------------------------------------------------------- parser


def _add_vault_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--vault", metavar="DIR", help="vault folder (default: VICTIM_LOG_VAULT or "
                   "your user data folder)")
    p.add_argument("--passphrase-file", metavar="FILE", help="read the passphrase from FILE")


def _add_incident_fields(p: argparse.ArgumentParser) -> None:
    p.add_argument("--kind", metavar="K[,K]", help="kinds: " + ", ".join(KINDS))
    p.add_argument("--summary", metavar="TEXT")
    p.add_argument("--when", metavar="ISO", type=when_arg, help="when it happened, e.g. 2026-03-04T21:15")
    p.add_argument("--from", dest="start", metavar="ISO", type=when_arg, help="start of a time range")
    p.add_argument("--to", dest="end", metavar="ISO", type=when_arg, help="end of a time range")
    p.add_argument("--precision", choices=["exact", "approximate", "day", "unknown_time"])
    p.add_argument("--where", metavar="TEXT")
    p.add_argument("--details", metavar="TEXT", help="exactly what happened and was said")
    p.add_argument("--person", metavar="NAME", action="append",
                   help="person involved (added to People if new); repeat for more")
    p.add_argument("--witnesses", metavar="TEXT")
    p.add_argument("--effect", metavar="TEXT", help="how it affected you")
    p.add_argument("--effects", metavar="E[,E]", help="effect tick-boxes, e.g. changed_routine")
    p.add_argument("--did", metavar="TEXT", help="what you did")
    p.add_argument("--police-ref", metavar="REF")
    p.add_argument("--officer", metavar="NAME")
    p.add_argument("--collar", metavar="NUMBER")
    p.add_argument("--reported-on", metavar="DATE")
    p.add_argument("--private-note", metavar="TEXT", help="never exported unless you ask")
    p.add_argument("--author", metavar="WHO", help="'victim' or 'support:NAME'")
    p.add_argument("--complete-later", action=argparse.BooleanOptionalAction, default=None)
    p.add_argument("--order", type=id_arg, metavar="ID", help="the order this incident breaches")
    p.add_argument("--condition", metavar="N_OR_TEXT",
                   help="which condition it breaches (its number in 'order list', or the text)")


def build_parser() -> ArgParser:
    parser = ArgParser(prog="victim-log", description="A private, encrypted log of stalking "
                       "and harassment that you can hand to the police.")
    parser.add_argument("--version", action="version", version=f"victim-log {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=ArgParser)

    def command(name: str, func: Callable[[argparse.Namespace], int], help: str,
                vault: bool = True) -> ArgParser:
        p = sub.add_parser(name, help=help, description=help)
        if vault:
            _add_vault_args(p)
        p.set_defaults(func=func)
        return p

    p = command("gui", cmd_gui, "start the desktop app (the default)")
    p.add_argument("--smoke", action="store_true", help="show the first screen, then exit 0")
    p.add_argument("--open-bundle", metavar="FILE", help="view a received export bundle")

    command("init", cmd_init, "create a new vault")
    p = command("add", cmd_add, "log an incident; prints its id")
    _add_incident_fields(p)
    p.add_argument("--attach", metavar="FILE", action="append", help="attach evidence")

    p = command("edit", cmd_edit, "save a new version of an incident")
    p.add_argument("id", type=id_arg)
    p.add_argument("--reason", required=True, metavar="TEXT")
    _add_incident_fields(p)

    p = command("delete", cmd_delete, "delete an incident (its history is kept)")
    p.add_argument("id", type=id_arg)
    p.add_argument("--reason", required=True, metavar="TEXT")

    p = command("list", cmd_list, "list incidents, newest first")
    p.add_argument("--json", action="store_true")
    p.add_argument("--from", dest="start", metavar="DATE", type=when_arg)
    p.add_argument("--to", dest="end", metavar="DATE", type=when_arg)
    p.add_argument("--kind", metavar="K[,K]")
    p.add_argument("--limit", type=count_arg)
    p.add_argument("--oldest-first", action="store_true")
    p.add_argument("--include-deleted", action="store_true")

    p = command("show", cmd_show, "show one incident")
    p.add_argument("id", type=id_arg)
    p.add_argument("--history", action="store_true", help="every version, oldest first")
    p.add_argument("--json", action="store_true")

    p = command("search", cmd_search, "search summaries, details, places and people")
    p.add_argument("query")
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=count_arg, default=100)

    p = command("check", cmd_check, "verify the journal, every record and every evidence file")
    p.add_argument("--json", action="store_true")

    p = command("passwd", cmd_passwd, "change the passphrase")
    p.add_argument("--new-passphrase-file", metavar="FILE")
    p = command("recover", cmd_recover, "set a new passphrase using the recovery key")
    p.add_argument("--recovery-key-file", metavar="FILE")
    p.add_argument("--new-passphrase-file", metavar="FILE")
    command("demo", cmd_demo, "add an invented example case to try the app")

    p = command("export", cmd_export, "export for police: a signed bundle (or pdf/csv/json)")
    p.add_argument("--out", required=True, metavar="FILE.zip")
    p.add_argument("--from", dest="start", metavar="DATE", type=when_arg)
    p.add_argument("--to", dest="end", metavar="DATE", type=when_arg)
    p.add_argument("--person", metavar="NAME", help="only incidents involving this person")
    p.add_argument("--incidents", metavar="ID[,ID]", help="only these incidents")
    p.add_argument("--initials", metavar="SM", help="producer's initials for exhibit references")
    p.add_argument("--include-private", action="store_true", help="include private notes")
    p.add_argument("--redact", metavar="WHAT", help="locations,third-parties")
    p.add_argument("--format", choices=["bundle", "pdf", "csv", "json"], default="bundle")
    p.add_argument("--json", action="store_true")
    p = command("verify", cmd_verify, "check a received bundle (no vault needed)", vault=False)
    p.add_argument("bundle", metavar="BUNDLE.zip")
    p.add_argument("newer", nargs="?", metavar="NEWER.zip",
                   help="with two bundles: does the newer one's history extend the first's?")
    p.add_argument("--since", metavar="OLDER.zip",
                   help="an earlier export: check that this bundle's history extends it")
    p.add_argument("--expect-key", metavar="FINGERPRINT",
                   help="the signing key the sender read to you (SHA256:... or read-out form)")
    p.add_argument("--json", action="store_true")

    p = command("import", cmd_import, "import a WhatsApp chat, SMS/call backup, emails or photos")
    p.add_argument("source", metavar="SOURCE")
    p.add_argument("--format", required=True,
                   choices=["whatsapp", "sms-backup", "calls", "email", "photos"])
    p.add_argument("--sender", metavar="NAME_OR_NUMBER", action="append",
                   help="the person harassing you (repeat for their other names or numbers)")
    p.add_argument("--group-minutes", type=count_arg, default=0, metavar="N",
                   help="messages N minutes apart become one incident")
    p.add_argument("--date-order", choices=["dmy", "mdy"], help="if the chat's dates are ambiguous")
    p.add_argument("--me", metavar="NAME", help="your own name as it appears in the export")
    p.add_argument("--make-incidents", action="store_true", help="photos: one incident per photo")
    p.add_argument("--dry-run", action="store_true", help="show what would be created")
    p.add_argument("--json", action="store_true")

    p = command("backup", cmd_backup, "write an encrypted backup of the whole vault")
    p.add_argument("--out", required=True, metavar="FILE")
    p = command("restore", cmd_restore, "restore a backup into --vault DIR (or the default place)")
    p.add_argument("file", metavar="BACKUP")
    p.add_argument("--recovery-key-file", metavar="FILE", help="use the recovery key instead")

    orders = sub.add_parser("order", help="record a protection order and its conditions")
    osub = orders.add_subparsers(dest="order_command", metavar="ACTION", parser_class=ArgParser)
    orders.set_defaults(func=lambda a: _missing_action(orders))
    p = osub.add_parser("add", help="record an order (SPO, non-molestation, restraining, DAPO)")
    _add_vault_args(p)
    p.set_defaults(func=cmd_order_add)
    p.add_argument("--type", required=True, metavar="TEXT", help="e.g. 'Stalking Protection Order'")
    p.add_argument("--made-on", metavar="DATE", type=date_arg)
    p.add_argument("--expires-on", metavar="DATE", type=date_arg, help="leave out for 'until further order'")
    p.add_argument("--court", metavar="TEXT")
    p.add_argument("--reference", metavar="REF")
    p.add_argument("--condition", metavar="TEXT", action="append", help="repeat for each condition")
    p.add_argument("--person", metavar="NAME", help="who the order is against")
    p = osub.add_parser("list", help="list orders and their conditions")
    _add_vault_args(p)
    p.set_defaults(func=cmd_order_list)
    p.add_argument("--json", action="store_true")

    people = sub.add_parser("person", help="list the people in your diary, or take one out")
    psub = people.add_subparsers(dest="person_command", metavar="ACTION", parser_class=ArgParser)
    people.set_defaults(func=lambda a: _missing_action(people))
    p = psub.add_parser("list", help="list people (the perpetrator, others acting for them, "
                                     "witnesses)")
    _add_vault_args(p)
    p.set_defaults(func=cmd_person_list)
    p.add_argument("--json", action="store_true")
    p = psub.add_parser("delete", help="take someone out of People, with a reason (refused while "
                                       "an entry or order names them; the history keeps them)")
    _add_vault_args(p)
    p.set_defaults(func=cmd_person_delete)
    p.add_argument("id", type=id_arg)
    p.add_argument("--reason", required=True, metavar="TEXT")

    ev = sub.add_parser("evidence", help="add, list, save or remove evidence files")
    evsub = ev.add_subparsers(dest="evidence_command", metavar="ACTION", parser_class=ArgParser)
    ev.set_defaults(func=lambda a: _missing_action(ev))

    def evcommand(name: str, func: Callable[[argparse.Namespace], int], help: str) -> ArgParser:
        p = evsub.add_parser(name, help=help, description=help)
        _add_vault_args(p)
        p.set_defaults(func=func)
        return p

    p = evcommand("add", cmd_evidence_add, "store a file as evidence")
    p.add_argument("file")
    p.add_argument("--incident", type=id_arg, metavar="ID")
    p.add_argument("--json", action="store_true")
    p = evcommand("list", cmd_evidence_list, "list evidence")
    p.add_argument("--json", action="store_true")
    p.add_argument("--include-removed", action="store_true")
    p = evcommand("get", cmd_evidence_get, "save a verified copy of the original")
    p.add_argument("id", type=id_arg)
    p.add_argument("--out", required=True, metavar="FILE")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p = evcommand("remove", cmd_evidence_remove, "remove evidence (recorded, with a reason)")
    p.add_argument("id", type=id_arg)
    p.add_argument("--reason", required=True, metavar="TEXT")
    p.add_argument("--permanent", action="store_true",
                   help="destroy it for ever (erases its key)")

    for extra in _EXTRA_COMMANDS:
        extra(sub, command)
    return parser


def _missing_action(p: argparse.ArgumentParser) -> int:
    raise UsageError(f"say what to do: {p.prog} add|list|get|remove")


# Later features register their commands here (export, verify, import, backup).
_EXTRA_COMMANDS: list[Callable[[Any, Any], None]] = []


# ---------------------------------------------------------------------- entry point


def main(argv: Sequence[str] | None = None) -> int:
    paths.secure_umask()
    from ..safety import harden_process

    harden_process()
    _tolerant_output()
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser()
        if not args_list or args_list[0].startswith("--vault"):
            args_list = ["gui", *args_list]
        args = parser.parse_args(args_list)
        if not getattr(args, "func", None):
            parser.print_help()
            return EXIT_OK
        return int(args.func(args))
    except VictimLogError as exc:
        print(f"victim-log: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("victim-log: stopped. Nothing half-done was saved.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Output piped into `head` and the reader left: not an error worth a message.
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback for users
        log = log_unexpected(exc)
        where = f" Technical details (none of your diary) are in {log}." if log else ""
        print(f"victim-log: something went wrong inside Victim Log; nothing half-done was "
              f"saved.{where}", file=sys.stderr)
        return 2


def run() -> NoReturn:
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    run()


__all__ = ["main", "build_parser", "WrongPassphrase"]
