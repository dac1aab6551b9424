from rest_framework import serializers

from yingji.core.api import ScopedModelSerializer, ScopedViewSet, TransitionMixin
from yingji.enterprises.filters import EnterpriseFilterSet
from yingji.enterprises.models import Enterprise
from yingji.enterprises.specs import ENTERPRISE
from yingji.standards import uscc


class EnterpriseSerializer(ScopedModelSerializer):
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Enterprise
        fields = [
            "id", "name", "credit_code", "region", "address", "longitude", "latitude",
            "industry_code", "industry_name", "category", "category_display", "scale_type", "size",
            "supervision_class", "legal_representative", "legal_representative_phone", "principal",
            "principal_phone", "safety_director", "safety_director_phone", "employee_count",
            "status", "status_display", "created_at", "updated_at",
        ]
        read_only_fields = ["status", "created_at", "updated_at"]

    def validate_credit_code(self, value: str) -> str:
        value = value.strip().upper()
        problem = uscc.problem(value)
        if problem:
            raise serializers.ValidationError(problem)
        return value

    def validate_region(self, region):
        if region.level != "village":
            raise serializers.ValidationError("所在区划应选择到村（社区）一级")
        return region


class EnterpriseViewSet(TransitionMixin, ScopedViewSet):
    """Enterprises (一企一档) in the caller's jurisdiction; `transition` changes the production status."""

    spec = ENTERPRISE
    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilterSet
    search_fields = ["name", "credit_code"]
    ordering_fields = ["name", "credit_code", "employee_count", "updated_at"]


ROUTES = [("enterprises", EnterpriseViewSet, "enterprise")]
