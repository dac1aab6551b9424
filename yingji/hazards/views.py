from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yingji.core.models import Attachment
from yingji.core.scoping import has_model_perm
from yingji.core.tables import Column
from yingji.core.views.generic import ObjectDetailView, ObjectEditView, ObjectListView, perform
from yingji.hazards import services
from yingji.hazards.filters import HazardFilterSet
from yingji.hazards.forms import HazardForm, PhotoForm
from yingji.hazards.models import PLAN_FIELDS, Hazard, PhotoKind
from yingji.hazards.specs import HAZARD


class HazardViewMixin:
    spec = HAZARD


def _overdue(hazard: Hazard) -> str:
    return _("逾期") if hazard.overdue_since and hazard.status != "closed" else ""


LIST_COLUMNS = [
    Column("code", link=True),
    Column("enterprise.name", gettext_lazy("所属企业/场所"), accessor=lambda h: h.enterprise.name if h.enterprise_id
           else _("公共场所：%(place)s") % {"place": h.place}),
    Column("region.parent.name", gettext_lazy("乡镇（街道）")),
    Column("region.name", gettext_lazy("村（社区）")),
    Column("description", orderable=False),
    Column("category"),
    Column("level"),
    Column("source"),
    Column("found_at"),
    Column("deadline"),
    Column("status"),
    Column("overdue_since", gettext_lazy("逾期"), accessor=_overdue),
    Column("supervision_status"),
    Column("responsible_person", orderable=False),
]


@HAZARD.register("list")
class HazardListView(HazardViewMixin, ObjectListView):
    filterset_class = HazardFilterSet
    import_url_name = "hazards:hazard_import"
    columns = LIST_COLUMNS
    default_ordering = ["-found_at", "-id"]

    def get_queryset(self):
        # The accessor reads enterprise.name: join it here so the list stays one query per page.
        return super().get_queryset().select_related("enterprise")


@HAZARD.register("detail")
class HazardDetailView(HazardViewMixin, ObjectDetailView):
    template_name = "hazards/hazard_detail.html"
    fields = [
        Column("code"),
        Column("enterprise.name", gettext_lazy("所属企业")),
        Column("region", gettext_lazy("所在区划"),
               accessor=lambda h: " / ".join([a.name for a in h.region.ancestors()[1:]] + [h.region.name])),
        Column("place"), Column("description"), Column("category"), Column("level"), Column("source"),
        Column("found_by_name"), Column("found_at"), Column("found_by"),
        Column("responsible_unit"), Column("responsible_person"), Column("responsible_user"),
        Column("measures"), Column("funds"), Column("deadline"), Column("status"),
        Column("overdue_since"), Column("rectified_by"), Column("rectified_at"), Column("closed_at"),
        Column("supervision_status"), Column("supervision_level"), Column("supervising_unit"),
        Column("supervision_listed_on"), Column("supervision_delisted_on"),
    ]

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        user = self.request.user
        photos = list(
            Attachment.objects.restrict(user, "view")
            .filter(owner_type=ContentType.objects.get_for_model(Hazard), owner_id=str(obj.pk),
                    description__in=PhotoKind.values)
            .select_related("uploaded_by").order_by("uploaded_at")
        )
        context.update({
            "photos_before": [p for p in photos if p.description == PhotoKind.BEFORE],
            "photos_after": [p for p in photos if p.description == PhotoKind.AFTER],
            "photo_form": PhotoForm(),
            "can_upload_photo": obj.status != "closed" and has_model_perm(user, Attachment, "add"),
            "plan": [(obj._meta.get_field(name).verbose_name, getattr(obj, name)) for name in PLAN_FIELDS],
        })
        return context


@HAZARD.register("edit")
class HazardEditView(HazardViewMixin, ObjectEditView):
    form_class = HazardForm

    def get_initial(self):
        from django.utils import timezone

        user = self.request.user
        initial = {"found_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
        if user.scope_enterprise_id:
            initial.update(enterprise=user.scope_enterprise_id, source="self_check")
        return initial


def _back(pk: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("hazards:hazard_detail", args=[pk]))




@login_required
@require_POST
def hazard_photo(request, pk: int):
    hazard = get_object_or_404(Hazard.objects.restrict(request.user, "view"), pk=pk)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择照片类型和照片文件"))
        return _back(pk)
    perform(request, lambda: services.hazard_add_photo(hazard=hazard, actor=request.user,
                                                     uploaded_file=form.cleaned_data["file"],
                                                     kind=form.cleaned_data["kind"]))
    return _back(pk)


class HazardMajorListView(HazardListView):
    """Open 重大隐患 and their 挂牌督办 status: the list leaders follow."""

    title = gettext_lazy("重大隐患挂牌督办")
    import_url_name = None
    columns = [
        Column("code", link=True),
        LIST_COLUMNS[1],
        Column("region.name", gettext_lazy("村（社区）")),
        Column("description", orderable=False),
        Column("found_at"),
        Column("deadline"),
        Column("status"),
        Column("overdue_since", gettext_lazy("逾期"), accessor=_overdue),
        Column("supervision_status"),
        Column("supervision_level"),
        Column("supervising_unit.name", gettext_lazy("督办单位")),
        Column("supervision_listed_on"),
    ]

    def get_queryset(self):
        return super().get_queryset().filter(level="major").exclude(status="closed").select_related("supervising_unit")
