"""The cockpit page and its live data, and the monthly reports: list, request, progress, download."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.analytics import services
from yingji.analytics.filters import MonthlyReportFilterSet
from yingji.analytics.forms import MonthlyReportRequestForm
from yingji.analytics.models import MonthlyReport, ReportStatus
from yingji.analytics.selectors import cockpit_data, cockpit_region, may_open_cockpit
from yingji.analytics.specs import MONTHLY_REPORT
from yingji.core.access import declares_access
from yingji.core.models import Region
from yingji.core.scoping import has_model_perm
from yingji.core.tables import Column
from yingji.core.views.generic import ObjectDetailView, ObjectListView


def poll_seconds() -> int:
    """How often the cockpit asks for fresh figures (setting COCKPIT_POLL_SECONDS, 30 s by default)."""
    return int(getattr(settings, "COCKPIT_POLL_SECONDS", 30))


@login_required
@declares_access(may_open_cockpit)
def cockpit(request):
    region = cockpit_region(request.user, request.GET.get("region"))
    visible = Region.objects.restrict(request.user, "view")
    ancestors = [a for a in region.ancestors() if visible.filter(pk=a.pk).exists()]
    trail = [(_("首页"), reverse("home")), (_("指挥大屏"), reverse("analytics:cockpit"))]
    trail += [(a.name, reverse("analytics:cockpit") + f"?region={a.code}") for a in ancestors]
    trail.append((region.name, None))
    data_url = reverse("analytics:cockpit_data") + f"?region={region.code}"
    context = {
        "title": _("%(region)s指挥大屏") % {"region": region.name},
        "breadcrumbs": trail,
        "region": region,
        "data": cockpit_data(request.user, region),
        "data_url": data_url,
        "geojson_url": reverse("core:region_geojson") + f"?parent={region.code}",
        "poll_seconds": poll_seconds(),
        "reports_url": reverse("analytics:monthlyreport_list") + f"?region={region.code}",
    }
    return render(request, "analytics/cockpit.html", context)


@login_required
def cockpit_data_view(request):
    region = cockpit_region(request.user, request.GET.get("region"))
    return JsonResponse(cockpit_data(request.user, region), json_dumps_params={"ensure_ascii": False})


class MonthlyReportViewMixin:
    spec = MONTHLY_REPORT

    def breadcrumbs(self):
        return [(_("首页"), reverse("home")), (_("分析研判"), None)]


@MONTHLY_REPORT.register("list")
class MonthlyReportListView(MonthlyReportViewMixin, ObjectListView):
    filterset_class = MonthlyReportFilterSet
    title = gettext_lazy("月度风险分析报告")
    default_ordering = ["-month", "region_id", "-requested_at"]
    columns = [
        Column("title", gettext_lazy("报告"), link=True, accessor=str),
        Column("region.name", gettext_lazy("区域")),
        Column("month", accessor=lambda r: f"{r.month:%Y年%m月}"),
        Column("status"),
        Column("progress"),
        Column("automatic", accessor=lambda r: _("是") if r.automatic else _("否")),
        Column("requested_by.real_name", gettext_lazy("申请人")),
        Column("requested_at"),
        Column("finished_at"),
    ]


@MONTHLY_REPORT.register("detail")
class MonthlyReportDetailView(MonthlyReportViewMixin, ObjectDetailView):
    template_name = "analytics/monthlyreport_detail.html"
    fields = [
        Column("region.name", gettext_lazy("区域")),
        Column("month", accessor=lambda r: f"{r.month:%Y年%m月}"),
        Column("automatic", accessor=lambda r: _("是") if r.automatic else _("否")),
        Column("requested_by.real_name", gettext_lazy("申请人")),
        Column("requested_at", accessor=lambda r: timezone.localtime(r.requested_at).strftime("%Y-%m-%d %H:%M")),
    ]

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        context["attention"] = (obj.figures or {}).get("attention", [])
        context.update(_progress_context(obj))
        return context


def _progress_context(report: MonthlyReport) -> dict:
    return {"report": report, "finished": report.status in (ReportStatus.DONE, ReportStatus.FAILED),
            "progress_url": reverse("analytics:monthlyreport_progress", args=[report.pk]),
            "download_url": reverse("analytics:monthlyreport_download", args=[report.pk])}


def _report_for(request, pk: int, action: str = "view") -> MonthlyReport:
    if not has_model_perm(request.user, MonthlyReport, action):
        raise PermissionDenied(_("您没有权限访问此页面。"))
    return get_object_or_404(MonthlyReport.objects.restrict(request.user, action).select_related("region"), pk=pk)


@login_required
def report_progress(request, pk: int):
    """The progress bar, polled by htmx while the report is generated; it stops polling once finished."""
    report = _report_for(request, pk)
    return render(request, "analytics/includes/report_progress.html", _progress_context(report))


@login_required
def report_download(request, pk: int):
    report = _report_for(request, pk)
    if report.status != ReportStatus.DONE or not report.file:
        raise Http404(_("报告尚未生成"))
    return FileResponse(report.file.open("rb"), as_attachment=True, filename=report.file_name,
                        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")


@login_required
def report_request(request):
    if not has_model_perm(request.user, MonthlyReport, "add"):
        raise PermissionDenied(_("您没有生成报告的权限。"))
    form = MonthlyReportRequestForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                report = services.monthly_report_request(actor=request.user, region=form.cleaned_data["region"],
                                                         month=form.cleaned_data["month"])
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("已提交生成：%(name)s") % {"name": report})
                return HttpResponseRedirect(reverse("analytics:monthlyreport_detail", args=[report.pk]))
        status = 400
    context = {
        "title": _("生成月度风险分析报告"),
        "breadcrumbs": [(_("首页"), reverse("home")), (_("月度风险分析报告"), reverse("analytics:monthlyreport_list")),
                        (_("生成报告"), None)],
        "form": form,
        "cancel_url": reverse("analytics:monthlyreport_list"),
    }
    return render(request, "analytics/monthlyreport_request.html", context, status=status)

