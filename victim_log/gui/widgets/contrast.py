"""Colours people can read (WCAG 2.2 AA), worked out from the desktop's own palette.

Why: the app keeps the system's palette (light, dark or high contrast) so the
desktop's choices for readability apply, but some of Qt's derived colours fall short
on common palettes: placeholder instructions at half opacity (about 4:1), disabled
text such as the time that will be saved while "Just now" is chosen (1.6:1 on a dark
palette), a selected row's text, the toolbar's focus ring (1.7:1). Here each such pair
is measured with WCAG's contrast ratio and, only where it falls short, the foreground
is moved towards black or white until it reaches 4.5:1 for text and 3:1 for the focus
ring and other non-text marks. Colours that already pass are left exactly as they are.
"""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtGui import QPalette

TEXT_RATIO = 4.5  # WCAG 2.2 1.4.3, normal text
MARK_RATIO = 3.0  # WCAG 2.2 1.4.11 and 2.4.13: focus indicators, graphics
FOCUS_WIDTH = 2  # px: the ring's thickness (2.4.13 asks for at least 2 CSS px)

Role = QPalette.ColorRole
Group = QPalette.ColorGroup

# (foreground, background, minimum) pairs a palette must keep, in every colour group.
_TEXT_PAIRS: tuple[tuple[Role, Role], ...] = (
    (Role.Text, Role.Base),
    (Role.WindowText, Role.Window),
    (Role.ButtonText, Role.Button),
    (Role.PlaceholderText, Role.Base),
    (Role.HighlightedText, Role.Highlight),
    (Role.ToolTipText, Role.ToolTipBase),
)


def _channel(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(color: QColor) -> float:
    """WCAG relative luminance of an opaque colour."""
    return (
        0.2126 * _channel(color.redF()) + 0.7152 * _channel(color.greenF()) + 0.0722 * _channel(color.blueF())
    )


def over(color: QColor, background: QColor) -> QColor:
    """``color`` (maybe translucent) as it looks painted on opaque ``background``."""
    a = color.alphaF()
    return QColor.fromRgbF(
        color.redF() * a + background.redF() * (1 - a),
        color.greenF() * a + background.greenF() * (1 - a),
        color.blueF() * a + background.blueF() * (1 - a),
    )


def ratio(foreground: QColor, background: QColor) -> float:
    """WCAG contrast ratio (1 to 21) of ``foreground`` painted on ``background``."""
    fg = over(foreground, background)
    hi, lo = sorted((luminance(fg), luminance(background)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def readable(foreground: QColor, background: QColor, minimum: float = TEXT_RATIO) -> QColor:
    """``foreground`` if it reaches ``minimum`` on ``background``; else the nearest
    colour towards black or white (whichever the background leaves more room for)
    that does. Opaque either way."""
    fg = over(foreground, background)
    if ratio(fg, background) >= minimum:
        return foreground
    towards = QColor(0, 0, 0) if luminance(background) > 0.18 else QColor(255, 255, 255)
    for step in range(1, 21):
        t = step / 20
        mixed = QColor.fromRgbF(
            fg.redF() + (towards.redF() - fg.redF()) * t,
            fg.greenF() + (towards.greenF() - fg.greenF()) * t,
            fg.blueF() + (towards.blueF() - fg.blueF()) * t,
        )
        if ratio(mixed, background) >= minimum:
            return mixed
    return towards


def readable_palette(palette: QPalette) -> QPalette:
    """A copy of ``palette`` with every text pair (disabled ones included: the time
    that will be saved is shown in a disabled field) at 4.5:1 or better."""
    out = QPalette(palette)
    for group in (Group.Active, Group.Inactive, Group.Disabled):
        for fg_role, bg_role in _TEXT_PAIRS:
            fg, bg = out.color(group, fg_role), out.color(group, bg_role)
            fixed = readable(fg, bg)
            if fixed != fg:
                out.setColor(group, fg_role, fixed)
    return out


def focus_ring(palette: QPalette) -> QColor:
    """The focus ring's colour: the palette's highlight, made to stand out 3:1 from
    both the window and the buttons it is drawn around."""
    ring = palette.color(Role.Highlight)
    for background in (palette.color(Role.Window), palette.color(Role.Button)):
        ring = readable(ring, background, MARK_RATIO)
    return ring


def focus_css(selector: str, palette: QPalette) -> str:
    """A style sheet rule drawing the focus ring on ``selector`` (e.g. ``QToolButton``)."""
    ring = focus_ring(palette).name()
    return f"{selector}:focus {{ border: {FOCUS_WIDTH}px solid {ring}; border-radius: 4px; }}"
