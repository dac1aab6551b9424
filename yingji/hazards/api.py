from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from yingji.core.api import ScopedModelSerializer, ScopedViewSet, TransitionMixin, batch_create
from yingji.core.models import Region
from yingji.enterprises.models import Enterprise
from yingji.hazards import services
from yingji.hazards.filters import HazardFilterSet
from yingji.hazards.models import Hazard
from yingji.hazards.selectors import Period, hazard_statistics
from yingji.hazards.specs import HAZARD


class HazardSerializer(ScopedModelSerializer):
    enterprise_credit_code = serializers.CharField(
        write_only=True, required=False, allow_blank=True, help_text="所属企业的统一社会信用代码（可代替 enterprise）"
    )
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Hazard
        fields = [
            "id", "code", "enterprise", "enterprise_credit_code", "region", "description", "place", "category",
            "category_display", "level", "level_display", "source", "source_display", "found_by_name", "found_at",
            "responsible_unit", "responsible_person", "measures", "funds", "deadline", "status", "status_display",
            "overdue", "overdue_since", "rectified_at", "closed_at", "supervision_status", "supervision_level",
            "supervising_unit", "supervision_listed_on", "supervision_delisted_on",
            "plan_objectives", "plan_methods", "plan_funds_materials", "plan_organization", "plan_time_limits",
            "plan_safety_measures",
        ]
        read_only_fields = ["code", "status", "overdue_since", "rectified_at", "closed_at", "supervision_status",
                            "supervision_level", "supervising_unit", "supervision_listed_on",
                            "supervision_delisted_on"]
        extra_kwargs = {"region": {"required": False}, "found_at": {"required": False}}

    def get_overdue(self, obj: Hazard) -> bool:
        return bool(obj.overdue_since) and obj.status != "closed"

    def validate(self, attrs):
        code = (attrs.pop("enterprise_credit_code", "") or "").strip().upper()
        if code and not attrs.get("enterprise"):
            request = self.context.get("request")
            enterprise = Enterprise.objects.restrict(request.user, "view").filter(credit_code=code).first()
            if enterprise is None:
                raise serializers.ValidationError(
                    {"enterprise_credit_code": _("未找到该统一社会信用代码的企业，或不在您的管辖范围内")})
            attrs["enterprise"] = enterprise
        if self.instance is None and not attrs.get("enterprise") and not attrs.get("region"):
            raise serializers.ValidationError({"region": _("公共场所隐患请填写所在区划；企业隐患请填写所属企业")})
        return attrs


class HazardViewSet(TransitionMixin, ScopedViewSet):
    """Hazards (隐患) in the caller's jurisdiction, their loop actions, batch push and statistics."""

    spec = HAZARD
    serializer_class = HazardSerializer
    filterset_class = HazardFilterSet
    search_fields = ["code", "description", "place"]
    ordering_fields = ["found_at", "deadline", "code"]
    select_related = ("enterprise",)

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset.order_by("-found_at", "-id")

    @extend_schema(request=HazardSerializer(many=True))
    @action(detail=False, methods=["post"])
    def batch(self, request):
        """Many hazards at once (an enterprise system pushing self-check results).

        Each item is validated and saved on its own: the answer lists the created hazards and every bad item
        with its index (from 0) and reasons; good items are kept.
        """
        return batch_create(self, request, create=services.hazard_create, noun=_("隐患"),
                            describe=lambda hazard: {"id": hazard.pk, "code": hazard.code})

    @action(detail=False, methods=["get"])
    def statistics(self, request):
        """The statistics page's figures: ?from=YYYY-MM-DD&to=YYYY-MM-DD&region=<code>."""
        try:
            period = Period.parse(request.query_params.get("from"), request.query_params.get("to"))
        except ValueError as exc:
            raise serializers.ValidationError({"from": [_("日期格式应为 YYYY-MM-DD，且开始不晚于结束")]}) from exc
        region = None
        if request.query_params.get("region"):
            region = Region.objects.restrict(request.user, "view").filter(pk=request.query_params["region"]).first()
            if region is None:
                raise NotFound
        return Response(hazard_statistics(request.user, period, region))


ROUTES = [("hazards", HazardViewSet, "hazard")]
