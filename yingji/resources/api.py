from __future__ import annotations

from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from yingji.core.api import ReadOnlyScopedViewSet, ScopedModelSerializer, viewset_for
from yingji.resources import filters, specs
from yingji.resources.models import RescueTeam, StockBalance, StockMovement
from yingji.resources.selectors import nearest_query

RescueTeamViewSet = viewset_for(specs.RESCUE_TEAM)
WarehouseViewSet = viewset_for(specs.WAREHOUSE)
MaterialViewSet = viewset_for(specs.MATERIAL)
ShelterViewSet = viewset_for(specs.SHELTER)
ExpertViewSet = viewset_for(specs.EXPERT)
ResourcePointViewSet = viewset_for(specs.RESOURCE_POINT)


class StockBalanceSerializer(ScopedModelSerializer):
    class Meta:
        model = StockBalance
        fields = ["id", "warehouse", "material", "batch", "expiry_date", "quantity", "updated_at"]


class StockBalanceViewSet(ReadOnlyScopedViewSet):
    """Stock per warehouse, material and batch (written only through the ledger)."""

    model = StockBalance
    serializer_class = StockBalanceSerializer
    filterset_class = filters.StockBalanceFilterSet


class StockMovementSerializer(ScopedModelSerializer):
    class Meta:
        model = StockMovement
        fields = ["id", "kind", "document_number", "warehouse", "material", "batch", "expiry_date", "quantity",
                  "balance_after", "counterpart", "purpose", "actor", "at"]


class StockMovementViewSet(ReadOnlyScopedViewSet):
    """The stock ledger: receipts, issues, transfers and stocktakes, newest first."""

    model = StockMovement
    serializer_class = StockMovementSerializer
    filterset_class = filters.StockMovementFilterSet


class NearestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    distance_km = serializers.FloatField()
    longitude = serializers.FloatField()
    latitude = serializers.FloatField()
    note = serializers.CharField()


class NearestViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """GET /api/nearest-resources/?kind=team|warehouse|shelter|expert|point&latitude=&longitude=
    [&radius_km=][&limit=][&material=&quantity=][&field=] — nearest resources with distances in km.

    A search, not a collection: there is no detail route."""

    serializer_class = NearestSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):  # for the permission check (view rescue teams) only
        return RescueTeam.objects.restrict(self.request.user, "view")

    def list(self, request, *args, **kwargs):
        from django.core.exceptions import ValidationError
        from rest_framework.exceptions import ValidationError as APIValidationError

        try:
            _query, results = nearest_query(request.user, request.query_params)
        except ValidationError as exc:
            raise APIValidationError({"detail": exc.messages}) from exc
        return Response({"count": len(results), "results": [n.as_dict() for n in results]})


ROUTES = [
    ("rescue-teams", RescueTeamViewSet, "rescueteam"),
    ("warehouses", WarehouseViewSet, "warehouse"),
    ("materials", MaterialViewSet, "material"),
    ("shelters", ShelterViewSet, "shelter"),
    ("experts", ExpertViewSet, "expert"),
    ("resource-points", ResourcePointViewSet, "resourcepoint"),
    ("stock-balances", StockBalanceViewSet, "stockbalance"),
    ("stock-movements", StockMovementViewSet, "stockmovement"),
    ("nearest-resources", NearestViewSet, "nearest-resource"),
]
