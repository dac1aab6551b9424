from decimal import Decimal

from rest_framework import serializers

from yingji.core.api import ScopedModelSerializer, ScopedViewSet, TransitionMixin
from yingji.risks.filters import RiskPointFilterSet
from yingji.risks.models import RiskPoint
from yingji.risks.specs import RISK_POINT
from yingji.standards import risk


def _table_field(table, label: str) -> serializers.DecimalField:
    allowed = {Decimal(value) for value, _text in table}
    values = "、".join(value for value, _text in table)

    def validate(value):
        if value is not None and value not in allowed:
            raise serializers.ValidationError(f"{label}应为表中取值之一：{values}")

    return serializers.DecimalField(max_digits=5, decimal_places=1, required=False, allow_null=True,
                                    validators=[validate], coerce_to_string=False)


class RiskPointSerializer(ScopedModelSerializer):
    """A risk point; `risk_value` and `level` are computed from the inputs and cannot be written."""

    lec_l = _table_field(risk.LEC_L_TABLE, "L")
    lec_e = _table_field(risk.LEC_E_TABLE, "E")
    lec_c = _table_field(risk.LEC_C_TABLE, "C")
    risk_value = serializers.DecimalField(max_digits=9, decimal_places=2, read_only=True, coerce_to_string=False)
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    level_color = serializers.CharField(read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = RiskPoint
        fields = [
            "id", "enterprise", "region", "name", "place", "kind", "kind_display", "method",
            "lec_l", "lec_e", "lec_c", "matrix_l", "matrix_s", "risk_value", "level", "level_display", "level_color",
            "measure_engineering", "measure_management", "measure_training", "measure_protection",
            "measure_emergency", "control_level", "responsible_person", "responsible_phone", "next_review",
            "longitude", "latitude", "status", "status_display", "updated_at",
        ]
        read_only_fields = ["region", "level", "status", "updated_at"]


class RiskPointViewSet(TransitionMixin, ScopedViewSet):
    """Risk points (风险点) in the caller's jurisdiction; enterprise users see and keep their own.

    `transition` retires a point (停用) or brings it back into use (重新启用)."""

    spec = RISK_POINT
    serializer_class = RiskPointSerializer
    filterset_class = RiskPointFilterSet
    search_fields = ["name", "place"]
    ordering_fields = ["name", "risk_value", "next_review", "updated_at"]


ROUTES = [("risk-points", RiskPointViewSet, "riskpoint")]
