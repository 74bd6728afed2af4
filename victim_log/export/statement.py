"""A draft to prepare a witness statement from the diary (#21): `victim-log statement`.

After the evidence goes to the police the victim is asked for a witness statement
(in England and Wales an MG11) that tells the course of conduct and produces each
exhibit. Writing it from memory, months later, is where a truthful person looks
unreliable: dates slip, an exhibit is described differently from the bundle. This
draft is built from the same export case as the bundle (the same entry numbers and
exhibit references, which never move), in date order and in the victim's own words as
recorded: what happened, each exhibit produced once in a sentence (the draft line
from :mod:`.provenance`), the effect, what they did and every report made.

It is plainly a DRAFT on every page: the app never signs it, adds no declaration of
truth and leaves [brackets] where only the witness can say. Private notes are left
out unless asked for. Rendered as .docx (python-docx) or .odt (OpenDocument, written
here with the standard library: a zip of XML parts).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from xml.sax.saxutils import escape

from ..errors import BadInput
from ..textsafe import display_safe
from .case import CaseExhibit
from .case import CaseIncident
from .case import ExportCase
from .case import format_date
from .case import format_datetime

__all__ = [
    "COUNTRIES",
    "COUNTRY_SETTING",
    "FORMATS",
    "Block",
    "StatementDraft",
    "build_statement",
    "clean_country",
    "render",
    "statement_format",
]

FORMATS = ("docx", "odt")
DRAFT_MARK = (
    "DRAFT: prepared from Victim Log to help write a witness statement. Not signed. Check every word."
)

#: The case's country (vault setting ``country``): which draft fits its courts. GB is
#: the default (an MG11-style witness statement); US adds a certification template for
#: the exhibits under Federal Rules of Evidence 902(13) and 902(14).
COUNTRY_SETTING = "country"
COUNTRIES = {"GB": "United Kingdom", "US": "United States"}
_TITLES = {
    "GB": "DRAFT witness statement",
    "US": "DRAFT declaration, with a certification template for the exhibits",
}

_NOT_YET = {
    "GB": "This is not a statement: the officer taking your statement will write it with you, "
    "and only you sign it, then.",
    "US": "This is not a declaration: prepare it with the prosecutor or your lawyer, and only you "
    "sign it, when every word is complete and true.",
}

# Characters XML 1.0 cannot hold at all (display_safe has replaced the controls).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class Block:
    """One paragraph of the draft; the renderers style it by its ``kind``."""

    kind: Literal["title", "heading", "para", "note", "bullet"]
    text: str


@dataclass(frozen=True)
class StatementDraft:
    blocks: tuple[Block, ...]
    incidents: int
    exhibits: tuple[str, ...]  # every exhibit reference produced, in order
    private_notes: bool
    country: str = "GB"

    @property
    def title(self) -> str:
        return _TITLES[self.country]


def clean_country(text: str) -> str:
    """``GB`` or ``US`` from what was typed (``uk``, ``gb``, ``us``); else BadInput."""
    given = text.strip().upper()
    given = {"UK": "GB", "USA": "US"}.get(given, given)
    if given not in COUNTRIES:
        raise BadInput("The country must be GB (the United Kingdom, the default) or US (the United States).")
    return given


def statement_format(path: Path) -> str:
    """``docx`` or ``odt`` from the file name; anything else is refused (exit 2)."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise BadInput("Give the draft a file name ending in .docx (Word) or .odt (LibreOffice, OpenOffice).")
    return suffix


def _clean(text: str, *, single_line: bool = False) -> str:
    return _NOT_XML.sub("\ufffd", display_safe(text, single_line=single_line)).strip()


def _sentence(text: str) -> str:
    text = _clean(text, single_line=True)
    return text if not text or text[-1] in ".!?…\"'" else text + "."


def _police(i: CaseIncident) -> str:
    p = i.police
    if p.is_empty():
        return ""
    parts = ["I reported this to the police"]
    if p.reported_on:
        parts.append(f"on {format_date(p.reported_on)}")
    if p.officer or p.collar_number:
        parts.append(f"(officer {' '.join(x for x in (p.officer, p.collar_number) if x)})")
    text = " ".join(parts)
    if p.reference:
        text += f"; the reference is {p.reference}"
    return _sentence(text)


def _produce(ex: CaseExhibit, country: str = "GB") -> str:
    """The exhibit produced in one sentence: the export's draft line, else a plain one.
    A US declaration names an exhibit ("Exhibit SM/5 is ...") rather than producing it."""
    if ex.provenance is not None and ex.provenance.statement:
        line = _clean(ex.provenance.statement, single_line=True)
    else:
        line = _sentence(
            f"I produce {ex.reference}, a file called {ex.original_filename} "
            f"[say what it is, and who made it, when and on what] (SHA-256 {ex.sha256[:16]}…)"
        )
    lead = f"I produce {ex.reference}, "
    if country == "US" and line.startswith(lead):
        line = f"Exhibit {ex.reference} is " + line[len(lead) :]
    return line


def _incident_blocks(
    i: CaseIncident, exhibits: dict[str, CaseExhibit], produced: set[str], country: str
) -> list[Block]:
    out: list[Block] = [Block("heading", f"{_clean(i.when, single_line=True)} (Entry {i.number})")]
    if i.context:  # the victim's own reply kept from an import: "You replied: Stop."
        said = i.summary[len("You replied:") :].strip() if i.summary.startswith("You replied:") else i.summary
        out.append(Block("para", _sentence(f"I replied: {said}")))
        return out
    if i.imported:
        out.append(
            Block(
                "para",
                _sentence(f"{i.summary} (an imported record, {i.imported_as}, not my own words)"),
            )
        )
    else:
        out.append(Block("para", _sentence(i.summary)))
        if i.details.strip():
            for part in _clean(i.details).split("\n\n"):
                if part.strip():
                    out.append(Block("para", part.strip()))
    if i.location.strip():
        out.append(Block("para", _sentence(f"Place: {i.location}")))
    if i.witnesses.strip():
        out.append(Block("para", _sentence(f"Witnesses: {i.witnesses}")))
    for ref in i.exhibits:
        ex = exhibits.get(ref)
        if ex is None:
            continue
        if ref in produced:
            out.append(Block("para", f"Exhibit {ref}, produced above, also relates to this."))
        else:
            produced.add(ref)
            out.append(Block("para", _produce(ex, country)))
    for ref in i.exhibits_withheld:
        out.append(Block("note", _sentence(f"A file this entry cites is not in this draft: {ref}")))
    if i.effect_text.strip() or i.effect_labels:
        words = i.effect_text.strip() or ", ".join(i.effect_labels).lower()
        out.append(Block("para", _sentence(f"How it affected me: {words}")))
    if i.actions.strip():
        out.append(Block("para", _sentence(f"What I did: {i.actions}")))
    police = _police(i)
    if police:
        out.append(Block("para", police))
    if i.breach and i.order_label:
        condition = f", condition: {i.order_condition}" if i.order_condition else ""
        out.append(Block("para", _sentence(f"I recorded this as a breach of the {i.order_label}{condition}")))
    if i.private_note:  # None unless private notes were asked for
        out.append(
            Block(
                "note", _sentence(f"Private note (yours; leave it out unless you choose): {i.private_note}")
            )
        )
    return out


def build_statement(case: ExportCase, country: str = "GB") -> StatementDraft:
    """The draft, from an export case built with the chosen options, for the case's
    country (``GB``: a witness statement; ``US``: a declaration and the FRE 902(13)/(14)
    certification template)."""
    country = clean_country(country)
    exhibits = {e.reference: e for e in case.exhibits}
    produced: set[str] = set()
    b: list[Block] = [
        Block("title", _TITLES[country]),
        Block("note", DRAFT_MARK),
        Block(
            "note",
            f"Made from my Victim Log diary ({_clean(case.case_title, single_line=True)}) on "
            f"{format_datetime(case.exported_at, seconds=False)}, covering {case.period_text}: "
            f"{len(case.incidents)} incidents and {len(case.exhibits)} exhibits. The entry numbers and "
            "exhibit references are the same as in the police export and never change. "
            + _NOT_YET[country]
            + " Change anything that is not how you would say it, and fill in or remove every [bracket].",
        ),
        Block("heading", "About me"),
        Block(
            "para",
            f"My name is {_clean(case.owner, single_line=True) or '[your name]'}. I am [over 18 / my age]. "
            "I am [your occupation].",
        ),
    ]
    perps = case.perpetrators
    if perps:
        b.append(Block("heading", "The person this is about"))
        for p in perps:
            known = "; ".join(
                x
                for x in (
                    f"also known as {', '.join(p.aliases)}" if p.aliases else "",
                    f"phone {', '.join(p.phones)}" if p.phones else "",
                    f"accounts {', '.join(p.accounts)}" if p.accounts else "",
                    f"vehicles {', '.join(p.vehicles)}" if p.vehicles else "",
                )
                if x
            )
            rel = (
                f" Relationship: {p.relationship} [say in your own words how you know them]."
                if p.relationship
                else " [Say how you know them.]"
            )
            b.append(Block("para", _sentence(f"{p.name}{f' ({known})' if known else ''}.{rel}")))
    if case.orders:
        b.append(Block("heading", "Orders"))
        for o in case.orders:
            made = f"made on {format_date(o.made_on)}" if o.made_on else "[date made]"
            served = f", served on {format_date(o.served_on)}" if o.served_on else ""
            court = f" at {o.court}" if o.court else ""
            b.append(Block("para", _sentence(f"There is a {o.label}{court}, {made}{served}")))
    b.append(Block("heading", "What happened, in date order"))
    entries = sorted((*case.incidents, *case.context), key=lambda i: (i.occurred_start or "~", i.number))
    if not entries:
        b.append(Block("para", "There are no entries in the period chosen."))
    for i in entries:
        b += _incident_blocks(i, exhibits, produced, country)
    for ex in case.exhibits:  # an exhibit no exported entry cites is still produced
        if ex.reference not in produced:
            produced.add(ex.reference)
            b.append(Block("para", _produce(ex, country)))
    b.append(Block("heading", "The effect on me"))
    effects: dict[str, int] = {}
    for i in case.incidents:
        for label in i.effect_labels:
            effects[label] = effects.get(label, 0) + 1
    if effects:
        counted = ", ".join(
            f"{label.lower()} ({n} {'entry' if n == 1 else 'entries'})" for label, n in effects.items()
        )
        b.append(Block("note", _sentence(f"The entries record: {counted}")))
    b.append(
        Block(
            "para",
            "[In your own words: how all of this, together, has changed your daily life, your "
            "work, your sleep, where you go and who you see, and how you feel now.]",
        )
    )
    b.append(Block("heading", "Reports I made"))
    reports = [i for i in case.incidents if not i.police.is_empty()]
    for i in reports:
        b.append(Block("bullet", f"Entry {i.number}, {_clean(i.when, single_line=True)}: {_police(i)}"))
    if not reports:
        b.append(Block("para", "[No report is recorded in the diary: say whether and when you reported it.]"))
    b.append(Block("heading", "Exhibits produced" if country == "GB" else "Exhibits"))
    for ex in case.exhibits:
        b.append(
            Block(
                "bullet",
                f"{ex.reference}: {_clean(ex.original_filename, single_line=True)}, SHA-256 {ex.sha256}",
            )
        )
    if not case.exhibits:
        b.append(Block("para", "No exhibits are cited by these entries."))
    if country == "US":
        b += _us_certification(case)
    b.append(Block("note", DRAFT_MARK))
    return StatementDraft(
        tuple(Block(x.kind, _clean(x.text)) for x in b),
        len(case.incidents),
        tuple(e.reference for e in case.exhibits),
        case.include_private,
        country,
    )


def _us_certification(case: ExportCase) -> list[Block]:
    """A template certification for the exhibits under FRE 902(13) and 902(14), with
    the 28 U.S.C. § 1746 declaration wording; every fact only the declarant can give is
    a [bracket], and the signature line stays blank."""
    b = [
        Block("heading", "Certification template: Federal Rules of Evidence 902(13) and 902(14)"),
        Block(
            "note",
            "A template only: complete it and check it with the prosecutor or a lawyer before anyone "
            "signs it. Under Rule 902(11) the party offering the records must give the other side "
            "reasonable written notice and make the certification and the records available before "
            "trial. The person who certifies must be a qualified person who can speak to how the "
            "copies were made; the court decides whether the rules are met.",
        ),
        Block(
            "para",
            "1. My name is [full name]. I am over 18 years of age and competent to make this "
            "certification. [Say how you know the facts below: for example, I kept this log and made "
            "or received the files listed.]",
        ),
        Block(
            "para",
            "2. Rule 902(14), data copied from an electronic device, storage medium or file. Each "
            "exhibit listed below is a copy of data copied from [the device or account, e.g. my phone] "
            "into Victim Log, an application that keeps an encrypted, hash-chained log. Each copy is "
            "identified by its SHA-256 hash value, a process of digital identification (the Secure "
            "Hash Standard, FIPS 180-4). Victim Log computed each hash value when the file was added "
            "to the log, and checked it again when the export of "
            f"{format_datetime(case.exported_at, seconds=False)} was made. A file with the same "
            "SHA-256 hash value as the one listed is identical, bit for bit, to the file that was "
            "added to the log.",
        ),
    ]
    for ex in case.exhibits:
        p = ex.provenance
        how = p.how_label if p is not None and p.how_label else "[say how it was obtained]"
        who = p.added_by_label if p is not None else "[who added it]"
        name = _clean(ex.original_filename, single_line=True)
        added = format_datetime(ex.added_at, seconds=False)
        b.append(
            Block(
                "bullet",
                f"Exhibit {ex.reference}: original file name {name}; {how}; added to the log on "
                f"{added} by {who}; {ex.size:,} bytes; SHA-256 {ex.sha256}",
            )
        )
    if not case.exhibits:
        b.append(Block("bullet", "[No exhibits are cited by these entries.]"))
    b += [
        Block(
            "para",
            "3. Rule 902(13), records generated by an electronic process or system. The timeline "
            f"of incidents and the exhibit list were generated by Victim Log {case.software} from the "
            "entries in the log. Victim Log records when each entry was first written from the "
            "computer's clock, keeps every earlier version, and signs each export with a key kept in "
            "the log, so that a changed file is detected. [Say how you know that this process "
            "produces an accurate result, or leave this paragraph to the person who can.]",
        ),
        Block("para", "4. [Anything else the prosecutor asks you to state.]"),
        Block(
            "para",
            "I declare under penalty of perjury that the foregoing is true and correct. "
            "Executed on [date] at [city, state].",
        ),
        Block(
            "note",
            "28 U.S.C. § 1746(2), for a declaration made in the United States. One made outside the "
            "United States reads: I declare under penalty of perjury under the laws of the United "
            "States of America that the foregoing is true and correct.",
        ),
        Block("para", "[Signature: left blank. Sign only when every statement above is complete and true.]"),
        Block("para", "[Printed name]"),
    ]
    return b


# ---------------------------------------------------------------------------- .docx


def _docx(draft: StatementDraft) -> bytes:
    from docx import Document
    from docx.shared import Pt
    from docx.shared import RGBColor

    doc = Document()
    props = doc.core_properties
    props.author = props.last_modified_by = "Victim Log (draft, not signed)"
    props.title = draft.title
    props.comments = props.keywords = props.subject = props.category = ""
    section = doc.sections[0]
    header = section.header.paragraphs[0]
    run = header.add_run(DRAFT_MARK)
    run.bold = True
    run.font.color.rgb = RGBColor(0xB0, 0x00, 0x00)
    for block in draft.blocks:
        if block.kind == "title":
            doc.add_heading(block.text, level=0)
        elif block.kind == "heading":
            doc.add_heading(block.text, level=2)
        elif block.kind == "bullet":
            doc.add_paragraph(block.text, style="List Bullet")
        else:
            para = doc.add_paragraph()
            r = para.add_run(block.text)
            if block.kind == "note":
                r.italic = True
                r.font.size = Pt(9.5)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------------------- .odt

_ODT_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
"""
_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" office:version="1.2"'
)


def _odt_styles() -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles {_NS}>
 <office:styles>
  <style:style style:name="Standard" style:family="paragraph">
   <style:paragraph-properties fo:margin-bottom="0.2cm"/>
   <style:text-properties fo:font-size="11pt"/>
  </style:style>
  <style:style style:name="Title" style:family="paragraph" style:parent-style-name="Standard">
   <style:text-properties fo:font-size="20pt" fo:font-weight="bold"/>
  </style:style>
  <style:style style:name="Heading_20_2" style:display-name="Heading 2" style:family="paragraph"
    style:parent-style-name="Standard" style:default-outline-level="2">
   <style:paragraph-properties fo:margin-top="0.4cm"/>
   <style:text-properties fo:font-size="13pt" fo:font-weight="bold"/>
  </style:style>
  <style:style style:name="Note" style:family="paragraph" style:parent-style-name="Standard">
   <style:text-properties fo:font-size="9.5pt" fo:font-style="italic"/>
  </style:style>
  <style:style style:name="Header" style:family="paragraph" style:parent-style-name="Standard">
   <style:text-properties fo:font-weight="bold" fo:color="#b00000"/>
  </style:style>
 </office:styles>
 <office:automatic-styles>
  <style:page-layout style:name="pm1"/>
 </office:automatic-styles>
 <office:master-styles>
  <style:master-page style:name="Standard" style:page-layout-name="pm1">
   <style:header><text:p text:style-name="Header">{escape(DRAFT_MARK)}</text:p></style:header>
  </style:master-page>
 </office:master-styles>
</office:document-styles>
"""


def _odt_paragraphs(blocks: Iterable[Block]) -> str:
    out: list[str] = []
    for b in blocks:
        lines = "<text:line-break/>".join(escape(line) for line in b.text.split("\n"))
        if b.kind == "title":
            out.append(f'<text:p text:style-name="Title">{lines}</text:p>')
        elif b.kind == "heading":
            out.append(f'<text:h text:style-name="Heading_20_2" text:outline-level="2">{lines}</text:h>')
        elif b.kind == "bullet":
            out.append(f"<text:list><text:list-item><text:p>{lines}</text:p></text:list-item></text:list>")
        elif b.kind == "note":
            out.append(f'<text:p text:style-name="Note">{lines}</text:p>')
        else:
            out.append(f'<text:p text:style-name="Standard">{lines}</text:p>')
    return "\n".join(out)


def _odt(draft: StatementDraft) -> bytes:
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {_NS}>\n'
        f"<office:body><office:text>\n{_odt_paragraphs(draft.blocks)}\n</office:text></office:body>\n"
        "</office:document-content>\n"
    )
    meta = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-meta {_NS}><office:meta>'
        f"<dc:title>{escape(draft.title)}</dc:title>"
        "<meta:generator>Victim Log (draft, not signed)</meta:generator>"
        "</office:meta></office:document-meta>\n"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        # The mimetype first and stored, as ODF requires, so the file is recognised.
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        for name, data in (
            ("META-INF/manifest.xml", _ODT_MANIFEST),
            ("content.xml", content),
            ("styles.xml", _odt_styles()),
            ("meta.xml", meta),
        ):
            zf.writestr(name, data.encode("utf-8"), compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def render(draft: StatementDraft, fmt: str) -> bytes:
    """The draft as a .docx or .odt file's bytes."""
    if fmt == "docx":
        return _docx(draft)
    if fmt == "odt":
        return _odt(draft)
    raise BadInput("Give the draft a file name ending in .docx or .odt.")
