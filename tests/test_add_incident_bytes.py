"""Vault.add_incident saves bytes held in memory (a pasted screenshot) with the entry,
in the same one transaction as files on disk (#23.1, the GUI's quick log)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import PASSPHRASE
from tests.helpers import vault_path
from victim_log.errors import BadInput
from victim_log.model import IncidentData
from victim_log.vault import Vault

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def vault() -> Iterator[Vault]:
    v, _ = Vault.create(vault_path(), PASSPHRASE)
    yield v
    v.lock()


def test_bytes_and_paths_saved_with_the_entry(vault: Vault, tmp_path: Path) -> None:
    on_disk = tmp_path / "letter.txt"
    on_disk.write_bytes(b"a letter")
    iid = vault.add_incident(IncidentData(summary="Texts"), files=[("Pasted screenshot.png", PNG), on_disk])
    items = [vault.evidence.get(e) for e in vault.get_incident(iid).evidence]
    assert [i.filename for i in items] == ["Pasted screenshot.png", "letter.txt"]
    assert items[0].media_type == "image/png"
    assert vault.evidence.read_bytes(items[0].id) == PNG


def test_a_refused_file_leaves_neither_entry_nor_pasted_bytes(vault: Vault, tmp_path: Path) -> None:
    with pytest.raises(BadInput):
        vault.add_incident(
            IncidentData(summary="Texts"), files=[("Pasted screenshot.png", PNG), tmp_path]
        )  # a folder
    assert vault.list_incidents() == []
    assert vault.evidence.items() == []
    assert not [p for p in (vault.path / "blobs").rglob("*") if p.is_file()]
