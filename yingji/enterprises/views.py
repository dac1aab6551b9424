from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core.access import allowed, page_access
from yingji.core.scoping import has_model_perm
from yingji.core.selectors import region_root_for
from yingji.core.tables import Column
from yingji.core.views.generic import ObjectDetailView, ObjectEditView, ObjectListView
from yingji.enterprises.filters import EnterpriseFilterSet
from yingji.enterprises.forms import EnterpriseForm
from yingji.enterprises.models import CATEGORY_COLORS, Category, Enterprise
from yingji.enterprises.selectors import enterprise_geojson
from yingji.enterprises.specs import ENTERPRISE


class EnterpriseViewMixin:
    spec = ENTERPRISE


@ENTERPRISE.register("list")
class EnterpriseListView(EnterpriseViewMixin, ObjectListView):
    filterset_class = EnterpriseFilterSet
    import_url_name = "enterprises:enterprise_import"
    columns = [
        Column("name", link=True),
        Column("credit_code"),
        Column("region.parent.parent.name", gettext_lazy("县（区）")),
        Column("region.parent.name", gettext_lazy("乡镇（街道）")),
        Column("region.name", gettext_lazy("村（社区）")),
        Column("address", export=True, orderable=False),
        Column("category"),
        Column("supervision_class"),
        Column("scale_type"),
        Column("size"),
        Column("industry_name"),
        Column("principal"),
        Column("principal_phone", orderable=False),
        Column("employee_count"),
        Column("status"),
    ]


@ENTERPRISE.register("detail")
class EnterpriseDetailView(EnterpriseViewMixin, ObjectDetailView):
    template_name = "enterprises/enterprise_detail.html"
    with_attachments = True
    fields = [
        Column("name"), Column("credit_code"),
        Column("region", gettext_lazy("所在区划"),
               accessor=lambda e: " / ".join([a.name for a in e.region.ancestors()[1:]] + [e.region.name])),
        Column("address"), Column("longitude"), Column("latitude"),
        Column("industry_code"), Column("industry_name"), Column("category"),
        Column("scale_type"), Column("size"), Column("supervision_class"),
        Column("legal_representative"), Column("legal_representative_phone"),
        Column("principal"), Column("principal_phone"), Column("safety_director"), Column("safety_director_phone"),
        Column("employee_count"), Column("status"), Column("created_at"), Column("updated_at"),
    ]


@ENTERPRISE.register("edit")
class EnterpriseEditView(EnterpriseViewMixin, ObjectEditView):
    form_class = EnterpriseForm


def _require_view(user) -> None:
    if not has_model_perm(user, Enterprise, "view"):
        raise PermissionDenied


@page_access(allowed("view", Enterprise))
def enterprise_map(request):
    root = region_root_for(request.user)
    context = {
        "title": _("企业分布图"),
        "breadcrumbs": [(_("首页"), reverse("home")), (_("企业档案"), reverse("enterprises:enterprise_list")),
                        (_("企业分布图"), None)],
        "categories": [(value, label, CATEGORY_COLORS[value]) for value, label in Category.choices],
        "points_url": reverse("enterprises:enterprise_geojson"),
        "regions_url": reverse("core:region_geojson") + (f"?parent={root.code}" if root else ""),
        "detail_url": reverse("enterprises:enterprise_detail", args=[0]).replace("/0/", "/{id}/"),
    }
    return render(request, "enterprises/enterprise_map.html", context)


@login_required
def enterprise_points(request):
    """Scoped enterprise points, filtered like the list."""
    _require_view(request.user)
    queryset = Enterprise.objects.restrict(request.user, "view")
    filterset = EnterpriseFilterSet(request.GET or None, queryset=queryset, request=request)
    if filterset.is_bound and filterset.is_valid():
        queryset = filterset.qs
    return JsonResponse(enterprise_geojson(queryset))
