"""A report version (首报、续报、终报) as an official document (`yingji.core.documents`, GB/T 9704-2012).

The reporting unit is the bureau of the person who sent it (or the bureau above the region that reported), never
a village or township: they have no emergency management bureau. The date is the report's own time of sending.
"""

from __future__ import annotations

from django.utils import timezone

from yingji.core.documents import OfficialDocument, chinese_date, issuer_for, next_document_number
from yingji.incidents.models import IncidentReport
from yingji.incidents.services import SNAPSHOT_LABELS

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def report_docx(report: IncidentReport) -> bytes:
    """标题、报送单位与时间、正文按要素逐项、已采取措施、落款."""
    snap = report.snapshot
    exercise = report.incident.is_exercise
    sent = timezone.localtime(report.submitted_at)
    issuer, organization = issuer_for(user=report.submitted_by, region=report.region)
    number = (next_document_number(organization=organization, kind="突发事件信息报告", year=sent.year,
                                   abbreviation="信报", record=report) if organization else "")
    document = OfficialDocument(issuer=issuer, number=number,
                                title=f"突发事件信息{report.get_kind_display()}{'（演练）' if exercise else ''}",
                                recipient=_receiver(report))
    if exercise:
        # A drill's document must not pass for a real report once printed or forwarded.
        document.paragraph("【演练】本文件为应急演练信息，非真实突发事件，不作为正式报送依据。", indent=False, align="center")
    document.paragraph(f"第{report.sequence}期　事件编号：{report.incident.code}　报送时间："
                       f"{chinese_date(sent)}{sent:%H时%M分}", indent=False, align="center")
    document.heading(str(snap.get("title", "")), level=1)
    document.paragraph(f"{snap.get('occurred_at', '')}，{snap.get('place', '')}发生{snap.get('subtype', '')}"
                       f"（{snap.get('category', '')}）。{snap.get('description', '')}")
    document.fields([(SNAPSHOT_LABELS[key], snap.get(key, "")) for key in (
        "grade", "deaths", "missing", "serious_injuries", "light_injuries", "direct_loss_yuan", "enterprise",
        "source")])
    document.heading("已采取的措施", level=1)
    document.paragraph(snap.get("measures", "") or "无")
    if report.submitted_by:
        document.paragraph(f"报送人：{report.submitted_by}", indent=False)
    document.sign(sent, signer=issuer)
    return document.to_bytes()


def _receiver(report: IncidentReport) -> str:
    """主送: the bureau the report goes to."""
    if not report.to_region_id:
        return ""
    name, _organization = issuer_for(region=report.to_region)
    return name
