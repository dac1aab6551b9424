"""叫应 pages: the answer link, the person's own warnings, the gateway callbacks and the live board."""

from __future__ import annotations

import hmac
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from yingji.core import excel
from yingji.core.scoping import has_model_perm
from yingji.core.tables import Column
from yingji.core.views.generic import ObjectDetailView, ObjectListView
from yingji.core.workflow import timeline
from yingji.warnings import services
from yingji.warnings.config import config
from yingji.warnings.delivery import acknowledge_many, record_delivery_reports
from yingji.warnings.filters import DeliveryFilterSet, RecipientFilterSet
from yingji.warnings.models import Delivery, Recipient, RecipientStatus, Warning
from yingji.warnings.selectors import board_summary, board_unanswered


def _int_or_none(value: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise ValidationError(_("请填写非负整数"))
    return int(value)


def acknowledge_link(request, token: str):
    """The link in the SMS: no login, the token identifies the person; then a form for the measures taken."""
    invalid = {"title": _("应答链接无效"), "invalid": True}
    if request.method == "POST" and request.POST.get("step") != "measures":
        # The answer itself, straight away: checking the link is part of recording it.
        try:
            services.acknowledge_by_token(token=token)
        except ValidationError:
            return render(request, "warnings/ack.html", invalid, status=404)
        return HttpResponseRedirect(request.path)
    recipient = services.recipient_by_link(token)
    if recipient is None:
        return render(request, "warnings/ack.html", invalid, status=404)
    error = ""
    if request.method == "POST":
        try:
            services.recipient_report_measures(
                recipient=recipient, people_transferred=_int_or_none(request.POST.get("people_transferred", "")),
                places_closed=_int_or_none(request.POST.get("places_closed", "")),
                measures=request.POST.get("measures", ""))
        except ValidationError as exc:
            error = "；".join(exc.messages)
        else:
            return HttpResponseRedirect(request.path)
        recipient.refresh_from_db()
    context = {"title": _("预警叫应"), "recipient": recipient, "warning": recipient.warning, "error": error}
    return render(request, "warnings/ack.html", context, status=400 if error else 200)


@login_required
def my_warnings(request):
    """The warnings addressed to the responsible person behind this account, with the answer button."""
    rows = (Recipient._base_manager.filter(person__user=request.user).select_related("warning")
            .order_by("-created_at")[:100])
    context = {"title": _("我的叫应"), "rows": rows,
               "breadcrumbs": [(_("首页"), reverse("home")), (_("我的叫应"), None)]}
    return render(request, "warnings/mine.html", context)


@login_required
@require_POST
def my_acknowledge(request, pk: int):
    recipient = get_object_or_404(Recipient._base_manager.filter(person__user=request.user), pk=pk)
    try:
        services.recipient_acknowledge(recipient=recipient, channel="in_app", actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("已确认收到"))
    return HttpResponseRedirect(reverse("warnings:my_warnings"))


@csrf_exempt
@require_POST
def gateway_callback(request):
    """What the SMS/voice gateway reports back: replies, key presses and delivery reports (JSON).

    {"type": "reply", "from": phone, "text": "1234"} | {"type": "replies", "items": [[phone, text], ...]}
    | {"type": "key", "id": delivery id, "key": "1"} | {"type": "report", "results": [{"id", "status", "reason"}]}
    """
    token = config("WARNING_GATEWAY_TOKEN")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ")
    if token and not hmac.compare_digest(given, token):
        return JsonResponse({"detail": "未授权的网关"}, status=401)
    try:
        payload = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"detail": "请求不是有效的 JSON"}, status=400)
    kind = payload.get("type") if isinstance(payload, dict) else None
    if kind == "reply":
        recipient = services.acknowledge_by_reply(phone=str(payload.get("from", "")), text=str(payload.get("text", "")))
        return JsonResponse({"acknowledged": recipient is not None})
    if kind == "replies":
        items = [(str(i[0]), str(i[1])) for i in payload.get("items", []) if isinstance(i, list) and len(i) == 2]
        return JsonResponse({"acknowledged": acknowledge_many(items)})
    if kind == "key":
        delivery_id = str(payload.get("id", ""))
        recipient = services.acknowledge_by_voice(delivery_id=int(delivery_id), key=str(payload.get("key", ""))) \
            if delivery_id.isdigit() else None
        return JsonResponse({"acknowledged": recipient is not None})
    if kind == "report":
        return JsonResponse({"updated": record_delivery_reports(list(payload.get("results", [])))})
    return JsonResponse({"detail": "未知的回调类型"}, status=400)


@login_required
def warning_board(request, pk: int):
    """Live board: who answered, who has not, escalations under way; 叫应率 by township; Excel export."""
    if not has_model_perm(request.user, Warning, "view"):
        raise PermissionDenied
    warning = get_object_or_404(Warning.objects.restrict(request.user, "view"), pk=pk)
    summary = board_summary(warning, request.user)
    if request.GET.get("export") == "xlsx":
        headings = [_("乡镇（街道）"), _("应叫应人数"), _("已应答"), _("未应答"), _("叫应率（%）"), _("平均应答用时（分钟）"),
                    _("已通知上级")]
        rows = [[r["township"], r["total"], r["acknowledged"], r["pending"], r["rate"], r["average_minutes"],
                 r["superior_called"]] for r in summary["rows"]]
        return excel.workbook_response(excel.export_rows(_("叫应统计"), headings, rows),
                                       _("叫应统计_%(id)s") % {"id": warning.identifier or warning.pk})
    context = {
        "title": _("叫应看板：%(headline)s") % {"headline": warning.headline}, "warning": warning,
        "summary": summary, "unanswered": board_unanswered(warning, request.user),
        "breadcrumbs": [(_("首页"), reverse("home")), (_("预警信息"), reverse("warnings:warning_list")),
                        (str(warning), reverse("warnings:warning_detail", args=[pk])), (_("叫应看板"), None)],
        "pending_status": RecipientStatus.PENDING,
    }
    template = "warnings/includes/board_body.html" if request.headers.get("HX-Request") else "warnings/board.html"
    return render(request, template, context)


# -- recipients and deliveries: lists and the person's page (scoped like every list) ---------------------------


class RecipientListView(ObjectListView):
    model = Recipient
    url_namespace = "warnings"
    filterset_class = RecipientFilterSet
    default_ordering = ["-created_at", "township_id", "pk"]
    columns = [
        Column("name", link=True), Column("role"), Column("phone", orderable=False),
        Column("warning.headline", gettext_lazy("预警")), Column("township.name", gettext_lazy("乡镇（街道）")),
        Column("region.name", gettext_lazy("责任区划")), Column("status"), Column("step"),
        Column("next_step_at"), Column("acknowledged_at"), Column("ack_channel"),
    ]


class RecipientDetailView(ObjectDetailView):
    """One person's 叫应 of one warning: answer, escalations (the timeline) and every message sent."""

    model = Recipient
    url_namespace = "warnings"
    template_name = "warnings/recipient_detail.html"
    fields = [
        Column("name"), Column("role"), Column("phone"), Column("warning", accessor=lambda r: r.warning.headline),
        Column("township"), Column("region"), Column("status"), Column("step"), Column("next_step_at"),
        Column("superior_called_at"), Column("created_at"), Column("acknowledged_at"), Column("ack_channel"),
        Column("people_transferred"), Column("places_closed"), Column("measures"), Column("measures_at"),
    ]

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        context["timeline"] = timeline(obj, self.request.user)
        context["deliveries"] = (Delivery.objects.restrict(self.request.user, "view").filter(recipient=obj)
                                 .order_by("created_at", "pk"))
        return context


class DeliveryListView(ObjectListView):
    model = Delivery
    url_namespace = "warnings"
    filterset_class = DeliveryFilterSet
    default_ordering = ["-created_at", "-pk"]
    columns = [
        Column("to_name", link=False), Column("to_address", orderable=False), Column("channel"),
        Column("to_superior"), Column("warning.headline", gettext_lazy("预警")), Column("region.name", gettext_lazy("区划")),
        Column("status"), Column("reason"), Column("created_at"), Column("sent_at"), Column("delivered_at"),
    ]
