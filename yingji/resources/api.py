from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from yingji.core.api import ReadOnlyScopedViewSet, ScopedModelSerializer, ScopedViewSet
from yingji.resources import filters, services
from yingji.resources.models import (
    Expert,
    Material,
    RescueTeam,
    ResourcePoint,
    Shelter,
    StockBalance,
    StockMovement,
    Warehouse,
)


def _serializer(model, fields, read_only=()):
    meta = type("Meta", (), {"model": model, "fields": ["id", *fields], "read_only_fields": list(read_only)})
    return type(f"{model.__name__}Serializer", (ScopedModelSerializer,), {"Meta": meta})


def _viewset(model, serializer, filterset, service_name, search, doc):
    return type(f"{model.__name__}ViewSet", (ScopedViewSet,), {
        "__doc__": doc, "model": model, "serializer_class": serializer, "filterset_class": filterset,
        "search_fields": search, "create_service": staticmethod(getattr(services, f"{service_name}_create")),
        "update_service": staticmethod(getattr(services, f"{service_name}_update")), "update_object_argument": "obj",
    })


LOCATED = ["region", "address", "longitude", "latitude"]

RescueTeamSerializer = _serializer(RescueTeam, ["name", "kind", "enterprise", "specialty", "leader", "phone",
                                                "member_count", "equipment", "status", *LOCATED], read_only=["status"])
WarehouseSerializer = _serializer(Warehouse, ["name", "level", "manager", "phone", "area_m2", *LOCATED])
MaterialSerializer = _serializer(Material, ["code", "name", "category", "specification", "unit", "shelf_life_days",
                                            "minimum_stock", "region"], read_only=["region"])
ShelterSerializer = _serializer(Shelter, ["name", "kind", "effective_area_m2", "capacity", "occupancy", "facilities",
                                          "manager", "phone", *LOCATED], read_only=["capacity"])
ExpertSerializer = _serializer(Expert, ["name", "field", "title", "organization", "phone", "region", "longitude",
                                        "latitude", "conflict_enterprises"])
ResourcePointSerializer = _serializer(ResourcePoint, ["name", "kind", "phone", "description", *LOCATED])


class RescueTeamViewSet(_viewset(RescueTeam, RescueTeamSerializer, filters.RescueTeamFilterSet, "rescue_team",
                                 ["name", "specialty"], "Rescue teams in the caller's jurisdiction.")):
    @extend_schema(request=None, parameters=[OpenApiParameter("action", str), OpenApiParameter("reason", str)])
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Change the team's status: deploy, withdraw, ready or rest."""
        team = self.get_object()
        data = request.data if isinstance(request.data, dict) else {}  # a JSON array or string names no action
        changed = services.rescue_team_change_status(team=team, actor=request.user,
                                                     action=str(data.get("action", "")),
                                                     reason=str(data.get("reason", "")))
        return Response(self.get_serializer(changed).data)


WarehouseViewSet = _viewset(Warehouse, WarehouseSerializer, filters.WarehouseFilterSet, "warehouse", ["name"],
                            "Material warehouses in the caller's jurisdiction.")
MaterialViewSet = _viewset(Material, MaterialSerializer, filters.MaterialFilterSet, "material", ["code", "name"],
                           "The material catalogue: entries kept by the caller's jurisdiction and those shared from above (read "
                           "only); new entries are kept by the caller's jurisdiction.")
ShelterViewSet = _viewset(Shelter, ShelterSerializer, filters.ShelterFilterSet, "shelter", ["name"],
                          "Emergency shelters; capacity follows the per-person area.")
ExpertViewSet = _viewset(Expert, ExpertSerializer, filters.ExpertFilterSet, "expert", ["name", "organization"],
                         "Experts with their conflict-of-interest enterprises.")
ResourcePointViewSet = _viewset(ResourcePoint, ResourcePointSerializer, filters.ResourcePointFilterSet,
                                "resource_point", ["name"], "Hospitals, helipads and other points.")


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

        from yingji.resources.selectors import nearest_query

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
