"""The review panel (#18): lists the same findings as ``victim-log review`` and "Next"
walks through them, asking for each entry to be opened (the gap's later entry; a file
linked to no entry opens nothing), then starts over."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.helpers import CANARY
from tests.test_review import build_case
from victim_log.gui.diary.review_panel import ReviewPanel
from victim_log.review import KINDS
from victim_log.vault import Vault


def test_next_opens_each_finding_in_turn(qtbot, vault: Vault) -> None:
    ids = build_case(vault)
    panel = ReviewPanel(vault)
    qtbot.addWidget(panel)
    panel.refresh()
    qtbot.waitUntil(lambda: not panel.busy, timeout=10_000)
    assert panel.list.count() == len(KINDS)
    assert panel.summary.text().startswith(f"{len(KINDS)} things to look at.")
    texts = [panel.list.item(i).text() for i in range(panel.list.count())]
    assert not any(CANARY in t for t in texts)

    opened: list[int] = []
    panel.entry_requested.connect(opened.append)
    for _ in range(len(KINDS)):
        qtbot.mouseClick(panel.next_button, Qt.MouseButton.LeftButton)
    expected = [f.entry_id for f in panel.findings if f.entry_id is not None]
    assert opened == expected
    assert ids["long_gap"] in opened and ids["clean"] not in opened
    assert panel.list.currentRow() == len(KINDS) - 1  # the unlinked file: selected, opens nothing
    qtbot.mouseClick(panel.next_button, Qt.MouseButton.LeftButton)
    assert panel.list.currentRow() == 0 and opened[-1] == panel.findings[0].entry_id

    with qtbot.waitSignal(panel.entry_requested) as blocker:
        panel.list.itemActivated.emit(panel.list.item(2))
    assert blocker.args == [panel.findings[2].entry_id]


def test_an_empty_log_says_so_and_next_is_off(qtbot, vault: Vault) -> None:
    panel = ReviewPanel(vault)
    qtbot.addWidget(panel)
    panel.refresh()
    qtbot.waitUntil(lambda: not panel.busy, timeout=10_000)
    assert panel.list.count() == 0 and not panel.next_button.isEnabled()
    assert panel.summary.text().startswith("Nothing to review")
    assert "Next" in panel.next_button.accessibleName()  # label in name (WCAG 2.5.3)
