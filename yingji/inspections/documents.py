"""Enforcement documents as Word files (python-docx), filled from the records only."""

from __future__ import annotations

import io

from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from yingji.core.excel import xml_text
from yingji.inspections.models import Case, Inspection, ItemResult


def _document(title: str, code: str) -> Document:
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(xml_text(title))
    run.bold = True
    run.font.size = Pt(18)
    number = document.add_paragraph(xml_text(code))
    number.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return document


def _table(document: Document, rows: list[tuple[str, str]]) -> None:
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text = xml_text(label)
        cells[1].text = xml_text(str(value or ""))


def _bytes(document: Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _date(value) -> str:
    return f"{value:%Y年%m月%d日}" if value else ""


def inspection_record(inspection: Inspection) -> bytes:
    """现场检查记录."""
    enterprise = inspection.enterprise
    document = _document("现场检查记录", f"编号：{inspection.code}")
    officers = list(inspection.inspectors.all())
    _table(document, [
        ("被检查单位", enterprise.name),
        ("统一社会信用代码", enterprise.credit_code),
        ("地址", enterprise.address),
        ("法定代表人（负责人）", enterprise.legal_representative),
        ("检查场所", inspection.place or enterprise.address),
        ("检查时间", _date(inspection.inspected_on)),
        ("检查类型", inspection.get_kind_display()),
        ("检查人员及执法证号", "；".join(f"{o.name}（{o.certificate_no}）" for o in officers)),
    ])
    if inspection.checklist_id:
        document.add_paragraph(xml_text(f"检查表：{inspection.checklist.name}"))
        table = document.add_table(rows=1, cols=3)
        table.style = "Table Grid"
        table.rows[0].cells[0].text, table.rows[0].cells[1].text, table.rows[0].cells[2].text = "编号", "检查内容", "结果"
        labels = dict(ItemResult.choices)
        for item in inspection.checklist.items:
            cells = table.add_row().cells
            cells[0].text = xml_text(str(item["code"]))
            cells[1].text = xml_text(item["text"])
            cells[2].text = xml_text(str(labels.get(inspection.item_results.get(str(item["code"])), "未检查")))
    findings = list(inspection.findings.all())
    document.add_paragraph("检查情况：")
    if findings:
        for number, finding in enumerate(findings, start=1):
            document.add_paragraph(xml_text(f"{number}. {finding.place}：{finding.description}"
                                   + (f"（违反{finding.legal_basis}）" if finding.legal_basis else "")))
    else:
        document.add_paragraph("未发现问题。")
    if inspection.conclusion:
        document.add_paragraph(xml_text(f"检查结论：{inspection.conclusion}"))
    document.add_paragraph(xml_text(f"共发现问题{len(findings)}项。"))
    document.add_paragraph("检查人员（签名）：　　　　　　　被检查单位现场负责人（签名）：")
    document.add_paragraph(xml_text(f"制作日期：{_date(timezone.localdate())}"))
    return _bytes(document)


def rectification_order(inspection: Inspection) -> bytes:
    """责令限期整改指令书 for the findings of an inspection."""
    enterprise = inspection.enterprise
    document = _document("责令限期整改指令书", f"（{inspection.code}）")
    document.add_paragraph(xml_text(f"{enterprise.name}："))
    document.add_paragraph(xml_text(f"经查，你单位存在下列问题（检查日期：{_date(inspection.inspected_on)}）："))
    findings = list(inspection.findings.all())
    for number, finding in enumerate(findings, start=1):
        deadline = f"，于{_date(finding.rectify_by)}前整改完毕" if finding.rectify_by else ""
        document.add_paragraph(xml_text(f"{number}. {finding.description}{deadline}。"))
    document.add_paragraph("依据《中华人民共和国安全生产法》第六十五条的规定，现责令你单位对上述问题限期整改，"
                           "整改期间应当采取措施确保安全。")
    document.add_paragraph("如不服本指令，可以依法申请行政复议或者提起行政诉讼。")
    document.add_paragraph(xml_text(f"{_date(timezone.localdate())}"))
    return _bytes(document)


def penalty_decision(case: Case) -> bytes:
    """行政处罚决定书 of a decided case."""
    enterprise = case.enterprise
    document = _document("行政处罚决定书", case.decision_no or case.code)
    _table(document, [
        ("当事人", enterprise.name),
        ("统一社会信用代码", enterprise.credit_code),
        ("地址", enterprise.address),
        ("法定代表人", enterprise.legal_representative),
        ("案件编号", case.code),
        ("案由", case.title),
    ])
    document.add_paragraph(xml_text(f"违法事实：{case.facts}"))
    if case.legal_basis:
        document.add_paragraph(xml_text(f"以上事实违反了{case.legal_basis}的规定。"))
    measures = []
    if case.order_rectify:
        measures.append(f"责令限期整改（于{_date(case.rectify_deadline)}前完成）")
    if case.order_suspend:
        measures.append("责令停产整顿")
    if case.order_close:
        measures.append("提请关闭取缔")
    if case.fine_yuan > 0:
        measures.append(f"罚款人民币{case.fine_yuan:,.2f}元")
    basis = f"依据{case.penalty_basis}的规定，" if case.penalty_basis else ""
    document.add_paragraph(xml_text(f"{basis}决定给予以下行政处罚：{'；'.join(measures)}。"))
    if case.fine_yuan > 0:
        document.add_paragraph("罚款自收到本决定书之日起十五日内缴至指定银行，逾期不缴纳的，每日按罚款数额的百分之三加处罚款。")
    document.add_paragraph("如不服本决定，可以在收到本决定书之日起六十日内依法申请行政复议，或者六个月内依法向人民法院提起行政诉讼。")
    document.add_paragraph(xml_text(f"决定日期：{_date(case.decided_on)}"))
    return _bytes(document)
