"""Upload files to a record and download them, both inside the user's jurisdiction."""

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.core.models import Attachment
from yingji.core.services import attachment_store


def attachments_of(obj, user) -> list[Attachment]:
    owner_type = ContentType.objects.get_for_model(obj)
    return list(
        Attachment.objects.restrict(user, "view")
        .filter(owner_type=owner_type, owner_id=str(obj.pk))
        .select_related("uploaded_by")
        .order_by("-uploaded_at")
    )


@login_required
@require_POST
def attachment_upload(request, app_label: str, model_name: str, pk: str):
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        raise Http404 from None
    if not hasattr(model.objects, "restrict"):
        raise Http404
    owner = get_object_or_404(model.objects.restrict(request.user, "view"), pk=pk)
    uploaded = request.FILES.get("file")
    back = request.POST.get("next") or "/"
    if not back.startswith("/") or back.startswith("//"):
        back = "/"
    if uploaded is None:
        messages.error(request, _("请选择要上传的文件"))
        return HttpResponseRedirect(back)
    try:
        attachment_store(actor=request.user, uploaded_file=uploaded, owner=owner,
                         description=request.POST.get("description", "")[:200])
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已上传：%(name)s") % {"name": uploaded.name})
    return HttpResponseRedirect(back)


@login_required
def attachment_download(request, pk: int):
    attachment = get_object_or_404(Attachment.objects.restrict(request.user, "view"), pk=pk)
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
