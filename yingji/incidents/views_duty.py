"""Pages of 值班值守: roster, generation from a rotation, duty log and handover, roll-call."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core.models import Organization, User
from yingji.core.scoping import has_model_perm
from yingji.core.tables import Column
from yingji.core.views.generic import ObjectDetailView, ObjectEditView, ObjectListView
from yingji.incidents import duty, forms
from yingji.incidents.filters_duty import DutyLogFilterSet, DutyShiftFilterSet, RollCallFilterSet
from yingji.incidents.models import DutyLog, DutyShift, RollCall


class DutyMixin:
    url_namespace = "incidents"

    def breadcrumbs(self):
        return [(_("首页"), reverse("home")), (_("值班值守"), reverse("incidents:dutyshift_list"))]


class DutyShiftListView(DutyMixin, ObjectListView):
    model = DutyShift
    filterset_class = DutyShiftFilterSet
    columns = [Column("id", gettext_lazy("值班安排"), link=True, accessor=str),
               Column("organization.name", gettext_lazy("值班单位")), Column("date"), Column("position"),
               Column("person_name"), Column("phone", orderable=False)]
    default_ordering = ["-date", "organization_id", "position", "pk"]


class DutyShiftDetailView(DutyMixin, ObjectDetailView):
    model = DutyShift
    fields = [Column(n) for n in ("organization", "date", "position", "person_name", "phone")]


class DutyShiftEditView(DutyMixin, ObjectEditView):
    model = DutyShift
    form_class = forms.DutyShiftForm
    create_service = staticmethod(duty.duty_shift_create)
    update_service = staticmethod(duty.duty_shift_update)


@login_required
def roster_generate(request):
    if not has_model_perm(request.user, DutyShift, "add"):
        raise PermissionDenied
    form = forms.RosterGenerateForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                with transaction.atomic():
                    created = duty.duty_roster_generate(organization=form.cleaned_data["organization"],
                                                        actor=request.user, start=form.cleaned_data["start"],
                                                        days=form.cleaned_data["days"], rotation=form.rotation())
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("已生成 %(n)d 条排班") % {"n": created})
                return HttpResponseRedirect(reverse("incidents:dutyshift_list"))
        status = 400
    title = _("按轮换生成排班")
    return render(request, "core/object_edit.html", {
        "form": form, "title": title, "cancel_url": reverse("incidents:dutyshift_list"),
        "breadcrumbs": DutyMixin().breadcrumbs() + [(title, None)]}, status=status)


class DutyLogListView(DutyMixin, ObjectListView):
    model = DutyLog
    filterset_class = DutyLogFilterSet
    columns = [Column("id", gettext_lazy("值班日志"), link=True, accessor=str), Column("date"),
               Column("officer.real_name", gettext_lazy("值班人")), Column("content", orderable=False),
               Column("open_items", orderable=False), Column("handed_over_to.real_name", gettext_lazy("接班人")),
               Column("handed_over_at")]


class DutyLogDetailView(DutyMixin, ObjectDetailView):
    model = DutyLog
    template_name = "incidents/dutylog_detail.html"
    fields = [Column(n) for n in ("organization", "date", "officer", "content", "open_items", "handed_over_to",
                                  "handed_over_at")]

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        user = self.request.user
        if obj.handed_over_at is None and DutyLog.objects.restrict(user, "change").filter(pk=obj.pk).exists():
            context["successors"] = User.objects.restrict(user, "view").filter(
                scope_region_id=obj.region_id, is_active=True).exclude(pk=user.pk)
        return context


class DutyLogEditView(DutyMixin, ObjectEditView):
    model = DutyLog
    form_class = forms.DutyLogForm
    create_service = staticmethod(duty.duty_log_create)
    update_service = staticmethod(duty.duty_log_update)


@login_required
def duty_handover(request, pk: int):
    log = get_object_or_404(DutyLog.objects.restrict(request.user, "change"), pk=pk)
    if request.method == "POST":
        successor = User.objects.restrict(request.user, "view").filter(pk=request.POST.get("successor")).first() \
            if has_model_perm(request.user, User, "view") else \
            User.objects.filter(pk=request.POST.get("successor"), scope_region_id=log.region_id).first()
        try:
            if successor is None:
                raise ValidationError(_("请选择接班人"))
            duty.duty_handover(log=log, actor=request.user, successor=successor)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("已交班"))
    return HttpResponseRedirect(reverse("incidents:dutylog_detail", args=[pk]))


class RollCallListView(DutyMixin, ObjectListView):
    model = RollCall
    filterset_class = RollCallFilterSet
    columns = [Column("id", gettext_lazy("点名"), link=True, accessor=str), Column("called_at"),
               Column("caller.name", gettext_lazy("点名单位")), Column("callee.name", gettext_lazy("被点名单位")), Column("called_by.real_name",
                                                                              gettext_lazy("点名人")),
               Column("answered_at"), Column("answered_by.real_name", gettext_lazy("应答人")),
               Column("response_seconds")]


class RollCallDetailView(DutyMixin, ObjectDetailView):
    model = RollCall
    template_name = "incidents/rollcall_detail.html"
    fields = [Column(n) for n in ("caller", "callee", "called_by", "called_at", "answered_by", "answered_at",
                                  "response_seconds")]

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        context["can_answer"] = obj.answered_at is None and self.request.user.scope_region_id == obj.callee.region_id
        return context


@login_required
def rollcall_send(request):
    if not has_model_perm(request.user, RollCall, "add"):
        raise PermissionDenied
    organizations = Organization.objects.restrict(request.user, "view").order_by("region_id", "name")
    if request.method != "POST":
        title = _("发起点名")
        return render(request, "incidents/rollcall_send.html", {
            "title": title, "organizations": organizations,
            "breadcrumbs": DutyMixin().breadcrumbs() + [(_("值班点名"), reverse("incidents:rollcall_list")),
                                                        (title, None)]})
    caller = organizations.filter(pk=request.POST.get("caller")).first()
    callee = organizations.filter(pk=request.POST.get("callee")).first()
    try:
        if caller is None or callee is None:
            raise ValidationError(_("请选择点名单位和被点名单位"))
        call = duty.rollcall_send(actor=request.user, caller=caller, callee=callee)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return HttpResponseRedirect(reverse("incidents:rollcall_list"))
    messages.success(request, _("已点名"))
    return HttpResponseRedirect(reverse("incidents:rollcall_detail", args=[call.pk]))


@login_required
def rollcall_answer(request, pk: int):
    call = get_object_or_404(RollCall.objects.restrict(request.user, "change"), pk=pk)
    if request.method == "POST":
        try:
            call = duty.rollcall_answer(call=call, actor=request.user)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("已应答，用时 %(s)d 秒") % {"s": call.response_seconds})
    return HttpResponseRedirect(reverse("incidents:rollcall_detail", args=[pk]))
