"""One real export and one real backup, made once for the safezip tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import PASSPHRASE

STAMP = 1_795_000_000


@dataclass(frozen=True)
class Genuine:
    bundle: bytes
    backup: bytes
    bag: str


@pytest.fixture(scope="session")
def genuine(tmp_path_factory: pytest.TempPathFactory) -> Genuine:
    """A vault with the demo case and three exhibits (one with an accented name),
    exported as a signed bundle and written as a backup, as a user would."""
    from victim_log.backup import write_backup
    from victim_log.demo import fill_demo
    from victim_log.export.bundle import export
    from victim_log.export.case import ExportOptions
    from victim_log.vault import Vault

    base = tmp_path_factory.mktemp("genuine")
    vault, _ = Vault.create(base / "vault", PASSPHRASE)
    try:
        fill_demo(vault, total=12)
        vault.evidence.add_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8, "photo 1.jpg", incident_id=3)
        vault.evidence.add_bytes(
            b"PK\x05\x06 an exhibit that looks like a zip end " * 4, "café.txt", incident_id=5
        )
        out = base / "export.zip"
        export(vault, out, ExportOptions(initials="SM"), timestamp=STAMP)
        backup = base / "backup.vlbak"
        write_backup(vault, backup)
    finally:
        vault.lock()
    bundle = out.read_bytes()
    bag = bundle[30 : 30 + int.from_bytes(bundle[26:28], "little")].decode().split("/")[0]
    return Genuine(bundle, backup.read_bytes(), bag)


def write(tmp_path: Path, data: bytes, name: str = "z.zip") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path
