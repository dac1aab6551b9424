"""Enforcement documents (安全生产执法文书) as Word files, filled from the records only and laid out as official
documents (`yingji.core.documents`, GB/T 9704-2012).

The issuing authority is the bureau of the officer who registered the inspection (or the nearest bureau above the
enterprise); each document carries the act's own date — the inspection day, the decision day — never the day it
is downloaded; the rectification order and the inspection record get a 发文字号 of their own series.
"""

from __future__ import annotations

from yingji.core.documents import OfficialDocument, chinese_date, issuer_for, next_document_number
from yingji.inspections.models import Case, Inspection, ItemResult


def _issuer(record) -> tuple[str, object]:
    inspection = record if isinstance(record, Inspection) else record.inspection
    return issuer_for(user=inspection.created_by, region=record.region)


def _number(record, organization, kind: str, abbreviation: str, day) -> str:
    if organization is None:
        return ""
    return next_document_number(organization=organization, kind=kind, year=day.year, abbreviation=abbreviation,
                                record=record)


def _date(value) -> str:
    return chinese_date(value) if value else ""


def inspection_record(inspection: Inspection) -> bytes:
    """现场检查记录."""
    enterprise = inspection.enterprise
    issuer, organization = _issuer(inspection)
    number = _number(inspection, organization, "现场检查记录", "检记", inspection.inspected_on)
    document = OfficialDocument(issuer=issuer, title="现场检查记录", number=number)
    officers = list(inspection.inspectors.all())
    document.fields([
        ("被检查单位", enterprise.name),
        ("统一社会信用代码", enterprise.credit_code),
        ("地址", enterprise.address),
        ("法定代表人（负责人）", enterprise.legal_representative),
        ("检查场所", inspection.place or enterprise.address),
        ("检查时间", _date(inspection.inspected_on)),
        ("检查类型", inspection.get_kind_display()),
        ("检查人员及执法证号", "；".join(f"{o.name}（{o.certificate_no}）" for o in officers)),
        ("检查编号", inspection.code),
    ])
    if inspection.checklist_id:
        document.paragraph(f"检查表：{inspection.checklist.name}", indent=False)
        labels = dict(ItemResult.choices)
        document.table(["编号", "检查内容", "结果"], [
            (item["code"], item["text"], labels.get(inspection.item_results.get(str(item["code"])), "未检查"))
            for item in inspection.checklist.items
        ], widths=(20, 106, 30))
    findings = list(inspection.findings.all())
    document.heading("检查情况", level=1, number=1)
    if findings:
        for number_, finding in enumerate(findings, start=1):
            basis = f"（违反{finding.legal_basis}）" if finding.legal_basis else ""
            document.paragraph(f"{number_}．{finding.place}：{finding.description}{basis}")
    else:
        document.paragraph("未发现问题。")
    if inspection.conclusion:
        document.heading("检查结论", level=1, number=2)
        document.paragraph(inspection.conclusion)
    document.paragraph(f"共发现问题{len(findings)}项。")
    document.paragraph("检查人员（签名）：　　　　　　　被检查单位现场负责人（签名）：", indent=False)
    document.sign(inspection.inspected_on)
    return document.to_bytes()


def rectification_order(inspection: Inspection) -> bytes:
    """责令限期整改指令书 for the findings of an inspection, dated the day of the inspection that found them."""
    enterprise = inspection.enterprise
    issuer, organization = _issuer(inspection)
    number = _number(inspection, organization, "责令限期整改指令书", "责改", inspection.inspected_on)
    document = OfficialDocument(issuer=issuer, title="责令限期整改指令书", number=number, recipient=enterprise.name)
    document.paragraph(f"经查，你单位存在下列问题（检查日期：{_date(inspection.inspected_on)}，"
                       f"检查编号：{inspection.code}）：")
    for position, finding in enumerate(inspection.findings.all(), start=1):
        deadline = f"，于{_date(finding.rectify_by)}前整改完毕" if finding.rectify_by else ""
        document.paragraph(f"{position}．{finding.description}{deadline}。")
    document.paragraph("依据《中华人民共和国安全生产法》第六十五条的规定，现责令你单位对上述问题限期整改，"
                       "整改期间应当采取措施确保安全。")
    document.paragraph("如不服本指令，可以依法在六十日内申请行政复议，或者在六个月内依法提起行政诉讼。")
    document.sign(inspection.inspected_on)
    document.record(printed_by=issuer, printed_on=inspection.inspected_on)
    return document.to_bytes()


def penalty_decision(case: Case) -> bytes:
    """行政处罚决定书 of a decided case, dated its decision day."""
    enterprise = case.enterprise
    issuer, organization = _issuer(case)
    number = case.decision_no or _number(case, organization, "行政处罚决定书", "罚", case.decided_on)
    document = OfficialDocument(issuer=issuer, title="行政处罚决定书", number=number)
    document.fields([
        ("当事人", enterprise.name),
        ("统一社会信用代码", enterprise.credit_code),
        ("地址", enterprise.address),
        ("法定代表人", enterprise.legal_representative),
        ("案件编号", case.code),
        ("案由", case.title),
    ])
    document.paragraph(f"违法事实：{case.facts}")
    if case.legal_basis:
        document.paragraph(f"以上事实违反了{case.legal_basis}的规定。")
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
    document.paragraph(f"{basis}决定给予以下行政处罚：{'；'.join(measures)}。")
    if case.fine_yuan > 0:
        document.paragraph("罚款自收到本决定书之日起十五日内缴至指定银行，逾期不缴纳的，每日按罚款数额的百分之三加处罚款。")
    document.paragraph("如不服本决定，可以在收到本决定书之日起六十日内依法申请行政复议，或者六个月内依法向人民法院提起行政诉讼。")
    document.sign(case.decided_on)
    document.record(printed_by=issuer, printed_on=case.decided_on)
    return document.to_bytes()
