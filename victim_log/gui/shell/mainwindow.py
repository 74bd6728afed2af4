"""The main window: one stack of screens (first run, unlock, diary) and a toolbar.

The toolbar always shows Help and Quick exit; the diary actions (Log something,
Search, People, Settings, Lock) appear only while unlocked, so nothing about the
diary is visible on the locked screen. The diary itself is the ``DiaryView`` from
:mod:`victim_log.gui.diary.view`, built at the first unlock (it is not needed to paint
the first screen); anything that keeps the :class:`~.lock.DiaryLike` contract can stand
in for it (the shell's tests use a small fake).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtCore import Qt
from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction
from PySide6.QtGui import QCloseEvent
from PySide6.QtGui import QFont
from PySide6.QtGui import QGuiApplication
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication
from PySide6.QtWidgets import QDockWidget
from PySide6.QtWidgets import QFrame
from PySide6.QtWidgets import QMainWindow
from PySide6.QtWidgets import QSizePolicy
from PySide6.QtWidgets import QStackedWidget
from PySide6.QtWidgets import QToolBar
from PySide6.QtWidgets import QToolButton
from PySide6.QtWidgets import QVBoxLayout
from PySide6.QtWidgets import QWidget

from ... import paths
from ...errors import VictimLogError
from ...prefs import Prefs
from ...prefs import apply_neutral_face
from ...prefs import load_prefs
from ..widgets import dialogs
from ..widgets.common import fill_banner
from ..widgets.common import named
from ..widgets.contrast import focus_css
from .fitting import fit_to_screen
from .helppanel import Helpline
from .helppanel import HelpPanel
from .helppanel import helplines_for
from .lock import DiaryLike
from .lock import LockController
from .neutral import Face
from .neutral import apply_face
from .neutral import cover_face
from .neutral import face_for
from .neutral import neutral_faces
from .quickexit import QuickExit
from .screen import set_message
from .session import Session
from .session import carry_on
from .unlock import UnlockScreen

if TYPE_CHECKING:  # loaded after the first screen is painted (start-up time)
    from ...vault import Vault
    from .caselist import CaseChooser
    from .firstrun import FirstRunScreen
    from .support_session import SupportBanner

DiaryFactory = Callable[[Session], QWidget]


def default_diary_factory(session: Session) -> QWidget:
    """The real diary, imported at the first unlock (start-up time)."""
    from ..diary.view import DiaryView

    return DiaryView(session)


#: A tool's window opener: ``open_x(session, parent)``.
ToolOpener = Callable[[Session, QWidget], object]

#: The tools the toolbar and the File menu open that need nothing but the session:
#: name -> "module:opener" (the module relative to this package, as entry points are
#: written). Each module loads when its tool is first used (start-up stays light);
#: tests/gui/shell/test_tool_table.py checks each entry names a real opener.
TOOLS: dict[str, str] = {
    "orders": "..diary.orders:open_orders",
    "pattern": "..tools.patterndialog:open_pattern_dialog",
    "import": "..tools.importwizard.wizard:open_import_wizard",
    "backup": "..tools.backupdialog:open_backup_dialog",
    "portal": "..tools.portal_send:open_portal_send",
    "share": "..tools.share_dialog:open_share_dialog",
    "shared case": "..tools.shared_case_dialog:open_shared_case_dialog",
}


class MainWindow(QMainWindow):
    FIRST_RUN, UNLOCK, DIARY = range(3)

    def __init__(
        self,
        session: Session,
        prefs: Prefs | None = None,
        *,
        quit_app: Callable[[], None] | None = None,
        diary_factory: DiaryFactory | None = None,
        ask_look: bool = False,
    ) -> None:
        super().__init__()
        self.session = session
        self.prefs = prefs if prefs is not None else load_prefs()
        # The very first start asks how the app should show before it shows its own
        # name (#18.5): until then it wears the plain "Notes" face.
        self._ask_look = ask_look
        self.face: Face = neutral_faces()["notes"] if ask_look else face_for(self.prefs)
        self._quit_app = quit_app or _quit_application
        self._diary_factory = diary_factory or default_diary_factory
        self.diary: QWidget | None = None
        self._diary: DiaryLike | None = None  # the same object, as a diary
        self.setObjectName("mainWindow")
        self.setWindowTitle(self.face.name)
        self.setWindowIcon(self.face.icon())
        self.setAccessibleName(self.face.name)
        self.resize(1100, 720)
        fit_to_screen(self)  # a 1024×600 laptop, or 200 % scaling (#18.6)

        self.cleaned: list[str] = []  # leftovers of a crash removed at the last unlock
        self.locker = LockController(session, self, self._diary_contract)
        self.locker.did_lock.connect(self._on_locked)
        self.quick_exit = QuickExit(
            session,
            self.locker,
            quit_app=self._quit_app,
            cover_face=lambda: cover_face(self.prefs),
            parent=self,
        )
        self.quick_exit.returned.connect(self._back_from_cover)
        session.locked.connect(lambda: self._on_locked("session"))

        self._build_toolbar()
        self._build_menu()
        self._build_help()
        self._build_review()
        central = QWidget(self)
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self._build_notice())
        # The support banner and, above the locked screens, which diary to open when
        # there are several (#18): built when first needed (start-up time).
        self._column = column
        self._support_banner: SupportBanner | None = None
        self._case_chooser: CaseChooser | None = None
        self.stack = QStackedWidget(central)
        self.stack.setObjectName("screens")
        column.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        # The first-run screen is built when it is needed: most starts open an
        # existing vault, and building it took a tenth of the start-up.
        self._firstrun: FirstRunScreen | None = None
        self.unlock = UnlockScreen(session, neutral=self.prefs.neutral_face, parent=self.stack)
        self.unlock.unlocked.connect(self._on_unlocked)
        self.diary_page = QWidget(self.stack)
        self.diary_page.setObjectName("diaryPage")
        QVBoxLayout(self.diary_page).setContentsMargins(0, 0, 0, 0)
        for page in (QWidget(self.stack), self.unlock, self.diary_page):
            self.stack.addWidget(page)
        self._show_locked_screen()

    @property
    def firstrun(self) -> FirstRunScreen:
        if self._firstrun is None:
            from .firstrun import FirstRunScreen  # most starts show the unlock screen

            screen = FirstRunScreen(self.session, self.face.name, self.stack, ask_look=self._ask_look)
            screen.look_chosen.connect(self.choose_look)
            screen.finished.connect(lambda: self._enter_diary(None))
            screen.restored.connect(self._on_restored)
            placeholder = self.stack.widget(self.FIRST_RUN)
            showing = self.stack.currentWidget() is placeholder
            self.stack.insertWidget(self.FIRST_RUN, screen)
            if placeholder is not None:
                self.stack.removeWidget(placeholder)
                placeholder.deleteLater()
            if showing:
                self.stack.setCurrentWidget(screen)
            self._firstrun = screen
        return self._firstrun

    # ------------------------------------------------------------------ building

    def _fixed_bar(self, title: str, name: str, accessible: str) -> QToolBar:
        bar = QToolBar(title, self)
        bar.setObjectName(name)
        bar.setAccessibleName(accessible)
        bar.setMovable(False)
        bar.setFloatable(False)
        bar.toggleViewAction().setEnabled(False)  # it can't be hidden
        bar.setContextMenuPolicy(Qt.ContextMenuPolicy.PreventContextMenu)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        bar.setStyleSheet(focus_css("QToolButton", self.palette()))  # a 2 px ring, 3:1 (WCAG 2.4.13)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        extension = bar.findChild(QToolButton, "qt_toolbar_ext_button")
        if extension is not None:
            extension.setAccessibleName(self.tr("More buttons"))
        return bar

    def _build_toolbar(self) -> None:
        bar = self.toolbar = self._fixed_bar(self.tr("Main"), "mainToolbar", self.tr("Main toolbar"))
        # Quick exit has a bar of its own at the end: on a narrow screen (1280×720 at
        # 150 %) the main bar tucks buttons behind "More buttons", and Quick exit must
        # never be one of them (#18.6).
        exit_bar = self._fixed_bar(self.tr("Quick exit"), "exitToolbar", self.tr("Quick exit"))
        self.exit_toolbar = exit_bar

        def action(
            name: str,
            text: str,
            tip: str,
            slot: Callable[[], None],
            shortcut: QKeySequence | str | None = None,
            into: QToolBar = bar,
        ) -> QAction:
            act = QAction(text, self)
            act.setObjectName(name)
            act.setToolTip(tip)
            act.setStatusTip(tip)
            # Alt+letter of the "&" in its text (#18): a tool button drops the mark and
            # so registers none, and one hidden behind "More buttons" would not answer.
            keys = [QKeySequence(shortcut)] if shortcut else []
            keys += [k for k in (QKeySequence.mnemonic(text),) if not k.isEmpty()]
            if keys:
                act.setShortcuts(keys)
                shown = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in keys)
                act.setToolTip(f"{tip} ({shown})")
            act.triggered.connect(slot)
            into.addAction(act)
            button = into.widgetForAction(act)
            if button is not None:
                button.setObjectName(name + "Button")
                button.setAccessibleName(text.replace("&", ""))
                button.setAccessibleDescription(tip)
                button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            return act

        self.log_action = action(
            "logSomething",
            self.tr("&Log something"),
            self.tr("Write down what happened"),
            self._quick_log,
            "Ctrl+N",
        )
        log_button = bar.widgetForAction(self.log_action)
        if isinstance(log_button, QToolButton):
            log_button.setAutoRaise(False)  # drawn as a button at rest: the main thing to do
            font = QFont(log_button.font())
            font.setBold(True)
            font.setPointSizeF(font.pointSizeF() * 1.15)
            log_button.setFont(font)
        tools = tuple(
            action(name, text, tip, slot, shortcut)
            for name, text, tip, slot, shortcut in (
                ("search", self.tr("Sear&ch"), self.tr("Search your diary"), self._focus_search, "Ctrl+F"),
                ("people", self.tr("&People"), self.tr("The people involved"), self._show_people, None),
                (
                    "orders",
                    self.tr("&Orders"),
                    self.tr("Court orders: when made and served, variations, end dates"),
                    self._tool("orders"),
                    None,
                ),
                (
                    "pattern",
                    self.tr("Patter&n"),
                    self.tr("How often and when things happen, and how that has changed"),
                    self._tool("pattern"),
                    None,
                ),
                (
                    "review",
                    self.tr("Revie&w"),
                    self.tr("What would make your log stronger, before you export it"),
                    self.toggle_review,
                    None,
                ),
                (
                    "importFiles",
                    self.tr("&Import…"),
                    self.tr("Bring in chats, texts, call logs, emails or photos"),
                    self._tool("import"),
                    None,
                ),
                (
                    "receive",
                    self.tr("Receive fro&m phone…"),
                    self.tr("Receive files from Tella on your phone over the local Wi-Fi"),
                    self._receive,
                    None,
                ),
                (
                    "export",
                    self.tr("E&xport…"),
                    self.tr("Make a report or evidence bundle for the police"),
                    self._export,
                    None,
                ),
                (
                    "backup",
                    self.tr("&Backup…"),
                    self.tr("Save an encrypted copy of your whole diary"),
                    self._tool("backup"),
                    None,
                ),
                ("settings", self.tr("Se&ttings"), self.tr("Settings"), self.open_settings, "Ctrl+,"),
            )
        )
        self.help_action = action(
            "help", self.tr("&Help"), self.tr("Help numbers and what to write down"), self.toggle_help, "F1"
        )
        self.lock_action = action(
            "lock",
            self.tr("Loc&k"),
            self.tr("Lock your diary now"),
            lambda: self.locker.lock("manual"),
            "Ctrl+L",
        )
        spacer = QWidget(bar)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        self.quick_exit_action = action(
            "quickExit",
            self.tr("Quick exit"),
            self.tr("Hide everything now. Pressing Esc twice does this too."),
            self.quick_exit.trigger,
            into=exit_bar,
        )
        exit_button = exit_bar.widgetForAction(self.quick_exit_action)
        if isinstance(exit_button, QToolButton):
            exit_button.setAutoRaise(False)
            font = QFont(exit_button.font())
            font.setBold(True)
            exit_button.setFont(font)
        self.diary_actions = (self.log_action, *tools, self.lock_action)

    def _build_menu(self) -> None:
        """File: open another diary, support session (#18). Shown only while unlocked:
        the locked window names nothing but what the face shows."""
        menu = self.menuBar().addMenu(self.tr("&File"))
        menu.setObjectName("fileMenu")
        self.open_another_action = menu.addAction(self.tr("&Open another…"), self.open_another)
        self.open_another_action.setObjectName("openAnother")
        menu.addSeparator()
        self.portal_send_action = menu.addAction(
            self.tr("Send through the police &link…"), self._tool("portal")
        )
        self.portal_send_action.setObjectName("portalSend")
        self.share_action = menu.addAction(self.tr("S&hare with a support worker…"), self._tool("share"))
        self.share_action.setObjectName("shareCase")
        self.shared_case_action = menu.addAction(
            self.tr("Open / &merge a shared case file…"), self._tool("shared case")
        )
        self.shared_case_action.setObjectName("openSharedCase")
        menu.addSeparator()
        self.support_action = menu.addAction(self.tr("Start &support session…"), self.start_support_session)
        self.support_action.setObjectName("startSupportSession")
        self.end_support_action = menu.addAction(self.tr("&End support session"), self.end_support_session)
        self.end_support_action.setObjectName("endSupportSession")
        self.end_support_action.setVisible(False)
        self.menuBar().setAccessibleName(self.tr("Menu"))
        extension = self.menuBar().findChild(QToolButton, "qt_menubar_ext_button")
        if extension is not None:
            extension.setAccessibleName(self.tr("More menus"))
        self.menuBar().setVisible(False)

    # ------------------------------------------------------------------ several diaries, support

    @property
    def support_banner(self) -> SupportBanner:
        if self._support_banner is None:
            from .support_session import SupportBanner

            self._support_banner = SupportBanner(self.end_support_session, self.centralWidget())
            self._column.insertWidget(1, self._support_banner)
        return self._support_banner

    @property
    def case_chooser(self) -> CaseChooser:
        if self._case_chooser is None:
            from .caselist import CaseChooser

            self._case_chooser = CaseChooser(self.switch_to, self.centralWidget())
            self._column.insertWidget(self._column.indexOf(self.stack), self._case_chooser)
        return self._case_chooser

    def open_another(self) -> None:
        """File → Open another…: choose, start or label a diary; opening one locks this."""
        from .caselist import ask_case

        ask_case(self.session.vault_dir, self, self.switch_to)

    def switch_to(self, folder: Path) -> bool:
        """Lock the diary open now (if any) and show the unlock (or first run) of ``folder``.
        False if the person chose to stay (what they were writing could not be kept)."""
        if Path(folder) == self.session.vault_dir and not self.session.is_unlocked:
            return True
        from .caselist import keep_before_switch

        if not keep_before_switch(self, self.locker, self._diary):
            return False
        if self.session.is_unlocked:
            self.locker.lock("switch")
        # What was sealed for the last diary (a draft kept inside it, the view's place)
        # must never be given back into another one.
        self.locker.forget()
        self.session.vault_dir = Path(folder)
        self._show_locked_screen()
        return True

    def start_support_session(self) -> None:
        """Ask the worker's name and organisation; from now until the lock, what is
        saved is theirs (the vault applies it to every save: victim_log/support.py)."""
        if not self.session.is_unlocked:
            return
        from .support_session import ask_support_author

        author = ask_support_author(self.session.require(), self)
        if author and self.session.is_unlocked:
            self.session.require().acting_author = author
            self._show_support(author)

    def end_support_session(self) -> None:
        vault = self.session.vault
        if vault is not None:
            vault.acting_author = None
        self._show_support("")

    def _show_support(self, author: str) -> None:
        if author or self._support_banner is not None:
            self.support_banner.show_for(author)
        self.support_action.setVisible(not author)
        self.end_support_action.setVisible(bool(author))

    def _build_review(self) -> None:
        """The review queue (#18, H-review's panel) in a dock beside the diary, built
        each time it is opened and dropped at every lock (it lists the diary's gaps)."""
        self.review_dock = self._side_dock(self.tr("Review"), "reviewDock")

    def _side_dock(self, title: str, name: str) -> QDockWidget:
        """A closable panel on the right, hidden until asked for."""
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setAccessibleName(title)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable)
        dock.setAllowedAreas(Qt.DockWidgetArea.RightDockWidgetArea)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        dock.hide()
        return dock

    def toggle_review(self) -> None:
        if self.review_dock.isVisible():
            self._drop_review()
            return
        if not self.session.is_unlocked:
            return
        from ..diary.review_panel import ReviewPanel

        panel = ReviewPanel(self.session.require(), self.review_dock)
        panel.entry_requested.connect(self._open_entry)
        self.review_dock.setWidget(panel)
        self.review_dock.show()
        width = self.fontMetrics().averageCharWidth() * 50
        self.resizeDocks([self.review_dock], [width], Qt.Orientation.Horizontal)
        panel.refresh()
        panel.setFocus()

    def _drop_review(self) -> None:
        self.review_dock.hide()
        panel = self.review_dock.widget()
        if panel is not None:
            self.review_dock.setWidget(QWidget(self.review_dock))
            panel.deleteLater()

    def _open_entry(self, incident_id: int) -> None:
        """Show one entry in the diary (the review's "Next")."""
        show = getattr(self._diary, "show_incident", None)
        if callable(show):
            self._call_diary(lambda _d: show(incident_id))

    def _build_help(self) -> None:
        # The panel itself is built the first time it is shown (see help_panel).
        self._help_panel: HelpPanel | None = None
        self._helplines: list[Helpline] = helplines_for(None)  # what the panel shows
        self.help_dock = self._side_dock(self.tr("Help"), "helpDock")

    @property
    def help_panel(self) -> HelpPanel:
        if self._help_panel is None:
            self._help_panel = HelpPanel(self, self._helplines)
            self.help_dock.setWidget(self._help_panel)
        return self._help_panel

    def _show_helplines(self, helplines: list[Helpline]) -> None:
        """The numbers the panel shows, now if it exists, or once it is built."""
        self._helplines = helplines
        if self._help_panel is not None:
            self._help_panel.show_helplines(helplines)

    def _build_notice(self) -> QWidget:
        bar = named(QFrame(self), "noticeBar")
        self.notice, (self.notice_passphrase, _dismiss) = fill_banner(
            bar,
            "noticeText",
            self.tr("Notice"),
            (
                self.tr("Change passphrase…"),
                "noticeChangePassphrase",
                self.tr("Change passphrase: choose a new one"),
                lambda: self.change_keys("passphrase"),
            ),
            (self.tr("OK"), "dismissNotice", self.tr("OK, dismiss the notice"), bar.hide),
        )
        self.notice_bar = bar
        return bar

    # ------------------------------------------------------------------ screens

    def current_screen(self) -> int:
        return self.stack.currentIndex()

    def _show_locked_screen(self) -> None:
        for act in self.diary_actions:
            act.setVisible(False)
        self._show_outer_actions(not (self.prefs.neutral_face or self._ask_look))
        self.notice_bar.hide()
        self.menuBar().setVisible(False)
        self._show_support("")  # a support session ends with the lock
        from ...caselist import known_cases

        if self._case_chooser is not None or len(known_cases(self.session.vault_dir)) > 1:
            self.case_chooser.refresh(self.session.vault_dir)
        if paths.vault_exists(self.session.vault_dir):
            self.unlock.reset()
            self.stack.setCurrentIndex(self.UNLOCK)
            self.unlock.focus_first()
        else:
            self.stack.setCurrentWidget(self.firstrun)
            self.firstrun.focus_first()

    def _show_outer_actions(self, shown: bool) -> None:
        """Help and Quick exit. Behind a neutral face the locked window shows neither
        (#18.5): their words and the helplines say what the app is. Esc twice still
        quits, and help is one unlock away."""
        for act in (self.help_action, self.quick_exit_action):
            act.setVisible(shown)
            act.setEnabled(shown)
        if not shown:
            self.help_dock.hide()

    def _on_locked(self, reason: str = "") -> None:
        self._drop_review()
        self._show_support("")  # the vault that acted for a worker is gone
        if (
            self.current_screen() == self.FIRST_RUN
            and not self.session.is_unlocked
            and not paths.vault_exists(self.session.vault_dir)
        ):
            return
        if self._helplines != helplines_for(None):
            # The person's own numbers: hidden now, replaced once the lock is done.
            self.help_dock.hide()
            QTimer.singleShot(0, lambda: self._show_helplines(helplines_for(None)))
        if self.current_screen() != self.UNLOCK or any(a.isVisible() for a in self.diary_actions):
            self._show_locked_screen()
        set_message(self.unlock.message, self.locked_text(reason))

    def locked_text(self, reason: str) -> str:
        """What the lock screen says about the lock just done (#18.5, #18.7): why, and
        whether what was being written is kept. Only what is true: the draft is kept
        inside the encrypted vault when that write could be made, so it outlives the app;
        otherwise it is only sealed in memory and closing the app would lose it."""
        parts = []
        if reason == "idle":
            minutes = max(1, round(self.locker.idle_ms / 60_000))
            text = self.tr("Locked after %n minute(s) without use.", "", minutes)
            if "%n" in text or "(s)" in text:  # no translation loaded: plain English plural
                text = f"Locked after {minutes} minute{'s' if minutes != 1 else ''} without use."
            parts.append(text)
        if self.locker.kept_in_vault:
            parts.append(self.tr("What you were writing is kept, locked inside your diary."))
        elif self.locker.draft_box.full:
            parts.append(
                self.tr(
                    "What you were writing is safe: it comes back when you unlock. "
                    "Closing the app before then would lose it."
                )
            )
        return " ".join(parts)

    def _on_unlocked(self, vault: Vault) -> None:
        self.session.set_vault(vault)
        self.clean_leftovers(vault)
        self._enter_diary(vault.unlock_info.failed_attempts)
        key = vault.unlock_info.new_recovery_key
        if vault.unlock_info.rekey_finished and key:
            # An interrupted re-key was finished by this unlock: its new recovery key
            # may never have been seen. Shown once, after the diary is on screen.
            QTimer.singleShot(0, lambda: self._show_rekey_key(key))

    def _show_rekey_key(self, key: str) -> None:
        if not self.session.is_unlocked:
            return
        from .passphrase import show_finished_rekey_key

        show_finished_rekey_key(self.session, self.face.name, key, self)

    def clean_leftovers(self, vault: Vault) -> None:
        """Remove what a crash left (partial evidence files, half-written exports and
        backups, restore folders holding a copy of the key file), as the CLI does at
        each unlock (#23.4). Never stops the unlock; ``check`` says what went."""
        from ...leftovers import clean_leftovers

        self.cleaned = []
        with carry_on():  # logged (its type, never its message); the diary still opens
            self.cleaned = clean_leftovers(vault)

    def _on_restored(self) -> None:
        vault = self.session.vault
        self._enter_diary(vault.unlock_info.failed_attempts if vault is not None else None)

    def _enter_diary(self, failed_attempts: tuple[str, ...] | None) -> None:
        if not self.session.is_unlocked:
            self._show_locked_screen()
            return
        vault = self.session.require()
        try:
            self.apply_settings(vault)
        except VictimLogError as exc:
            dialogs.show_error(self, exc)
        diary: QWidget | None = None
        try:
            diary = self._ensure_diary()
            contract = self._diary_contract()
            if contract is not None:
                contract.reload()
                self.locker.restore_state(contract)
        except Exception as exc:  # noqa: BLE001 - calm message, the app stays usable
            dialogs.show_error(self, exc)
        for act in self.diary_actions:
            act.setVisible(True)
        self._show_outer_actions(True)
        if self._case_chooser is not None:
            self._case_chooser.hide()
        self.menuBar().setVisible(True)
        self._show_support(vault.acting_author or "")
        self.stack.setCurrentIndex(self.DIARY)
        self.show_unlock_notice(failed_attempts or (), vault.unlock_info.history_warning)
        if diary is not None:
            _focus_into(diary)
        if self.locker.take_kept_draft():
            # Giving the draft back may open its dialog, which waits for the person:
            # do it after this handler returns so the diary is fully shown first.
            QTimer.singleShot(0, self._restore_draft)

    def _restore_draft(self) -> None:
        if self.session.is_unlocked and self.current_screen() == self.DIARY:
            self.locker.restore_draft(self._diary_contract())

    def _ensure_diary(self) -> QWidget:
        if self.diary is None:
            widget = self._diary_factory(self.session)
            if not isinstance(widget, DiaryLike):
                raise TypeError(f"{type(widget).__name__} does not keep the diary contract")
            widget.setParent(self.diary_page)
            layout = self.diary_page.layout()
            if layout is not None:
                layout.addWidget(widget)
            self.session.register_wipe(widget.wipe)
            self.diary, self._diary = widget, widget
        return self.diary

    def _diary_contract(self) -> DiaryLike | None:
        return self._diary

    def show_unlock_notice(self, attempts: tuple[str, ...], history_warning: str | None) -> None:
        """What the unlock found, calmly: failed attempts since last time, and the
        core's warning if an older or another copy of the diary's database was put back."""
        parts = [self._failed_attempts_text(attempts)] if attempts else []
        if history_warning:
            parts.append(history_warning)
        if not parts:
            self.notice_bar.hide()
            return
        self.notice.setText("\n\n".join(parts))
        self.notice_passphrase.setVisible(bool(attempts))
        self.notice_bar.show()

    def _failed_attempts_text(self, attempts: tuple[str, ...]) -> str:
        n = len(attempts)
        last = _local_time(attempts[-1])
        text = self.tr("%n failed attempt(s) to open this since you last opened it.", "", n)
        if "%n" in text or "(s)" in text:  # no translation loaded: plain English plural
            text = f"{n} failed attempt{'s' if n != 1 else ''} to open this since you last opened it."
        if last:
            text += " " + self.tr("The last was on {when}.").format(when=last)
        text += " " + self.tr("If that wasn't you, think about changing your passphrase.")
        return text

    # ------------------------------------------------------------------ actions

    def _call_diary(self, action: Callable[[DiaryLike], object]) -> None:
        """Run one of the diary's actions (a toolbar button), if the diary is open."""
        if not self.session.is_unlocked or self._diary is None:
            return
        try:
            action(self._diary)
        except Exception as exc:  # noqa: BLE001 - calm message, app stays usable
            dialogs.show_error(self, exc)

    def _quick_log(self) -> None:
        self._call_diary(lambda d: d.quick_log())

    def _focus_search(self) -> None:
        self._call_diary(lambda d: d.focus_search())

    def _show_people(self) -> None:
        self._call_diary(lambda d: d.show_people())

    def _open_tool(self, open_tool: Callable[[], object]) -> None:
        """Run a tool's dialog (import, export, backup) while unlocked, then tell the
        diary its data may have changed."""
        if not self.session.is_unlocked:
            return
        try:
            open_tool()
        except Exception as exc:  # noqa: BLE001 - calm message, app stays usable
            dialogs.show_error(self, exc)
        if self.session.is_unlocked:
            self.session.notify_changed()

    def _tool(self, name: str) -> Callable[[], None]:
        """The slot that opens the tool ``name`` of :data:`TOOLS`: its module loads
        the first time it is used, not at start-up (one table instead of a method
        per tool that only imported and called)."""
        module, function = TOOLS[name].split(":")

        def run() -> None:
            opener: ToolOpener = getattr(importlib.import_module(module, __package__), function)
            self._open_tool(lambda: opener(self.session, self))

        return run

    def _receive(self) -> None:
        from ..tools.receive_dialog import open_receive_dialog

        # Files may go to the one entry the person is on; with none or several, not.
        ids = list(self._diary.selected_incident_ids()) if self._diary is not None else []
        attach_to = ids[0] if len(ids) == 1 else None
        self._open_tool(lambda: open_receive_dialog(self.session, self, attach_to=attach_to))

    def _export(self) -> None:
        from ..tools.exportdialog import open_export_dialog

        ids = list(self._diary.selected_incident_ids()) if self._diary is not None else []
        self._open_tool(lambda: open_export_dialog(self.session, self, incident_ids=ids or None))

    def toggle_help(self) -> None:
        if self.help_dock.isVisible():
            self.help_dock.hide()
        else:
            self.help_dock.show()
            width = self.fontMetrics().averageCharWidth() * 44
            self.resizeDocks([self.help_dock], [width], Qt.Orientation.Horizontal)
            self.help_panel.setFocus()

    def reserved_shortcuts(self) -> list[QKeySequence]:
        out = [k for a in (*self.diary_actions, self.help_action) for k in a.shortcuts()]
        return [*out, QKeySequence("Esc")]

    def open_settings(self) -> None:
        if not self.session.is_unlocked:
            return
        from .settings import SettingsDialog
        from .settings import load_shell_settings
        from .settings import save_shell_settings

        vault = self.session.require()
        try:
            current = load_shell_settings(vault)
        except VictimLogError as exc:
            dialogs.show_error(self, exc)
            return
        dialog = SettingsDialog(current, self.prefs, self.reserved_shortcuts(), self)
        dialog.keys_requested.connect(lambda mode: self.change_keys(mode, dialog))
        accepted = dialogs.exec_dialog(dialog) == SettingsDialog.DialogCode.Accepted
        settings, prefs = dialog.values()
        dialog.deleteLater()
        if not accepted or not self.session.is_unlocked:
            return
        try:
            save_shell_settings(self.session.require(), settings)
            if prefs != self.prefs:
                # Saves the choice and renames the state folder now; the vault's
                # folder follows at the next lock (Session.settle_location).
                self.set_prefs(apply_neutral_face(prefs.neutral_face, prefs.face))
            self.apply_settings(self.session.require())
        except VictimLogError as exc:
            dialogs.show_error(self, exc)

    def change_keys(self, mode: str, parent: QWidget | None = None) -> None:
        """Change the passphrase or replace the recovery key (#18.8), while unlocked."""
        if not self.session.is_unlocked:
            return
        from .passphrase import open_passphrase_dialog

        open_passphrase_dialog(self.session, self.face.name, mode, parent or self)

    def apply_settings(self, vault: Vault) -> None:
        from .settings import load_shell_settings  # not needed before the first unlock

        settings = load_shell_settings(vault)
        if self.locker.fixed_ms is None:
            self.locker.set_idle_minutes(settings.autolock_minutes)
        self.quick_exit.configure(
            settings.quick_exit_action, settings.quick_exit_shortcut, settings.cover_code
        )
        self._show_helplines(helplines_for(vault))

    def _back_from_cover(self) -> None:
        """The calculator cover's code was typed (#18.5): wear our face again and show
        the unlock screen (the diary stays locked until the passphrase is given)."""
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_face(app, self.face)
        if self.session.is_unlocked:
            self.locker.lock("quick exit")
        self._show_locked_screen()
        self.show()
        if QGuiApplication.platformName() not in ("offscreen", "minimal"):
            self.raise_()
        self.activateWindow()
        focus = self.unlock if self.current_screen() == self.UNLOCK else self.firstrun
        focus.focus_first()

    def choose_look(self, face: str) -> None:
        """The look chosen at the first start ("" for the app's own): saved, worn now,
        and the folders named to match before the diary is made."""
        self._ask_look = False
        try:
            prefs = apply_neutral_face(bool(face), face or self.prefs.face)
        except VictimLogError as exc:  # the disk: worn for this run, asked again next time
            dialogs.show_error(self, exc)
            prefs = Prefs(neutral_face=bool(face), face=face or self.prefs.face).validated()
        self.set_prefs(prefs)
        self.session.settle_location()

    def set_prefs(self, prefs: Prefs) -> None:
        """Wear the new face now (titles, icon); the taskbar follows on next start."""
        self.prefs = prefs
        self.face = face_for(prefs)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_face(app, self.face)
        from .desktopentry import wear_in_menu

        wear_in_menu(self.face)
        self.setWindowTitle(self.face.name)
        self.setWindowIcon(self.face.icon())
        self.setAccessibleName(self.face.name)
        if self._firstrun is not None:
            self._firstrun.app_name = self.face.name
        self._show_outer_actions(self.session.is_unlocked or not prefs.neutral_face)
        self.quick_exit.reset_cover()

    # ------------------------------------------------------------------ bundles, closing

    def open_bundle(self, path: Path) -> None:
        """Show a received export bundle in its own window."""
        from ..tools.bundleviewer import open_bundle

        open_bundle(self, path)

    def shutdown(self) -> None:
        """Lock and forget everything held for later; used when the app ends."""
        self.locker.lock("closing")
        self.locker.forget()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt name
        self.shutdown()
        super().closeEvent(event)


def _focus_into(widget: QWidget) -> None:
    """Keyboard focus to ``widget`` or, if it takes none, its first focusable child."""
    if widget.focusPolicy() != Qt.FocusPolicy.NoFocus or widget.focusProxy() is not None:
        widget.setFocus()
        return
    for child in widget.findChildren(QWidget):
        if child.isVisibleTo(widget) and child.isEnabled() and child.focusPolicy() & Qt.FocusPolicy.TabFocus:
            child.setFocus()
            return


def _local_time(iso: str) -> str:
    """A failed attempt's time on the case's clock, naming it (#16.4)."""
    from datetime import datetime  # not needed to paint the first screen

    from ... import casetime

    try:
        when = casetime.in_zone(datetime.fromisoformat(iso))
    except ValueError:
        return ""
    return when.strftime("%d %b %Y at ") + casetime.clock_text(when, when.tzinfo)


def _quit_application() -> None:
    QCoreApplication.quit()
