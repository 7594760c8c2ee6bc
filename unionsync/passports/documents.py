"""The passport as a document to sign: Word (python-docx) and PDF (Typst from its wheel, with
its embedded fonts, so the same file comes out offline on any machine), in Russian or English.

Both print the version number and the SHA-256 of the version's content, so a signed paper can
be matched to the exact version kept in the system (`/passports/{id}/versions`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from io import BytesIO
from typing import TYPE_CHECKING, Any

from unionsync.core.numbers import format_number
from unionsync.passports.template import Template, load_template

if TYPE_CHECKING:
    from unionsync.passports.editing import Approval

LABELS = {
    "ru": {
        "number": "Номер",
        "version": "Версия",
        "hash": "Контрольная сумма содержания (SHA-256)",
        "status": "Состояние",
        "industry": "Отрасль",
        "initiator": "Инициатор",
        "period": "Срок реализации",
        "budget": "Бюджет",
        "participants": "Участники",
        "role": "Роль",
        "country": "Страна",
        "organization": "Организация",
        "empty": "нет сведений",
        "signatures": "Согласование сторон",
        "by": "Министерство промышленности Республики Беларусь",
        "ru": "Министерство промышленности и торговли Российской Федерации",
        "signed": "подпись, дата",
        "approved": "Согласовано: {who}, {at} UTC; версия {version}, SHA-256 {hash}",
        "financing_part": "финансовая часть",
        "page": "Стр.",
    },
    "en": {
        "number": "Number",
        "version": "Version",
        "hash": "Content checksum (SHA-256)",
        "status": "State",
        "industry": "Industry",
        "initiator": "Initiator",
        "period": "Period",
        "budget": "Budget",
        "participants": "Participants",
        "role": "Role",
        "country": "Country",
        "organization": "Organization",
        "empty": "none",
        "signatures": "Reconciliation by the sides",
        "by": "Ministry of Industry of the Republic of Belarus",
        "ru": "Ministry of Industry and Trade of the Russian Federation",
        "signed": "signature, date",
        "approved": "Approved: {who}, {at} UTC; version {version}, SHA-256 {hash}",
        "financing_part": "financing part",
        "page": "Page",
    },
}


PARTS = {"financing": ("financing",)}  # a part of the passport → the sections it holds


@dataclass(frozen=True, slots=True)
class PassportDocument:
    """Everything a document shows, already in the chosen language."""

    lang: str
    title: str
    kind: str  # the template's title: «Паспорт совместного проекта …»
    facts: list[tuple[str, str]]
    participants: list[tuple[str, str, str]]  # role, country, organization
    sections: list[tuple[str, list[str], list[list[str]], bool]]  # title, headers, rows, table?
    version: int
    content_hash: str
    signatures: dict[str, str] = field(default_factory=dict)  # "by"/"ru" → the approval line
    whole: bool = True  # False: one part of the passport (no signature block)


def build(
    snapshot: dict[str, Any],
    *,
    lang: str,
    version: int,
    content_hash: str,
    status: str,
    industry: str,
    initiator: str,
    participants: list[tuple[str, str, str]],
    template: Template | None = None,
    part: str | None = None,
    approvals: Sequence[Approval] = (),
) -> PassportDocument:
    """The document of one kept version (its snapshot), labels from the template; `part` keeps
    only that part's sections (`PARTS`); `approvals` fill the signature block with what was
    recorded (who, when, the version and hash signed)."""
    sections = PARTS[part] if part else None
    template = template or load_template()
    words = LABELS[lang]
    header = snapshot["header"]
    title = header["title"] if lang == "ru" or not header.get("title_en") else header["title_en"]
    budget = header.get("budget_amount")
    facts = [
        (words["number"], snapshot["number"]),
        (words["version"], str(version)),
        (words["status"], status),
        (words["industry"], industry),
        (words["initiator"], initiator),
        (words["period"], f"{header['period_start']}–{header['period_end']}"),
        (
            words["budget"],
            f"{format_number(budget, lang)} {header.get('budget_currency') or ''}".strip()
            if budget
            else "—",
        ),
    ]
    shown = []
    content = snapshot.get("content") or {}
    for section in template.sections:
        if sections is not None and section.key not in sections:
            continue
        fields = section.fields
        if section.is_table:
            rows = [
                [field.shown(row.get(field.key), lang) for field in fields]
                for row in content.get(section.key) or []
            ]
            shown.append((section.label(lang), [f.label(lang) for f in fields], rows, True))
        else:
            record = content.get(section.key) or {}
            rows = [[f.label(lang), f.shown(record.get(f.key), lang) or "—"] for f in fields]
            shown.append((section.label(lang), [], rows, False))
    signatures = {
        a.side.lower(): words["approved"].format(
            who=a.who,
            at=a.at.strftime("%d.%m.%Y %H:%M"),
            version=a.version,
            hash=a.content_hash,
        )
        for a in approvals
        if a.side in ("BY", "RU")
    }
    kind = template.title[lang]
    if part:
        kind = f"{kind}: {words[part + '_part']}"
    return PassportDocument(
        lang,
        title,
        kind,
        facts,
        participants,
        shown,
        version,
        content_hash,
        signatures,
        whole=sections is None,
    )


def to_docx(document: PassportDocument) -> bytes:
    """A Word file: title, facts, participants, a heading and a table per section, the
    signature block and the version and checksum in every page's footer."""
    from docx import Document
    from docx.shared import Mm, Pt

    words = LABELS[document.lang]
    doc = Document()
    page = doc.sections[0]  # A4 with the margins of Russian and Belarusian office documents
    page.page_width, page.page_height = Mm(210), Mm(297)
    page.left_margin, page.right_margin = Mm(25), Mm(15)
    page.top_margin, page.bottom_margin = Mm(20), Mm(20)
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(11)
    doc.add_paragraph(document.kind).runs[0].bold = True
    doc.add_heading(document.title, level=1)
    facts = doc.add_table(rows=0, cols=2)
    facts.style = "Table Grid"
    for name, value in [*document.facts, (words["hash"], document.content_hash)]:
        cells = facts.add_row().cells
        cells[0].text, cells[1].text = name, value
    doc.add_heading(words["participants"], level=2)
    _docx_table(
        doc, [words["role"], words["country"], words["organization"]], document.participants
    )
    for title, headers, rows, is_table in document.sections:
        doc.add_heading(title, level=2)
        if is_table and not rows:
            doc.add_paragraph(words["empty"])
        else:
            _docx_table(doc, headers, rows)
    if document.whole:
        doc.add_heading(words["signatures"], level=2)
        for side in ("by", "ru"):
            doc.add_paragraph(f"{words[side]}: {_signature(document, side)}")
    footer = doc.sections[0].footer.paragraphs[0]
    footer.text = (
        f"{document.facts[0][1]} · {words['version']} {document.version} · "
        f"SHA-256 {document.content_hash}"
    )
    footer.runs[0].font.size = Pt(7)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def _signature(document: PassportDocument, side: str) -> str:
    """A side's line of the signature block: its recorded approval, else a line to sign on."""
    words = LABELS[document.lang]
    return document.signatures.get(side) or f"____________________ ({words['signed']})"


def _docx_table(doc: Any, headers: list[str], rows: Sequence[Sequence[str]]) -> None:
    """A table whose header row repeats on every page and whose rows never split."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    table = doc.add_table(rows=1 if headers else 0, cols=max(len(headers), 2))
    table.style = "Table Grid"
    if headers:
        for cell, text in zip(table.rows[0].cells, headers, strict=False):
            cell.text = text
            for run in cell.paragraphs[0].runs:
                run.bold = True
        table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=False):
            cell.text = str(text)
    for line in table.rows:
        keep = OxmlElement("w:cantSplit")
        keep.set(qn("w:val"), "true")
        line._tr.get_or_add_trPr().append(keep)


def _lit(value: object) -> str:
    """A value as Typst string-literal content (quotes and backslashes escaped)."""
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def typst_source(document: PassportDocument) -> str:
    """The document in Typst markup; every value is a string literal, never markup."""
    words = LABELS[document.lang]
    footer = (
        f"{document.facts[0][1]} · {words['version']} {document.version} · "
        f"SHA-256 {document.content_hash}"
    )
    page = _lit(words["page"] + " ")
    lines = [
        '#set page(paper: "a4", margin: (left: 2.5cm, right: 1.5cm, y: 2cm), '
        f"footer: context align(center, text(size: 6.5pt, {_lit(footer)} + "
        f'"  ·  " + {page} + counter(page).display("1 / 1", both: true))))',
        f'#set text(lang: "{document.lang}", size: 9.5pt)',
        "#set table(stroke: 0.4pt + luma(170), inset: 4pt)",
        "#set table.cell(breakable: false)",  # a row is never split between two pages
        "#show table.cell: set text(hyphenate: true)",  # long words wrap inside their cell
        f'#text(weight: "bold", {_lit(document.kind)})',
        "",
        f"= #{_lit(document.title)}",
        "",
        "#table(columns: (14em, 1fr),",
    ]
    for name, value in [*document.facts, (words["hash"], document.content_hash)]:
        lines.append(f"  [#{_lit(name)}], [#{_lit(value)}],")
    lines += [")", "", f"== #{_lit(words['participants'])}", ""]
    lines += _typst_table(
        [words["role"], words["country"], words["organization"]], document.participants
    )
    for title, headers, rows, is_table in document.sections:
        lines += ["", f"== #{_lit(title)}", ""]
        if is_table and not rows:
            lines.append(f"#{_lit(words['empty'])}")
        else:
            lines += _typst_table(headers, rows)
    if document.whole:
        lines += ["", f"== #{_lit(words['signatures'])}", ""]
        for side in ("by", "ru"):
            lines.append(f"#{_lit(words[side] + ': ' + _signature(document, side))}")
            lines.append("")
    return "\n".join(lines) + "\n"


def _typst_table(headers: list[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A table within the page's width: each column's share is set by its longest text (and
    never narrower than its longest word, so a code is not broken nor printed over its
    neighbour); the header repeats on every page; wide tables use a smaller type."""
    width = max(len(headers), 2)
    columns = ", ".join(f"{w}fr" for w in _weights(headers, rows, width))
    small = "#set text(size: 8pt)\n" if width >= 6 else ""
    lines = [f"#[{small}#table(columns: ({columns}),"]
    if headers:
        lines.append("  table.header(" + ", ".join(f"[*#{_lit(h)}*]" for h in headers) + "),")
    for row in rows:
        cells = list(row) + [""] * (width - len(row))
        lines.append("  " + ", ".join(f"[#{_lit(c)}]" for c in cells) + ",")
    lines.append(")]")
    return lines


def _weights(headers: list[str], rows: Sequence[Sequence[str]], width: int) -> list[int]:
    """Relative column widths: the longest text of each column, capped (long texts wrap), and
    at least its longest unbreakable word."""
    weights = []
    for n in range(width):
        body = [str(r[n]) for r in rows if n < len(r)]
        texts = body + ([headers[n]] if n < len(headers) else [])
        longest = max((len(t) for t in body), default=1)  # a header wraps: its words count
        word = max((len(w) for t in texts for w in t.split()), default=1)
        weights.append(max(min(longest, 40), word + 2, 4))  # + the cell's insets
    return weights


def to_pdf(document: PassportDocument) -> bytes:
    import typst

    pdf = typst.compile(typst_source(document).encode("utf-8"), ignore_system_fonts=True)
    if not isinstance(pdf, bytes):
        raise RuntimeError("Typst returned no PDF")
    return pdf
