"""The consultation's assessment report (会商评估报告) as an official document (`yingji.core.documents`)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core.documents import OfficialDocument, chinese_date, issuer_for, next_document_number
from yingji.core.models import User
from yingji.disasters.models import Consultation, ConsultationTask, RiskJudgement


def consultation_docx(consultation: Consultation, user: User) -> bytes:
    """The report of one consultation: what was consulted, by whom, the conclusions, risks and tasks.

    Issued by the hosting organisation (or the bureau above the consultation's region), dated the day it was held.
    The judgements and tasks listed are those the user may see, so a county's copy holds nothing of another
    county.
    """
    if consultation.host_id:
        issuer, host = consultation.host.name, consultation.host
    else:
        issuer, host = issuer_for(user=user, region=consultation.region)
    held = timezone.localtime(consultation.held_at)
    number = (next_document_number(organization=host, kind="会商评估报告", year=held.year, abbreviation="会商",
                                   record=consultation) if host else "")
    document = OfficialDocument(issuer=issuer, number=number,
                                title=_("%(topic)s评估报告") % {"topic": consultation.topic.strip()})

    document.heading(_("会商基本情况"), level=1, number=1)
    kind = consultation.get_kind_display()
    if consultation.period:
        kind += f"（{consultation.get_period_display()}）"
    departments = "、".join(d.name for d in consultation.departments.all()) or _("无")
    document.fields([
        (_("会商编号"), consultation.code),
        (_("会商类型"), kind),
        (_("会商时间"), f"{chinese_date(held)} {held:%H:%M}"),
        (_("地点/方式"), consultation.place or _("未填写")),
        (_("组织单位"), issuer),
        (_("参会部门"), departments),
        (_("研判期"), f"{chinese_date(consultation.period_start)}至{chinese_date(consultation.period_end)}"),
    ])
    people = [line.strip() for line in consultation.participants.splitlines() if line.strip()]
    if people:
        document.paragraph(_("参会人员：") + "；".join(people) + "。")

    document.heading(_("会商结论"), level=1, number=2)
    for line in (consultation.conclusions or _("（未填写）")).splitlines():
        if line.strip():
            document.paragraph(line.strip())

    document.heading(_("风险研判"), level=1, number=3)
    judgements = list(RiskJudgement.objects.restrict(user, "view").filter(consultation=consultation)
                      .select_related("region").order_by("-level", "region_id"))
    if judgements:
        document.table([_("区划"), _("灾害类别"), _("风险等级"), _("研判意见")],
                       [[j.region.name, j.get_hazard_type_display(), j.get_level_display(), j.description]
                        for j in judgements], widths=(30, 28, 30, 68))
    else:
        document.paragraph(_("本次会商未研判区域风险。"))

    document.heading(_("工作任务"), level=1, number=4)
    tasks = list(ConsultationTask.objects.restrict(user, "view").filter(consultation=consultation)
                 .select_related("organization"))
    if tasks:
        document.table([_("任务"), _("承办单位"), _("办理时限"), _("状态"), _("办理结果")],
                       [[t.title, t.organization.name, chinese_date(t.due_date), t.get_status_display(), t.result]
                        for t in tasks], widths=(44, 30, 28, 18, 36))
    else:
        document.paragraph(_("本次会商未交办任务。"))

    document.sign(held)
    document.record(printed_by=issuer, printed_on=held)
    return document.to_bytes()
