"""The app menu follows the face (#18.5): user-level desktop entries, only our own."""

from __future__ import annotations

import configparser
from pathlib import Path

from victim_log.gui.shell.desktopentry import MANAGED
from victim_log.gui.shell.desktopentry import switch_desktop_entry
from victim_log.gui.shell.neutral import all_faces
from victim_log.gui.shell.neutral import neutral_faces
from victim_log.gui.shell.neutral import own_face

ROOT = Path(__file__).resolve().parents[3]


def entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def installed(tmp_path: Path) -> tuple[Path, Path]:
    """A package's system entry (the own face) and an empty user folder."""
    system = tmp_path / "usr" / "share" / "applications"
    system.mkdir(parents=True)
    (system / "org.victimlog.VictimLog.desktop").write_bytes(
        (ROOT / "packaging" / "linux" / "org.victimlog.VictimLog.desktop").read_bytes()
    )
    return system, tmp_path / "home" / "applications"


def test_neutral_face_hides_the_packaged_entry(tmp_path: Path) -> None:
    system, user = installed(tmp_path)
    notes = neutral_faces()["notes"]
    written = switch_desktop_entry(notes, all_faces(), user_dir=user, system_dirs=[system])
    assert {p.name for p in written} == {
        "org.victimlog.Notes.desktop",
        "org.victimlog.VictimLog.desktop",
        "org.victimlog.Calculator.desktop",
    }
    shown = entry(user / "org.victimlog.Notes.desktop")
    assert (
        shown["Name"] == "Notes" and shown["Exec"] == "victim-log gui" and shown["StartupWMClass"] == "notes"
    )
    hiding = entry(user / "org.victimlog.VictimLog.desktop")
    assert hiding["Hidden"] == "true" and hiding["Name"] == "Notes"
    # Nothing a menu or search shows says what the app is.
    for path in written:
        text = path.read_text(encoding="utf-8").lower()
        for word in ("victim log", "stalk", "harass", "diary", "evidence", "police"):
            assert word not in text.replace("org.victimlog", ""), (path.name, word)
    # Back to the own face: the own entry shown, the neutral ones hidden.
    switch_desktop_entry(own_face(), all_faces(), user_dir=user, system_dirs=[system])
    assert entry(user / "org.victimlog.VictimLog.desktop")["Name"] == "Victim Log"
    assert entry(user / "org.victimlog.Notes.desktop")["Hidden"] == "true"
    assert switch_desktop_entry(own_face(), all_faces(), user_dir=user, system_dirs=[system]) == []


def test_nothing_is_added_to_a_menu_nobody_installed_us_into(tmp_path: Path) -> None:
    user = tmp_path / "applications"
    assert switch_desktop_entry(neutral_faces()["notes"], all_faces(), user_dir=user, system_dirs=[]) == []
    assert not user.exists()


def test_a_file_we_did_not_write_is_never_replaced(tmp_path: Path) -> None:
    system, user = installed(tmp_path)
    user.mkdir(parents=True)
    mine = user / "org.victimlog.Calculator.desktop"
    mine.write_text("[Desktop Entry]\nType=Application\nName=My calculator\n", encoding="utf-8")
    switch_desktop_entry(neutral_faces()["notes"], all_faces(), user_dir=user, system_dirs=[system])
    assert MANAGED not in mine.read_text(encoding="utf-8")
    assert entry(user / "org.victimlog.Notes.desktop")["Name"] == "Notes"


def test_packaged_entry_has_no_telling_keywords() -> None:
    keywords = entry(ROOT / "packaging" / "linux" / "org.victimlog.VictimLog.desktop")["Keywords"]
    assert "stalk" not in keywords and "harass" not in keywords
