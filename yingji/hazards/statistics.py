"""The statistics page and its Excel export; the API serves the same figures (api.py)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from yingji.core import excel
from yingji.core.access import allowed, page_access
from yingji.core.models import Region
from yingji.core.scoping import has_model_perm
from yingji.hazards.models import Hazard
from yingji.hazards.selectors import Period, hazard_statistics

FIGURE_HEADINGS = ["发现隐患", "已销号", "整改率（%）", "逾期未改"]
SECTIONS = [
    ("by_level", "按隐患级别"), ("by_source", "按隐患来源"), ("by_category", "按企业监管类别"),
    ("by_region", "按区域"), ("by_month", "按月趋势"), ("enterprise_ranking", "企业排名"),
]


def statistics_for_request(request) -> dict:
    """Figures for ?from=&to=&region= within the user's jurisdiction; 404 for a region outside it,
    ValueError for malformed dates."""
    if not has_model_perm(request.user, Hazard, "view"):
        raise PermissionDenied
    period = Period.parse(request.GET.get("from"), request.GET.get("to"))
    region = None
    if request.GET.get("region"):
        region = get_object_or_404(Region.objects.restrict(request.user, "view"), pk=request.GET["region"])
    return hazard_statistics(request.user, period, region)


def _figure_row(name: str, row: dict) -> list:
    return [name, row["found"], row["closed"], row["rate"], row["overdue"]]


def statistics_workbook(stats: dict):
    region = stats["region"]["name"] if stats["region"] else ""
    period = f"{stats['period']['from']} 至 {stats['period']['to']}"
    rows = [[f"{region} 隐患排查治理统计（{period}）", "", "", "", ""],
            _figure_row("合计", stats["totals"]), _figure_row("其中重大隐患", stats["totals"]["major"]),
            ["企业自查占比（%）", stats["shares"]["self_found"], "", "", ""],
            ["部门执法发现占比（%）", stats["shares"]["enforcement"], "", "", ""],
            ["群众举报占比（%）", stats["shares"]["public_report"], "", "", ""]]
    for key, title in SECTIONS:
        rows.append([title, "", "", "", ""])
        rows.extend(_figure_row(r["name"], r) for r in stats[key])
    return excel.export_rows("隐患统计", ["项目", *FIGURE_HEADINGS], rows)


@page_access(allowed("view", Hazard))
def statistics_page(request):
    try:
        stats = statistics_for_request(request)
    except ValueError:
        return HttpResponseBadRequest(_("日期格式应为 YYYY-MM-DD，且开始日期不晚于结束日期").encode(),
                                      content_type="text/plain; charset=utf-8")
    if request.GET.get("export") == "xlsx":
        return excel.workbook_response(statistics_workbook(stats), _("隐患统计"))
    regions = Region.objects.restrict(request.user, "view").exclude(level="village").order_by("code")[:500]
    context = {
        "title": _("隐患统计分析"),
        "breadcrumbs": [(_("首页"), reverse("home")), (_("隐患台账"), reverse("hazards:hazard_list")),
                        (_("隐患统计分析"), None)],
        "stats": stats,
        "sections": [(key, title, stats[key]) for key, title in SECTIONS],
        "regions": regions,
        "selected_region": request.GET.get("region", ""),
        "query": request.GET.urlencode(),
        "list_url": reverse("hazards:hazard_list"),
    }
    return render(request, "hazards/hazard_statistics.html", context)
