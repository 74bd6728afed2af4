"""``timeline.pdf``: the export as an officer reads it, like a paginated witness log.

What an officer needs in five minutes (shared/DOMAIN.md): whose log, what period,
how much of what kind, who is responsible, which orders are in force, the pattern
over time, breaches listed on their own, then every incident in date order with its
exhibits by reference and hash, and proof of how entries were amended.

How it is made, and why:

* **Real text** in an embedded, subset Unicode font (DejaVu Sans, bundled in
  ``resources/fonts``), so screen readers, search and ``pdftotext`` work and the
  document looks the same on every machine. The chart is drawn with rectangles and
  its numbers are repeated as a table for readers who cannot see it.
* **Nothing the user typed can break the layout or crash the export**: text goes
  through :func:`victim_log.textsafe.display_safe` (bidi controls removed, control
  characters shown as U+FFFD), tabs become spaces, and a character the font lacks
  is replaced before fpdf2 sees it: a symbol by its Unicode name in brackets
  (``[pile of poo]``), anything else by U+FFFD. fpdf2 would otherwise log the missing
  characters, and logs must never hold diary text. Right-to-left scripts are shown
  in stored (logical) order, as fpdf2 cannot shape them without HarfBuzz; the CSV
  and JSON keep every character exactly.
* **The page-count alias** (``{nb}``) is only switched on while the footer is drawn,
  so a diary entry that happens to contain ``{nb}`` is printed as typed.
* **Deterministic**: the creation date is the export time, so the same case gives
  the same bytes (the bundle is reproducible).
* **Memory**: fpdf2 keeps every page's drawing commands uncompressed until the end
  (about 20 KB a page; 26,000 pages for 100,000 entries). Each page is packed with
  zlib as soon as the next one starts (:class:`_PackedPage`) and unpacked one page at
  a time while the file is written (:class:`_Producer`); the file itself is handed
  on a piece at a time as fpdf2 makes it (:class:`_Sink`, :func:`write_pdf`), never
  held whole. Its bytes are exactly those fpdf2 alone would write.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
import zlib
from array import array
from collections import deque
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any
from typing import BinaryIO
from typing import Literal

from fpdf import FPDF
from fpdf.bidi import BidiParagraph
from fpdf.bidi import auto_detect_base_direction
from fpdf.enums import TextDirection
from fpdf.enums import XPos
from fpdf.enums import YPos
from fpdf.fonts import TTFFont
from fpdf.outline import OutlineDictionary
from fpdf.output import OutputProducer
from fpdf.output import PDFPage
from fpdf.syntax import PDFContentStream
from fpdf.syntax import PDFObject
from fpdf.syntax import PDFString
from fpdf.syntax import build_obj_dict
from fpdf.syntax import iobj_ref

from ..errors import NotFound
from ..model import SHORT_LABELS
from ..references import ranges_text
from ..resources import resources_dir
from ..textsafe import display_safe
from ..textsafe import plural
from . import disclosure
from . import keyfacts
from . import provenance
from .case import CaseExhibit
from .case import CaseIncident
from .case import CaseOrder
from .case import ExportCase
from .case import Packed
from .case import PeriodCount
from .case import format_date
from .case import format_datetime
from .versions import LEGEND
from .versions import officer_rows
from .versions import row_changes
from .versions import word_diff

__all__ = ["pdf_bytes", "render_pdf", "write_pdf"]

FONT = "dejavu"
MONO = "dejavumono"
FONT_FILES = {
    (FONT, ""): "DejaVuSans.ttf",
    (FONT, "B"): "DejaVuSans-Bold.ttf",
    (MONO, ""): "DejaVuSansMono.ttf",
}

# Layout, in millimetres and points.
MARGIN_X = 18.0
MARGIN_TOP = 21.0
MARGIN_BOTTOM = 18.0
BODY_PT = 10.0
LINE = 5.0  # body line height
LABEL_W = 34.0
SMALL_PT = 8.5

INK = (20, 20, 20)
MUTED = (90, 90, 90)
RULE = (170, 170, 170)
BAND = (232, 236, 242)
BAR = (52, 101, 164)
BAR_BREACH = (170, 40, 40)
PRIVATE = (150, 60, 0)

_ALIAS = "{nb}"


def _font_path(name: str) -> Path:
    path = resources_dir() / "fonts" / name
    if not path.is_file():
        raise NotFound(f"A file Victim Log needs is missing (fonts/{name}). Please reinstall Victim Log.")
    return path


_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff]")
_MIRROR = dict(zip("()[]{}<>«»‹›", ")(][}{><»«›‹", strict=True))


def _visual(line: str, base: TextDirection) -> str:
    """A wrapped line in display order (Unicode bidi algorithm), for Hebrew and Arabic.

    PDF text is drawn left to right, glyph by glyph; right-to-left runs must be
    reversed (and their brackets mirrored) first, which is also what text extractors
    expect. Arabic letters still appear in their isolated forms: joining them needs
    a shaping engine (HarfBuzz) we do not ship.
    """
    if not _RTL.search(line):
        return line
    try:
        chars = BidiParagraph(text=line, base_direction=base).get_reordered_characters()
    except Exception:  # noqa: BLE001 - an unusual line is printed in stored order, not lost
        return line
    return "".join(
        _MIRROR.get(c.character, c.character) if c.embedding_level % 2 else c.character for c in chars
    )


class _Text:
    """Make user text printable with our font, caching the decision per character."""

    def __init__(self, covered: frozenset[int]) -> None:
        self._covered = covered
        self._map: dict[str, str] = {"\t": "    "}

    def _replacement(self, ch: str) -> str:
        cat = unicodedata.category(ch)
        if cat in ("Mn", "Me", "Cf") or 0xFE00 <= ord(ch) <= 0xFE0F or 0x1F3FB <= ord(ch) <= 0x1F3FF:
            return ""  # joiners, variation selectors, skin tones: nothing to show alone
        if cat.startswith("S"):
            name = unicodedata.name(ch, "")
            if name:
                return f"[{name.lower()}]"
        return "\ufffd"

    def __call__(self, text: str, *, single_line: bool = False) -> str:
        text = unicodedata.normalize("NFC", display_safe(text, single_line=single_line))
        unknown = [
            ch for ch in set(text) if ch not in self._map and ch != "\n" and ord(ch) not in self._covered
        ]
        for ch in unknown:
            self._map[ch] = self._replacement(ch)
        if "\t" in text or unknown or any(ch in self._map for ch in set(text)):
            text = "".join(self._map.get(ch, ch) for ch in text)
        return text


class _PackedPage:
    """A finished page's drawing commands, zlib-packed until the file is written.

    fpdf2 replaces the page-count alias in each page at output (``contents.replace``);
    the replacements are recorded here and made when the page is unpacked, in order,
    so the unpacked page is byte for byte the one fpdf2 would have had.
    """

    __slots__ = ("_packed", "_replacements")
    LEVEL = 6  # about 12 % smaller than level 1: held for every page until the end

    def __init__(self, contents: bytes | bytearray) -> None:
        self._packed = zlib.compress(contents, self.LEVEL)
        self._replacements: list[tuple[bytes, bytes]] = []

    def replace(self, old: bytes, new: bytes) -> _PackedPage:
        self._replacements.append((old, new))
        return self

    def unpack(self) -> bytearray:
        data = bytearray(zlib.decompress(self._packed))
        for old, new in self._replacements:
            data = data.replace(old, new)
        return data


class _OnceStream(PDFContentStream):
    """A page's content stream that lets go of its bytes once they are in the file
    (fpdf2 would hold every page's stream beside the whole file until the end).

    A packed page's stream (``_packed``) is only made, compressed as fpdf2 compresses
    it, as it is written: fpdf2 would make every page's stream before writing the
    first, beside the packed pages."""

    __slots__ = ()
    _packed: _PackedPage | None = None

    def serialize(self, *args: Any, **kwargs: Any) -> str:
        if self._packed is not None:
            contents = self._packed.unpack()
            self._packed = None
            self._contents = (
                zlib.compress(contents, level=self._COMPRESSION_LEVEL) if self.filter else bytes(contents)
            )
            self.length = len(self._contents)
        try:
            return super().serialize(*args, **kwargs)
        finally:
            self._contents = b""


class _OutlineTree:
    """The links of the document outline (one bookmark per entry), as ints: what
    fpdf2's ``build_outline_objs`` links with one object per bookmark."""

    ROOT = -1  # the outline dictionary itself

    def __init__(self, levels: Sequence[int]) -> None:
        n = len(levels)
        self.parent, self.prev, self.next = array("l", [0]) * n, array("l", [-2]) * n, array("l", [-2]) * n
        self.first, self.last, self.count = array("l", [-2]) * n, array("l", [-2]) * n, array("l", [0]) * n
        self.root_first = self.root_last = -2  # -2: none
        self.root_count = 0
        last_at: dict[int, int] = {}  # the last item at each level above this one
        for k, level in enumerate(levels):
            if level in last_at:
                self.prev[k] = last_at[level]
                self.next[last_at[level]] = k
            parent = last_at.get(level - 1, self.ROOT)
            self.parent[k] = parent
            if parent == self.ROOT:
                if self.root_first == -2:
                    self.root_first = k
                self.root_last = k
                self.root_count += 1
            else:
                if self.first[parent] == -2:
                    self.first[parent] = k
                self.last[parent] = k
                self.count[parent] += 1
            last_at[level] = k
            last_at = {lvl: item for lvl, item in last_at.items() if lvl <= level}


class _OutlineItem(PDFObject):
    """One bookmark, written as fpdf2's ``OutlineItemDictionary`` writes it (the same
    keys, in the same order), from its section and the tree's links only as it is
    written: fpdf2's own objects took about 700 bytes a bookmark (#23.8)."""

    __slots__ = ("_id", "_k", "_section", "_tree", "_first_id", "_root_id")

    def __init__(self, k: int, section: Any, tree: _OutlineTree, first_id: int, root_id: int) -> None:
        super().__init__()
        self._k, self._section, self._tree = k, section, tree
        self._first_id, self._root_id = first_id, root_id

    def _ref(self, k: int) -> str | None:
        if k == -2:
            return None
        return iobj_ref(self._root_id if k == _OutlineTree.ROOT else self._first_id + k)

    def _build_obj_dict(self, security_handler: Any = None) -> dict[str, object]:
        t, k = self._tree, self._k
        return build_obj_dict(
            {  # in the order fpdf2's dir() gives them
                "count": t.count[k],
                "dest": self._section.dest,
                "first": self._ref(t.first[k]),
                "last": self._ref(t.last[k]),
                "next": self._ref(t.next[k]),
                "parent": self._ref(t.parent[k]),
                "prev": self._ref(t.prev[k]),
                "struct_elem": self._section.struct_elem,
                "title": PDFString(self._section.name, encrypt=True),
            },
            _security_handler=security_handler,
            _obj_id=self.id,
        )


class _Sink:
    """fpdf2's output buffer, replaced: what fpdf2 appends (``+=``) goes on to
    ``write`` a few hundred KB at a time, and ``len()`` is the bytes made so far
    (fpdf2 takes each object's offset from it), so the file is never held whole."""

    __slots__ = ("_held", "_write", "md5", "size")
    FLUSH = 256 * 1024

    def __init__(self, write: Callable[[bytearray], object]) -> None:
        self._write = write
        self._held = bytearray()
        self.size = 0
        # fpdf2's file identifier is the MD5 of the file up to its trailer (_Doc.file_id)
        self.md5 = hashlib.md5(usedforsecurity=False)

    def __iadd__(self, data: bytes) -> _Sink:
        self._held += data
        self.size += len(data)
        self.md5.update(data)
        if len(self._held) >= self.FLUSH:
            self.flush()
        return self

    def __len__(self) -> int:
        return self.size

    def flush(self) -> None:
        held, self._held = self._held, bytearray()
        if held:
            self._write(held)


class _Producer(OutputProducer):
    """fpdf2's writer, given the pages one at a time: each packed page is unpacked
    just before fpdf2 makes its content stream (compressed as always), so at most one
    page is ever held uncompressed, and each stream is dropped once written. The file
    goes to the document's :class:`_Sink` as it is made."""

    _one: PDFPage | None = None

    def __init__(self, fpdf: FPDF) -> None:
        super().__init__(fpdf)
        if isinstance(fpdf, _Doc) and fpdf.sink is not None:
            self.buffer = fpdf.sink  # type: ignore[assignment]  # appended to and measured only

    def _iter_pages_in_order(self) -> Iterator[PDFPage]:
        if self._one is not None:
            yield self._one
        else:
            yield from super()._iter_pages_in_order()

    def _add_document_outline(self) -> tuple[OutlineDictionary | None, Sequence[Any]]:
        """fpdf2's outline, with an :class:`_OutlineItem` for each bookmark."""
        sections = self.fpdf._outline
        if not sections:
            return None, ()
        tree = _OutlineTree([s.level for s in sections])
        outline = OutlineDictionary()
        self._add_pdf_obj(outline, "document_outline")
        items = [_OutlineItem(k, s, tree, outline.id + 1, outline.id) for k, s in enumerate(sections)]
        for item in items:
            self._add_pdf_obj(item)
        if tree.root_count:
            outline.first = items[tree.root_first]  # type: ignore[assignment]  # an object: its ref is written
            outline.last = items[tree.root_last]  # type: ignore[assignment]
        outline.count = tree.root_count
        return outline, sections  # bufferize reads each one's dest

    def _add_pages(self, _slice: slice = slice(0, None)) -> list[PDFPage]:
        objs: list[PDFPage] = []
        for page in list(self._iter_pages_in_order())[_slice]:
            packed = page.contents if isinstance(page.contents, _PackedPage) else None
            if packed is not None:
                page.contents = bytearray()  # a stand-in: the stream is made from ``packed`` when written
            self._one = page
            try:
                objs += super()._add_pages()
            finally:
                self._one = None
            if type(page.contents) is PDFContentStream:
                page.contents.__class__ = _OnceStream
                if packed is not None:
                    page.contents._packed = packed  # type: ignore[attr-defined]  # set on _OnceStream
        return objs


class _Doc(FPDF):
    def __init__(self, case: ExportCase) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.case = case
        for (family, style), name in FONT_FILES.items():
            self.add_font(family, style, str(_font_path(name)))
        self.clean = _Text(self._covered())
        self.set_margins(MARGIN_X, MARGIN_TOP, MARGIN_X)
        self.set_auto_page_break(True, MARGIN_BOTTOM)
        self.alias_nb_pages(None)  # type: ignore[arg-type]  # documented: None switches it off
        self.c_margin = 0
        self._title = self.clean(case.case_title, single_line=True)
        exported = format_datetime(case.exported_at, seconds=False)
        self._exported = f"Exported {self.clean(exported, single_line=True)}"
        self._packed_upto = 0  # pages before this one are packed (_PackedPage)
        self.sink: _Sink | None = None  # where the file goes as it is made (write_pdf)

    def add_page(self, *args: Any, **kwargs: Any) -> None:
        """fpdf2's add_page; then every finished page (all but the new one) is packed."""
        super().add_page(*args, **kwargs)
        while self._packed_upto < self.page - 1:
            self._packed_upto += 1
            page = self.pages[self._packed_upto]
            if isinstance(page.contents, bytearray):
                page.contents = _PackedPage(page.contents)  # type: ignore[assignment]

    def file_id(self) -> str | Literal[-1] | None:
        """fpdf2's own identifier (``FPDF._default_file_id``: the MD5 of the file up to
        its trailer, then the creation date), from the sink's running MD5, as the file
        is not held whole."""
        if self.sink is None or not self.sink.size:
            return -1  # not written through the sink: fpdf2 hashes its own buffer
        digest = self.sink.md5.copy()
        if self.creation_date:
            digest.update(self.creation_date.strftime("%Y%m%d%H%M%S").encode("utf8"))
        ident = digest.hexdigest().upper()
        return f"<{ident}><{ident}>"

    def _covered(self) -> frozenset[int]:
        """Code points every proportional style we use can draw (mono only prints hex)."""
        sets = [
            set(font.cmap)
            for key, font in self.fonts.items()
            if isinstance(font, TTFFont) and key.startswith(FONT) and not key.startswith(MONO)
        ]
        return frozenset(set.intersection(*sets))

    @property
    def body_w(self) -> float:
        return float(self.w - self.l_margin - self.r_margin)

    # --------------------------------------------------------------- page furniture

    def header(self) -> None:
        self.set_y(9)
        self.set_font(FONT, "B", 8.5)
        self.set_text_color(*MUTED)
        title_w = self.body_w * 0.6
        title = self._title
        while title and self.get_string_width(title) > title_w:
            title = title[:-2] + "…"
        self.cell(title_w, 4, title)
        self.set_font(FONT, "", 8.5)
        self.cell(self.body_w - title_w, 4, self._exported, align="R")
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        self.line(self.l_margin, 14.5, self.w - self.r_margin, 14.5)
        self.set_y(MARGIN_TOP)
        self.set_text_color(*INK)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        self.line(self.l_margin, self.get_y() - 1.5, self.w - self.r_margin, self.get_y() - 1.5)
        self.set_font(FONT, "", 8.5)
        self.set_text_color(*MUTED)
        span = self.clean(self.case.exhibit_span, single_line=True)
        self.cell(
            self.body_w / 3,
            4,
            self.fit(f"Exhibits: {span}" if self.case.exhibits else span, self.body_w / 3 - 1),
        )
        before = self.str_alias_nb_pages
        self.alias_nb_pages(_ALIAS)
        self.cell(self.body_w / 3, 4, f"Page {self.page_no()} of {_ALIAS}", align="C")
        self.alias_nb_pages(before)
        self.cell(self.body_w / 3, 4, self.case.software, align="R")
        self.set_text_color(*INK)

    # --------------------------------------------------------------- building blocks

    def need(self, height: float) -> None:
        """Start a new page unless ``height`` mm still fit (keeps headings with their text)."""
        if self.get_y() + height > self.h - MARGIN_BOTTOM:
            self.add_page()

    def h1(self, text: str, outline: str | None = None) -> None:
        self.start_section(outline or text, level=0)
        self.set_font(FONT, "B", 16)
        self.set_text_color(*INK)
        self.multi_cell(self.body_w, 8, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def section(
        self, title: str, content: object, if_empty: str, *, chapter: bool = False, outline: str | None = None
    ) -> bool:
        """A heading (``chapter``: an ``h1`` on a new page, else an ``h2``) and, when
        ``content`` is empty, the sentence ``if_empty`` saying so. True when there is
        something to show under it."""
        if chapter:
            self.add_page()
            self.h1(title, outline)
        else:
            self.h2(title)
        if not content:
            self.para(if_empty)
        return bool(content)

    def h2(self, text: str) -> None:
        self.need(18)
        self.ln(2)
        self.set_font(FONT, "B", 12)
        self.multi_cell(self.body_w, 6.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def para(
        self,
        text: str,
        *,
        size: float = BODY_PT,
        color: tuple[int, int, int] = INK,
        bold: bool = False,
        line: float = LINE,
    ) -> None:
        self.set_font(FONT, "B" if bold else "", size)
        self.set_text_color(*color)
        self.text_lines(self.l_margin, line, self.wrap(self.clean(text), self.body_w))
        self.set_text_color(*INK)

    # fpdf2's multi_cell re-measures each line character by character, which made a
    # 1,000-incident export take many seconds. Body text is wrapped here in one pass
    # with the font's width table and placed line by line with text().

    def wrap(self, text: str, width: float) -> list[str]:
        """Greedy word wrap of ``text`` in the current font; over-long words break anywhere."""
        font = self.current_font
        assert isinstance(font, TTFFont)
        cw = font.cw
        limit = width / (self.font_size_pt * 0.001 / self.k) + 0.01  # in font units

        def units(t: str) -> float:
            return float(sum(cw[ord(ch)] for ch in t))

        space = units(" ")
        lines: list[str] = []
        for par in text.split("\n"):
            first = len(lines)
            cur: list[str] = []
            cur_w = 0.0
            started = False
            for word in par.split(" "):
                ww = units(word)
                extra = (space if started else 0.0) + ww
                if cur_w + extra <= limit:
                    if started:
                        cur.append(" ")
                    cur.append(word)
                    cur_w += extra
                    started = True
                    continue
                if started:
                    lines.append("".join(cur))
                cur, cur_w = [word], ww
                if ww > limit:  # a URL, a hash, a long run of letters: break anywhere
                    cur, cur_w = [], 0.0
                    for ch in word:
                        w = float(cw[ord(ch)])
                        if cur and cur_w + w > limit:
                            lines.append("".join(cur))
                            cur, cur_w = [], 0.0
                        cur.append(ch)
                        cur_w += w
                started = True
            lines.append("".join(cur))
            if _RTL.search(par):
                base = auto_detect_base_direction(par)
                lines[first:] = [_visual(line, base) for line in lines[first:]]
        return lines

    def text_lines(self, x: float, line_h: float, lines: Sequence[str]) -> None:
        """Place wrapped lines from the current y, continuing on new pages as needed."""
        family, style, size = self.font_family, self.font_style, self.font_size_pt
        bottom = self.h - MARGIN_BOTTOM
        for line in lines:
            if self.y + line_h > bottom:
                self.add_page()
                self.set_font(family, style, size)
            if line:
                self.text(x, self.y + 0.5 * line_h + 0.3 * self.font_size, line)
            self.y += line_h
        self.x = self.l_margin

    def field(
        self,
        label: str,
        value: str,
        *,
        mono: bool = False,
        size: float = BODY_PT,
        color: tuple[int, int, int] = INK,
        bold: bool = False,
    ) -> None:
        """A label in the left column and wrapped text beside it (never truncated)."""
        if not value:
            return
        value = self.clean(value)  # idempotent: callers' text may already be clean
        label = self.clean(label, single_line=True)
        style = "B" if bold and not mono else ""
        self.set_font(MONO if mono else FONT, style, size)
        line_h = LINE if size >= BODY_PT else 4.4
        lines = self.wrap(value, self.body_w - LABEL_W)
        # Keep short values on one page with their label; long ones flow across pages.
        self.need(min(len(lines) * line_h, 40.0))
        y = self.y
        self.set_font(FONT, "B", SMALL_PT)
        self.set_text_color(*MUTED)
        self.text(self.l_margin, y + 0.5 * line_h + 0.3 * self.font_size + 0.2, self.fit(label, LABEL_W - 2))
        self.set_font(MONO if mono else FONT, style, size)
        self.set_text_color(*color)
        self.text_lines(self.l_margin + LABEL_W, line_h, lines)
        self.set_text_color(*INK)
        self.y += 0.8

    def grid(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        aligns: Sequence[str],
    ) -> None:
        """A plain table of short, single-line cells (labels and numbers only)."""
        h = 5.2
        saved_margin = self.c_margin
        self.c_margin = 1.2

        def head() -> None:
            self.set_font(FONT, "B", 9)
            self.set_fill_color(*BAND)
            for text, w, a in zip(header, widths, aligns, strict=True):
                self.cell(w, h, text, border=1, align=a, fill=True)
            self.ln(h)

        self.need(2 * h)
        head()
        self.set_font(FONT, "", 9.5)
        for row in rows:
            if self.get_y() + h > self.h - MARGIN_BOTTOM:
                self.add_page()
                head()
                self.set_font(FONT, "", 9.5)
            for text, w, a in zip(row, widths, aligns, strict=True):
                self.cell(w, h, self.fit(text, w - 2.4), border=1 if text or a else 0, align=a)
            self.ln(h)
        self.c_margin = saved_margin

    def width_of(self, text: str) -> float:
        """Width of ``text`` in mm in the current font (faster than get_string_width)."""
        font = self.current_font
        assert isinstance(font, TTFFont)
        cw = font.cw
        return float(sum(cw[ord(ch)] for ch in text)) * self.font_size_pt * 0.001 / self.k

    def fit(self, text: str, width: float) -> str:
        """Shorten a one-line label of our own to ``width`` (diary text is never cut)."""
        if self.width_of(text) <= width:
            return text
        while text and self.width_of(text + "…") > width:
            text = text[:-1]
        return text + "…"


# ------------------------------------------------------------------------ sections


def _title_page(pdf: _Doc, case: ExportCase) -> None:
    c = pdf.clean
    pdf.add_page()
    pdf.start_section("Summary", level=0)
    pdf.set_font(FONT, "B", 20)
    pdf.multi_cell(pdf.body_w, 9.5, c(case.case_title), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 12)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(
        pdf.body_w,
        6.5,
        "Timeline of incidents and list of exhibits, for the police",
        align="L",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_text_color(*INK)
    pdf.ln(4)

    n = len(case.incidents)
    breaches = len(case.breaches)
    if case.owner:
        pdf.field("Whose log", c(case.owner))
    pdf.field("Period covered", c(case.period_text))
    flagged = len(case.breaches_flagged)
    pdf.field(
        "Incidents",
        f"{n}"
        + (f", of which {plural(breaches, 'breach', 'breaches')} of an order" if breaches else "")
        + (
            f" ({flagged} dated when the order is not shown to be in force or served: see Breaches of orders)"
            if flagged
            else ""
        ),
    )
    pdf.field("Which incidents", c(case.selection))
    imported_note = _imported_note(case)
    if imported_note:
        pdf.field("Imported records", imported_note)
    pdf.field(
        "Exhibits",
        f"{len(case.exhibits)}"
        + (f" (references {c(case.exhibit_span)}, listed in Appendix B)" if case.exhibits else ""),
    )
    pdf.field("References", _references_note(case))
    pdf.field("Exported", c(format_datetime(case.exported_at)))
    if case.time_zone:
        pdf.field(
            "Times",
            c(
                f"On the clock of {case.time_zone} (the case's time zone), each marked with its "
                "zone (for example BST or GMT); the CSV and JSON give each with its UTC offset."
            ),
        )
    pdf.field("Private notes", "Included at the owner's request" if case.include_private else "Not included")
    pdf.field(
        "Redactions",
        "\n".join(c(r) for r in case.redactions) if case.redactions else "None: this copy is not redacted.",
    )
    if case.deleted_not_exported:
        pdf.field(
            "Deleted entries",
            f"{plural(case.deleted_not_exported, 'entry', 'entries')} dated in this period "
            f"{'was' if case.deleted_not_exported == 1 else 'were'} deleted from the log before "
            "export and not included. "
            "Each deletion, with its reason, stays in the log's history.",
        )
    disclosure.pdf_title_field(pdf, case.not_included)

    _signing_key(pdf, case)

    perps = case.perpetrators
    pdf.h2("Perpetrator" + ("s" if len(perps) > 1 else "") + " named in this log")
    if not perps:
        pdf.para("No perpetrator is named in the exported incidents.")
    for p in perps:
        pdf.need(12)
        pdf.set_font(FONT, "B", 11)
        who = c(p.name) + (f" ({c(p.relationship)})" if p.relationship else "")
        pdf.multi_cell(pdf.body_w, 6, who, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.field("Also known as", c("; ".join(p.aliases)))
        pdf.field("Phone numbers", c("; ".join(p.phones)))
        pdf.field("Accounts", c("; ".join(p.accounts)))
        pdf.field("Vehicles", c("; ".join(p.vehicles)))
    disclosure.pdf_other_people(pdf, case.people)

    pdf.h2("Orders")
    if not case.orders:
        pdf.para("No protection order is recorded in the log.")
    for o in case.orders:
        pdf.need(14)
        pdf.set_font(FONT, "B", 11)
        pdf.multi_cell(pdf.body_w, 6, c(o.order_type), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.field("Against", c(o.person_name))
        pdf.field("Reference", c(o.reference))
        pdf.field("Court", c(o.court))
        pdf.field("Made on", c(format_date(o.made_on)) if o.made_on else "Not recorded")
        pdf.field("Interim or full", _stage(o.interim) or "Not recorded")
        pdf.field("Notice", "Made without notice to the respondent" if o.without_notice else "")
        pdf.field("Served", c(_served_text(o)[0].upper() + _served_text(o)[1:]))
        pdf.field("Expires", c(format_date(o.expires_on)) if o.expires_on else "Until further order")
        pdf.field(
            "Variations",
            "\n".join(
                c(f"{format_date(on)}: {what}" + (f" (now ends {format_date(end)})" if end else ""))
                for on, what, end in o.variations
            ),
        )
        pdf.field("Status", c(f"{o.status} on the export date (each breach: on its own date)"))
        pdf.field("Conditions", "\n".join(f"{k}. {c(t)}" for k, t in enumerate(o.conditions, 1)))

    pdf.h2("Incidents by kind")
    pdf.para(
        "An incident can be of more than one kind, so these numbers can add up to more "
        f"than the {n} incidents.",
        size=9,
        color=MUTED,
        line=4.5,
    )
    pdf.ln(1)
    cw = (pdf.body_w - 6) / 2
    pdf.set_font(FONT, "", 9.5)
    kinds = []
    for k in case.counts_by_kind:
        label = c(k.label, single_line=True)
        if pdf.get_string_width(label) > cw - 22.4:
            label = c(SHORT_LABELS.get(k.kind, k.label), single_line=True)
        kinds.append((label, str(k.count)))
    half = math.ceil(len(kinds) / 2)
    rows = [(*kinds[k], "", *(kinds[k + half] if k + half < len(kinds) else ("", ""))) for k in range(half)]
    if rows:
        pdf.grid(
            ("Kind", "Incidents", "", "Kind", "Incidents"),
            rows,
            (cw - 20, 20, 6, cw - 20, 20),
            ("L", "R", "", "L", "R"),
        )


def _signing_key(pdf: _Doc, case: ExportCase) -> None:
    """The fingerprint in a box, big enough for the victim to read out over the phone.

    For the officer it is only what the bundle claims (issue #14): the text says to
    compare with what the sender said, and to check the signature before running
    anything from the bundle."""
    c = pdf.clean
    pdf.ln(2)
    if not case.fingerprint:
        pdf.field(
            "Unsigned copy",
            "This PDF was exported on its own: it is an unsigned copy, not part of a "
            "signed export bundle, so no signature vouches for it. Ask the sender for "
            "the signed bundle to check it.",
            bold=True,
        )
        return
    pdf.need(26)
    y = pdf.get_y()
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.3)
    pdf.set_xy(pdf.l_margin + 3, y + 2.5)
    pdf.set_font(FONT, "B", SMALL_PT)
    pdf.set_text_color(*MUTED)
    pdf.cell(LABEL_W - 5, 6, "Signing key")
    pdf.set_font(MONO, "", 14)
    pdf.set_text_color(*INK)
    pdf.cell(
        pdf.body_w - LABEL_W - 3,
        6,
        c(case.fingerprint_readout, single_line=True),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_x(pdf.l_margin + LABEL_W)
    pdf.set_font(MONO, "", 8)
    pdf.cell(
        pdf.body_w - LABEL_W - 3,
        4.5,
        c(case.fingerprint, single_line=True),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_x(pdf.l_margin + LABEL_W)
    pdf.set_font(FONT, "", 8.5)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(
        pdf.body_w - LABEL_W - 3,
        4.2,
        "The key this bundle names as its signer. Whoever alters a bundle can alter "
        "this page too, so do not compare with it: compare the key that checking "
        "reports with the one the sender read to you by phone or in person. Check "
        "the signature (victim-log verify --expect-key, ssh-keygen -Y verify or "
        "minisign -V, as README.txt shows) before running any script from inside "
        "the bundle.",
        align="L",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_text_color(*INK)
    bottom = pdf.get_y() + 2
    pdf.rect(pdf.l_margin, y, pdf.body_w, bottom - y)
    pdf.set_y(bottom + 1)


def _axis(value: int) -> tuple[int, int]:
    """(top, step) for a count axis: whole-number steps of 1, 2 or 5 x 10^n, at most 5 ticks."""
    value = max(value, 1)
    mag = 1
    while True:
        for step in (mag, 2 * mag, 5 * mag):
            if math.ceil(value / step) <= 5:
                return step * math.ceil(value / step), step
        mag *= 10


def _chart(pdf: _Doc, periods: Sequence[PeriodCount], monthly: bool) -> None:
    """A bar chart of incidents (breaches in red at the base of each bar)."""
    height, label_h, axis_w = 55.0, 9.0, 9.0
    pdf.need(height + label_h + 12)
    x0 = pdf.l_margin + axis_w
    y0 = pdf.get_y() + 2
    w = pdf.body_w - axis_w
    top, step = _axis(max(p.count for p in periods))
    ticks = top // step
    pdf.set_font(FONT, "", 7.5)
    pdf.set_text_color(*MUTED)
    pdf.set_line_width(0.1)
    for t in range(ticks + 1):
        value = step * t
        y = y0 + height - height * t / ticks
        pdf.set_draw_color(215, 215, 215)
        pdf.line(x0, y, x0 + w, y)
        pdf.set_xy(pdf.l_margin, y - 1.8)
        pdf.cell(axis_w - 1.5, 3.6, str(value), align="R")
    n = len(periods)
    slot = w / n
    bar_w = slot * 0.72
    for k, p in enumerate(periods):
        x = x0 + k * slot + (slot - bar_w) / 2
        total_h = height * p.count / top
        breach_h = height * p.breaches / top
        if total_h > breach_h:
            pdf.set_fill_color(*BAR)
            pdf.rect(x, y0 + height - total_h, bar_w, total_h - breach_h, style="F")
        if breach_h > 0:
            pdf.set_fill_color(*BAR_BREACH)
            pdf.rect(x, y0 + height - breach_h, bar_w, breach_h, style="F")
    pdf.set_draw_color(*MUTED)
    pdf.set_line_width(0.25)
    pdf.line(x0, y0 + height, x0 + w, y0 + height)
    # Labels: as many as fit without overlapping.
    label_w = 15.0 if not monthly else 13.0
    every = max(1, math.ceil(label_w / slot))
    for k in range(0, n, every):
        p = periods[k]
        text = p.label if monthly else " ".join(p.label.split()[:2])
        cx = x0 + k * slot + slot / 2
        pdf.set_xy(cx - label_w / 2, y0 + height + 1)
        pdf.cell(label_w, 3.5, text, align="C")
        if not monthly and (
            k == 0
            or periods[k - 1].start[:4] != p.start[:4]
            or k - every < 0
            or periods[k - every].start[:4] != p.start[:4]
        ):
            pdf.set_xy(cx - label_w / 2, y0 + height + 4.2)
            pdf.cell(label_w, 3.5, p.start[:4], align="C")
    # Legend.
    pdf.set_xy(x0, y0 + height + label_h)
    pdf.set_fill_color(*BAR)
    pdf.rect(x0, pdf.get_y() + 0.8, 3, 3, style="F")
    pdf.set_x(x0 + 4)
    pdf.cell(40, 4.5, "Incidents")
    pdf.set_fill_color(*BAR_BREACH)
    pdf.rect(x0 + 30, pdf.get_y() + 0.8, 3, 3, style="F")
    pdf.set_x(x0 + 34)
    pdf.cell(80, 4.5, "of which breaches of an order")
    pdf.set_text_color(*INK)
    pdf.set_y(pdf.get_y() + 8)


def _pattern_section(pdf: _Doc, case: ExportCase) -> None:
    weeks = case.per_week
    if not pdf.section(
        "Pattern of incidents",
        weeks,
        "No exported incident has a known date, so there is no weekly pattern to show.",
        chapter=True,
    ):
        return
    n = sum(w.count for w in weeks)
    busiest = max(weeks, key=lambda w: w.count)
    per_week = n / len(weeks)
    text = (
        f"{plural(n, 'incident')} with a known date over {plural(len(weeks), 'week')} "
        f"(weeks beginning {weeks[0].label} to {weeks[-1].label}): on average "
        f"{per_week:.1f} a week. The busiest week began {busiest.label}, with "
        f"{plural(busiest.count, 'incident')}."
    )
    if case.date_not_known:
        text += f" {plural(case.date_not_known, 'incident')} without a known date are not counted."
    pdf.para(text)
    pdf.ln(2)
    monthly = len(weeks) > 60
    pdf.set_font(FONT, "B", 10)
    pdf.cell(
        pdf.body_w,
        5,
        "Incidents per month" if monthly else "Incidents per week",
        align="L",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    _chart(pdf, case.per_month if monthly else weeks, monthly)

    if monthly:
        pdf.h2("Incidents per month (the numbers in the chart)")
        _count_table(pdf, case.per_month, "Month")
    pdf.h2("Incidents per week" + ("" if monthly else " (the numbers in the chart)"))
    _count_table(pdf, weeks, "Week beginning")


def _count_table(pdf: _Doc, periods: Sequence[PeriodCount], first: str) -> None:
    """Counts in two side-by-side column groups, to halve the length."""
    half = math.ceil(len(periods) / 2)
    rows = []
    for k in range(half):
        a = periods[k]
        b = periods[k + half] if k + half < len(periods) else None
        rows.append(
            (
                a.label,
                str(a.count),
                str(a.breaches),
                "",
                b.label if b else "",
                str(b.count) if b else "",
                str(b.breaches) if b else "",
            )
        )
    cw = (pdf.body_w - 6) / 2
    widths = (cw * 0.5, cw * 0.25, cw * 0.25, 6, cw * 0.5, cw * 0.25, cw * 0.25)
    pdf.grid(
        (first, "Incidents", "Breaches", "", first, "Incidents", "Breaches"),
        rows,
        widths,
        ("L", "R", "R", "", "L", "R", "R"),
    )


def _condition_text(order: CaseOrder | None, condition: str) -> str:
    if order is not None and condition in order.conditions:
        return f"Condition {order.conditions.index(condition) + 1}: {condition}"
    return f"Condition: {condition}" if condition else "Condition not recorded"


def _order_facts(order: CaseOrder) -> str:
    """Made, served, interim or full, ends: what decides whether a breach was in force."""
    facts = [
        f"made on {format_date(order.made_on)}" if order.made_on else "date made not recorded",
        "without notice" if order.without_notice else "",
        _stage(order.interim).lower(),
        _served_text(order),
        f"ends on {format_date(order.expires_on)}" if order.expires_on else "until further order",
    ]
    text = ", ".join(f for f in facts if f)
    return text[0].upper() + text[1:] + "."


def _stage(interim: bool | None) -> str:
    return "" if interim is None else ("Interim order" if interim else "Full order")


def _served_text(order: CaseOrder) -> str:
    if not order.served_on:
        return "service not recorded"
    how = f" {order.served_how.lower()}" if order.served_how else ""
    by = f" by {order.served_by}" if order.served_by else ""
    return f"served on {format_date(order.served_on)}{how}{by}"


def _breach_lines(pdf: _Doc, order: CaseOrder | None, items: list[CaseIncident]) -> None:
    c = pdf.clean
    for i in items:
        text = f"{c(i.when)}: {c(i.summary)}\n{c(_condition_text(order, i.order_condition))}"
        if i.order_in_force_text:
            text += f"\n{c(i.order_in_force_text)}"
        if i.police.reference:
            text += f"\nPolice reference {c(i.police.reference)}"
        pdf.field(f"Entry {i.number}", text)
        pdf.ln(0.8)


def _breaches_section(pdf: _Doc, case: ExportCase) -> None:
    """Breaches per order, each judged on its own date (never the export date, #16.3):
    those the log cannot show were of an order in force and served are set apart,
    with the reason, and left out of the counts per condition."""
    c = pdf.clean
    breaches = case.breaches
    if not pdf.section(
        "Breaches of orders",
        breaches,
        "None of the exported incidents is recorded as a breach of an order.",
        chapter=True,
    ):
        return
    flagged = case.breaches_flagged
    intro = (
        f"{plural(len(breaches), 'incident')} recorded as a breach of an order, in date "
        "order. Each is set out in full under its entry number in the timeline. Whether "
        "the order was in force is judged on the date of each breach, from the order's "
        "dates as recorded (made, served, ended), not on the date of this export."
    )
    if flagged:
        intro += (
            f" {plural(len(flagged), 'of them is', 'of them are')} dated when the log does not show "
            "the order was in force, or known to have been served: listed apart under each "
            "order, with the reason, and not counted as breaches of a condition."
        )
    pdf.para(intro)
    orders = {o.id: o for o in case.orders}
    groups: dict[int | None, list[CaseIncident]] = {}
    for i in breaches:
        key = i.order_id if i.order_id in orders else None
        groups.setdefault(key, []).append(i)
    for key, items in groups.items():
        order = orders.get(key) if key is not None else None
        held = [i for i in items if not i.breach_flagged]
        apart = [i for i in items if i.breach_flagged]
        if order is not None:
            pdf.h2(c(order.label))
            facts = _order_facts(order)
            if order.person_name:
                facts += f" Against {order.person_name}."
            pdf.para(c(facts), size=9.5, color=MUTED)
            counts: dict[str, int] = {}
            for i in held:
                label = _condition_text(order, i.order_condition)
                counts[label] = counts.get(label, 0) + 1
            pdf.ln(1.5)
            for label, n in counts.items():
                pdf.field(plural(n, "breach", "breaches"), c(label))
        else:
            pdf.h2("Breaches not linked to a recorded order")
        pdf.ln(2)
        if order is not None and held:
            pdf.para("In force on the date of the breach:", size=9.5)
        _breach_lines(pdf, order, held)
        if apart and order is not None:
            pdf.ln(1)
            pdf.para(
                "Recorded as breaches, but not shown to be in force on the date (check "
                "before relying on them):",
                size=9.5,
                color=BAR_BREACH,
            )
        _breach_lines(pdf, order, apart)


def _size(n: int) -> str:
    """A size people read at a glance; the exact byte count is in Appendix B."""
    if n < 1024:
        return plural(n, "byte")
    value = float(n) / 1024
    units = ["KB", "MB", "GB", "TB"]
    while value >= 1024 and len(units) > 1:
        value /= 1024
        units.pop(0)
    return f"{value:.1f} {units[0]}" if value < 10 else f"{value:.0f} {units[0]}"


def _imported_note(case: ExportCase) -> str:
    """The title page's word on imported records and context entries (#16.5)."""
    imported = sum(1 for i in case.incidents if i.imported)
    parts = []
    if imported:
        parts.append(
            plural(imported, "incident")
            + (" is an imported record: " if imported == 1 else " are imported records: ")
            + "messages or calls as the phone or app exported them, not typed by the victim. "
            "Their time is the export's own; 'Imported' is when they entered the log."
        )
    if case.context:
        parts.append(
            f"{plural(len(case.context), 'message')} the victim sent (asking the sender to stop) "
            + ("is" if len(case.context) == 1 else "are")
            + " shown in the timeline as context: not incidents, and not counted."
        )
    return " ".join(parts)


def _in_date_order(case: ExportCase) -> Iterator[CaseIncident]:
    """Incidents and context entries together, by when they happened (context entries
    without a date last), read one at a time (#23.8)."""
    if not case.context:
        yield from case.incidents
        return

    def key(i: CaseIncident) -> tuple[int, float]:
        try:
            return (0, datetime.fromisoformat(i.occurred_start).timestamp())
        except ValueError:
            return (1, 0.0)

    rest = deque(sorted(case.context, key=key))
    for inc in case.incidents:
        while rest and key(rest[0])[0] == 0 and inc.occurred_start and key(rest[0]) < key(inc):
            yield rest.popleft()
        yield inc
    yield from rest


def _context_entry(pdf: _Doc, i: CaseIncident) -> None:
    """A context entry: the victim's own reply from an imported chat, not an incident."""
    c = pdf.clean
    pdf.need(20)
    heading = f"Context (entry {i.number}, not an incident): {c(i.when, single_line=True)}"
    pdf.para(heading, size=9.5, bold=True, color=MUTED)
    pdf.ln(1)
    pdf.field("The victim replied", c(i.details))
    pdf.field("Record", c(f"Imported record: {i.imported_as}" if i.imported_as else "Imported record"))
    pdf.field("Imported", format_datetime(i.first_recorded_at))
    pdf.ln(2.5)


def _recorded_text(i: CaseIncident) -> str:
    text = format_datetime(i.first_recorded_at)
    if i.imported:  # when it entered the log, not a measure of anyone's memory
        return text
    start = i.occurred_start
    try:
        occurred = datetime.fromisoformat(start) if start else None
        recorded = datetime.fromisoformat(i.first_recorded_at)
    except ValueError:
        return text
    if occurred is None:
        return text
    delta = recorded - occurred
    if delta.total_seconds() < 0:
        return text
    if i.precision in ("day", "unknown_time"):
        days = (recorded.date() - occurred.date()).days
        after = "the same day" if days == 0 else plural(days, "day") + " later"
    elif delta.total_seconds() < 3600:
        after = "within the hour"
    elif delta.days < 2:
        after = plural(int(delta.total_seconds() // 3600), "hour") + " later"
    else:
        after = plural(delta.days, "day") + " later"
    return f"{text} ({after})"


def _changes_text(i: CaseIncident) -> list[tuple[str, str]]:
    """Rows for an entry's later versions: account changes apart from file changes."""
    counts = i.changes
    rows: list[tuple[str, str]] = []
    account = [v for v in i.versions[1:] if v.account_changed]
    if counts.account_changes and account:
        last = account[-1]
        rows.append(
            (
                "Amended",
                f"Account changed {plural(counts.account_changes, 'time')}, last on "
                f"{format_datetime(last.recorded_at)} ({last.reason}). "
                "The earlier wording is in Appendix A.",
            )
        )
    elif counts.account_changes:  # no version details (a case built by hand)
        rows.append(("Amended", f"Account changed {plural(counts.account_changes, 'time')}."))
    if counts.evidence_changes:
        rows.append(
            (
                "Files changed",
                f"Files attached or taken off {plural(counts.evidence_changes, 'time')} "
                "(not a change to the account; see Appendix A).",
            )
        )
    return rows


#: The officer labels (victim_log.fields) of the rows _incident writes itself.
_OWN_ROWS = frozenset(
    {"Summary", "Kind", "When", "Where", "What happened", "People", "Witnesses", "Effect on me"}
    | {"What I did", "Police", "Breach", "Written by", "Note", "Source", "Source time", "Private note"}
)


def _incident(pdf: _Doc, i: CaseIncident, exhibits: dict[str, CaseExhibit]) -> None:
    c = pdf.clean
    pdf.need(26)
    day = format_date(i.occurred_start) if i.occurred_start else "date not known"
    pdf.start_section(f"Entry {i.number}: {day}", level=1)
    y = pdf.get_y()
    pdf.set_fill_color(*BAND)
    pdf.rect(pdf.l_margin, y, pdf.body_w, 7, style="F")
    pdf.set_font(FONT, "", 8)
    pdf.set_text_color(*MUTED)
    ident = f"log id {i.id}, version {i.version}"
    ident_w = pdf.width_of(ident)
    pdf.text(pdf.l_margin + pdf.body_w - 2 - ident_w, y + 4.6, ident)
    pdf.set_font(FONT, "B", 10.5)
    pdf.set_text_color(*INK)
    pdf.text(
        pdf.l_margin + 2,
        y + 4.9,
        pdf.fit(f"Entry {i.number}   {c(i.when, single_line=True)}", pdf.body_w - ident_w - 8),
    )
    pdf.set_xy(pdf.l_margin, y + 8.5)
    pdf.field("Summary", c(i.summary), bold=True)
    pdf.field("Kind", c("; ".join(i.kind_labels)))
    if i.imported:
        record = f"Imported record, not typed by the victim: {i.imported_as}" if i.imported_as else ""
        pdf.field("Record", c(record or "Imported record, not typed by the victim"))
        pdf.field("Imported", format_datetime(i.first_recorded_at))
    else:
        pdf.field("Recorded", _recorded_text(i))
    for label, text in _changes_text(i):
        pdf.field(label, c(text))
    pdf.field("Where", c(i.location))
    pdf.field("What happened", c(i.details))
    pdf.field("People", c("; ".join(f"{p.name} ({p.role_label.lower()})" for p in i.people)))
    pdf.field("Witnesses", c(i.witnesses))
    effect = "\n".join(c(e) for e in i.effect_labels)
    if i.effect_text:
        effect = (effect + "\n" if effect else "") + c(i.effect_text)
    pdf.field("Effect on me", effect)
    pdf.field("What I did", c(i.actions))
    if not i.police.is_empty():
        police = [
            f"Reference {i.police.reference}" if i.police.reference else "",
            " ".join(
                x
                for x in (
                    i.police.officer,
                    f"(collar number {i.police.collar_number})" if i.police.collar_number else "",
                )
                if x
            ),
            f"reported on {format_date(i.police.reported_on)}" if i.police.reported_on else "",
        ]
        pdf.field("Police", c("; ".join(p for p in police if p)))
    if i.breach:
        order = i.order_label or "an order"
        pdf.field("Breach", c(f"{order}: {i.order_condition}" if i.order_condition else order))
        pdf.field(
            "Order in force?",
            c(i.order_in_force_text),
            color=BAR_BREACH if i.breach_flagged else INK,
        )
    if i.exhibits:
        lines = []
        for ref in i.exhibits:
            ex = exhibits[ref]
            lines.append(
                f"{ref}  {c(ex.original_filename, single_line=True)} ({c(ex.media_type)}, {_size(ex.size)})"
            )
        pdf.field("Exhibits", "\n".join(lines))
        for ref in i.exhibits:
            pdf.field(f"SHA-256 {ref}", exhibits[ref].sha256, mono=True, size=8)
    if i.exhibits_not_included:
        pdf.field(
            "Files left out",
            c("; ".join(i.exhibits_withheld) or plural(i.exhibits_not_included, "attached file"))
            + ": removed from the log before export, so not included.",
        )
    if i.author and i.author != "victim" and not i.imported:
        pdf.field("Written by", c(i.author_label))
    if i.complete_later:
        pdf.field("Note", "The author marked this entry to be completed later.")
    pdf.field("Source", c(i.source))
    pdf.field("Source time", c(i.source_time))  # exactly as the source wrote it
    if i.date_flag:
        flag = f"Dated {i.date_flag}: a typing error? Left out of the counts per week and month."
        pdf.field("Date check", c(flag))
    # A field victim_log.fields declares that the rows above do not show yet (one
    # added later) is still printed, under its officer label, never silently left out.
    for label, text in officer_rows(i):
        if label not in _OWN_ROWS:
            pdf.field(label, c(text))
    if i.private_note:
        pdf.field("Private note", c(i.private_note), color=PRIVATE)
    pdf.ln(2.5)


def _incidents_section(pdf: _Doc, case: ExportCase) -> None:
    if not pdf.section(
        "Incidents in date order", case.incidents, "There are no incidents in this export.", chapter=True
    ):
        return
    pdf.para(
        "Every time is on the clock of the case's time zone and names it (BST, GMT, or "
        'an offset such as +02:00); an imported record also gives its "Source time" exactly '
        'as the source wrote it. "At about" marks an '
        'approximate time and "time not known" a date without a time. "Recorded" is when '
        "the entry was first written in the log; the app sets it and it cannot be edited. "
        "What happened is shown word for word as written. Entries that were changed say so; "
        "Appendix A gives every earlier version's wording, with its date and reason, and "
        "tells changes to the account apart from files attached or taken off. Exhibits are the "
        "original files, with their SHA-256 hashes taken when each entered the log. "
        "Characters this PDF's font cannot show appear as \ufffd or as [their name]; "
        "timeline.csv and timeline.json hold the exact text. An imported record is a message or "
        "call as the phone or app exported it (not typed by the victim); 'Imported' says when it "
        "entered the log. 'Context' marks the victim's own replies from an import: not incidents.",
        size=9.5,
        line=4.8,
    )
    pdf.ln(3)
    exhibits = {e.reference: e for e in case.exhibits}
    for i in _in_date_order(case):
        if i.context:
            _context_entry(pdf, i)
        else:
            _incident(pdf, i, exhibits)


def _history_appendix(pdf: _Doc, case: ExportCase) -> None:
    """Appendix A: the earlier wording of every entry with more than one version.

    Version 1 in full (when the account ever changed), then each later version with
    its reason and a word-level diff of every part that changed, so the first version
    and every step from it to the current text can be read on paper.
    """
    changed = Packed(i for i in case.incidents if len(i.versions) > 1 or i.amended)
    if not pdf.section(
        "Appendix A: Earlier versions of changed entries",
        changed,
        "No exported entry was changed after it was first recorded.",
        chapter=True,
        outline="Appendix A: Earlier versions",
    ):
        return
    pdf.para(
        f"{plural(len(changed), 'entry', 'entries')} changed after first being recorded. For "
        "each, the account as first written, in full, then every later version: when it "
        "was written, the reason given and, for each part of the account that changed, "
        "its words before and after. Attaching a file to an entry or taking one off makes a "
        "new version but does not change the account, so those versions are counted "
        "apart. The timeline shows the latest version. Every version's full text is also "
        "in timeline.json (versions) and versions.csv, and every version is in the "
        "hash-chained journal (journal.jsonl).",
        size=9.5,
        line=4.8,
    )
    pdf.ln(1)
    pdf.para(LEGEND, size=9.5, line=4.8, bold=True)
    pdf.ln(2)
    for i in changed:
        _entry_versions(pdf, i, case.include_private)


def _entry_versions(pdf: _Doc, i: CaseIncident, include_private: bool) -> None:
    c = pdf.clean
    pdf.need(20)
    pdf.para(f"Entry {i.number}: {c(i.summary, single_line=True)}", size=10, bold=True, line=5.5)
    counts = i.changes
    pdf.para(
        f"Account changed {plural(counts.account_changes, 'time')}; files attached or taken off "
        f"{plural(counts.evidence_changes, 'time')}"
        + (
            f"; private note alone changed {plural(counts.private_note_changes, 'time')}."
            if counts.private_note_changes
            else "."
        ),
        size=9.5,
        color=MUTED,
    )
    if not i.versions:  # a case built without version details: dates and reasons only
        for h in i.history:
            pdf.field(f"Version {h.version}", c(f"{format_datetime(h.recorded_at)}: {h.reason}"))
        pdf.ln(1)
        return
    first = i.versions[0]
    if counts.account_changes:
        pdf.para(
            f"Version 1, first recorded {format_datetime(first.recorded_at)}: the account as first written",
            size=9.5,
            bold=True,
        )
        for label, text in officer_rows(first, include_private=include_private):
            pdf.field(label, c(text))
    else:
        pdf.para(
            f"Version 1, first recorded {format_datetime(first.recorded_at)}. The account is "
            "unchanged since; what the later versions changed is listed below.",
            size=9.5,
        )
    previous = first
    for v in i.versions[1:]:
        pdf.need(14)
        current = " (the current version)" if v is i.versions[-1] else ""
        pdf.para(
            f"Version {v.version}, recorded {format_datetime(v.recorded_at)}{current}", size=9.5, bold=True
        )
        pdf.field("Reason given", c(v.reason))
        if v.changed_fields:  # the account, and the private note when it is included
            rows = row_changes(previous, v, v.changed_fields, include_private=include_private)
            for label, old, new in rows:
                same = "Changed; both versions are redacted in this copy."
                pdf.field(label, c(word_diff(old, new) if old != new else same))
        if v.evidence_changed:
            files = "; ".join(
                [f"{r} attached" for r in v.evidence_attached]
                + [f"{r} taken off" for r in v.evidence_detached]
            )
            pdf.field("Files", c(files if v.account_changed else files + " (the account did not change)"))
        if v.private_note_changed and not include_private:
            pdf.field("Private note", "Changed (private notes are not included in this export).")
        if v.change == "none":
            pdf.field("Change", "Nothing in this export differs from the version before.")
        previous = v
    pdf.ln(2)


def _exhibits_appendix(pdf: _Doc, case: ExportCase) -> None:
    c = pdf.clean
    none = "No exhibits are attached to the exported incidents."
    if not pdf.section("Appendix B: Exhibits", case.exhibits, none, chapter=True):
        return
    pdf.para(
        (
            "Each exhibit is the original file, unchanged, in the bundle's data/exhibits "
            "folder. Its SHA-256 hash was taken when it entered the log; recompute it (for "
            "example with sha256sum; on Windows with certutil -hashfile FILE SHA256 in Command "
            "Prompt, Get-FileHash -Algorithm SHA256 FILE in PowerShell, or the bundle's "
            "verify_bundle.ps1, which checks every file but not the signature) to confirm it. The "
            "hashes printed here count only once the bundle's signature has been checked "
            "against the key the sender gave you (see README.txt)."
        )
        if case.fingerprint
        else (
            "The exhibit files are not part of this PDF, which is an unsigned copy. Each "
            "SHA-256 hash was taken when the file entered the log; recompute it from the "
            "original (for example with sha256sum; on Windows with certutil -hashfile FILE "
            "SHA256 or PowerShell's Get-FileHash -Algorithm SHA256 FILE) to confirm it is the "
            "same file."
        ),
        size=9.5,
        line=4.8,
    )
    pdf.ln(2)
    for e in case.exhibits:
        pdf.need(34)
        pdf.set_font(FONT, "B", 10.5)
        pdf.cell(pdf.body_w, 6, f"Exhibit {c(e.reference)}", align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if case.fingerprint:
            pdf.field("File in bundle", c(e.bag_path))
        pdf.field("Original name", c(e.original_filename))
        pdf.field("SHA-256", e.sha256, mono=True, size=8)
        pdf.field("Type and size", f"{c(e.media_type)}, {e.size:,} bytes")
        pdf.field("Added to log", c(format_datetime(e.added_at)))
        pdf.field("Supports", ", ".join(f"Entry {n}" for n in e.incident_numbers))
        provenance.pdf_fields(pdf, e)
        pdf.ln(1.5)


def _references_note(case: ExportCase) -> str:
    """Why the numbers have gaps, said on the title page (references never move)."""
    text = (
        '"Entry N" is the log\'s own number for the entry and exhibit references are given '
        "once, the first time an export includes the file: both stay the same in every "
        "export."
    )
    if case.entries_not_exported or case.entries_deleted or case.exhibits_not_exported:
        text += ' Those not in this export are listed under "Entries and exhibits not in this export".'
    return text


def _not_in_export_section(pdf: _Doc, case: ExportCase) -> None:
    """Every entry and exhibit reference this export does not carry, so an officer
    comparing two exports can account for every number."""
    c = pdf.clean
    pdf.add_page()
    pdf.h1("Entries and exhibits not in this export")
    pdf.para(
        "Entry and exhibit references never change between exports, so numbers missing "
        "here belong to entries or files that are not in this export. timeline.json lists "
        "the same under not_in_this_export.",
        size=9.5,
        line=4.8,
    )
    pdf.ln(2)
    pdf.field(
        "Entries not chosen",
        ranges_text(case.entries_not_exported) or "None: every entry in the log that is not deleted is here.",
    )
    pdf.field("Deleted entries", ranges_text(case.entries_deleted) or "None")
    if case.exhibits_not_exported:
        pdf.field("Exhibits", "\n".join(c(f"{e.reference}: {e.why}") for e in case.exhibits_not_exported))
    else:
        pdf.field("Exhibits", "None: every exhibit reference given so far is in this export.")


def render_pdf(case: ExportCase, out: BinaryIO, *, standalone: bool = False) -> None:
    """Write ``timeline.pdf`` for ``case`` to ``out`` (a binary file object).

    ``standalone``: the PDF is exported on its own, not inside a signed bundle. It then
    says it is an unsigned copy and names no signing key and no bundle (#16.7).
    """
    write_pdf(case, out.write, standalone=standalone)


def pdf_bytes(case: ExportCase, *, standalone: bool = False) -> bytearray:
    """``timeline.pdf`` for ``case``, whole: see :func:`render_pdf`."""
    buf = bytearray()
    write_pdf(case, buf.extend, standalone=standalone)
    return buf


def write_pdf(case: ExportCase, write: Callable[[bytearray], object], *, standalone: bool = False) -> int:
    """Make ``timeline.pdf`` for ``case``, handing its bytes to ``write`` in pieces as
    they are made (the file is never held whole, #23.8); return its size. See
    :func:`render_pdf` for ``standalone``."""
    if standalone:
        case = replace(case, fingerprint="", fingerprint_readout="")
    pdf = _Doc(case)
    pdf.set_title(display_safe(case.case_title, single_line=True))
    pdf.set_author(display_safe(case.owner or case.case_title, single_line=True))
    pdf.set_subject("Timeline of incidents and list of exhibits")
    pdf.set_creator(case.software)
    pdf.set_lang("en-GB")
    try:
        created = datetime.fromisoformat(case.exported_at)
    except ValueError:
        created = None
    if created is not None:
        pdf.set_creation_date(created)
    keyfacts.pdf_key_facts(pdf, case)  # page 1: the course of conduct at a glance (#20)
    _title_page(pdf, case)
    _pattern_section(pdf, case)
    _breaches_section(pdf, case)
    _incidents_section(pdf, case)
    _history_appendix(pdf, case)
    _exhibits_appendix(pdf, case)
    _not_in_export_section(pdf, case)
    disclosure.pdf_section(pdf, case.not_included, standalone=standalone)
    provenance.pdf_statements(pdf, case.exhibits)
    pdf.alias_nb_pages(_ALIAS)  # substitution of the footers' page totals happens at output
    pdf.sink = _Sink(write)
    made = pdf.output(output_producer_class=_Producer)
    if isinstance(made, _Sink):
        made.flush()
        return made.size
    write(made)  # another producer than ours (fpdf2's own, in a test): its whole buffer
    return len(made)
