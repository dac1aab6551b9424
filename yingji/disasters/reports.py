"""The consultation's assessment report (会商评估报告) as a Word document (python-docx)."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from yingji.core.excel import xml_text
from yingji.core.models import User
from yingji.disasters.models import Consultation, ConsultationTask, RiskJudgement


def _table(document, headings: list[str], rows: list[list[str]]) -> None:
    table = document.add_table(rows=1, cols=len(headings))
    table.style = "Table Grid"
    for cell, heading in zip(table.rows[0].cells, headings, strict=True):
        cell.text = xml_text(heading)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = xml_text(str(value))


def consultation_docx(consultation: Consultation, user: User) -> bytes:
    """The report of one consultation: what was consulted, by whom, the conclusions, risks and tasks.

    The judgements and tasks listed are those the user may see, so a county's copy holds nothing of another
    county.
    """
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    style.font.size = Pt(11)
    title = document.add_heading(xml_text(_("%(topic)s 评估报告") % {"topic": consultation.topic}), level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    held = timezone.localtime(consultation.held_at)
    document.add_paragraph(xml_text(_("编号：%(code)s") % {"code": consultation.code}))

    document.add_heading(_("一、会商基本情况"), level=1)
    kind = consultation.get_kind_display()
    if consultation.period:
        kind += f"（{consultation.get_period_display()}）"
    departments = "、".join(d.name for d in consultation.departments.all()) or _("无")
    for label, value in [
        (_("会商类型"), kind),
        (_("会商时间"), held.strftime("%Y-%m-%d %H:%M")),
        (_("地点/方式"), consultation.place or _("未填写")),
        (_("组织单位"), consultation.host.name if consultation.host_id else consultation.region.name),
        (_("参会部门"), departments),
        (_("研判期"), f"{consultation.period_start:%Y-%m-%d} 至 {consultation.period_end:%Y-%m-%d}"),
    ]:
        paragraph = document.add_paragraph()
        paragraph.add_run(xml_text(f"{label}：")).bold = True
        paragraph.add_run(xml_text(str(value)))
    if consultation.participants.strip():
        document.add_paragraph(_("参会人员："))
        for line in consultation.participants.splitlines():
            if line.strip():
                document.add_paragraph(xml_text(line.strip()), style="List Bullet")

    document.add_heading(_("二、会商结论"), level=1)
    for line in (consultation.conclusions or _("（未填写）")).splitlines():
        if line.strip():
            document.add_paragraph(xml_text(line.strip()))

    document.add_heading(_("三、风险研判"), level=1)
    judgements = list(RiskJudgement.objects.restrict(user, "view").filter(consultation=consultation)
                      .select_related("region").order_by("-level", "region_id"))
    if judgements:
        _table(document, [_("区划"), _("灾害类别"), _("风险等级"), _("研判意见")],
               [[j.region.name, j.get_hazard_type_display(), j.get_level_display(), j.description]
                for j in judgements])
    else:
        document.add_paragraph(_("本次会商未研判区域风险。"))

    document.add_heading(_("四、工作任务"), level=1)
    tasks = list(ConsultationTask.objects.restrict(user, "view").filter(consultation=consultation)
                 .select_related("organization"))
    if tasks:
        _table(document, [_("任务"), _("承办单位"), _("办理时限"), _("状态"), _("办理结果")],
               [[t.title, t.organization.name, t.due_date.strftime("%Y-%m-%d"), t.get_status_display(), t.result]
                for t in tasks])
    else:
        document.add_paragraph(_("本次会商未交办任务。"))

    footer = document.add_paragraph(xml_text(_("%(unit)s　%(date)s") % {
        "unit": consultation.host.name if consultation.host_id else consultation.region.name,
        "date": timezone.localdate().strftime("%Y年%m月%d日")}))
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
