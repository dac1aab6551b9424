"""How the warnings app's models are wired to pages, API, import and URLs (see `yingji.core.specs`).

A warning's moves offered to people (送审, 撤回, 退回, 签发发布) are `MANUAL_WORKFLOW`; the platform's own moves
(更新, 解除, 过期) and the 叫应 of each person are made by the services and the sweep, never by a button.
"""

from django.utils.translation import gettext_lazy as _

from yingji.core.specs import Flow, ModelSpec
from yingji.core.tables import Column
from yingji.warnings import services
from yingji.warnings.filters import (
    DeliveryFilterSet,
    RecipientFilterSet,
    ResponsiblePersonFilterSet,
    UpstreamFilterSet,
    WarningFilterSet,
)
from yingji.warnings.forms import ResponsiblePersonForm
from yingji.warnings.importing import PERSON_IMPORTER
from yingji.warnings.models import Delivery, Recipient, ResponsiblePerson, UpstreamMessage, Warning
from yingji.warnings.states import MANUAL_WORKFLOW

NS = "warnings"

WARNING = ModelSpec(
    Warning, namespace=NS,
    create=services.warning_create, update=services.warning_update, object_argument="warning",
    flows=[Flow(MANUAL_WORKFLOW, act=services.warning_act, closed=("superseded", "cancelled", "expired"))],
    filterset=WarningFilterSet,
)

PERSON = ModelSpec(
    ResponsiblePerson, namespace=NS, prefix="persons",
    create=services.person_create, update=services.person_update, object_argument="person",
    importer=PERSON_IMPORTER,
    columns=[Column("name", link=True), Column("role"), Column("phone", orderable=False), Column("position"),
             Column("region.parent.name", _("上级区划")), Column("region.name", _("责任区划")), Column("grid"),
             Column("superior.name", _("上级责任人")), Column("active")],
    fields=[Column("name"), Column("role"), Column("phone"), Column("position"), Column("region"), Column("grid"),
            Column("superior"), Column("organization"), Column("user"), Column("active")],
    form=ResponsiblePersonForm, filterset=ResponsiblePersonFilterSet,
)

# Received from above (uploaded, or dropped in the watched folder), then only read and forwarded.
UPSTREAM = ModelSpec(UpstreamMessage, namespace=NS, prefix="upstream", filterset=UpstreamFilterSet)

# 叫应 and its messages are written by the fan-out, the answers and the sweep (`yingji.warnings.delivery`).
RECIPIENT = ModelSpec(Recipient, namespace=NS, prefix="recipients", filterset=RecipientFilterSet)
DELIVERY = ModelSpec(Delivery, namespace=NS, prefix="deliveries", filterset=DeliveryFilterSet)
