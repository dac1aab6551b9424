"""Pages of 值班值守: roster, generation from a rotation, duty log and handover, roll-call."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from yingji.core.access import allowed, page_access
from yingji.core.models import Organization, User
from yingji.core.scoping import has_model_perm
from yingji.core.views.generic import default_view, perform
from yingji.incidents import duty, forms
from yingji.incidents.models import DutyLog, DutyShift, RollCall
from yingji.incidents.specs import DUTY_LOG, DUTY_SHIFT, ROLL_CALL, duty_breadcrumbs


@DUTY_SHIFT.register("list")
class DutyShiftListView(default_view(DUTY_SHIFT, "list")):
    default_ordering = ["-date", "organization_id", "position", "pk"]


@page_access(allowed("add", DutyShift))
def roster_generate(request):
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
        "breadcrumbs": duty_breadcrumbs() + [(title, None)]}, status=status)


@DUTY_LOG.register("detail")
class DutyLogDetailView(default_view(DUTY_LOG, "detail")):
    """The log, and the handover form while it is open and the user may change it."""

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        user = self.request.user
        if obj.handed_over_at is None and DutyLog.objects.restrict(user, "change").filter(pk=obj.pk).exists():
            context["successors"] = User.objects.restrict(user, "view").filter(
                scope_region_id=obj.region_id, is_active=True).exclude(pk=user.pk)
        return context


@login_required
def duty_handover(request, pk: int):
    log = get_object_or_404(DutyLog.objects.restrict(request.user, "change"), pk=pk)
    if request.method == "POST":
        successor = User.objects.restrict(request.user, "view").filter(pk=request.POST.get("successor")).first() \
            if has_model_perm(request.user, User, "view") else \
            User.objects.filter(pk=request.POST.get("successor"), scope_region_id=log.region_id).first()
        if successor is None:
            messages.error(request, _("请选择接班人"))
        else:
            perform(request, lambda: duty.duty_handover(log=log, actor=request.user, successor=successor),
                    _("已交班"))
    return HttpResponseRedirect(reverse("incidents:dutylog_detail", args=[pk]))


@ROLL_CALL.register("detail")
class RollCallDetailView(default_view(ROLL_CALL, "detail")):
    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        context["can_answer"] = obj.answered_at is None and self.request.user.scope_region_id == obj.callee.region_id
        return context


@page_access(allowed("add", RollCall))
def rollcall_send(request):
    organizations = Organization.objects.restrict(request.user, "view").order_by("region_id", "name")
    if request.method != "POST":
        title = _("发起点名")
        return render(request, "incidents/rollcall_send.html", {
            "title": title, "organizations": organizations,
            "breadcrumbs": duty_breadcrumbs() + [(_("值班点名"), reverse("incidents:rollcall_list")), (title, None)]})
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
