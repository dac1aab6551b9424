"""Generic list, detail, edit, export and import views.

An app declares a model's spec (its services; see `yingji.core.specs`), a filterset,
columns and a form; scoping, permission checks, search, pagination, Excel export and
history display happen here once. Nothing in these views writes a model: edits go to
the services the spec names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from yingji.core import excel, jobs
from yingji.core.forms import transition_form
from yingji.core.history import history_entries
from yingji.core.models import Attachment
from yingji.core.paging import DEFAULT_PAGE_SIZE, pager_context, paginate
from yingji.core.scoping import has_model_perm
from yingji.core.specs import ModelSpec
from yingji.core.tables import Column, related_paths
from yingji.core.todos import next_steps
from yingji.core.views.attachments import attachments_of
from yingji.core.workflow import timeline, unknown_action_message


class ScopedView(LoginRequiredMixin, View):
    """A page about one model: login required, model permission required, rows scoped.

    A view of a spec'd model takes its model and URL namespace from `spec` (see `yingji.core.specs`)."""

    spec: ModelSpec | None = None
    model: type[models.Model]
    action = "view"
    url_namespace = ""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        spec = getattr(cls, "spec", None)
        if spec is not None:
            cls.model = spec.model
            cls.url_namespace = spec.namespace

    @classmethod
    def may_open(cls, user, action: str | None = None) -> bool:
        """Whether `user` may open this page: the model permission of its action. The menu asks the same
        (`yingji.core.access.view_check`)."""
        return has_model_perm(user, cls.model, action or cls.action)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.may_open(request.user, self.action):
            raise PermissionDenied(_("您没有权限访问此页面。"))
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self) -> models.QuerySet:
        return self.model.objects.restrict(self.request.user, self.action)

    def url(self, suffix: str, *args: Any) -> str:
        return reverse(f"{self.url_namespace}:{self.model._meta.model_name}_{suffix}", args=args)

    def has_url(self, suffix: str) -> bool:
        try:
            reverse(f"{self.url_namespace}:{self.model._meta.model_name}_{suffix}", args=[0] if suffix in {"detail", "edit", "transition"} else [])
            return True
        except NoReverseMatch:
            return False

    @property
    def verbose_name(self) -> str:
        return str(self.model._meta.verbose_name)

    def breadcrumbs(self) -> list[tuple[str, str | None]]:
        if self.spec is not None and self.spec.breadcrumbs is not None:
            return self.spec.breadcrumbs()
        return [(_("首页"), reverse("home"))]


class ObjectListView(ScopedView):
    """Filter, search, order, paginate and export a scoped list."""

    filterset_class = None
    columns: list[Column] = []
    default_ordering: list[str] | None = None
    paginate_by = DEFAULT_PAGE_SIZE  # the page size unless the request asks for another of paging.PAGE_SIZES
    template_name = "core/object_list.html"
    table_template = "core/includes/object_table.html"
    import_url_name: str | None = None
    title = ""

    def filtered(self, request) -> tuple[Any, models.QuerySet]:
        """The filter set and the scoped, filtered, ordered rows the request asks for (the page, the export)."""
        queryset = self.get_queryset()
        paths = related_paths(self.columns)
        if paths:
            queryset = queryset.select_related(*paths)
        filterset = self.filterset_class(request.GET or None, queryset=queryset, request=request)
        queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
        return filterset, self.order(queryset, request.GET.get("sort", ""))

    def get(self, request, *args, **kwargs):
        filterset, queryset = self.filtered(request)
        if request.GET.get("export") == "xlsx":
            if queryset.count() > settings.EXPORT_BACKGROUND_ROWS:
                # A large export is built by a worker; the page shows its progress and then the download.
                job = jobs.export_request(user=request.user, spec=self.spec, query=request.GET.urlencode(),
                                          title=str(self.model._meta.verbose_name_plural))
                return HttpResponseRedirect(reverse("core:job_detail", args=[job.pk]))
            return self.export(queryset)
        page = paginate(request, queryset, self.paginate_by)
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "view": self,
            "title": self.title or _("%(name)s列表") % {"name": self.verbose_name},
            "breadcrumbs": self.breadcrumbs() + [(self.title or self.model._meta.verbose_name_plural, None)],
            "filterset": filterset,
            "columns": [(c, c.heading(self.model)) for c in self.columns],
            "rows": [(obj, [(c.link, c.text(obj)) for c in self.columns]) for obj in page.object_list],
            "page": page,
            "pager": pager_context(request, page, self.paginate_by),
            "query": query.urlencode(),
            "sort": request.GET.get("sort", ""),
            "can_add": has_model_perm(request.user, self.model, "add") and self.has_url("create"),
            "create_url": self.url("create") if self.has_url("create") else None,
            "import_url": reverse(self.import_url_name)
            if self.import_url_name and has_model_perm(request.user, self.model, "add")
            else None,
            "detail_url_name": f"{self.url_namespace}:{self.model._meta.model_name}_detail",
        }
        template = self.table_template if request.headers.get("HX-Request") else self.template_name
        return render(request, template, context)

    def order(self, queryset: models.QuerySet, sort: str) -> models.QuerySet:
        allowed = {c.order_key for c in self.columns if c.order_key}
        key = sort.lstrip("-")
        if key in allowed:
            return queryset.order_by(sort, "pk")
        if self.default_ordering:
            return queryset.order_by(*self.default_ordering)
        return queryset.order_by(*(queryset.model._meta.ordering or []), "pk")

    def export(self, queryset: models.QuerySet) -> HttpResponse:
        title = str(self.model._meta.verbose_name_plural)
        return excel.workbook_response(self.export_workbook(queryset), title)

    def export_workbook(self, queryset: models.QuerySet, progress: Callable[[int], None] | None = None):
        """The list as Excel; a list that has an import exports its import's columns, so the file imports back.
        `progress` hears the number of rows written so far, every thousand rows."""
        rows_of = excel.counted(queryset[: excel.EXPORT_ROW_LIMIT].iterator(chunk_size=2000), progress)
        importer = self.spec.importer if self.spec is not None else None
        if importer is not None:
            return importer.export_workbook(rows_of)
        columns = [c for c in self.columns if c.export]
        rows = ([c.value(obj) for c in columns] for obj in rows_of)
        return excel.export_rows(str(self.model._meta.verbose_name_plural), [c.heading(self.model) for c in columns],
                                 rows)


class ObjectDetailView(ScopedView):
    """One record in scope (404 otherwise), its fields and its change history."""

    fields: list[Column] = []
    template_name = "core/object_detail.html"
    with_attachments = False

    def get_object(self, pk) -> models.Model:
        return get_object_or_404(self.get_queryset(), pk=pk)

    def get_context_data(self, obj: models.Model) -> dict[str, Any]:
        user = self.request.user
        closed = self.spec.closed_message(obj) if self.spec is not None else None
        return {
            "view": self,
            "object": obj,
            "title": str(obj),
            "breadcrumbs": self.breadcrumbs()
            + [(self.model._meta.verbose_name_plural, self.url("list") if self.has_url("list") else None), (str(obj), None)],
            "fields": [(c.heading(self.model), c.text(obj)) for c in self.fields],
            "edit_url": self.url("edit", obj.pk)
            if self.has_url("edit") and not closed and self.get_queryset_for("change").filter(pk=obj.pk).exists()
            else None,
            # A record whose loop is closed is read-only: no edit button, no upload, and the page says so.
            "closed_message": closed,
            "history": history_entries(obj, user),
            "attachments": attachments_of(obj, user) if self.with_attachments else None,
            "can_upload": self.with_attachments and not closed and has_model_perm(user, Attachment, "add"),
            "upload_url": reverse("core:attachment_upload", args=[obj._meta.app_label, obj._meta.model_name, obj.pk]),
            **self.workflow_context(obj),
        }

    def workflow_context(self, obj: models.Model) -> dict[str, Any]:
        """The buttons of the moves the user may make now, each with its form, the moves blocked and why, and the
        timeline: all from the spec's transition tables (nothing when the model has no workflow)."""
        if self.spec is None or not self.spec.flows:
            return {}
        user = self.request.user
        moves, blocked, workflows = [], [], {}
        for flow in self.spec.flows:
            workflow = flow.workflow
            these = available_moves(self.spec, obj, user, flows=[flow])
            held = workflow.blocked(obj, user)
            workflows[workflow.status_field] = {"moves": these, "blocked": held}
            moves += these
            blocked += held
        return {
            # All moves together, and per status field for a page that shows each workflow in its own card.
            "moves": moves,
            "workflows": workflows,
            "actions": [move for move, _form in moves],
            "blocked": blocked,
            "timeline": timeline(obj, user),
            "transition_url": self.url("transition", obj.pk) if self.has_url("transition") else None,
            # 下一步: who may make the moves the record waits for, whether or not this user is among them.
            "next_steps": next_steps(obj, [flow.workflow for flow in self.spec.flows]),
        }

    def get_queryset_for(self, action: str) -> models.QuerySet:
        return self.model.objects.restrict(self.request.user, action)

    def get(self, request, pk):
        obj = self.get_object(pk)
        return render(request, self.template_name, self.get_context_data(obj))


class ObjectEditView(ScopedView):
    """Create (no pk) or edit (pk) one record through the services its `spec` names."""

    form_class = None
    template_name = "core/object_edit.html"

    @classmethod
    def may_open(cls, user, action: str | None = None) -> bool:
        # Reached without a pk, as from the menu, the page creates.
        return super().may_open(user, action or "add")

    def dispatch(self, request, *args, **kwargs):
        self.action = "change" if "pk" in kwargs else "add"
        return super().dispatch(request, *args, **kwargs)

    def get_object(self, pk) -> models.Model | None:
        return None if pk is None else get_object_or_404(self.get_queryset(), pk=pk)

    def get(self, request, pk=None):
        obj = self.get_object(pk)
        if self.refused_as_closed(obj):
            return HttpResponseRedirect(self.url("detail", obj.pk))
        form = self.form_class(instance=obj, user=request.user, initial=self.get_initial())
        return self.render_form(form, obj)

    def refused_as_closed(self, obj: models.Model | None) -> bool:
        """A record whose loop is closed is not edited: say why (the detail page shows it) and go back."""
        message = self.spec.closed_message(obj) if obj is not None and self.spec is not None else None
        if message:
            messages.error(self.request, message)
        return bool(message)

    def get_initial(self) -> dict[str, Any]:
        return {}

    def post(self, request, pk=None):
        obj = self.get_object(pk)
        if self.refused_as_closed(obj):
            return HttpResponseRedirect(self.url("detail", obj.pk))
        form = self.form_class(request.POST, request.FILES, instance=obj, user=request.user)
        if form.is_valid():
            data = self.service_arguments(form)
            try:
                with transaction.atomic():
                    saved = self.save(obj, data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("已保存：%(name)s") % {"name": saved})
                return HttpResponseRedirect(self.url("detail", saved.pk))
        return self.render_form(form, obj, status=400 if request.method == "POST" else 200)

    def save(self, obj: models.Model | None, data: dict[str, Any]) -> models.Model:
        if obj is None:
            return self.spec.create_object(actor=self.request.user, **data)
        return self.spec.update_object(obj, actor=self.request.user, **data)

    def service_arguments(self, form) -> dict[str, Any]:
        """What the service receives: the form's model fields, by default."""
        return {name: form.cleaned_data[name] for name in form._meta.fields if name in form.cleaned_data}

    def render_form(self, form, obj, status: int = 200):
        if obj is None:
            title = _("新建%(name)s") % {"name": self.verbose_name}
            trail = [(title, None)]
        else:
            title = _("编辑%(name)s") % {"name": obj}
            trail = [(str(obj), self.url("detail", obj.pk)), (_("编辑"), None)]
        context = {
            "view": self,
            "form": form,
            "object": obj,
            "title": title,
            "breadcrumbs": self.breadcrumbs() + [(self.model._meta.verbose_name_plural, self.url("list"))] + trail,
            "cancel_url": self.url("detail", obj.pk) if obj else self.url("list"),
        }
        return render(self.request, self.template_name, context, status=status)


class TransitionView(ScopedView):
    """POST one move of the spec's workflows: the action, its reason and the fields its table declares.

    The record is fetched among those the user may read (404 otherwise); `transition()` then refuses a record outside
    the user's own scope and a move the table or its rules refuse, with the reason shown on the page.
    """

    http_method_names = ["post"]

    def post(self, request, pk):
        obj = get_object_or_404(self.get_queryset(), pk=pk)
        action = request.POST.get("action", "")
        flow = self.spec.flow_of(action)
        if flow is None:
            messages.error(request, unknown_action_message(action))
            return self.back(obj)
        move = next(t for t in flow.workflow.transitions if t.action == action)
        form = transition_form(self.model, move, request.user, data=request.POST, files=request.FILES)
        if not form.is_valid():
            messages.error(request, _("提交的数据有误：%(errors)s") % {"errors": _form_errors_text(form)})
            return self.back(obj)
        data = dict(form.cleaned_data)
        reason = data.pop("reason", "")
        fields = {name: value for name, value in data.items() if value not in (None, "")}
        perform(request, lambda: self.spec.act(obj, actor=request.user, action=action, reason=reason, **fields),
                _("已办理：%(action)s") % {"action": move.label})
        return self.back(obj)

    def back(self, obj: models.Model) -> HttpResponseRedirect:
        target = self.request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(target, {self.request.get_host()}, self.request.is_secure()):
            return HttpResponseRedirect(target)
        return HttpResponseRedirect(self.url("detail", obj.pk))


def available_moves(spec: ModelSpec, obj: models.Model, user, flows=None) -> list[tuple[Any, Any]]:
    """(move, its form) for each move `user` may make now on `obj`, for its own page or another record's page that
    lists it (a response on its incident, an improvement on its drill)."""
    return [(move, transition_form(spec.model, move, user, obj=obj))
            for flow in (flows if flows is not None else spec.flows) for move in flow.workflow.available(obj, user)]


def perform(request, call: Callable[[], Any], done: str | None = None) -> bool:
    """Run a service call for a page's POST in one transaction and tell the user how it went: the refusal's reason
    (a ValidationError or PermissionDenied from the service) or `done`. True when it went through."""
    try:
        with transaction.atomic():
            call()
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("您没有执行此操作的权限。"))
    else:
        messages.success(request, done or _("已办理"))
        return True
    return False


def _form_errors_text(form) -> str:
    return "；".join(f"{form.fields[name].label if name in form.fields else ''}{'：' if name in form.fields else ''}"
                    f"{'；'.join(errors)}" for name, errors in form.errors.items())


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class ObjectImportView(ScopedView, TemplateView):
    """Excel import: download the template, upload, see every bad row with its reason."""

    importer = None  # a yingji.core.importing.Importer
    template_name = "core/object_import.html"
    action = "add"

    def get(self, request, *args, **kwargs):
        if request.GET.get("template"):
            return excel.workbook_response(self.importer.template(), _("%(name)s导入模板") % {"name": self.verbose_name})
        return render(request, self.template_name, self.context())

    def post(self, request, *args, **kwargs):
        uploaded = request.FILES.get("file")
        if uploaded is None:
            return render(request, self.template_name, self.context(error=_("请选择要导入的 Excel 文件")), status=400)
        if uploaded.size > settings.IMPORT_BACKGROUND_BYTES:
            # A large file is imported by a worker; the page shows its progress and then the report.
            job = jobs.import_request(user=request.user, spec=self.spec, uploaded=uploaded,
                                      title=str(self.model._meta.verbose_name_plural))
            return HttpResponseRedirect(reverse("core:job_detail", args=[job.pk]))
        try:
            report = self.importer.run(uploaded, actor=request.user)
        except excel.ImportFileError as exc:
            return render(request, self.template_name, self.context(error=str(exc)), status=400)
        return render(request, self.template_name, self.context(report=report))

    def context(self, **extra) -> dict[str, Any]:
        title = _("批量导入%(name)s") % {"name": self.verbose_name}
        return {
            "view": self,
            "title": title,
            "breadcrumbs": self.breadcrumbs() + [(self.model._meta.verbose_name_plural, self.url("list")), (title, None)],
            "list_url": self.url("list"),
            "columns": self.importer.columns,
            "limits": excel.import_limits(),
            **extra,
        }


def default_view(spec: ModelSpec, role: str) -> type | None:
    """The page class a spec gets for `role` when its app registers none: built from its declarations."""
    name = spec.model.__name__
    attrs: dict[str, Any] = {"spec": spec, "__module__": spec.model.__module__}
    if role == "list" and spec.columns and spec.filterset is not None:
        attrs.update(filterset_class=spec.filterset, columns=list(spec.columns),
                     import_url_name=spec.url_name("import") if spec.importer else None)
        return type(f"{name}ListView", (ObjectListView,), attrs)
    if role == "detail" and spec.fields:
        attrs.update(fields=list(spec.fields), with_attachments=spec.with_attachments)
        if spec.detail_template:
            attrs["template_name"] = spec.detail_template
        return type(f"{name}DetailView", (ObjectDetailView,), attrs)
    if role == "edit" and spec.form is not None:
        attrs.update(form_class=spec.form)
        return type(f"{name}EditView", (ObjectEditView,), attrs)
    if role == "import" and spec.importer is not None:
        attrs.update(importer=spec.importer)
        return type(f"{name}ImportView", (ObjectImportView,), attrs)
    if role == "transition" and spec.flows:
        return type(f"{name}TransitionView", (TransitionView,), attrs)
    return None


def view_for(spec: ModelSpec, role: str) -> type | None:
    """The class registered for `role` with `spec.register(role)`, else one built from the spec's declarations."""
    if role not in spec._views:
        made = default_view(spec, role)
        if made is None:
            return None
        spec._views[role] = made
    return spec._views[role]


def model_urls(spec: ModelSpec) -> list:
    """The paths of a spec's pages under its prefix: list, new, import, detail, edit and, with flows, transition.

    Names are `<model name>_<role>` (`hazard_list`, `hazard_create`, ...), as the generic views reverse them."""
    base = f"{spec.prefix}/" if spec.prefix else ""
    routes = [
        ("list", base, "list"),
        ("create", f"{base}new/", "edit"),
        ("import", f"{base}import/", "import"),
        ("detail", f"{base}<int:pk>/", "detail"),
        ("edit", f"{base}<int:pk>/edit/", "edit"),
        ("transition", f"{base}<int:pk>/transition/", "transition"),
    ]
    patterns = []
    for name, route, role in routes:
        if (name == "create" and spec.create is None) or (name == "edit" and spec.update is None):
            continue
        view = view_for(spec, role)
        if view is not None:
            patterns.append(path(route, view.as_view(), name=f"{spec.name}_{name}"))
    return patterns
