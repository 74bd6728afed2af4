"""Mutation fuzzing of the #19 readers added later: Outlook .msg, Telegram/Meta HTML, ProofMode, Tella.

Fixed seeds, mutated fixtures (test_fuzz.mutate); the only exception allowed out is
ImportFormatError, with a one-line message (test_hostile.only_our_error).
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from victim_log.importers import ImportFormatError
from victim_log.importers.chat_html import parse_meta_any
from victim_log.importers.chat_html import parse_telegram_any
from victim_log.importers.outlook_msg import parse_msg
from victim_log.importers.proofmode import open_proofmode
from victim_log.importers.proofmode import read_proofmode
from victim_log.importers.records import ItemStream
from victim_log.importers.tella_csv import read_tella_csv

from .test_fuzz import mutate
from .test_hostile import only_our_error
from .util import fixture
from .util import fixture_bytes

CASES = 300

STREAMS: dict[str, tuple[Callable[[object], ItemStream], list[str]]] = {
    "outlook_msg": (parse_msg, ["outlook_bst.msg", "outlook_html_gmt.msg"]),
    "telegram_html": (parse_telegram_any, ["telegram_html/messages.html"]),
    "meta_html": (parse_meta_any, ["meta_html/message_1.html"]),
}


@pytest.mark.parametrize("target", sorted(STREAMS))
def test_mutated_chat_and_mail_files(target: str) -> None:
    parser, names = STREAMS[target]
    corpus = [fixture_bytes(n) for n in names]
    rng = random.Random(f"more-formats-{target}")
    for case in range(CASES):
        data = mutate(rng, rng.choice(corpus))
        try:
            only_our_error(parser, data)
        except Exception as exc:  # pragma: no cover - reported with what reproduces it
            raise AssertionError(f"{target} case {case}: {type(exc).__name__}") from exc


def _refused_kindly(path: Path, reader: Callable[[Path], object]) -> None:
    """``reader`` reads ``path`` or refuses it with one non-empty line."""
    told = "read"
    try:
        reader(path)
    except ImportFormatError as exc:
        told = exc.message
    assert told and "\n" not in told


def _read_zip(path: Path) -> object:
    with open_proofmode(path) as zf:
        found = read_proofmode(path, zf)
        return [b"".join(f.opener()) for f in found.files]


def test_mutated_proofmode_zips(tmp_path: Path) -> None:
    original = fixture_bytes("proofmode_two.zip")
    rng = random.Random("more-formats-proofmode")
    for case in range(CASES):
        path = tmp_path / f"{case}.zip"
        path.write_bytes(mutate(rng, original))
        try:
            _refused_kindly(path, _read_zip)
        except Exception as exc:  # pragma: no cover
            raise AssertionError(f"proofmode case {case}: {type(exc).__name__}") from exc


def test_mutated_tella_csvs(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    shutil.copytree(fixture("tella_export"), folder)
    original = (folder / "verification.csv").read_bytes()
    rng = random.Random("more-formats-tella")
    for case in range(CASES):
        (folder / "verification.csv").write_bytes(mutate(rng, original))
        try:
            _refused_kindly(folder / "verification.csv", read_tella_csv)
        except Exception as exc:  # pragma: no cover
            raise AssertionError(f"tella case {case}: {type(exc).__name__}") from exc
