"""Word documents laid out as Chinese official documents, GB/T 9704-2012 《党政机关公文格式》.

Every Word file the platform writes is an `OfficialDocument`: A4 paper with the standard's margins (天头 37 mm,
订口 28 mm, 版心 156 × 225 mm); the document language zh-CN so East Asian text is laid out as Chinese; the official
font names (3号仿宋 body, 2号小标宋 title, 黑体 and 楷体 headings; no fonts are shipped, a machine without them
substitutes); the 版头 with the issuing authority's mark in red, its 发文字号 and the red separating line; title,
主送, body, 落款 with the issuing authority and the 成文日期; 版记 (抄送, 印发机关 and 印发日期) between thin
lines; page numbers "— 1 —" in 4号宋体, odd pages right and even pages left.

The issuing authority is always an organisation (the acting user's, or the record's), never a region name; the
date is the act's own date. 发文字号 come from `next_document_number` (a per-organisation, per-kind, per-year
sequence), and one record keeps the number it was given the first time its document was made.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from yingji.core.excel import xml_text
from yingji.core.models import DocumentNumber, Organization, OrganizationKind, Region
from yingji.standards.division import ancestor_codes

# Font names as GB/T 9704 names them (Windows and WPS install these; LibreOffice substitutes when missing).
FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"

SIZE_2 = Pt(22)  # 二号: title, issuing authority's mark (at least)
SIZE_3 = Pt(16)  # 三号: body
SIZE_4 = Pt(14)  # 四号: page numbers
SIZE_SMALL_4 = Pt(12)  # 小四: tables
RED = RGBColor(0xC0, 0x00, 0x00)
LINE_PITCH = Pt(28.9)  # 22 lines in the 225 mm type area
CHINESE_NUMERALS = "一二三四五六七八九十"


def chinese_date(day: datetime.date | datetime.datetime) -> str:
    """成文日期 in Arabic numerals without leading zeros: 2026年12月7日 (GB/T 9704-2012 §7.3.5.3)."""
    if isinstance(day, datetime.datetime):
        day = day.date()
    return f"{day.year}年{day.month}月{day.day}日"


def issuing_organization(*, user=None, region: Region | None = None) -> Organization | None:
    """Who issues a document: the acting user's bureau (a department's document is its bureau's), else the nearest
    bureau above the record's region."""
    organization = getattr(user, "organization", None)
    while organization is not None and organization.kind != OrganizationKind.BUREAU and organization.parent_id:
        organization = organization.parent
    if organization is not None and organization.kind == OrganizationKind.BUREAU:
        return organization
    if region is not None:
        codes = [region.pk, *ancestor_codes(region.pk)]
        found = Organization.objects.filter(kind=OrganizationKind.BUREAU, region_id__in=codes).order_by("-region_id")
        if found.exists():
            return found.first()
    return organization


def issuer_for(*, user=None, region: Region | None = None) -> tuple[str, Organization | None]:
    """The issuing authority's name and organisation. With no bureau registered yet, the name of the bureau of
    the nearest county-level (or higher) region above the record: a village or township has no bureau."""
    organization = issuing_organization(user=user, region=region)
    if organization is not None:
        return organization.name, organization
    while region is not None and region.level not in ("county", "city", "province"):
        region = region.parent
    return (f"{region.name}应急管理局" if region is not None else ""), None


def authority_code(organization: Organization) -> str:
    """机关代字: the organisation's own if set, else its name shortened the way bureaus write it (甲区应急管理局 →
    甲区应急)."""
    code = (getattr(organization, "document_code", "") or "").strip()
    if code:
        return code
    return organization.name.replace("应急管理局", "应急").replace("管理局", "").replace("委员会", "委")


def format_number(code: str, year: int, serial: int) -> str:
    """发文字号: 机关代字〔年份〕序号号, e.g. 甲区应急〔2026〕12号 (no leading zeros; hexagonal brackets)."""
    return f"{code}〔{year}〕{serial}号"


def next_document_number(*, organization: Organization, kind: str, year: int, abbreviation: str = "",
                         record: models.Model | None = None) -> str:
    """The next 发文字号 of `kind` for `organization` in `year`; with `record`, the number that record already has.

    `abbreviation` follows the 机关代字 where a kind of document has its own series (责改 for 责令限期整改指令书, as
    the national 执法文书 formats number them). Numbers are taken under a lock of their series, so two users never
    get the same one, and a record's document, made again, keeps its number.
    """
    owner = {}
    if record is not None:
        owner = {"owner_type": ContentType.objects.get_for_model(record), "owner_id": str(record.pk)}
        existing = DocumentNumber.objects.filter(kind=kind, **owner).first()
        if existing is not None:
            return existing.text
    for _attempt in range(5):
        try:
            with transaction.atomic():
                last = (DocumentNumber.objects.select_for_update().filter(
                    organization=organization, kind=kind, year=year).order_by("-serial").first())
                serial = (last.serial if last else 0) + 1
                text = format_number(authority_code(organization) + abbreviation, year, serial)
                DocumentNumber.objects.create(organization=organization, kind=kind, year=year, serial=serial,
                                              text=text, **owner)
                return text
        except IntegrityError:
            # Another request took this serial (SQLite has no row lock before the first row exists): take the next.
            if record is not None:
                existing = DocumentNumber.objects.filter(kind=kind, **owner).first()
                if existing is not None:
                    return existing.text
    raise RuntimeError("could not assign a document number")


def _fonts(run_or_style, name: str, size: Pt | None = None, *, bold: bool = False) -> None:
    font = run_or_style.font
    font.name = name
    if size is not None:
        font.size = size
    font.bold = bold
    properties = run_or_style.element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        properties.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), name)


def _language(style) -> None:
    properties = style.element.get_or_add_rPr()
    language = properties.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        properties.append(language)
    language.set(qn("w:val"), "zh-CN")
    language.set(qn("w:eastAsia"), "zh-CN")
    language.set(qn("w:bidi"), "ar-SA")


def _border(paragraph, edge: str, *, color: str = "000000", size: int = 4) -> None:
    """A rule under or over a paragraph: the red line of the 版头, the thin lines of the 版记."""
    properties = paragraph._p.get_or_add_pPr()
    borders = properties.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        properties.append(borders)
    line = OxmlElement(f"w:{edge}")
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), str(size))
    line.set(qn("w:space"), "1")
    line.set(qn("w:color"), color)
    borders.append(line)


def _page_field(paragraph) -> None:
    """"— PAGE —" as a field, so Word and LibreOffice number every page."""
    def run(text: str = ""):
        r = paragraph.add_run(text)
        _fonts(r, SONGTI, SIZE_4)
        return r

    run("— ")
    begin, instruction, end = OxmlElement("w:fldChar"), OxmlElement("w:instrText"), OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = "PAGE"
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, instruction, end):
        run()._r.append(element)
    run(" —")


class OfficialDocument:
    """One document: `OfficialDocument(issuer=..., title=..., number=...)`, then body calls, then `sign()`."""

    def __init__(self, *, issuer: str, title: str, number: str = "", recipient: str = "", mark: str = "",
                 letterhead: bool = True) -> None:
        self.issuer = xml_text(issuer)
        self.document = Document()
        self._setup()
        if letterhead:
            self._letterhead(xml_text(mark or issuer), xml_text(number))
        self._title(xml_text(title))
        if recipient:
            paragraph = self.document.add_paragraph(xml_text(recipient) + "：")
            paragraph.paragraph_format.first_line_indent = Pt(0)

    # -- page, styles, header and footer -------------------------------------------------------------------------

    def _setup(self) -> None:
        section = self.document.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        section.header_distance, section.footer_distance = Mm(15), Mm(28) - Mm(7)
        defaults = self.document.styles.element.find(qn("w:docDefaults"))
        for language in (defaults.iter(qn("w:lang")) if defaults is not None else ()):
            # The template's default is en-US, which lays Chinese out with a Japanese font in Word.
            language.set(qn("w:val"), "zh-CN")
            language.set(qn("w:eastAsia"), "zh-CN")
        normal = self.document.styles["Normal"]
        _fonts(normal, FANGSONG, SIZE_3)
        _language(normal)
        normal.paragraph_format.line_spacing = LINE_PITCH
        normal.paragraph_format.space_before = Pt(0)
        normal.paragraph_format.space_after = Pt(0)
        normal.paragraph_format.first_line_indent = Pt(32)  # two characters
        normal.paragraph_format.widow_control = True
        for name in ("Heading 1", "Heading 2", "Heading 3", "Title"):
            style = self.document.styles[name]
            # Word's blue heading styles are not a 公文's: black, body size, the standard's fonts.
            _fonts(style, HEITI if name in ("Heading 1", "Title") else KAITI if name == "Heading 2" else FANGSONG,
                   SIZE_3)
            style.font.color.rgb = RGBColor(0, 0, 0)
            _language(style)
        table_style = self.document.styles["Table Grid"]
        _fonts(table_style, FANGSONG, SIZE_SMALL_4)
        self.document.settings.odd_and_even_pages_header_footer = True
        odd = section.footer.paragraphs[0]
        odd.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _page_field(odd)
        even = section.even_page_footer.paragraphs[0]
        even.alignment = WD_ALIGN_PARAGRAPH.LEFT
        _page_field(even)
        core = self.document.core_properties
        core.language = "zh-CN"
        core.author = self.issuer

    def _letterhead(self, mark: str, number: str) -> None:
        """版头: the authority's mark in red 小标宋, the 发文字号 centred below it, then the red line."""
        head = self.document.add_paragraph()
        head.alignment = WD_ALIGN_PARAGRAPH.CENTER
        head.paragraph_format.first_line_indent = Pt(0)
        head.paragraph_format.line_spacing = 1.0
        run = head.add_run(mark)
        _fonts(run, XIAOBIAOSONG, Pt(36) if len(mark) <= 10 else SIZE_2)
        run.font.color.rgb = RED
        blank = self.document.add_paragraph()
        blank.paragraph_format.first_line_indent = Pt(0)
        line = self.document.add_paragraph()
        line.alignment = WD_ALIGN_PARAGRAPH.CENTER
        line.paragraph_format.first_line_indent = Pt(0)
        if number:
            _fonts(line.add_run(number), FANGSONG, SIZE_3)
        _border(line, "bottom", color="C00000", size=12)
        self.document.add_paragraph().paragraph_format.first_line_indent = Pt(0)

    def _title(self, title: str) -> None:
        paragraph = self.document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.first_line_indent = Pt(0)
        paragraph.paragraph_format.line_spacing = Pt(35)
        paragraph.paragraph_format.keep_together = True
        _fonts(paragraph.add_run(title), XIAOBIAOSONG, SIZE_2)
        self.document.add_paragraph().paragraph_format.first_line_indent = Pt(0)

    # -- body ----------------------------------------------------------------------------------------------------

    def heading(self, text: str, level: int = 1, number: int | None = None) -> None:
        """一、 in 黑体 (level 1), （一） in 楷体 (level 2), 1. in 仿宋 bold (level 3); `number` adds the numeral."""
        prefix = ""
        if number is not None:
            numeral = CHINESE_NUMERALS[number - 1] if number <= 10 else str(number)
            prefix = {1: f"{numeral}、", 2: f"（{numeral}）", 3: f"{number}．"}[level]
        paragraph = self.document.add_paragraph()
        paragraph.paragraph_format.keep_with_next = True
        font = {1: HEITI, 2: KAITI}.get(level, FANGSONG)
        _fonts(paragraph.add_run(xml_text(prefix + text)), font, SIZE_3, bold=level == 3)

    def paragraph(self, text: str, *, indent: bool = True, align: str = "") -> None:
        paragraph = self.document.add_paragraph(xml_text(text))
        if not indent:
            paragraph.paragraph_format.first_line_indent = Pt(0)
        if align == "right":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        elif align == "center":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def fields(self, rows: Iterable[tuple[str, object]]) -> None:
        """A two-column form table (label, value), as the enforcement documents lay out their particulars."""
        self.table(None, [(label, "" if value is None else value) for label, value in rows], widths=(45, 111))

    def table(self, header: Sequence[str] | None, rows: Iterable[Sequence[object]],
              widths: Sequence[float] | None = None) -> None:
        """A grid table whose rows never split across pages and whose header repeats on each page."""
        rows = [list(row) for row in rows]
        columns = len(header) if header else max((len(r) for r in rows), default=1)
        table = self.document.add_table(rows=0, cols=columns)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        all_rows = ([list(header)] if header else []) + rows
        for index, values in enumerate(all_rows):
            row = table.add_row()
            properties = row._tr.get_or_add_trPr()
            cant_split = OxmlElement("w:cantSplit")
            properties.append(cant_split)
            if header and index == 0:
                repeat = OxmlElement("w:tblHeader")
                properties.append(repeat)
            for cell, value in zip(row.cells, values, strict=False):
                cell.text = ""
                paragraph = cell.paragraphs[0]
                paragraph.paragraph_format.first_line_indent = Pt(0)
                paragraph.paragraph_format.line_spacing = 1.0
                run = paragraph.add_run(xml_text("" if value is None else str(value)))
                _fonts(run, HEITI if header and index == 0 else FANGSONG, SIZE_SMALL_4)
        if widths:
            for row in table.rows:
                for cell, width in zip(row.cells, widths, strict=False):
                    cell.width = Mm(width)
        self.document.add_paragraph().paragraph_format.first_line_indent = Pt(0)

    def picture(self, png: bytes, *, width_mm: float = 150, caption: str = "") -> None:
        paragraph = self.document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.first_line_indent = Pt(0)
        paragraph.paragraph_format.keep_with_next = bool(caption)
        paragraph.add_run().add_picture(io.BytesIO(png), width=Mm(width_mm))
        if caption:
            self.paragraph(caption, indent=False, align="center")

    def page_break(self) -> None:
        self.document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # -- closing -------------------------------------------------------------------------------------------------

    def sign(self, day: datetime.date | datetime.datetime, *, signer: str | None = None) -> None:
        """落款: the issuing authority, and below it the 成文日期, right-aligned with four characters to spare."""
        self.document.add_paragraph()
        for text in (signer or self.issuer, chinese_date(day)):
            paragraph = self.document.add_paragraph(xml_text(text))
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            paragraph.paragraph_format.right_indent = Pt(64)
            paragraph.paragraph_format.first_line_indent = Pt(0)
            paragraph.paragraph_format.keep_with_next = True

    def record(self, *, printed_by: str, printed_on: datetime.date | datetime.datetime,
               copies_to: Sequence[str] = ()) -> None:
        """版记: 抄送 and 印发机关/印发日期 between thin lines, at the foot of the document."""
        self.document.add_paragraph()
        if copies_to:
            cc = self.document.add_paragraph(xml_text("抄送：" + "，".join(copies_to) + "。"))
            cc.paragraph_format.first_line_indent = Pt(0)
            _border(cc, "top", size=8)
        printed = self.document.add_paragraph()
        printed.paragraph_format.first_line_indent = Pt(0)
        printed.paragraph_format.tab_stops.add_tab_stop(Mm(156))
        _fonts(printed.add_run(xml_text(printed_by)), FANGSONG, SIZE_4)
        _fonts(printed.add_run("\t" + chinese_date(printed_on) + "印发"), FANGSONG, SIZE_4)
        if not copies_to:
            _border(printed, "top", size=8)
        _border(printed, "bottom", size=8)

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()

