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

from yingji.core.access import allowed, allowed_any, page_access
from yingji.core.forms import PointForm
from yingji.core.selectors import region_root_for
from yingji.core.views.generic import _add_errors, default_view, perform
from yingji.resources import forms, services
from yingji.resources.models import (
    TEAM_STATUS_COLORS,
    Expert,
    ExpertField,
    Material,
    MovementKind,
    RescueTeam,
    ResourcePoint,
    Shelter,
    StockMovement,
    StockReminder,
    TeamMember,
    TeamStatus,
    Warehouse,
)
from yingji.resources.selectors import KINDS, minimum_rows, nearest_query, resource_geojson, shelter_coverage, stock_of
from yingji.resources.specs import RESCUE_TEAM, STOCK_BALANCE, WAREHOUSE, breadcrumbs


@RESCUE_TEAM.register("detail")
class RescueTeamDetailView(default_view(RESCUE_TEAM, "detail")):
    """The team's fields, its status moves (from its table), its members and the form to add one."""

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        user = self.request.user
        context["members"] = TeamMember.objects.restrict(user, "view").filter(team=obj)
        context["can_change"] = RescueTeam.objects.restrict(user, "change").filter(pk=obj.pk).exists()
        context["member_form"] = forms.TeamMemberForm(user=user)
        return context


@WAREHOUSE.register("detail")
class WarehouseDetailView(default_view(WAREHOUSE, "detail")):
    """The warehouse's fields, its stock, latest movements, open reminders and the ledger forms."""

    stock_form = None

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        user = self.request.user
        context["balances"] = stock_of(user, obj)
        context["movements"] = StockMovement.objects.restrict(user, "view").filter(warehouse=obj).select_related(
            "material", "actor")[:20]
        context["reminders"] = StockReminder.objects.restrict(user, "view").filter(warehouse=obj,
                                                                                    resolved_at__isnull=True)
        if Warehouse.objects.restrict(user, "change").filter(pk=obj.pk).exists():
            context["stock_form"] = self.stock_form or forms.StockOperationForm(user=user, warehouse=obj)
            context["minimum_form"] = forms.StockMinimumForm(prefix="minimum", user=user)
        context["minimums"] = minimum_rows(user, obj)
        return context


@STOCK_BALANCE.register("list")
class StockBalanceListView(default_view(STOCK_BALANCE, "list")):
    title = gettext_lazy("库存台账")


@login_required
@require_POST
def warehouse_minimum(request, pk: int):
    """Set this warehouse's own minimum of a material."""
    warehouse = get_object_or_404(Warehouse.objects.restrict(request.user, "change"), pk=pk)
    form = forms.StockMinimumForm(request.POST, prefix="minimum", user=request.user)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
    else:
        perform(request, lambda: services.stock_minimum_set(warehouse=warehouse, actor=request.user,
                                                            **form.cleaned_data), _("已设定最低储备"))
    return HttpResponseRedirect(reverse("resources:warehouse_detail", args=[pk]))


@login_required
@require_POST
def team_member_add(request, pk: int):
    team = get_object_or_404(RescueTeam.objects.restrict(request.user, "change"), pk=pk)
    form = forms.TeamMemberForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
    else:
        perform(request, lambda: services.team_member_add(team=team, actor=request.user, **form.cleaned_data),
                _("已添加队员"))
    return HttpResponseRedirect(reverse("resources:rescueteam_detail", args=[pk]))


def _form_errors(form) -> str:
    return "；".join(f"{form.fields[f].label}：{'、'.join(e)}" for f, e in form.errors.items())


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
            _add_errors(form, exc)
        else:
            messages.success(request, _("已登记"))
            return HttpResponseRedirect(reverse("resources:warehouse_detail", args=[pk]))
    view = WarehouseDetailView()
    view.request, view.stock_form = request, form
    return render(request, view.template_name, view.get_context_data(warehouse), status=400)


may_view_resources = allowed_any("view", RescueTeam, Warehouse, Shelter, Expert, ResourcePoint)


def _require_any_view(user) -> None:
    if not may_view_resources(user):
        raise PermissionDenied


@page_access(may_view_resources)
def resource_map(request):
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


@page_access(may_view_resources)
def nearest_view(request):
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
        "breadcrumbs": [*breadcrumbs(), (_("就近资源查询"), None)],
        "results": results, "error": error, "query": query, "params": request.GET,
        "point_form": PointForm(request.GET or None),
        "kinds": [("team", _("救援队伍（待命）")), ("warehouse", _("物资仓库")), ("shelter", _("避难场所（有空位）")),
                  ("expert", _("专家")), ("point", _("医疗机构/起降点"))],
        "materials": Material.objects.restrict(request.user, "view"),
        "fields": ExpertField.choices,
        "detail_names": {"team": "rescueteam", "warehouse": "warehouse", "shelter": "shelter", "expert": "expert",
                         "point": "resourcepoint"},
    }
    return render(request, "resources/nearest.html", context, status=400 if error else 200)


@page_access(allowed("view", Shelter))
def shelter_coverage_view(request):
    root = region_root_for(request.user)
    rows = shelter_coverage(request.user, root)
    below = [r for r in rows if not r["meets"]]
    context = {
        "title": _("避难场所覆盖分析"),
        "breadcrumbs": [*breadcrumbs(), (_("避难场所覆盖分析"), None)],
        "rows": rows, "below": below, "standard": "1.5",
    }
    return render(request, "resources/shelter_coverage.html", context)
