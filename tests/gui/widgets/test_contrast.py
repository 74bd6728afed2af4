"""#18 focus and contrast (WCAG 2.2 AA), computed from the palette in light and dark:
the toolbar's focus ring is 2 px at 3:1 or better; text is 4.5:1 or better, for the
selected row, instruction placeholders, the greyed (disabled) time that will be
saved, the timeline's muted day headings, flag pills and kind badges' labels; the
kind badges' white glyphs are 4.5:1 on their colour and the badges stand out 3:1."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QStyleFactory
from PySide6.QtWidgets import QToolBar

from tests.gui.shellfixtures import OFFSCREEN_NOISE  # noqa: F401
from tests.gui.shellfixtures import make_window  # noqa: F401
from tests.gui.shellfixtures import qsettings_home  # noqa: F401
from victim_log.gui.diary.timeline_delegate import row_colors
from victim_log.gui.widgets import contrast
from victim_log.gui.widgets import icons

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

Role, Group = QPalette.ColorRole, QPalette.ColorGroup


def _light() -> QPalette:
    style = QStyleFactory.create("Fusion")
    assert style is not None
    return style.standardPalette()


def _dark() -> QPalette:
    """A common dark desktop palette (Breeze Dark's colours), with Qt's derived
    placeholder (text at half opacity) and a dim disabled text, as shipped."""
    p = QPalette()
    colours = {
        Role.Window: "#31363b",
        Role.WindowText: "#eff0f1",
        Role.Base: "#232629",
        Role.AlternateBase: "#31363b",
        Role.Text: "#eff0f1",
        Role.Button: "#31363b",
        Role.ButtonText: "#eff0f1",
        Role.Highlight: "#3daee9",
        Role.HighlightedText: "#eff0f1",
        Role.ToolTipBase: "#31363b",
        Role.ToolTipText: "#eff0f1",
        Role.Mid: "#2b3034",
    }
    for role, name in colours.items():
        p.setColor(role, QColor(name))
    placeholder = QColor("#eff0f1")
    placeholder.setAlphaF(0.5)
    p.setColor(Role.PlaceholderText, placeholder)
    for role in (Role.Text, Role.WindowText, Role.ButtonText):
        p.setColor(Group.Disabled, role, QColor("#474b4f"))
    p.setColor(Group.Inactive, Role.Highlight, QColor("#2c5d77"))
    return p


PALETTES = {"light": _light, "dark": _dark}


def test_the_shipped_dark_palette_falls_short_without_the_fix():
    raw = _dark()
    assert contrast.ratio(raw.color(Group.Disabled, Role.Text), raw.color(Group.Disabled, Role.Base)) < 3
    assert contrast.ratio(raw.color(Role.HighlightedText), raw.color(Role.Highlight)) < 4.5
    assert contrast.ratio(raw.color(Role.PlaceholderText), raw.color(Role.Base)) < 4.5


def test_ratio_matches_wcag():
    assert contrast.ratio(QColor("black"), QColor("white")) == pytest.approx(21)
    assert contrast.ratio(QColor("#777777"), QColor("white")) == pytest.approx(4.48, abs=0.01)
    grey = QColor("black")
    grey.setAlphaF(0.5)
    assert contrast.over(grey, QColor("white")).name() in ("#7f7f7f", "#808080")


@pytest.mark.parametrize("name", sorted(PALETTES))
def test_every_text_pair_reads_at_4_5(qapp, name):
    palette = contrast.readable_palette(PALETTES[name]())
    for group in (Group.Active, Group.Inactive, Group.Disabled):
        for fg, bg in (
            (Role.Text, Role.Base),  # the greyed (disabled) time that will be saved, in Disabled
            (Role.PlaceholderText, Role.Base),  # instruction placeholders
            (Role.HighlightedText, Role.Highlight),  # the selected row
            (Role.WindowText, Role.Window),
            (Role.ButtonText, Role.Button),
        ):
            got = contrast.ratio(palette.color(group, fg), palette.color(group, bg))
            assert got >= 4.5, (name, group, fg, bg, round(got, 2))


@pytest.mark.parametrize("name", sorted(PALETTES))
def test_focus_ring_is_2px_at_3_to_1(qapp, name):
    palette = contrast.readable_palette(PALETTES[name]())
    ring = contrast.focus_ring(palette)
    for bg in (Role.Window, Role.Button):
        assert contrast.ratio(ring, palette.color(bg)) >= 3.0, (name, bg)
    css = contrast.focus_css("QToolButton", palette)
    assert f"{contrast.FOCUS_WIDTH}px solid {ring.name()}" in css and contrast.FOCUS_WIDTH >= 2


@pytest.mark.parametrize("name", sorted(PALETTES))
@pytest.mark.parametrize("selected", [False, True])
def test_timeline_rows_badges_and_flags(qapp, name, selected):
    palette = contrast.readable_palette(PALETTES[name]())
    colors = row_colors(palette, selected)
    assert contrast.ratio(colors.text, colors.background) >= 4.5
    assert contrast.ratio(colors.muted, colors.background) >= 4.5  # the repeated day heading
    for flag in icons.FLAG_COLORS:
        _tint, fill, text = colors.flag(flag)
        assert contrast.ratio(text, contrast.over(fill, colors.background)) >= 4.5, flag
    for kind, colour in icons.KIND_COLORS.items():
        assert contrast.ratio(QColor("white"), QColor(colour)) >= 4.5, kind  # the glyph
        edge = colors.badge_edge(kind)
        seen = contrast.ratio(QColor(colour), colors.background)
        assert seen >= 3.0 or (edge is not None and contrast.ratio(edge, colors.background) >= 3.0), kind


def test_the_main_toolbar_draws_the_ring(qtbot, tmp_path, qapp):
    old = qapp.palette()
    qapp.setPalette(contrast.readable_palette(_dark()))
    try:
        window, _session, _quit = make_window(qtbot, tmp_path)
        ring = contrast.focus_ring(window.palette())
        for bar in window.findChildren(QToolBar):
            assert f"2px solid {ring.name()}" in bar.styleSheet()
        assert contrast.ratio(ring, window.palette().color(Role.Window)) >= 3.0
        window.close()
    finally:
        qapp.setPalette(old)


def test_the_app_reads_the_system_palette_afresh_and_fixes_it(qapp):
    from victim_log.gui.shell.app import readable_colours

    old = qapp.palette()
    try:
        qapp.setPalette(_dark())  # what an earlier theme left set
        readable_colours(qapp)
        palette = qapp.palette()
        assert palette.color(Role.Base) != QColor("#232629")  # the system's again, not the old one
        for group in (Group.Active, Group.Disabled):
            for fg, bg in ((Role.PlaceholderText, Role.Base), (Role.Text, Role.Base)):
                assert contrast.ratio(palette.color(group, fg), palette.color(group, bg)) >= 4.5
    finally:
        qapp.setPalette(old)
