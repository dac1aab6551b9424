import orjson
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core.access import allowed, page_access
from yingji.core.models import Region
from yingji.core.scoping import has_model_perm
from yingji.core.selectors import region_root_for
from yingji.core.tables import Column
from yingji.core.views.generic import ObjectDetailView, ObjectEditView, ObjectListView
from yingji.enterprises.models import Enterprise
from yingji.risks import selectors
from yingji.risks.filters import RiskPointFilterSet
from yingji.risks.forms import RiskPointForm
from yingji.risks.models import RiskPoint
from yingji.risks.specs import RISK_POINT


class RiskPointViewMixin:
    spec = RISK_POINT


@RISK_POINT.register("list")
class RiskPointListView(RiskPointViewMixin, ObjectListView):
    filterset_class = RiskPointFilterSet
    import_url_name = "risks:riskpoint_import"
    columns = [
        Column("name", link=True),
        Column("enterprise.name", gettext_lazy("所属企业")),
        Column("region.parent.parent.name", gettext_lazy("县（区）")),
        Column("region.parent.name", gettext_lazy("乡镇（街道）")),
        Column("place", orderable=False),
        Column("kind"),
        Column("method"),
        Column("risk_value"),
        Column("level"),
        Column("control_level"),
        Column("responsible_person"),
        Column("next_review"),
        Column("status"),
    ]


@RISK_POINT.register("detail")
class RiskPointDetailView(RiskPointViewMixin, ObjectDetailView):
    template_name = "risks/riskpoint_detail.html"
    fields = [
        Column("name"),
        Column("enterprise.name", gettext_lazy("所属企业")),
        Column("region", gettext_lazy("所在区划"),
               accessor=lambda p: " / ".join([a.name for a in p.region.ancestors()[1:]] + [p.region.name])),
        Column("place"), Column("kind"), Column("method"),
        Column("inputs", gettext_lazy("评价取值"), accessor=lambda p: p.inputs_display),
        Column("risk_value"),
        Column("level_color", gettext_lazy("风险颜色"), accessor=lambda p: p.level_color_name),
        Column("measure_engineering"), Column("measure_management"), Column("measure_training"),
        Column("measure_protection"), Column("measure_emergency"),
        Column("control_level"), Column("responsible_person"), Column("responsible_phone"), Column("next_review"),
        Column("longitude"), Column("latitude"), Column("status"), Column("updated_at"),
    ]

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        context["map_url"] = reverse("risks:enterprise_risk_map", args=[obj.enterprise_id])
        return context


@RISK_POINT.register("edit")
class RiskPointEditView(RiskPointViewMixin, ObjectEditView):
    form_class = RiskPointForm


def _require_view(user) -> None:
    if not has_model_perm(user, RiskPoint, "view"):
        raise PermissionDenied(_("您没有权限访问此页面。"))


def _trail(*items):
    return [(_("首页"), reverse("home")), (_("风险点"), reverse("risks:riskpoint_list")), *items]


@login_required
def enterprise_risk_map(request, pk: int):
    """安全风险四色分布图 of one enterprise: its risk points on the map, coloured by level."""
    _require_view(request.user)
    enterprise = get_object_or_404(Enterprise.objects.restrict(request.user, "view").select_related("region"), pk=pk)
    points = selectors.enterprise_risk_points(request.user, enterprise)
    title = _("%(name)s 安全风险四色分布图") % {"name": enterprise.name}
    context = {
        "title": title,
        "breadcrumbs": _trail((title, None)),
        "enterprise": enterprise,
        "points": points,
        "legend": selectors.level_legend(points),
        "features": selectors.risk_point_features(points),
        "regions_url": reverse("core:region_geojson") + f"?parent={enterprise.region_id}",
        "list_url": reverse("risks:riskpoint_list") + f"?enterprise={enterprise.pk}",
        "can_add": has_model_perm(request.user, RiskPoint, "add"),
    }
    return render(request, "risks/enterprise_risk_map.html", context)


def _region_root(request) -> Region:
    """The region asked for (?region=), which must be in the user's scope, else the top of their scope."""
    code = request.GET.get("region")
    root = (Region.objects.restrict(request.user, "view").filter(pk=code).first() if code
            else region_root_for(request.user))
    if root is None:
        raise Http404
    return root


@page_access(allowed("view", RiskPoint))
def region_risks(request):
    """Where the red and orange risks are: counts per child region and a map of enterprises by worst level."""
    if request.user.scope_enterprise_id:
        return HttpResponseRedirect(reverse("risks:enterprise_risk_map", args=[request.user.scope_enterprise_id]))
    root = _region_root(request)
    rows = selectors.level_counts_by_child_region(request.user, root)
    if request.GET.get("export") == "xlsx":
        return selectors.region_counts_workbook(rows, root)
    title = _("风险分级分布（%(region)s）") % {"region": root.name}
    context = {
        "title": title,
        "breadcrumbs": _trail((title, None)),
        "root": root,
        "parent_url": (reverse("risks:region_risks") + f"?region={root.parent_id}"
                       if root.parent_id and Region.objects.restrict(request.user, "view").filter(pk=root.parent_id)
                       .exists() else None),
        "rows": rows,
        "totals": selectors.totals(rows),
        "levels": selectors.LEVEL_SERIES,
        "chart": selectors.chart_data(rows),
        "points_url": reverse("risks:region_risk_points") + f"?region={root.code}",
        "regions_url": reverse("core:region_geojson") + f"?parent={root.code}",
        "map_url_template": reverse("risks:enterprise_risk_map", args=[0]).replace("/0/", "/{id}/"),
    }
    return render(request, "risks/region_risks.html", context)


@login_required
def region_risk_points(request):
    """Enterprises with 重大 or 较大 risk points under a region, coloured by their worst level (GeoJSON)."""
    _require_view(request.user)
    data = selectors.worst_level_enterprises(request.user, _region_root(request))
    return HttpResponse(orjson.dumps(data), content_type="application/json")
