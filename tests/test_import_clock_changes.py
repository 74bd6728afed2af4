"""SMS, call-log and WhatsApp imports across both 2024 UK clock changes (#16.4).

The review found the two timelines an hour apart: SMS Backup & Restore stores epoch
milliseconds and the import showed them in UTC (an April text the phone showed at
18:30 appeared at 17:30), while WhatsApp writes the phone's wall clock. And a chat
line reading 01:30 on 31 March 2024 appeared at 00:30. Here one vault with the case
zone Europe/London imports both, and the PDF (pdftotext), CSV, JSON and the CLI must
show every message at the time the phone showed, naming BST or GMT, with the source's
own time beside it.

Clock changes in 2024: 31 Mar 01:00 UTC (01:00 GMT -> 02:00 BST) and 27 Oct 01:00 UTC
(02:00 BST -> 01:00 GMT).
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from pathlib import Path

import pytest

from tests.helpers import PASSPHRASE
from tests.helpers import run_cli
from tests.helpers import vault_path
from victim_log import casetime
from victim_log.importers.service import ImportRequest
from victim_log.importers.service import run_import
from victim_log.vault import Vault

PERSON = "07700900123"


def _ms(iso_utc: str) -> str:
    return str(int(datetime.fromisoformat(iso_utc).replace(tzinfo=UTC).timestamp() * 1000))


#: (UTC instant, what the phone showed in the UK, body)
TEXTS = [
    ("2024-03-31T00:30:00", "31 Mar 2024 00:30:00", "sms before spring change"),  # 00:30 GMT
    ("2024-03-31T01:30:00", "31 Mar 2024 02:30:00", "sms after spring change"),  # 02:30 BST
    ("2024-04-10T17:30:00", "10 Apr 2024 18:30:00", "sms april evening"),  # 18:30 BST
    ("2024-10-27T00:30:00", "27 Oct 2024 01:30:00", "sms first half past one"),  # 01:30 BST
    ("2024-10-27T01:30:00", "27 Oct 2024 01:30:00", "sms second half past one"),  # 01:30 GMT
]


def _sms_xml() -> bytes:
    rows = "\n".join(
        f'  <sms protocol="0" address="{PERSON}" date="{_ms(utc)}" type="1" subject="null" '
        f'body="{body}" read="1" status="-1" readable_date="{shown}" contact_name="Dan Marsh" />'
        for utc, shown, body in TEXTS
    )
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n"
        f'<smses count="{len(TEXTS)}">\n{rows}\n</smses>\n'
    ).encode()


def _calls_xml() -> bytes:
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n"
        '<calls count="1">\n'
        f'  <call number="{PERSON}" duration="12" date="{_ms("2024-10-27T01:40:00")}" type="1" '
        'presentation="1" readable_date="27 Oct 2024 01:40:00" contact_name="Dan Marsh" />\n'
        "</calls>\n"
    ).encode()


# The phone's own clock, as WhatsApp writes it. 01:30 on 31 March did not exist in the
# UK (the export came from a phone whose clock had not moved yet); 01:10 after 01:50 on
# 27 October is the second time round.
CHAT = """31/03/2024, 00:45 - Dan Marsh: chat before spring change
31/03/2024, 01:30 - Dan Marsh: chat in the skipped hour
31/03/2024, 02:45 - Dan Marsh: chat after spring change
10/04/2024, 18:30 - Dan Marsh: chat april evening
27/10/2024, 01:50 - Dan Marsh: chat first time round
27/10/2024, 01:10 - Dan Marsh: chat second time round
"""


@pytest.fixture(autouse=True)
def zone_reset() -> Iterator[None]:
    yield
    casetime.activate(None)


@pytest.fixture
def vault(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Path:
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    r = run_cli(capsys, "init", "--time-zone", "Europe/London")
    assert r.code == 0, r.err
    assert "Europe/London" in r.out
    sms = tmp_path / "sms.xml"
    sms.write_bytes(_sms_xml())
    calls = tmp_path / "calls.xml"
    calls.write_bytes(_calls_xml())
    chat = tmp_path / "chat.txt"
    chat.write_text(CHAT, encoding="utf-8")
    with Vault.open(vault_path(), PASSPHRASE) as v:
        for fmt, path, sender in (
            ("sms-backup", sms, PERSON),
            ("calls", calls, PERSON),
            ("whatsapp", chat, "Dan Marsh"),
        ):
            report = run_import(v, ImportRequest(fmt, path, sender=sender, date_order="dmy"))
            assert report.incidents_created > 0
    return tmp_path


def _incidents(capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, object]]:
    r = run_cli(capsys, "list", "--json", "--oldest-first")
    assert r.code == 0, r.err
    out: dict[str, dict[str, object]] = {}
    for d in json.loads(r.out):
        text = str(d["details"]).splitlines()[0] if d["details"] else str(d["summary"])
        out[text] = d
    return out


def _instant(value: object) -> datetime:
    return datetime.fromisoformat(str(value)).astimezone(UTC)


def test_sms_and_whatsapp_agree_on_the_case_clock(vault: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs = _incidents(capsys)
    # Same moment, two sources: the April text and the April chat line are one instant.
    assert _instant(docs["sms april evening"]["occurred_start"]) == datetime(2024, 4, 10, 17, 30, tzinfo=UTC)
    assert _instant(docs["chat april evening"]["occurred_start"]) == datetime(2024, 4, 10, 17, 30, tzinfo=UTC)
    expected_local = {
        "sms before spring change": "2024-03-31T00:30:00+00:00",
        "sms after spring change": "2024-03-31T02:30:00+01:00",
        "sms april evening": "2024-04-10T18:30:00+01:00",
        "sms first half past one": "2024-10-27T01:30:00+01:00",
        "sms second half past one": "2024-10-27T01:30:00+00:00",
        "chat before spring change": "2024-03-31T00:45:00+00:00",
        "chat after spring change": "2024-03-31T02:45:00+01:00",
        "chat april evening": "2024-04-10T18:30:00+01:00",
        "chat first time round": "2024-10-27T01:50:00+01:00",
        "chat second time round": "2024-10-27T01:10:00+00:00",
    }
    for text, local in expected_local.items():
        d = docs[text]
        assert d["occurred_start_local"] == local, text
        assert d["time_zone"] == "Europe/London"
        assert _instant(d["occurred_start"]) == _instant(local), text
    # the source's own time, exactly as written
    assert docs["chat april evening"]["source_time"] == "10/04/2024, 18:30"
    assert docs["sms april evening"]["source_time"] == (
        f'date="{_ms("2024-04-10T17:30:00")}" readable_date="10 Apr 2024 18:30:00"'
    )
    # the line the clocks skipped: never moved back to 00:30, read on the GMT clock
    # (= 02:30 BST) and saying so next to the line's own 01:30
    skipped = docs["chat in the skipped hour"]
    assert skipped["source_time"] == "31/03/2024, 01:30"
    assert _instant(skipped["occurred_start"]) == datetime(2024, 3, 31, 1, 30, tzinfo=UTC)
    assert "clocks skipped" in str(skipped["details"])


def test_cli_list_and_show_name_the_zone(vault: Path, capsys: pytest.CaptureFixture[str]) -> None:
    r = run_cli(capsys, "list", "--oldest-first")
    assert r.code == 0, r.err
    assert "2024-04-10 18:30 BST" in r.out and "17:30" not in r.out
    assert "2024-10-27 01:30 BST" in r.out and "2024-10-27 01:30 GMT" in r.out
    assert "00:30 GMT" in r.out  # the text sent at 00:30 GMT on 31 March, nothing else
    docs = _incidents(capsys)
    r = run_cli(capsys, "show", str(docs["sms april evening"]["id"]))
    assert r.code == 0, r.err
    assert "Wed 10 Apr 2024 at 18:30 BST" in r.out
    assert "2024-04-10T18:30:00+01:00" in r.out
    assert "10 Apr 2024 18:30:00" in r.out  # the source's own reading


def _pdftotext(path: Path) -> str:
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(out.split())


def test_pdf_csv_json_show_the_phone_s_times(vault: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for fmt in ("pdf", "csv", "json"):
        r = run_cli(capsys, "export", "--out", str(vault / f"t.{fmt}"), "--format", fmt, "--initials", "SM")
        assert r.code == 0, r.err
    text = _pdftotext(vault / "t.pdf")
    assert text.count("Wed 10 Apr 2024 at 18:30 BST") >= 2  # the text and the chat line
    assert "17:30" not in text
    assert "Sun 27 Oct 2024 at 01:30 BST" in text and "Sun 27 Oct 2024 at 01:30 GMT" in text
    assert "Sun 27 Oct 2024 at 01:50 BST" in text and "Sun 27 Oct 2024 at 01:10 GMT" in text
    assert "Sun 27 Oct 2024 at 01:40 GMT" in text  # the call
    assert "Sun 31 Mar 2024 at 00:45 GMT" in text and "Sun 31 Mar 2024 at 02:45 BST" in text
    assert "00:30 BST" not in text  # the chat's 01:30 never appears an hour early
    assert "31/03/2024, 01:30" in text and "Sun 31 Mar 2024 at 02:30 BST" in text
    assert "Europe/London" in text

    rows = list(csv.DictReader(io.StringIO((vault / "t.csv").read_text(encoding="utf-8-sig"))))
    by_local = {r["occurred_start_local"] for r in rows}
    assert {"2024-04-10T18:30:00+01:00", "2024-10-27T01:30:00+00:00", "2024-10-27T01:30:00+01:00"} <= by_local
    assert any(r["source_time"] == "10/04/2024, 18:30" for r in rows)
    assert all(r["when"].endswith(("BST", "GMT")) for r in rows)

    doc = json.loads((vault / "t.json").read_text(encoding="utf-8"))
    assert doc["time_zone"] == "Europe/London"
    locals_ = [i["occurred_start_local"] for i in doc["incidents"]]
    assert "2024-04-10T18:30:00+01:00" in locals_
    assert all(i["when"].endswith(("BST", "GMT")) for i in doc["incidents"])
    assert any(i["source_time"] == "31/03/2024, 01:30" for i in doc["incidents"])


def test_sms_parser_keeps_the_backup_s_own_time() -> None:
    from victim_log.importers import parse_sms_backup

    with parse_sms_backup(_sms_xml()) as stream:
        items = list(stream)
    assert [i.source_time.split('readable_date="')[1].rstrip('"') for i in items] == [t[1] for t in TEXTS]
