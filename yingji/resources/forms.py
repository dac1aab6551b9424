from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.core.forms import RegionChoiceField, ScopedModelForm
from yingji.core.models import Region
from yingji.resources.models import (
    Expert,
    Material,
    MovementKind,
    RescueTeam,
    ResourcePoint,
    Shelter,
    TeamMember,
    Warehouse,
)


def _region_field(label=None) -> RegionChoiceField:
    return RegionChoiceField(label=label or _("所属区划"), queryset=Region.objects.select_related("parent"))


class RescueTeamForm(ScopedModelForm):
    region = _region_field()

    class Meta:
        model = RescueTeam
        fields = ["name", "kind", "region", "enterprise", "specialty", "leader", "phone", "member_count", "equipment",
                  "address", "longitude", "latitude"]


class TeamMemberForm(ScopedModelForm):
    class Meta:
        model = TeamMember
        fields = ["name", "position", "skills", "certificates", "phone"]


class WarehouseForm(ScopedModelForm):
    region = _region_field()

    class Meta:
        model = Warehouse
        fields = ["name", "level", "region", "manager", "phone", "area_m2", "address", "longitude", "latitude"]


class MaterialForm(ScopedModelForm):
    class Meta:
        model = Material
        fields = ["code", "name", "category", "specification", "unit", "shelf_life_days", "minimum_stock"]


class ShelterForm(ScopedModelForm):
    region = _region_field(_("所在区划"))

    class Meta:
        model = Shelter
        fields = ["name", "kind", "region", "effective_area_m2", "occupancy", "facilities", "manager", "phone",
                  "address", "longitude", "latitude"]


class ExpertForm(ScopedModelForm):
    region = _region_field()

    class Meta:
        model = Expert
        fields = ["name", "field", "title", "organization", "phone", "region", "longitude", "latitude",
                  "conflict_enterprises"]
        widgets = {"conflict_enterprises": forms.SelectMultiple(attrs={"size": 6})}


class ResourcePointForm(ScopedModelForm):
    region = _region_field()

    class Meta:
        model = ResourcePoint
        fields = ["name", "kind", "region", "phone", "description", "address", "longitude", "latitude"]


class StockMinimumForm(forms.Form):
    material = forms.ModelChoiceField(label=_("物资"), queryset=Material.objects.none())
    minimum = forms.DecimalField(label=_("本库最低储备（0 为不设）"), min_value=0, max_digits=14, decimal_places=2)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["material"].queryset = Material.objects.restrict(user, "view")


class StockOperationForm(forms.Form):
    """One stock operation on a warehouse page: receipt, issue, transfer out or stocktake."""

    OPERATIONS = [(MovementKind.RECEIPT, _("入库")), (MovementKind.ISSUE, _("出库")),
                  (MovementKind.TRANSFER_OUT, _("调拨")), (MovementKind.STOCKTAKE, _("盘点"))]
    operation = forms.ChoiceField(label=_("业务类型"), choices=OPERATIONS)
    material = forms.ModelChoiceField(label=_("物资"), queryset=Material.objects.none())
    quantity = forms.DecimalField(label=_("数量（盘点时为实盘数）"), min_value=0, max_digits=14, decimal_places=2)
    document_number = forms.CharField(label=_("单据号"), max_length=40)
    batch = forms.CharField(label=_("批次"), max_length=40, required=False)
    expiry_date = forms.DateField(label=_("失效日期（入库时）"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))
    target = forms.ModelChoiceField(label=_("调入仓库（调拨时）"), queryset=Warehouse.objects.none(), required=False)
    counterpart = forms.CharField(label=_("来源/去向"), max_length=200, required=False)
    purpose = forms.CharField(label=_("用途/说明"), max_length=200, required=False)

    def __init__(self, *args, user, warehouse, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["material"].queryset = Material.objects.restrict(user, "view")
        self.fields["target"].queryset = Warehouse.objects.restrict(user, "change").exclude(pk=warehouse.pk)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select" if isinstance(field.widget, forms.Select)
                                          else "form-control")

    def clean(self):
        data = super().clean()
        if data.get("operation") == MovementKind.TRANSFER_OUT and not data.get("target"):
            self.add_error("target", _("调拨须选择调入仓库"))
        return data
