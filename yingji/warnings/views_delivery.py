"""叫应 pages: the answer link, the person's own warnings, the gateway callbacks and the live board."""

from __future__ import annotations

import hmac
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.log import log_response
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from yingji.core import excel
from yingji.core.access import page_access
from yingji.core.scoping import has_model_perm
from yingji.core.tables import Column
from yingji.core.views.generic import ObjectDetailView, ObjectListView
from yingji.core.workflow import timeline
from yingji.warnings import links, services
from yingji.warnings.config import config
from yingji.warnings.delivery import acknowledge_many, record_delivery_reports
from yingji.warnings.models import Delivery, Recipient, RecipientStatus, ResponsiblePerson, Warning
from yingji.warnings.selectors import board_summary, board_unanswered
from yingji.warnings.specs import DELIVERY, RECIPIENT


def _int_or_none(value: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise ValidationError(_("请填写非负整数"))
    return int(value)


def _ack_page(request, context: dict, status: int = 200):
    """The answer page. Django logs every 4xx answer with the request's path, and this path holds the person's
    token: it is logged here with the token hidden, which tells Django the response has been logged."""
    response = render(request, "warnings/ack.html", context, status=status)
    if status >= 400:
        log_response("%s: %s", response.reason_phrase, links.redact(request.path), response=response)
    return response


def acknowledge_link(request, token: str):
    """The link in the SMS: no login, the token identifies the person; then a form for the measures taken."""
    invalid = {"title": _("应答链接无效"), "invalid": True}
    if request.method == "POST" and request.POST.get("step") != "measures":
        # The answer itself, straight away: checking the link is part of recording it.
        try:
            services.acknowledge_by_token(token=token)
        except ValidationError:
            return _ack_page(request, invalid, status=404)
        # The page that says the answer is on record, straight away: a redirect would cost the phone (and the
        # server, at 20,000 answers a minute) a third request. Sending the form again changes nothing.
    recipient = services.recipient_by_link(token, with_warning=True)
    if recipient is None:
        return _ack_page(request, invalid, status=404)
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
    return _ack_page(request, context, status=400 if error else 200)


def answers_warnings(user) -> bool:
    """A responsible person (责任人) behind this account: who receives warnings to answer (叫应)."""
    return ResponsiblePerson._base_manager.filter(user=user).exists()


@page_access(answers_warnings)
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


# The largest id a bigint column holds: a larger one would fail in the database, not be refused here.
MAX_ID = 2**63 - 1
MAX_ITEMS = 10000


class MalformedCallbackError(ValueError):
    """The body does not have the shape of a gateway callback; the message (Chinese) says why."""


def _string(value: Any, name: str, *, max_length: int, required: bool = True, blank: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (not blank and not value.strip()) or len(value) > max_length:
        raise MalformedCallbackError(_("字段 %(name)s 缺失或不是有效的文本（最多 %(max)s 个字符）") % {
            "name": name, "max": max_length})
    return value


def _identifier(value: Any, name: str) -> int:
    """A row id given as a number or a string of digits (bools, floats and negatives are refused)."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise MalformedCallbackError(_("字段 %(name)s 应为正整数编号") % {"name": name})
    return value


def _items(value: Any, name: str) -> list:
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        raise MalformedCallbackError(_("字段 %(name)s 应为不超过 %(max)s 项的列表") % {"name": name, "max": MAX_ITEMS})
    return value


def _reply(phone: Any, text: Any) -> tuple[str, str]:
    return _string(phone, "from", max_length=32), _string(text, "text", max_length=500, blank=True)


def gateway_payload(body: bytes) -> dict[str, Any]:
    """The callback's JSON checked against its shapes (see `gateway_callback`) and normalised:
    reply → phone, text; replies → items [(phone, text)]; key → id, key; report → results [{id, status, reason}].
    Raises MalformedCallbackError for anything else, before any of it reaches a service."""
    try:
        payload = json.loads(body)
    except ValueError:  # also bad UTF-8 (UnicodeDecodeError)
        raise MalformedCallbackError(_("请求不是有效的 JSON")) from None
    if not isinstance(payload, dict):
        raise MalformedCallbackError(_("请求应为 JSON 对象"))
    kind = payload.get("type")
    if kind == "reply":
        phone, text = _reply(payload.get("from"), payload.get("text"))
        return {"type": kind, "phone": phone, "text": text}
    if kind == "replies":
        items = []
        for item in _items(payload.get("items"), "items"):
            if not isinstance(item, list) or len(item) != 2:
                raise MalformedCallbackError(_("items 的每一项应为 [手机号, 回复内容]"))
            items.append(_reply(*item))
        return {"type": kind, "items": items}
    if kind == "key":
        key = payload.get("key")
        if isinstance(key, int) and not isinstance(key, bool):
            key = str(key)
        return {"type": kind, "id": _identifier(payload.get("id"), "id"), "key": _string(key, "key", max_length=8)}
    if kind == "report":
        results = []
        for result in _items(payload.get("results"), "results"):
            if not isinstance(result, dict):
                raise MalformedCallbackError(_("results 的每一项应为 JSON 对象"))
            results.append({"id": _identifier(result.get("id"), "id"),
                            "status": _string(result.get("status"), "status", max_length=20),
                            "reason": _string(result.get("reason"), "reason", max_length=2000, required=False,
                                              blank=True)})
        return {"type": kind, "results": results}
    raise MalformedCallbackError(_("未知的回调类型"))


def _gateway_refusal(request) -> JsonResponse | None:
    """401/403 unless the caller presents the configured gateway token; with none configured, every caller is
    refused (an open callback would let anyone answer in other people's names and rewrite delivery states)."""
    token = config("WARNING_GATEWAY_TOKEN")
    if not token:
        return JsonResponse({"detail": _("未配置网关令牌（WARNING_GATEWAY_TOKEN），拒绝所有网关回调")}, status=403)
    header = request.headers.get("Authorization", "")
    given = header.removeprefix("Bearer ") if header.startswith("Bearer ") else ""
    if not given or not hmac.compare_digest(given.encode(), token.encode()):
        return JsonResponse({"detail": _("未授权的网关：缺少或错误的令牌")}, status=401)
    return None


def _replies_refused(phones: list[str]) -> str:
    limit, window = services.reply_limit()
    return _("号码 %(phones)s 的短信回复过于频繁（每 %(window)s 秒最多 %(limit)s 条），已拒绝受理") % {
        "phones": "、".join(phones), "window": window, "limit": limit}


@csrf_exempt
@require_POST
def gateway_callback(request):
    """What the SMS/voice gateway reports back: replies, key presses and delivery reports (JSON), with
    `Authorization: Bearer <WARNING_GATEWAY_TOKEN>`.

    {"type": "reply", "from": phone, "text": "1234"} | {"type": "replies", "items": [[phone, text], ...]}
    | {"type": "key", "id": delivery id, "key": "1"} | {"type": "report", "results": [{"id", "status", "reason"}]}

    Replies are limited per phone number (`services.reply_admitted`): a single reply over the limit is answered
    429, the refused numbers of a batch are listed under "refused".
    """
    refusal = _gateway_refusal(request)
    if refusal is not None:
        return refusal
    try:
        payload = gateway_payload(request.body)
    except MalformedCallbackError as exc:
        return JsonResponse({"detail": str(exc)}, status=400)
    kind = payload["type"]
    if kind in ("reply", "replies"):
        answers = [(payload["phone"], payload["text"])] if kind == "reply" else payload["items"]
        admitted, refused = services.replies_admitted(answers)
        if kind == "reply":
            if refused:
                return JsonResponse({"acknowledged": False, "detail": _replies_refused(refused)}, status=429)
            recipient = services.acknowledge_by_reply(phone=payload["phone"], text=payload["text"])
            return JsonResponse({"acknowledged": recipient is not None})
        answer: dict[str, Any] = {"acknowledged": acknowledge_many(admitted)}
        if refused:
            answer.update(refused=refused, detail=_replies_refused(refused))
        return JsonResponse(answer)
    if kind == "key":
        recipient = services.acknowledge_by_voice(delivery_id=payload["id"], key=payload["key"])
        return JsonResponse({"acknowledged": recipient is not None})
    return JsonResponse({"updated": record_delivery_reports(payload["results"])})


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


@RECIPIENT.register("list")
class RecipientListView(ObjectListView):
    spec = RECIPIENT
    filterset_class = RECIPIENT.filterset
    default_ordering = ["-created_at", "township_id", "pk"]
    columns = [
        Column("name", link=True), Column("role"), Column("phone", orderable=False),
        Column("warning.headline", gettext_lazy("预警")), Column("township.name", gettext_lazy("乡镇（街道）")),
        Column("region.name", gettext_lazy("责任区划")), Column("status"), Column("step"),
        Column("next_step_at"), Column("acknowledged_at"), Column("ack_channel"),
    ]


@RECIPIENT.register("detail")
class RecipientDetailView(ObjectDetailView):
    """One person's 叫应 of one warning: answer, escalations (the timeline) and every message sent. Its moves are
    the person's answer (link, SMS, key, own page) and the sweep's escalations, never a button here, so the spec has
    no flow and the timeline is read here."""

    spec = RECIPIENT
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


@DELIVERY.register("list")
class DeliveryListView(ObjectListView):
    spec = DELIVERY
    filterset_class = DELIVERY.filterset
    default_ordering = ["-created_at", "-pk"]
    columns = [
        Column("to_name", link=False), Column("to_address", orderable=False), Column("channel"),
        Column("to_superior"), Column("warning.headline", gettext_lazy("预警")), Column("region.name", gettext_lazy("区划")),
        Column("status"), Column("reason"), Column("created_at"), Column("sent_at"), Column("delivered_at"),
    ]
