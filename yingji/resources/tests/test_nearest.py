"""Nearest resources: exact distances, radius and N-nearest, only what the user may see and what is usable."""

from datetime import timedelta

import pytest
from django.utils import timezone

from yingji.core.services import region_update
from yingji.resources import services
from yingji.resources.selectors import haversine_km, nearest, shelter_coverage
from yingji.resources.testing import (
    ExpertFactory,
    MaterialFactory,
    RescueTeamFactory,
    ShelterFactory,
    WarehouseFactory,
)

pytestmark = pytest.mark.django_db

ORIGIN = (36.4, 118.5)  # latitude, longitude


def test_haversine_matches_a_known_distance():
    # One degree of latitude is about 111.2 km.
    assert haversine_km(36.0, 118.0, 37.0, 118.0) == pytest.approx(111.19, abs=0.05)
    assert haversine_km(36.4, 118.5, 36.4, 118.5) == 0


def test_teams_are_ranked_by_distance_within_the_radius(world):
    near = RescueTeamFactory(region=world.county1, name="近队", latitude=36.41, longitude=118.5)
    far = RescueTeamFactory(region=world.county1, name="远队", latitude=36.5, longitude=118.5)
    RescueTeamFactory(region=world.county1, name="太远队", latitude=37.5, longitude=118.5)
    found = nearest(world.county1_admin, kind="team", latitude=ORIGIN[0], longitude=ORIGIN[1], radius_km=20)
    assert [n.obj for n in found] == [near, far]
    assert found[0].distance_km == pytest.approx(1.11, abs=0.01)


def test_n_nearest_widens_the_search_until_it_finds_enough(world):
    RescueTeamFactory(region=world.county1, name="百公里外", latitude=37.3, longitude=118.5)
    RescueTeamFactory(region=world.county1, name="就近", latitude=36.401, longitude=118.5)
    found = nearest(world.county1_admin, kind="team", latitude=ORIGIN[0], longitude=ORIGIN[1], limit=2)
    assert [n.obj.name for n in found] == ["就近", "百公里外"]


def test_deployed_teams_and_other_counties_are_left_out(world):
    busy = RescueTeamFactory(region=world.county1, name="已出动")
    services.rescue_team_change_status(team=busy, actor=None, action="deploy")
    RescueTeamFactory(region=world.county2, name="乙区队")
    assert nearest(world.county1_admin, kind="team", latitude=ORIGIN[0], longitude=ORIGIN[1], radius_km=50) == []
    assert len(nearest(world.city_admin, kind="team", latitude=ORIGIN[0], longitude=ORIGIN[1], radius_km=50)) == 1


def test_warehouses_must_hold_enough_unexpired_stock(world):
    tents = MaterialFactory(name="帐篷", unit="顶")
    enough = WarehouseFactory(region=world.county1, name="足量库", latitude=36.45)
    short = WarehouseFactory(region=world.county1, name="不足库", latitude=36.41)
    stale = WarehouseFactory(region=world.county1, name="过期库", latitude=36.40)
    services.stock_receive(warehouse=enough, material=tents, quantity=30, document_number="R1", actor=None)
    services.stock_receive(warehouse=short, material=tents, quantity=5, document_number="R2", actor=None)
    services.stock_receive(warehouse=stale, material=tents, quantity=50, document_number="R3", actor=None,
                           expiry_date=timezone.localdate() - timedelta(days=1))
    found = nearest(world.county1_admin, kind="warehouse", latitude=ORIGIN[0], longitude=ORIGIN[1], radius_km=50,
                    material=tents, quantity=20)
    assert [n.obj for n in found] == [enough]
    assert "30顶" in found[0].note


def test_shelters_need_free_places_and_experts_their_field(world):
    ShelterFactory(region=world.village1, name="满员场所", effective_area_m2=15, occupancy=10)
    open_one = ShelterFactory(region=world.village1, name="空余场所", effective_area_m2=1500)
    assert [n.obj for n in nearest(world.county1_admin, kind="shelter", latitude=36.4, longitude=118.5,
                                   radius_km=10)] == [open_one]
    chemist = ExpertFactory(region=world.county1, field="hazchem")
    ExpertFactory(region=world.county1, field="mining")
    assert [n.obj for n in nearest(world.county1_admin, kind="expert", latitude=36.4, longitude=118.5,
                                   radius_km=10, field="hazchem")] == [chemist]


def test_shelter_capacity_follows_the_per_person_area_and_occupancy_cannot_exceed_it(world, settings):
    from django.core.exceptions import ValidationError

    shelter = ShelterFactory(region=world.village1, effective_area_m2=3000, kind="fixed")
    assert shelter.capacity == 2000
    settings.SHELTER_AREA_PER_PERSON = {"center": 3}
    assert ShelterFactory(region=world.village1, effective_area_m2=3000, kind="center").capacity == 1000
    with pytest.raises(ValidationError, match="不能超过容纳人数"):
        services.shelter_set_occupancy(shelter=shelter, actor=world.county1_admin, occupancy=2001)


def test_shelter_coverage_lists_townships_below_the_standard(world):
    township = world.regions["390102001000"]
    region_update(region=township, actor=None, population=2000)
    ShelterFactory(region=world.village1, effective_area_m2=2999)
    rows = shelter_coverage(world.city_admin, world.city)
    row = next(r for r in rows if r["code"] == township.code)
    assert (row["area"], row["capacity"], row["meets"]) == (2999, 1999, False)
    ShelterFactory(region=world.village1, effective_area_m2=1)
    row = next(r for r in shelter_coverage(world.city_admin, world.city) if r["code"] == township.code)
    assert row["meets"] and str(row["area_per_person"]) == "1.50"
