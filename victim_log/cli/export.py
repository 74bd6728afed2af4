"""The export command: a signed bundle for police, or pdf/csv/json."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from ..errors import EXIT_OK
from ..errors import BadInput
from .argtypes import id_list
from .json_contract import export_json
from .output import one_line
from .output import print_json
from .output import warn
from .session import open_vault

if TYPE_CHECKING:
    from ..export.case import ExportOptions
    from ..vault import Vault


def person_named(vault: Vault, name: str | None) -> int | None:
    """The id of the person ``--person`` names (None when not given); BadInput if unknown."""
    if not name:
        return None
    found = vault.find_person(name)
    if found is None:
        raise BadInput(f"There is nobody called '{one_line(name)}' in People.")
    return found.id


def export_options(vault: Vault, args: argparse.Namespace, **extra: Any) -> ExportOptions:
    """What an export (or a statement draft) covers, checked: ``--from``/``--to``, the
    person named with ``--person``, the ids of ``--incidents``, ``--include-private``
    and ``--initials`` (remembered); ``extra`` sets the export's other options.

    Given once, kept: the next export (and the app) need not ask again. A log that has
    initials keeps them; ``--initials`` then applies to this export only."""
    from ..references import remember_initials

    person_id = person_named(vault, args.person)
    remember_initials(vault, args.initials or "")
    ids = id_list(args.incidents or "")
    for iid in ids:
        vault.get_incident(iid)  # "There is no incident N" rather than an empty export
    from ..export.case import ExportOptions

    return ExportOptions(
        start=args.start or "",
        end=args.end or "",
        person_id=person_id,
        incident_ids=ids,
        include_private=args.include_private,
        initials=args.initials or "",
        **extra,
    )


def cmd_export(args: argparse.Namespace) -> int:
    from ..export.bundle import PortalRequest
    from ..export.bundle import export
    from ..export.portal import AXON_MAX_FILES
    from ..export.portal import DEFAULT_BATCH_SIZE

    redact = frozenset(r.strip() for r in (args.redact or "").split(",") if r.strip())
    with open_vault(args) as vault:
        options = export_options(
            vault, args, include_sdash=bool(getattr(args, "include_sdash", False)), redact=redact
        )
        from ..leftovers import remembering_temps

        portal = None
        if getattr(args, "portal", None):
            portal = PortalRequest(
                Path(args.portal),
                batch_size=DEFAULT_BATCH_SIZE if args.batch_size is None else args.batch_size,
            )
            if portal.batch_size > AXON_MAX_FILES:
                warn(
                    f"batches of {portal.batch_size} files are more than the {AXON_MAX_FILES} a submission "
                    "that most police upload links (Axon) take; 16 fits them all."
                )
        elif getattr(args, "batch_size", None) is not None:
            raise BadInput("--batch-size goes with --portal DIR (the folder for the upload batches).")
        copy_to = getattr(args, "unredacted_copy", None)
        if copy_to and not redact:
            raise BadInput("--unredacted-copy goes with --redact: without it the export is not redacted.")
        with remembering_temps(vault):  # a partial file left by a crash is found again
            if copy_to:
                # Both made "at the same moment", so the redacted copy's schedule names this
                # one by the SHA-256 of its timeline.json (#16.6, export/disclosure.py).
                import time
                from dataclasses import replace

                moment = int(time.time())
                full = replace(options, redact=frozenset())
                export(vault, Path(copy_to), full, fmt=args.format, timestamp=moment)
                result = export(
                    vault, Path(args.out), options, fmt=args.format, timestamp=moment, portal=portal
                )
            else:
                result = export(vault, Path(args.out), options, fmt=args.format, portal=portal)
    if result.not_recorded:
        warn(f"the export is complete, but the diary's history does not record it ({result.not_recorded}).")
    if args.json:
        print_json(export_json(result))
    else:
        print(
            f"Exported {result.incidents} incidents and {result.exhibits} exhibits to "
            f"{one_line(str(result.path))}."
        )
        if result.format == "bundle":
            print(f"Signing key: {result.fingerprint}")
            print(f"Read this out to the officer to confirm it: {result.short_fingerprint}")
        if result.portal is not None:
            _print_portal(result.portal)
    return EXIT_OK


def _print_portal(portal: dict[str, object]) -> None:
    """Where the upload batches are and what to do with any file too large for them."""
    batches = portal["batches"]
    too_large = portal["too_large"]
    assert isinstance(batches, list)
    assert isinstance(too_large, list)
    files = sum(len(b["files"]) for b in batches)
    print(
        f"Upload batches: {len(batches)} folder{'s' if len(batches) != 1 else ''} of at most "
        f"{portal['batch_size']} files ({files} file{'s' if files != 1 else ''}) in "
        f"{one_line(str(portal['folder']))}; "
        "README.txt there says how to send them, captions.txt in each folder has a caption per file. "
        "They are unencrypted copies: delete the folder once every batch is sent."
    )
    for f in too_large:
        print(f"Too large for the upload link: {one_line(str(f['name']))}. {portal['too_large_advice']}")
