from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yingji.core.scoping import has_model_perm
from yingji.core.tables import Column
from yingji.core.views.generic import ObjectDetailView, ObjectEditView, ObjectListView
from yingji.warnings import cap, services
from yingji.warnings.escalation import timetable_text
from yingji.warnings.forms import FollowForm, ForwardForm, UpstreamUploadForm, WarningForm
from yingji.warnings.models import ResponsibleRole, UpstreamMessage, Warning, WarningStatus
from yingji.warnings.selectors import public_current_warnings
from yingji.warnings.specs import UPSTREAM, WARNING


def _trail(*items) -> list:
    return [(_("首页"), reverse("home")), *items]


# -- warnings ----------------------------------------------------------------------------------------------


def _area_names(warning: Warning) -> str:
    return "、".join(r.name for r in warning.area_regions.all())


def _role_names(warning: Warning) -> str:
    labels = dict(ResponsibleRole.choices)
    return "、".join(str(labels.get(role, role)) for role in warning.target_roles) or _("全部责任类型")


def _organization_names(warning: Warning) -> str:
    return "、".join(o.name for o in warning.target_organizations.all())


def area_features(warning: Warning) -> dict:
    """The area for the page's map: the chosen regions' outlines (or centres) and the drawn polygon."""
    features = []
    for region in warning.area_regions.all():
        geometry = region.boundary or ({"type": "Point", "coordinates": [region.longitude, region.latitude]}
                                       if region.longitude is not None and region.latitude is not None else None)
        if geometry:
            features.append({"type": "Feature", "geometry": geometry,
                             "properties": {"name": region.name, "role": "region"}})
    if warning.area_polygon:
        features.append({"type": "Feature", "geometry": warning.area_polygon,
                         "properties": {"name": str(_("图上划定范围")), "role": "polygon"}})
    return {"type": "FeatureCollection", "features": features}


@WARNING.register("list")
class WarningListView(ObjectListView):
    spec = WARNING
    filterset_class = WARNING.filterset
    default_ordering = ["-created_at", "-pk"]
    columns = [
        Column("headline", link=True),
        Column("identifier"),
        Column("kind"),
        Column("level"),
        Column("msg_type"),
        Column("status"),
        Column("region.name", gettext_lazy("发布单位区划")),
        Column("onset"),
        Column("expires"),
        Column("published_at"),
    ]


@WARNING.register("detail")
class WarningDetailView(ObjectDetailView):
    spec = WARNING
    template_name = "warnings/warning_detail.html"
    fields = [
        Column("headline"), Column("identifier"), Column("reply_code"), Column("kind"), Column("event_type"),
        Column("level"), Column("msg_type"), Column("status"),
        Column("previous", gettext_lazy("引用的上一条预警"), accessor=lambda w: w.previous.identifier if w.previous else ""),
        Column("region"), Column("area_regions", accessor=_area_names),
        Column("target_roles", accessor=_role_names),
        Column("target_organizations", accessor=_organization_names), Column("description"),
        Column("instructions"), Column("onset"), Column("expires"), Column("source"),
        Column("drafted_by"), Column("approved_by"), Column("published_at"),
        Column("escalation", accessor=lambda w: timetable_text(w.escalation)),
        Column("upstream", gettext_lazy("转发自"), accessor=lambda w: str(w.upstream) if w.upstream else ""),
    ]

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        user = self.request.user
        context["area_geojson"] = area_features(obj)
        context["can_follow"] = (obj.status == WarningStatus.PUBLISHED
                                 and Warning.objects.restrict(user, "add").filter(pk=obj.pk).exists())
        return context


@WARNING.register("edit")
class WarningEditView(ObjectEditView):
    spec = WARNING
    template_name = "warnings/warning_edit.html"
    form_class = WarningForm

    def get_initial(self):
        region = self.request.user.scope_region
        return {"region": region} if region is not None and region.level != "village" else {}

    def service_arguments(self, form):
        data = super().service_arguments(form)
        data["area_regions"] = list(data.get("area_regions") or [])
        data["target_organizations"] = list(data.get("target_organizations") or [])
        data["target_roles"] = list(data.get("target_roles") or [])
        return data


def _warning_for(request, pk: int, action: str = "view") -> Warning:
    if not has_model_perm(request.user, Warning, action):
        raise PermissionDenied
    return get_object_or_404(Warning.objects.restrict(request.user, action), pk=pk)


@login_required
@require_POST
def warning_follow(request, pk: int):
    warning = _warning_for(request, pk, "add")
    form = FollowForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择更新或解除"))
        return HttpResponseRedirect(reverse("warnings:warning_detail", args=[pk]))
    try:
        follower = services.warning_follow(warning=warning, actor=request.user, msg_type=form.cleaned_data["msg_type"])
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        return HttpResponseRedirect(reverse("warnings:warning_detail", args=[pk]))
    messages.success(request, _("已生成草稿，请修改后送审"))
    return HttpResponseRedirect(reverse("warnings:warning_edit", args=[follower.pk]))


@login_required
def warning_document(request, pk: int, kind: str):
    """The stored CAP 1.2 or national-format document of a published message."""
    warning = _warning_for(request, pk)
    return _document_response(warning, kind)


def _document_response(warning: Warning, kind: str) -> HttpResponse:
    text = warning.cap_xml if kind == "cap" else warning.national_xml
    if not text:
        raise PermissionDenied(_("该预警尚未发布，没有 CAP 文档"))
    response = HttpResponse(text, content_type="application/cap+xml; charset=utf-8" if kind == "cap"
                            else "application/xml; charset=utf-8")
    name = f"{warning.identifier}.xml" if kind == "cap" else _national_name(warning, text)
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def _national_name(warning: Warning, text: str) -> str:
    """The national file name; a document stored before publication validated it may not parse, and still downloads."""
    try:
        return cap.national_filename(cap.parse(text.encode()))
    except cap.CapError:
        return f"{warning.identifier}.XML"


# -- upstream messages ---------------------------------------------------------------------------------------


@UPSTREAM.register("list")
class UpstreamListView(ObjectListView):
    spec = UPSTREAM
    filterset_class = UPSTREAM.filterset
    import_url_name = "warnings:upstreammessage_upload"
    columns = [
        Column("headline", link=True), Column("sender"), Column("identifier"), Column("event"), Column("level"),
        Column("msg_type"), Column("format"), Column("sent"), Column("source"), Column("imported_at"),
    ]


@UPSTREAM.register("detail")
class UpstreamDetailView(ObjectDetailView):
    spec = UPSTREAM
    template_name = "warnings/upstream_detail.html"
    fields = [
        Column("headline"), Column("sender"), Column("identifier"), Column("msg_type"), Column("format"),
        Column("event"), Column("event_type"), Column("level"), Column("description"), Column("instruction"),
        Column("area_desc"), Column("sent"), Column("onset"), Column("expires"), Column("source"),
        Column("file_name"), Column("imported_by"), Column("imported_at"),
    ]

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        user = self.request.user
        context["forward_form"] = ForwardForm(user=user, initial={
            "region": user.scope_region if user.scope_region and user.scope_region.level != "village" else None,
            "level": obj.level})
        context["can_forward"] = has_model_perm(user, Warning, "add")
        context["forwards"] = Warning.objects.restrict(user).filter(upstream=obj)
        return context


@login_required
def upstream_upload(request):
    if not has_model_perm(request.user, UpstreamMessage, "add"):
        raise PermissionDenied
    title = _("接收上级预警")
    status = 200
    if request.method == "POST":
        form = UpstreamUploadForm(request.POST, request.FILES)
        if form.is_valid():
            uploaded = form.cleaned_data["file"]
            region = request.user.scope_region
            if region is None:
                form.add_error(None, _("您的账号没有管辖区划，不能接收预警"))
            elif uploaded.size > 2 * 2**20:
                form.add_error("file", _("文件过大，上限 2 MB"))
            else:
                try:
                    message = services.upstream_import(actor=request.user, data=uploaded.read(), region=region,
                                                       file_name=uploaded.name)
                except (ValidationError, PermissionDenied) as exc:
                    form.add_error("file", "；".join(getattr(exc, "messages", [str(exc)])))
                else:
                    messages.success(request, _("已接收：%(name)s") % {"name": message})
                    return HttpResponseRedirect(reverse("warnings:upstreammessage_detail", args=[message.pk]))
        status = 400
    else:
        form = UpstreamUploadForm()
    context = {"title": title, "form": form, "cancel_url": reverse("warnings:upstreammessage_list"),
               "breadcrumbs": _trail((_("上级预警"), reverse("warnings:upstreammessage_list")), (title, None))}
    return render(request, "warnings/upstream_upload.html", context, status=status)


@login_required
@require_POST
def upstream_forward(request, pk: int):
    if not has_model_perm(request.user, Warning, "add"):
        raise PermissionDenied
    message = get_object_or_404(UpstreamMessage.objects.restrict(request.user, "view"), pk=pk)
    form = ForwardForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        extra = {"level": data["level"]} if data.get("level") else {}
        try:
            with transaction.atomic():
                warning = services.upstream_forward(
                    message=message, actor=request.user, region=data["region"],
                    local_instructions=data["local_instructions"], area_regions=list(data["area_regions"]), **extra)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("已生成转发草稿，请核对后送审"))
            return HttpResponseRedirect(reverse("warnings:warning_detail", args=[warning.pk]))
    else:
        messages.error(request, "；".join(f"{form.fields[k].label}：{m}" if k in form.fields else m
                                         for k, errs in form.errors.items() for m in errs))
    return HttpResponseRedirect(reverse("warnings:upstreammessage_detail", args=[pk]))


# -- public pages: no login, published warnings only -------------------------------------------------------------


def public_warnings(request):
    context = {"title": _("当前生效的预警"), "warnings": public_current_warnings(),
               "breadcrumbs": [(_("当前生效的预警"), None)]}
    return render(request, "warnings/public_list.html", context)


def public_document(request, identifier: str):
    warning = get_object_or_404(public_current_warnings(include_ended=True), identifier=identifier)
    return _document_response(warning, "cap")
