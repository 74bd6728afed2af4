"""S-DASH (#20): the 11 questions answered and dated, never overwritten; suggestions
from the log; how answers changed; in the export only when chosen; never a score."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.helpers import run_cli
from tests.pattern_helpers import demo_log
from tests.pattern_helpers import pdf_pages
from victim_log import sdash
from victim_log.errors import BadInput


class FakeVault:
    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def set_setting(self, name: str, value: str) -> None:
        self.values[name] = value

    def settings_with_prefix(self, prefix: str) -> list[tuple[str, str]]:
        return sorted((k, v) for k, v in self.values.items() if k.startswith(prefix))


def test_answers_by_number_or_id_and_refusals() -> None:
    assert sdash.parse_answers(["1=yes", "threats=Not sure", "11=no"]) == (
        ("frightened", "yes"),
        ("threats", "not_sure"),
        ("history", "no"),
    )
    # "²" is a digit to str.isdigit, not to int(): it raised ValueError (an internal error)
    for bad in (["12=yes"], ["threats=maybe"], ["threats"], [], ["\u00b2=yes"]):
        with pytest.raises(BadInput):
            sdash.parse_answers(bad)


def test_sets_are_dated_kept_and_changes_shown() -> None:
    v = FakeVault()
    at = "2026-03-01T10:00:00+00:00"
    sdash.record(v, (("frightened", "no"),), by="victim", at=at)
    sdash.record(v, (("frightened", "yes"), ("threats", "yes")), by="support:Priya", at=at)  # same second
    sdash.record(v, (("frightened", "yes"),), by="victim", at="2026-04-01T10:00:00+01:00")
    sets = sdash.answer_sets(v)
    assert [s.by for s in sets] == ["victim", "support:Priya", "victim"]
    assert sdash.changes(sets) == (("frightened", (("2026-03-01", "no"), ("2026-03-01", "yes"))),)
    with pytest.raises(BadInput):
        sdash.record(v, (("frightened", "yes"),), by="someone", at=at)


def test_cli_and_export_only_when_chosen(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    demo_log(monkeypatch, capsys)
    r = run_cli(capsys, "sdash")
    assert r.code == 0
    assert "From your log: The log has 2 entries of a threat (first: Entry 43, 28 Jul 2026)." in r.out
    assert "National Stalking Helpline (0808 802 0300)" in r.out
    assert "score" in r.out and not re.search(r"\bscore[d]? (of|is)\b|\d+ ?/ ?11", r.out)
    r = run_cli(capsys, "sdash", "--answer", "1=yes", "--answer", "threats=yes")
    assert r.code == 0 and "Kept your answers" in r.out
    doc = json.loads(run_cli(capsys, "sdash", "--json").out)
    assert set(doc) == {"questions", "history", "changes", "advice"}
    assert doc["questions"][5]["answer"] == "yes" and doc["questions"][5]["id"] == "threats"
    assert run_cli(capsys, "sdash", "--answer", "threats=perhaps").code == 2

    def page_one(*extra: str) -> str:
        out = tmp_path / f"t{len(extra)}.pdf"
        r = run_cli(capsys, "export", "--format", "pdf", "--out", str(out), "--initials", "SM", *extra)
        assert r.code == 0, r.err
        text = "\f".join(pdf_pages(out, layout=False))
        return re.sub(r"\s+", " ", text.split("Timeline of incidents and list of exhibits")[0])

    assert "S-DASH" not in page_one()
    shown = page_one("--include-sdash")
    assert "S-DASH Included at the victim's request." in shown
    assert "6. Have they threatened physical or sexual violence? Yes" in shown


def test_sdash_json_fields_are_documented() -> None:
    from victim_log.cli.sdash import SDASH_FIELDS

    doc = (Path(__file__).parent.parent / "docs" / "export-format.md").read_text(encoding="utf-8")
    row = next(line for line in doc.splitlines() if line.startswith("| sdash (`sdash --json`)"))
    assert all(f"`{name}`" in row for name in SDASH_FIELDS)
    assert all(f"`{q}`" in row for q in sdash.QUESTION_IDS)
