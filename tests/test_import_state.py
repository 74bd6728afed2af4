"""An import leaves nothing behind in the module (#15.5): the case zone, the window of
plausible dates and the per-day offsets belong to one import (``SourceClock``), so a
later import, a one-off ``stamp`` or another vault never reads what an earlier one
learnt."""

from __future__ import annotations

import ast
from datetime import datetime
from pathlib import Path

from tests.helpers import PASSPHRASE
from victim_log import casetime
from victim_log.importers import service
from victim_log.importers.service import ImportRequest
from victim_log.importers.service import run_import
from victim_log.vault import Vault

FIX = Path(__file__).parent / "importers" / "fixtures"


def test_no_mutable_module_globals_in_the_import_service() -> None:
    tree = ast.parse(Path(service.__file__).read_text(encoding="utf-8"))
    mutable = []  # a constant table (FORMAT_LABELS) is named in capitals and never changed
    for node in tree.body:
        if isinstance(node, ast.Assign):
            names, value = [t.id for t in node.targets if isinstance(t, ast.Name)], node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names, value = [node.target.id], node.value
        else:
            continue
        if isinstance(value, ast.List | ast.Dict | ast.Set | ast.ListComp | ast.DictComp | ast.SetComp):
            mutable += [n for n in names if not n.isupper()]
    assert mutable == []


def test_an_import_in_one_zone_leaves_none_behind(tmp_path: Path) -> None:
    vault, _ = Vault.create(tmp_path / "tokyo", PASSPHRASE)
    try:
        casetime.set_vault_zone(vault, "Asia/Tokyo")
        report = run_import(
            vault, ImportRequest("whatsapp", FIX / "whatsapp_android_dmy.txt", sender="Dan Marsh")
        )
        assert report.incidents_created and vault.get_incident(
            report.incident_ids[0]
        ).data.occurred_start.endswith("+09:00")
    finally:
        vault.lock()
    # A time stamped afterwards, on its own, is read on the zone it is given (UTC by
    # default), not on the last import's.
    assert service.stamp(datetime(2024, 1, 13, 10, 0)) == "2024-01-13T10:00:00+00:00"
    clock = service.SourceClock()
    assert clock.zone is not None and clock.stamp(datetime(2024, 1, 13, 10, 0)).endswith("+00:00")
