from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yingji.core.scoping import has_model_perm
from yingji.core.selectors import region_root_for
from yingji.core.tables import Column
from yingji.core.views.generic import ObjectDetailView, ObjectEditView, ObjectImportView, ObjectListView
from yingji.core.workflow import timeline
from yingji.enterprises import services
from yingji.enterprises.filters import EnterpriseFilterSet
from yingji.enterprises.forms import EnterpriseForm
from yingji.enterprises.importing import ENTERPRISE_IMPORTER
from yingji.enterprises.models import CATEGORY_COLORS, Category, Enterprise
from yingji.enterprises.selectors import enterprise_geojson
from yingji.enterprises.states import WORKFLOW


class EnterpriseViewMixin:
    model = Enterprise
    url_namespace = "enterprises"


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


    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        context["actions"] = WORKFLOW.available(obj, self.request.user)
        context["timeline"] = timeline(obj, self.request.user)
        return context


@login_required
@require_POST
def enterprise_status(request, pk: int):
    enterprise = get_object_or_404(Enterprise.objects.restrict(request.user, "change"), pk=pk)
    try:
        services.enterprise_change_status(enterprise=enterprise, actor=request.user,
                                          action=request.POST.get("action", ""), reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已办理"))
    return HttpResponseRedirect(reverse("enterprises:enterprise_detail", args=[pk]))


class EnterpriseEditView(EnterpriseViewMixin, ObjectEditView):
    form_class = EnterpriseForm
    create_service = staticmethod(services.enterprise_create)
    update_service = staticmethod(services.enterprise_update)
    update_object_argument = "enterprise"


class EnterpriseImportView(EnterpriseViewMixin, ObjectImportView):
    importer = ENTERPRISE_IMPORTER


def _require_view(user) -> None:
    if not has_model_perm(user, Enterprise, "view"):
        raise PermissionDenied


@login_required
def enterprise_map(request):
    _require_view(request.user)
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
