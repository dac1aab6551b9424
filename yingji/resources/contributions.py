"""What resources offers to other apps' pages (`yingji.core.contributions`): teams on standby and shelter places
of the leaders' cockpit, shelters on the command map, and what the records say about a township's or village's
teams, sites and stores for its readiness checklist (plans)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core.contributions import (
    CockpitFigures,
    CockpitPart,
    CockpitQuery,
    Figure,
    MapLayer,
    Place,
    PlaceSource,
    ReadinessHint,
    places_of,
)
from yingji.core.models import Region, User
from yingji.core.scoping import code_prefix_q
from yingji.resources.models import RescueTeam, Shelter, TeamStatus, Warehouse
from yingji.resources.selectors import resource_geojson


def cockpit_resources(query: CockpitQuery) -> CockpitPart:
    """Rescue teams on standby (and their members) and the free places of the shelters."""
    teams = RescueTeam.objects.restrict(query.principal, "view")
    team_counts = teams.aggregate(total=Count("pk"), standby=Count("pk", filter=Q(status=TeamStatus.STANDBY)),
                                  members=Sum("member_count", filter=Q(status=TeamStatus.STANDBY)))
    shelters = Shelter.objects.restrict(query.principal, "view").aggregate(
        count=Count("pk"), capacity=Sum("capacity"), occupancy=Sum("occupancy"))
    figures = {"teams": team_counts["total"] or 0, "teams_standby": team_counts["standby"] or 0,
               "members_standby": team_counts["members"] or 0, "shelters": shelters["count"] or 0,
               "shelter_capacity": shelters["capacity"] or 0,
               "shelter_free": (shelters["capacity"] or 0) - (shelters["occupancy"] or 0)}
    return CockpitPart(
        values={"teams_standby": figures["teams_standby"], "shelter_capacity": figures["shelter_free"]},
        details={"teams_standby": _("待命队员 %(members_standby)d 人，共 %(teams)d 支") % figures,
                 "shelter_capacity": _("%(shelters)d 处，总容量 %(shelter_capacity)d 人") % figures})


def shelters(user: User) -> dict[str, Any]:
    """Shelters with their free places (full ones stay on the map, in red)."""
    data = resource_geojson(user, ["shelter"])
    for feature in data["features"]:
        feature["properties"]["url"] = reverse("resources:shelter_detail", args=[feature["properties"]["id"]])
    return data


# Readiness hints describe the assessed region itself and are stored on its checklist items, so they are read
# without a user.

def team_hint(region: Region, year: int) -> str:
    teams = list(RescueTeam._base_manager.filter(code_prefix_q("region__code", region.prefix)).order_by("name")
                 .values_list("name", "member_count")[:3])
    return "辖区救援队伍：" + "；".join(f"{n}（{c}人）" for n, c in teams) if teams else "平台中未查到辖区救援队伍"


def site_hint(region: Region, year: int) -> str:
    names = list(Shelter._base_manager.filter(code_prefix_q("region__code", region.prefix))
                 .values_list("name", flat=True)[:3])
    return "应急避难场所：" + "；".join(names) if names else "平台中未查到辖区应急避难场所"


def equipment_hint(region: Region, year: int) -> str:
    names = list(Warehouse._base_manager.filter(code_prefix_q("region__code", region.prefix))
                 .values_list("name", flat=True)[:3])
    return "应急物资仓库：" + "；".join(names) if names else "平台中未查到辖区应急物资仓库"


COCKPIT_FIGURES = [
    CockpitFigures("rescue_resources", (
        Figure("teams_standby", gettext_lazy("待命救援队伍"), gettext_lazy("支"), "resources:rescueteam_list",
               {"status": "standby"}),
        Figure("shelter_capacity", gettext_lazy("避难场所可容纳"), gettext_lazy("人"), "resources:shelter_list"),
    ), cockpit_resources, model="resources.RescueTeam"),
]

MAP_LAYERS = [MapLayer("shelters", gettext_lazy("避难场所（空余）"), shelters)]

READINESS_HINTS = [
    ReadinessHint("team", team_hint),
    ReadinessHint("site", site_hint),
    ReadinessHint("equipment", equipment_hint),
]


def _places(model: type, kind: Any):
    def search(user: User, term: str, limit: int) -> list[Place]:
        return places_of(user, model, term, limit, kind=kind)
    return search


# Known points of the map picker's place search.
PLACE_SOURCES = [
    PlaceSource("shelters", gettext_lazy("避难场所"), _places(Shelter, gettext_lazy("避难场所"))),
    PlaceSource("warehouses", gettext_lazy("物资仓库"), _places(Warehouse, gettext_lazy("物资仓库"))),
    PlaceSource("teams", gettext_lazy("救援队伍"), _places(RescueTeam, gettext_lazy("救援队伍"))),
]
