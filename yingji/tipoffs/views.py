"""Public pages (no login: report a tip-off, follow it by its code) and the bureau's pages for handling them."""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from yingji.core.client_ip import client_ip
from yingji.core.scoping import has_model_perm
from yingji.core.tables import Column
from yingji.core.views.generic import ObjectDetailView, ObjectListView, TransitionView
from yingji.hazards.models import Hazard
from yingji.tipoffs import selectors, services
from yingji.tipoffs.filters import TipOffFilterSet
from yingji.tipoffs.forms import PublicTipOffForm, TrackForm
from yingji.tipoffs.models import TipOff, TipOffPhoto
from yingji.tipoffs.specs import TIPOFF

HOUR = datetime.timedelta(hours=1)
REPORTER_PERMISSION = "tipoffs.view_reporter"


def region_path(tipoff: TipOff) -> str:
    region = tipoff.region
    township = region.parent if region.level == "village" else None
    return " / ".join(r.name for r in (township, region) if r is not None)


class TipOffViewMixin:
    spec = TIPOFF


BASE_COLUMNS = [
    Column("number", link=True),
    Column("submitted_at"),
    Column("category"),
    Column("region.parent.name", gettext_lazy("上级区划")),
    Column("region.name", gettext_lazy("所在区划")),
    Column("address", orderable=False),
    Column("description", orderable=False, accessor=lambda t: t.description[:60]),
    Column("status"),
    Column("hazard.code", gettext_lazy("关联隐患")),
    Column("reward_amount"),
    Column("reward_paid_amount"),
]
REPORTER_COLUMNS = [Column("reporter_name", orderable=False), Column("reporter_phone", orderable=False)]


@TIPOFF.register("list")
class TipOffListView(TipOffViewMixin, ObjectListView):
    filterset_class = TipOffFilterSet
    title = gettext_lazy("群众举报")
    columns = BASE_COLUMNS

    def get(self, request, *args, **kwargs):
        # The same columns give the table and the export: the identity appears in neither without the permission.
        self.columns = BASE_COLUMNS + (REPORTER_COLUMNS if request.user.has_perm(REPORTER_PERMISSION) else [])
        return super().get(request, *args, **kwargs)


@TIPOFF.register("detail")
class TipOffDetailView(TipOffViewMixin, ObjectDetailView):
    template_name = "tipoffs/tipoff_detail.html"
    fields = [
        Column("number"), Column("submitted_at"), Column("category"),
        Column("region", gettext_lazy("所在区划"), accessor=region_path),
        Column("address"), Column("longitude"), Column("latitude"), Column("description"), Column("status"),
        Column("handling_note"), Column("reward_amount"), Column("reward_proposed_by"), Column("reward_approved_by"),
        Column("reward_paid_amount"), Column("reward_paid_on"),
    ]

    def get_object(self, pk):
        return get_object_or_404(self.get_queryset().select_related("region__parent", "hazard"), pk=pk)

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        user = self.request.user
        may_see_reporter = user.has_perm(REPORTER_PERMISSION)
        if may_see_reporter:
            anonymous = _("匿名举报")
            context["fields"] += [(_("举报人姓名"), obj.reporter_name or anonymous),
                                  (_("举报人电话"), obj.reporter_phone or anonymous)]
        context["photos"] = list(TipOffPhoto.objects.restrict(user, "view").filter(tipoff=obj))
        context["hazard"] = obj.hazard if obj.hazard_id and Hazard.objects.restrict(user, "view").filter(
            pk=obj.hazard_id).exists() else None
        return context


@TIPOFF.register("transition")
class TipOffTransitionView(TipOffViewMixin, TransitionView):
    """A move is looked up among the tip-offs the user may change: to anyone who does not handle tip-offs (a
    leader reads them) there is none to act on (404)."""

    def get_queryset(self):
        return self.model.objects.restrict(self.request.user, "change")


@login_required
def photo_download(request, pk: int):
    if not has_model_perm(request.user, TipOff, "view"):
        raise PermissionDenied
    photo = get_object_or_404(TipOffPhoto.objects.restrict(request.user, "view"), pk=pk)
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


# Public pages: no login, nothing about anyone else, counted per client address. ---------------------------


def _client(request) -> str:
    return services.client_key(client_ip(request))


def _public_context(title: str, **extra):
    return {"title": title, "breadcrumbs": [(_("群众举报"), reverse("tipoffs:public_report")), (title, None)],
            "public_page": True, **extra}


@never_cache
def public_report(request):
    """有奖举报: the public form. The challenge, the honeypot and the per-address limit keep bots out."""
    if request.method == "POST":
        allowed = services.throttle_hit(kind="submit", client=_client(request),
                                        limit=int(services.setting("TIPOFF_RATE_LIMIT", 10)), window=HOUR)
        form = PublicTipOffForm(request.POST, request.FILES)
        if not allowed:
            form.renew_challenge()
            return render(request, "tipoffs/public_report.html", _public_context(
                _("我要举报"), form=form, limited=True), status=429)
        if form.is_valid():
            data = form.cleaned_data
            try:
                tipoff, code = services.tipoff_submit(
                    description=data["description"], category=data["category"], region=form.region,
                    address=data.get("address") or "", longitude=data.get("longitude"), latitude=data.get("latitude"),
                    reporter_name=data.get("reporter_name") or "", reporter_phone=data.get("reporter_phone") or "",
                    photos=data.get("photos") or [],
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                request.session["tipoff_code"] = code
                return HttpResponseRedirect(reverse("tipoffs:public_report_done"))
        form.renew_challenge()
        return render(request, "tipoffs/public_report.html", _public_context(_("我要举报"), form=form), status=400)
    form = PublicTipOffForm(initial={"challenge": ""})
    form.initial["challenge"] = form.new_token
    return render(request, "tipoffs/public_report.html", _public_context(_("我要举报"), form=form))


@never_cache
def public_report_done(request):
    """The tracking code, shown once: it is not kept anywhere it could be read back."""
    code = request.session.pop("tipoff_code", None)
    if not code:
        return HttpResponseRedirect(reverse("tipoffs:public_track"))
    return render(request, "tipoffs/public_done.html", _public_context(
        _("举报已提交"), code=services.format_tracking_code(code)))


@never_cache
def public_track(request):
    """Follow a tip-off by its code: status and fixed milestones only. Wrong codes are counted per address."""
    context = _public_context(_("举报进度查询"))
    if request.method != "POST":
        return render(request, "tipoffs/public_track.html", {**context, "form": TrackForm()})
    form = TrackForm(request.POST)
    client = _client(request)
    limit = int(services.setting("TIPOFF_TRACK_RATE_LIMIT", 10))
    if services.throttle_blocked(kind="track_miss", client=client, limit=limit, window=HOUR):
        return render(request, "tipoffs/public_track.html", {**context, "form": form, "limited": True}, status=429)
    tipoff = services.tipoff_by_code(form.data.get("code", "")) if form.is_valid() else None
    if tipoff is None:
        services.throttle_hit(kind="track_miss", client=client, limit=limit, window=HOUR)
        return render(request, "tipoffs/public_track.html", {**context, "form": form, "not_found": True})
    return render(request, "tipoffs/public_track.html", {
        **context, "form": TrackForm(), "found": True, "status": tipoff.get_status_display(),
        "category": tipoff.get_category_display(), "submitted_at": tipoff.submitted_at,
        "milestones": selectors.public_milestones(tipoff),
    })


@require_GET
def public_boundaries(request):
    """City and county outlines with their names, for the public map picker (no login)."""
    response = JsonResponse(selectors.public_boundaries())
    response["Cache-Control"] = "public, max-age=3600"
    return response
