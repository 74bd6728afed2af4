"""The statement command: a DRAFT to prepare a witness statement from the diary (#21)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import EXIT_OK
from .export import export_options
from .output import one_line
from .output import print_json
from .session import open_vault


def cmd_statement(args: argparse.Namespace) -> int:
    from ..clock import now_iso
    from ..export.case import build_case
    from ..export.statement import COUNTRY_SETTING
    from ..export.statement import build_statement
    from ..export.statement import clean_country
    from ..export.statement import render
    from ..export.statement import statement_format
    from ..fsutil import atomic_write_bytes
    from ..fsutil import check_output_path

    out = Path(args.out)
    fmt = statement_format(out)  # before the passphrase: a wrong name is a usage error
    country = clean_country(args.country) if args.country else ""
    with open_vault(args) as vault:
        options = export_options(vault, args)
        if country:  # given once, kept: the case's country chooses the draft's form
            vault.set_setting(COUNTRY_SETTING, country)
        else:
            country = clean_country(vault.get_setting(COUNTRY_SETTING, "") or "GB")
        out = check_output_path(out, "the statement draft", overwrite=True)
        # The same references as the police export: given at first export, never moved.
        case = build_case(vault, options, exported_at=now_iso())
        draft = build_statement(case, country)
        atomic_write_bytes(out, render(draft, fmt), "the statement draft")
    if args.json:
        print_json(
            {
                "path": str(out),
                "format": fmt,
                "incidents": draft.incidents,
                "exhibits": list(draft.exhibits),
                "private_notes": draft.private_notes,
                "draft": True,
                "country": draft.country,
            }
        )
    else:
        what = (
            "a witness statement"
            if draft.country == "GB"
            else "a declaration (US), with an exhibit certification"
        )
        print(
            f"Wrote a DRAFT for {what} ({draft.incidents} incidents, "
            f"{len(draft.exhibits)} exhibits) to {one_line(str(out))}. It is not signed: check "
            "every word with your advocate or the officer before you use it."
        )
    return EXIT_OK
