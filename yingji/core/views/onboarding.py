"""Day one of a bureau: the setup link, the bureau's identity, the checklist, region and boundary imports (upload,
preview, confirm), organisation kinds' default roles, the first-login password and account deactivation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.core import bureau as bureau_services
from yingji.core import jobs, onboarding
from yingji.core.boundary_import import BoundaryFeature, apply_boundaries, plan_boundaries, read_boundary_file
from yingji.core.division_import import (
    PREVIEW_ROWS,
    DivisionImportError,
    import_root_for,
    plan_divisions,
    read_division_file,
)
from yingji.core.models import OrganizationKind, Region, RoleTemplate, StagedImport, User
from yingji.core.onboarding_forms import (
    BoundaryUploadForm,
    BureauForm,
    ImportUploadForm,
    OwnPasswordForm,
    RoleTemplateForm,
    SetupForm,
)
from yingji.core.scoping import has_model_perm
from yingji.core.services import user_set_active, user_set_own_password


def _trail(*items: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(_("首页"), reverse("home")), (_("平台设置"), reverse("core:setup_checklist")), *items]


def _require_bureau_admin(user) -> None:
    if not bureau_services.is_bureau_admin(user):
        raise PermissionDenied(_("只有本局系统管理员可以进行平台设置。"))


# The first configuration ------------------------------------------------------------------------------------

def setup(request, token: str):
    """The one-time link printed at the first start: the bureau, its root region and its first administrator."""
    if not bureau_services.setup_link_valid(token):
        return render(request, "core/onboarding/setup_used.html", {"title": _("首次设置")}, status=404)
    form = SetupForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            admin = bureau_services.setup_complete(
                token=token, username=data["username"], real_name=data["real_name"], password=data["password"],
                name=data["name"], root_code=data["root_code"], root_name=data["root_name"],
                ancestor_names=form.ancestors(), platform_name=data["platform_name"], emblem_file=data["emblem"])
        except ValidationError as exc:
            _add_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            login(request, admin, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("本局信息已保存。请按下面的步骤完成平台设置。"))
            return redirect("core:setup_checklist")
    return render(request, "core/onboarding/setup.html", {"title": _("首次设置"), "form": form})


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        form.add_error(None, exc)


@login_required
def setup_checklist(request):
    _require_bureau_admin(request.user)
    steps = onboarding.checklist()
    for step in steps:
        step["url"] = reverse(step["url_name"]) if step["url_name"] else ""
    return render(request, "core/onboarding/checklist.html", {
        "title": _("平台设置"), "breadcrumbs": _trail(), "steps": steps,
        "identity": bureau_services.bureau_identity(), "done": sum(s["done"] for s in steps),
    })


@login_required
def bureau_edit(request):
    _require_bureau_admin(request.user)
    bureau = bureau_services.current_bureau()
    initial = {"name": bureau.name, "root_code": bureau.root_region_id, "root_name": bureau.root_region.name,
               "platform_name": bureau.platform_name} if bureau else {}
    form = BureauForm(request.POST or None, request.FILES or None, initial=initial)
    if bureau is not None:
        form.fields["root_code"].disabled = True
        form.fields["root_name"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            bureau_services.bureau_configure(
                actor=request.user, name=data["name"], root_code=data["root_code"], root_name=data["root_name"],
                ancestor_names=form.ancestors(), platform_name=data["platform_name"], emblem_file=data["emblem"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("本局信息已保存。"))
            return redirect("core:setup_checklist")
    return render(request, "core/onboarding/bureau_form.html", {
        "title": _("本局信息"), "breadcrumbs": _trail((_("本局信息"), None)), "form": form,
        "identity": bureau_services.bureau_identity()})


def bureau_emblem(request):
    """The emblem, public like the login page that shows it."""
    identity = bureau_services.bureau_identity()
    if identity.emblem is None:
        raise Http404
    response = HttpResponse(identity.emblem, content_type=identity.emblem_type)
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Region and boundary imports: upload → preview → confirm ------------------------------------------------------

def _import_root(user) -> Region:
    """Where the user's import may write: their own region (never above it), or the bureau's root."""
    return import_root_for(user)


def _staged(request, pk: int, kind: str) -> StagedImport:
    return get_object_or_404(StagedImport, pk=pk, kind=kind, created_by=request.user, applied_at__isnull=True)


@login_required
def region_import(request):
    root = _import_root(request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    context = {"title": _("导入行政区划"), "breadcrumbs": _trail((_("导入行政区划"), None)), "form": form,
               "root": root, "preview_rows": PREVIEW_ROWS}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = read_division_file(upload.read(), upload.name)
        except DivisionImportError as exc:
            form.add_error("file", str(exc))
        else:
            plan = plan_divisions(rows, root_code=root.code)
            staged = StagedImport.objects.create(
                kind="regions", file_name=upload.name[:200], created_by=request.user, created_at=timezone.now(),
                payload={"root": root.code, "rows": [[r.number, r.code, r.name, r.urban_rural_code] for r in rows]},
                summary=plan.summary())
            context.update(plan=plan, staged=staged)
    return render(request, "core/onboarding/region_import.html", context)


@login_required
@require_POST
def region_import_confirm(request, pk: int):
    """Queue the confirmed import as a background job (a province is ~700,000 rows) and show its progress."""
    root = _import_root(request.user)
    # Not the rows themselves: a province's are ~30 MB of JSON, which only the job reads.
    staged = get_object_or_404(StagedImport.objects.defer("payload"), pk=pk, kind="regions",
                               created_by=request.user, applied_at__isnull=True)
    if not StagedImport.objects.filter(pk=staged.pk, payload__root=root.code).exists():
        raise PermissionDenied
    job = jobs.region_import_pending(user=request.user, staged=staged) or jobs.region_import_request(
        user=request.user, staged=staged, root=root)
    return redirect("core:job_detail", pk=job.pk)


@login_required
def boundary_import(request):
    root = _import_root(request.user)
    form = BoundaryUploadForm(request.POST or None, request.FILES or None)
    context = {"title": _("导入区划边界"), "breadcrumbs": _trail((_("导入区划边界"), None)), "form": form,
               "root": root}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        parent = form.cleaned_data["parent"] or None
        try:
            if parent and not Region.objects.restrict(request.user, "change").filter(code=parent).exists():
                raise DivisionImportError(_("上级区划 %(code)s 不存在或不在您的管辖范围内") % {"code": parent})
            features = read_boundary_file(upload.read(), upload.name)
        except DivisionImportError as exc:
            form.add_error(None, str(exc))
        else:
            plan = plan_boundaries(features, root_code=root.code, parent_code=parent)
            matched = {f.number for f, _c, _n, _h in plan.matched}
            staged = StagedImport.objects.create(
                kind="boundaries", file_name=upload.name[:200], created_by=request.user, created_at=timezone.now(),
                payload={"root": root.code, "parent": parent, "features": [
                    [f.number, f.code, f.name, f.geometry, f.closed] for f in features if f.number in matched]},
                summary=plan.summary())
            context.update(plan=plan, staged=staged)
    return render(request, "core/onboarding/boundary_import.html", context)


@login_required
@require_POST
def boundary_import_confirm(request, pk: int):
    root = _import_root(request.user)
    staged = _staged(request, pk, "boundaries")
    if staged.payload["root"] != root.code:
        raise PermissionDenied
    if staged.summary.get("errors"):
        messages.error(request, _("文件有错误，未导入任何边界"))
        return redirect("core:boundary_import")
    features = [BoundaryFeature(*values) for values in staged.payload["features"]]
    # Only the matched features were kept: the unmatched and the ignored are no longer part of the plan.
    expected = {**staged.summary, "unmatched": 0, "ignored": 0}
    try:
        plan = apply_boundaries(features, root_code=root.code, parent_code=staged.payload["parent"],
                                actor=request.user, expected=expected)
    except DivisionImportError as exc:
        messages.error(request, str(exc))
        return redirect("core:boundary_import")
    staged.applied_at = timezone.now()
    staged.save(update_fields=["applied_at"])
    messages.success(request, _("已导入 %(count)d 个区划的边界。") % {"count": len(plan.matched)})
    return redirect("core:region_tree")


# Organisation kinds and their default roles -------------------------------------------------------------------

@login_required
def organization_kinds(request):
    if not has_model_perm(request.user, RoleTemplate, "view"):
        raise Http404
    templates = {t.kind: t for t in RoleTemplate.objects.prefetch_related("roles")}
    rows = [{"kind": value, "label": label, "roles": [g.name for g in templates[value].roles.all()]
             if value in templates else []} for value, label in OrganizationKind.choices]
    return render(request, "core/onboarding/organization_kinds.html", {
        "title": _("组织机构类型与默认角色"),
        "breadcrumbs": [(_("首页"), reverse("home")), (_("组织机构"), reverse("core:organization_list")),
                        (_("类型与默认角色"), None)],
        "rows": rows, "can_edit": bureau_services.is_bureau_admin(request.user)})


@login_required
def organization_kind_edit(request, kind: str):
    _require_bureau_admin(request.user)
    if kind not in OrganizationKind.values:
        raise Http404
    template, _created = RoleTemplate.objects.get_or_create(kind=kind)
    form = RoleTemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        bureau_services.role_template_update(template=template, actor=request.user,
                                             groups=list(form.cleaned_data["roles"]))
        messages.success(request, _("默认角色已保存。"))
        return redirect("core:organization_kinds")
    return render(request, "core/onboarding/organization_kind_edit.html", {
        "title": _("默认角色：%(kind)s") % {"kind": template.get_kind_display()},
        "breadcrumbs": [(_("首页"), reverse("home")), (_("组织机构类型与默认角色"), reverse("core:organization_kinds")),
                        (template.get_kind_display(), None)],
        "form": form})


# People -------------------------------------------------------------------------------------------------------

@login_required
def own_password(request):
    """Where a person with an initial password is sent until they choose their own."""
    form = OwnPasswordForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = user_set_own_password(user=request.user, password=form.cleaned_data["password"])
        update_session_auth_hash(request, user)
        messages.success(request, _("密码已设置。"))
        return redirect("home")
    return render(request, "core/onboarding/own_password.html", {"title": _("设置密码"), "form": form})


@login_required
@require_POST
def user_active(request, pk: int):
    """Deactivate or reactivate an account (a list and detail action); accounts are never deleted."""
    user = get_object_or_404(User.objects.restrict(request.user, "change"), pk=pk)
    active = request.POST.get("active") == "1"
    try:
        user_set_active(user=user, actor=request.user, active=active)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, (_("已启用 %(name)s") if active else _("已停用 %(name)s")) % {"name": user})
    return redirect("core:user_list")
