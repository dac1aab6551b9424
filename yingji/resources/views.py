from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
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
from yingji.resources import filters, forms, importing, services
from yingji.resources.models import (
    TEAM_STATUS_COLORS,
    Expert,
    ExpertField,
    Material,
    MovementKind,
    RescueTeam,
    ResourcePoint,
    Shelter,
    StockBalance,
    StockMovement,
    StockReminder,
    TeamMember,
    TeamStatus,
    Warehouse,
)
from yingji.resources.selectors import KINDS, minimum_rows, nearest_query, resource_geojson, shelter_coverage, stock_of
from yingji.resources.states import WORKFLOW

NS = "resources"


def _crumbs():
    return [(_("首页"), reverse("home")), (_("应急资源"), reverse("resources:resource_map"))]


class ResourceMixin:
    url_namespace = NS

    def breadcrumbs(self):
        return _crumbs()


def _views(model, filterset, columns, fields, form, importer=None, detail_template=None, with_attachments=False):
    """The list, detail, edit and import views of one register, declared once."""
    name = model._meta.model_name
    attrs = {"model": model}
    list_view = type(f"{model.__name__}ListView", (ResourceMixin, ObjectListView), {
        **attrs, "filterset_class": filterset, "columns": columns,
        "import_url_name": f"{NS}:{name}_import" if importer else None})
    detail_view = type(f"{model.__name__}DetailView", (ResourceMixin, ObjectDetailView), {
        **attrs, "fields": fields, "with_attachments": with_attachments,
        **({"template_name": detail_template} if detail_template else {})})
    create, update = getattr(services, f"{_snake(model)}_create"), getattr(services, f"{_snake(model)}_update")
    edit_view = type(f"{model.__name__}EditView", (ResourceMixin, ObjectEditView), {
        **attrs, "form_class": form, "create_service": staticmethod(create), "update_service": staticmethod(update),
        "update_object_argument": "obj"})
    import_view = type(f"{model.__name__}ImportView", (ResourceMixin, ObjectImportView), {
        **attrs, "importer": importer}) if importer else None
    return list_view, detail_view, edit_view, import_view


def _snake(model) -> str:
    return {"RescueTeam": "rescue_team", "ResourcePoint": "resource_point"}.get(model.__name__, model.__name__.lower())


def _located_fields(*names):
    return [*(Column(n) for n in names), Column("region", gettext_lazy("所属区划"),
                                               accessor=lambda o: o.region.name),
            Column("address"), Column("longitude"), Column("latitude")]


TEAM_VIEWS = _views(
    RescueTeam, filters.RescueTeamFilterSet,
    [Column("name", link=True), Column("kind"), Column("region.name", gettext_lazy("所属区划")),
     Column("specialty"), Column("leader"), Column("phone", orderable=False), Column("member_count"),
     Column("status"), Column("longitude", export=True), Column("latitude", export=True)],
    [*_located_fields("name", "kind", "specialty", "leader", "phone", "member_count", "equipment", "status"),
     Column("enterprise")],
    forms.RescueTeamForm, importing.RESCUE_TEAM_IMPORTER, "resources/rescueteam_detail.html", with_attachments=True,
)
WAREHOUSE_VIEWS = _views(
    Warehouse, filters.WarehouseFilterSet,
    [Column("name", link=True), Column("level"), Column("region.name", gettext_lazy("所属区划")), Column("manager"),
     Column("phone", orderable=False), Column("area_m2"), Column("longitude"), Column("latitude")],
    _located_fields("name", "level", "manager", "phone", "area_m2"),
    forms.WarehouseForm, importing.WAREHOUSE_IMPORTER, "resources/warehouse_detail.html",
)
MATERIAL_VIEWS = _views(
    Material, filters.MaterialFilterSet,
    [Column("code", link=True), Column("name", link=True), Column("category"), Column("specification"),
     Column("unit"), Column("shelf_life_days"), Column("minimum_stock"),
     Column("region.name", gettext_lazy("维护单位区划"))],
    [*(Column(n) for n in ("code", "name", "category", "specification", "unit", "shelf_life_days", "minimum_stock")),
     Column("region.name", gettext_lazy("维护单位区划"))],
    forms.MaterialForm, importing.MATERIAL_IMPORTER,
)
SHELTER_VIEWS = _views(
    Shelter, filters.ShelterFilterSet,
    [Column("name", link=True), Column("kind"), Column("region.name", gettext_lazy("所在区划")),
     Column("effective_area_m2"), Column("capacity"), Column("occupancy"), Column("facilities", orderable=False),
     Column("manager"), Column("phone", orderable=False), Column("longitude"), Column("latitude")],
    _located_fields("name", "kind", "effective_area_m2", "capacity", "occupancy", "facilities", "manager", "phone"),
    forms.ShelterForm, importing.SHELTER_IMPORTER,
)
EXPERT_VIEWS = _views(
    Expert, filters.ExpertFilterSet,
    [Column("name", link=True), Column("field"), Column("title"), Column("organization"),
     Column("phone", orderable=False), Column("region.name", gettext_lazy("所属区划"))],
    [Column(n) for n in ("name", "field", "title", "organization", "phone", "longitude", "latitude")]
    + [Column("conflict_enterprises", gettext_lazy("利益关联企业（回避）"),
              accessor=lambda e: "、".join(x.name for x in e.conflict_enterprises.all()) or "无")],
    forms.ExpertForm, importing.EXPERT_IMPORTER,
)
POINT_VIEWS = _views(
    ResourcePoint, filters.ResourcePointFilterSet,
    [Column("name", link=True), Column("kind"), Column("region.name", gettext_lazy("所属区划")),
     Column("phone", orderable=False), Column("description", orderable=False), Column("longitude"),
     Column("latitude")],
    _located_fields("name", "kind", "phone", "description"),
    forms.ResourcePointForm, importing.RESOURCE_POINT_IMPORTER,
)


class StockBalanceListView(ResourceMixin, ObjectListView):
    model = StockBalance
    title = gettext_lazy("库存台账")
    filterset_class = filters.StockBalanceFilterSet
    columns = [Column("warehouse.name", gettext_lazy("仓库")), Column("material.code", gettext_lazy("物资编码")),
               Column("material.name", gettext_lazy("物资名称")), Column("material.unit", gettext_lazy("单位")),
               Column("batch"), Column("expiry_date"), Column("quantity"), Column("updated_at")]


class StockMovementListView(ResourceMixin, ObjectListView):
    model = StockMovement
    filterset_class = filters.StockMovementFilterSet
    columns = [Column("at"), Column("document_number"), Column("kind"), Column("warehouse.name", gettext_lazy("仓库")),
               Column("material.name", gettext_lazy("物资")), Column("batch"), Column("quantity"),
               Column("balance_after"), Column("counterpart"), Column("purpose", orderable=False),
               Column("actor.real_name", gettext_lazy("经办人"))]


class StockReminderListView(ResourceMixin, ObjectListView):
    model = StockReminder
    filterset_class = filters.StockReminderFilterSet
    columns = [Column("raised_at"), Column("kind"), Column("warehouse.name", gettext_lazy("仓库")),
               Column("material.name", gettext_lazy("物资")), Column("batch"), Column("detail", orderable=False),
               Column("resolved_at")]


def _team_detail_context(self, obj):
    context = ObjectDetailView.get_context_data(self, obj)
    user = self.request.user
    context["actions"] = WORKFLOW.available(obj, user)
    context["timeline"] = timeline(obj, user)
    context["members"] = TeamMember.objects.restrict(user, "view").filter(team=obj)
    context["can_change"] = RescueTeam.objects.restrict(user, "change").filter(pk=obj.pk).exists()
    context["member_form"] = forms.TeamMemberForm(user=user)
    return context


def _warehouse_detail_context(self, obj):
    context = ObjectDetailView.get_context_data(self, obj)
    user = self.request.user
    context["balances"] = stock_of(user, obj)
    context["movements"] = StockMovement.objects.restrict(user, "view").filter(warehouse=obj).select_related(
        "material", "actor")[:20]
    context["reminders"] = StockReminder.objects.restrict(user, "view").filter(warehouse=obj,
                                                                                resolved_at__isnull=True)
    if Warehouse.objects.restrict(user, "change").filter(pk=obj.pk).exists():
        context["stock_form"] = getattr(self, "stock_form", None) or forms.StockOperationForm(user=user, warehouse=obj)
        context["minimum_form"] = forms.StockMinimumForm(prefix="minimum", user=user)
    context["minimums"] = minimum_rows(user, obj)
    return context


TEAM_VIEWS[1].get_context_data = _team_detail_context
WAREHOUSE_VIEWS[1].get_context_data = _warehouse_detail_context


@login_required
@require_POST
def warehouse_minimum(request, pk: int):
    """Set this warehouse's own minimum of a material."""
    warehouse = get_object_or_404(Warehouse.objects.restrict(request.user, "change"), pk=pk)
    form = forms.StockMinimumForm(request.POST, prefix="minimum", user=request.user)
    if not form.is_valid():
        messages.error(request, "；".join(f"{form.fields[f].label}：{'、'.join(e)}" for f, e in form.errors.items()))
    else:
        try:
            with transaction.atomic():
                services.stock_minimum_set(warehouse=warehouse, actor=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("已设定最低储备"))
    return HttpResponseRedirect(reverse("resources:warehouse_detail", args=[pk]))


@login_required
@require_POST
def team_status(request, pk: int):
    team = get_object_or_404(RescueTeam.objects.restrict(request.user, "change"), pk=pk)
    try:
        services.rescue_team_change_status(team=team, actor=request.user, action=request.POST.get("action", ""),
                                           reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已办理"))
    return HttpResponseRedirect(reverse("resources:rescueteam_detail", args=[pk]))


@login_required
@require_POST
def team_member_add(request, pk: int):
    team = get_object_or_404(RescueTeam.objects.restrict(request.user, "change"), pk=pk)
    form = forms.TeamMemberForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.team_member_add(team=team, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("已添加队员"))
    else:
        messages.error(request, "；".join(f"{form.fields[f].label}：{'、'.join(e)}" for f, e in form.errors.items()))
    return HttpResponseRedirect(reverse("resources:rescueteam_detail", args=[pk]))


@login_required
def stock_operation(request, pk: int):
    """Receipt, issue, transfer or stocktake on one warehouse, through the ledger services."""
    warehouse = get_object_or_404(Warehouse.objects.restrict(request.user, "change"), pk=pk)
    if request.method != "POST":
        return HttpResponseRedirect(reverse("resources:warehouse_detail", args=[pk]))
    form = forms.StockOperationForm(request.POST, user=request.user, warehouse=warehouse)
    if form.is_valid():
        data = form.cleaned_data
        common = {"material": data["material"], "document_number": data["document_number"], "actor": request.user,
                  "purpose": data["purpose"]}
        try:
            with transaction.atomic():
                if data["operation"] == MovementKind.RECEIPT:
                    services.stock_receive(warehouse=warehouse, quantity=data["quantity"], batch=data["batch"],
                                           expiry_date=data["expiry_date"], counterpart=data["counterpart"], **common)
                elif data["operation"] == MovementKind.ISSUE:
                    services.stock_issue(warehouse=warehouse, quantity=data["quantity"], batch=data["batch"] or None,
                                         counterpart=data["counterpart"], **common)
                elif data["operation"] == MovementKind.TRANSFER_OUT:
                    services.stock_transfer(source=warehouse, target=data["target"], quantity=data["quantity"],
                                            batch=data["batch"] or None, **common)
                else:
                    services.stocktake(warehouse=warehouse, counted=data["quantity"], batch=data["batch"], **common)
        except ValidationError as exc:
            from yingji.core.views.generic import _add_errors

            _add_errors(form, exc)
        else:
            messages.success(request, _("已登记"))
            return HttpResponseRedirect(reverse("resources:warehouse_detail", args=[pk]))
    view = WAREHOUSE_VIEWS[1]()
    view.request, view.stock_form = request, form
    return render(request, view.template_name, view.get_context_data(warehouse), status=400)


def _require_any_view(user) -> None:
    if not any(has_model_perm(user, m, "view") for m in (RescueTeam, Warehouse, Shelter, Expert, ResourcePoint)):
        raise PermissionDenied


@login_required
def resource_map(request):
    _require_any_view(request.user)
    root = region_root_for(request.user)
    context = {
        "title": _("应急资源分布图"),
        "breadcrumbs": [(_("首页"), reverse("home")), (_("应急资源分布图"), None)],
        "layers": [("team", _("救援队伍"), TEAM_STATUS_COLORS[TeamStatus.STANDBY]), ("warehouse", _("物资仓库"), "#1f77b4"),
                   ("shelter", _("避难场所"), "#17becf"), ("expert", _("专家"), "#9467bd"),
                   ("point", _("医疗机构/起降点"), "#8c564b")],
        "points_url": reverse("resources:resource_geojson"),
        "regions_url": reverse("core:region_geojson") + (f"?parent={root.code}" if root else ""),
        "nearest_url": reverse("resources:nearest"),
    }
    return render(request, "resources/resource_map.html", context)


@login_required
def resource_points(request):
    _require_any_view(request.user)
    layers = [k for k in request.GET.getlist("layer") if k in KINDS] or None
    return JsonResponse(resource_geojson(request.user, layers))


@login_required
def nearest_view(request):
    _require_any_view(request.user)
    results, error, query = [], "", {}
    if request.GET.get("latitude"):
        try:
            query, results = nearest_query(request.user, request.GET)
        except ValidationError as exc:
            error = "；".join(exc.messages)
    if request.headers.get("Accept", "").startswith("application/json") or request.GET.get("format") == "json":
        if error:
            return JsonResponse({"detail": error}, status=400)
        return JsonResponse({"results": [n.as_dict() for n in results]})
    context = {
        "title": _("就近资源查询"),
        "breadcrumbs": [*_crumbs(), (_("就近资源查询"), None)],
        "results": results, "error": error, "query": query, "params": request.GET,
        "kinds": [("team", _("救援队伍（待命）")), ("warehouse", _("物资仓库")), ("shelter", _("避难场所（有空位）")),
                  ("expert", _("专家")), ("point", _("医疗机构/起降点"))],
        "materials": Material.objects.restrict(request.user, "view"),
        "fields": ExpertField.choices,
        "detail_names": {"team": "rescueteam", "warehouse": "warehouse", "shelter": "shelter", "expert": "expert",
                         "point": "resourcepoint"},
    }
    return render(request, "resources/nearest.html", context, status=400 if error else 200)


@login_required
def shelter_coverage_view(request):
    if not has_model_perm(request.user, Shelter, "view"):
        raise PermissionDenied
    root = region_root_for(request.user)
    rows = shelter_coverage(request.user, root)
    below = [r for r in rows if not r["meets"]]
    context = {
        "title": _("避难场所覆盖分析"),
        "breadcrumbs": [*_crumbs(), (_("避难场所覆盖分析"), None)],
        "rows": rows, "below": below, "standard": "1.5",
    }
    return render(request, "resources/shelter_coverage.html", context)
