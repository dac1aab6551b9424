"""Upload files to a record and download them: as the record itself may be changed and read.

Attaching a file changes the record, so it needs the record inside the user's own subtree or enterprise
(`attachment_store` checks it). Reading a file is reading the record: whoever may read the owner may read its
files, and nobody else, whatever region the file row carries. Files are addressed by an unguessable key.
"""

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.core.models import Attachment
from yingji.core.scoping import ScopedQuerySet, has_model_perm
from yingji.core.services import attachment_store
from yingji.core.specs import closed_message_of


def attachable_model(app_label: str, model_name: str) -> type[models.Model] | None:
    """The model a file may be attached to: a scoped model of the project with a region, else None."""
    try:
        model = apps.get_model(app_label, model_name)
    except (LookupError, ValueError):
        return None
    if model._meta.swapped or not isinstance(model._default_manager.all(), ScopedQuerySet):
        return None
    # A file carries the region (and enterprise) of its record.
    if not any(f.name == "region" and f.many_to_one for f in model._meta.concrete_fields):
        return None
    return model


def owner_readable(user, owner_type: ContentType, owner_id: str) -> bool:
    """Whether `user` may read the record a file belongs to (and so the file)."""
    model = owner_type.model_class()
    if model is None or not isinstance(model._default_manager.all(), ScopedQuerySet):
        return False
    try:
        return model._default_manager.restrict(user, "view").filter(pk=owner_id).exists()
    except (ValueError, ValidationError):
        return False


def attachments_of(obj, user) -> list[Attachment]:
    """The files of a record, for whoever may read the record."""
    owner_type = ContentType.objects.get_for_model(obj)
    if not has_model_perm(user, Attachment, "view") or not owner_readable(user, owner_type, str(obj.pk)):
        return []
    return list(
        Attachment._base_manager.filter(owner_type=owner_type, owner_id=str(obj.pk))
        .select_related("uploaded_by")
        .order_by("-uploaded_at")
    )


@login_required
@require_POST
def attachment_upload(request, app_label: str, model_name: str, pk: str):
    model = attachable_model(app_label, model_name)
    if model is None:
        raise Http404
    try:
        owner = model.objects.restrict(request.user, "view").filter(pk=pk).first()
    except (ValueError, ValidationError):
        owner = None
    if owner is None:
        raise Http404
    uploaded = request.FILES.get("file")
    back = request.POST.get("next") or "/"
    if not back.startswith("/") or back.startswith("//"):
        back = "/"
    if uploaded is None:
        messages.error(request, _("请选择要上传的文件"))
        return HttpResponseRedirect(back)
    closed = closed_message_of(owner)
    if closed:
        messages.error(request, closed)
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
def attachment_download(request, key):
    if not has_model_perm(request.user, Attachment, "view"):
        raise Http404
    attachment = get_object_or_404(Attachment._base_manager.select_related("owner_type"), key=key)
    if attachment.owner_type is None or not owner_readable(request.user, attachment.owner_type, attachment.owner_id):
        raise Http404
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
