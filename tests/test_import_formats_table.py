"""Every import format is named once (victim_log.imported.IMPORT_FORMATS, #15): the
command line, the import service, its labels and the app's wizard all agree."""

from __future__ import annotations

from victim_log.cli.parser import build_parser
from victim_log.imported import IMPORT_FORMATS
from victim_log.importers import service
from victim_log.importers.smsdb import IPHONE_FORMATS


def test_one_table_of_formats() -> None:
    assert service.FORMATS == IMPORT_FORMATS
    assert set(IPHONE_FORMATS) <= set(IMPORT_FORMATS)
    assert set(service.FORMAT_LABELS) >= set(IMPORT_FORMATS)
    parser = build_parser()
    sub = next(a for a in parser._actions if a.choices and "import" in a.choices)
    fmt = next(a for a in sub.choices["import"]._actions if a.dest == "format")
    assert tuple(fmt.choices) == IMPORT_FORMATS


def test_the_wizard_offers_only_formats_the_service_reads() -> None:
    from victim_log.gui.tools.importwizard.formats import FORMATS

    assert {f.key for f in FORMATS} <= set(IMPORT_FORMATS)
