"""A report version as a Word document in the usual official layout (python-docx)."""

from __future__ import annotations

import io

from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from yingji.core.excel import xml_text
from yingji.incidents.models import IncidentReport
from yingji.incidents.services import SNAPSHOT_LABELS

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _font(run, size: float, name: str = "仿宋_GB2312", bold: bool = False) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = name
    run._element.rPr.rFonts.set(qn("w:eastAsia"), name)


def report_docx(report: IncidentReport) -> bytes:
    """标题（方正小标宋二号）、报送单位与时间、正文按要素逐项、已采取措施、落款。"""
    snap = report.snapshot
    document = Document()
    exercise = report.incident.is_exercise
    if exercise:
        # A drill's document must not pass for a real report once printed or forwarded.
        banner = document.add_paragraph()
        banner.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = banner.add_run("【演练】本文件为应急演练信息，非真实突发事件，不作为正式报送依据")
        _font(run, 14, "黑体", bold=True)
        run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(xml_text(f"突发事件信息{report.get_kind_display()}{'（演练）' if exercise else ''}")), 22,
          "方正小标宋简体", bold=True)
    meta = document.add_paragraph()
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(meta.add_run(xml_text(f"（第{report.sequence}期）  编号：{report.incident.code}")), 14, "楷体_GB2312")
    header = document.add_paragraph()
    _font(header.add_run(xml_text(f"报送单位：{report.region.name if report.region_id else ''}应急管理部门    报送至："
                         f"{report.to_region.name}    报送时间："
                         f"{timezone.localtime(report.submitted_at):%Y年%m月%d日 %H时%M分}")), 12)
    heading = document.add_paragraph()
    _font(heading.add_run(xml_text(f"{snap.get('title', '')}")), 16, "黑体")
    body = (f"{snap.get('occurred_at', '')}，{snap.get('place', '')}发生{snap.get('subtype', '')}"
            f"（{snap.get('category', '')}）。{snap.get('description', '')}")
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.first_line_indent = Pt(32)
    _font(paragraph.add_run(xml_text(body)), 16)
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for key in ("grade", "deaths", "missing", "serious_injuries", "light_injuries", "direct_loss_yuan", "enterprise",
                "source"):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = xml_text(SNAPSHOT_LABELS[key]), xml_text(str(snap.get(key, "")))
    measures = document.add_paragraph()
    _font(measures.add_run("已采取的措施："), 16, "黑体")
    _font(measures.add_run(xml_text(snap.get("measures", "") or "无")), 16)
    sign = document.add_paragraph()
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _font(sign.add_run(xml_text(f"报送人：{report.submitted_by or ''}\n"
                       f"{timezone.localtime(report.submitted_at):%Y年%m月%d日}")), 16)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
