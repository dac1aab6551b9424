from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.core.models import Notification
from yingji.core.notifications import notification_mark_read


@login_required
def notification_list(request):
    notifications = Notification.objects.for_user(request.user)
    if request.GET.get("unread"):
        notifications = notifications.unread()
    page = Paginator(notifications, 30).get_page(request.GET.get("page"))
    return render(request, "core/notification_list.html", {
        "title": _("我的通知"),
        "breadcrumbs": [(_("首页"), reverse("home")), (_("我的通知"), None)],
        "page": page,
        "query": "unread=1" if request.GET.get("unread") else "",
    })


@login_required
@require_POST
def notification_read(request):
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()]
    notification_mark_read(user=request.user, notification_ids=ids or None)
    target = request.POST.get("next", "")
    if not target.startswith("/") or target.startswith("//"):
        target = reverse("core:notification_list")
    return HttpResponseRedirect(target)
