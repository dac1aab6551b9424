"""The coordinate check: a point lies in (or a few km from) its region's boundary, or its nearest ancestor's."""

import pytest
from shapely.geometry import shape

from yingji.core.browser_testing import square
from yingji.core.geo import distance_km, point_problem, region_with_boundary
from yingji.core.models import Region
from yingji.core.testing import build_world

# 甲区 is the square 118.4–118.7 E, 36.3–36.6 N.
COUNTY1 = square(118.4, 36.3, 0.3)


@pytest.fixture
def world(db):
    world = build_world()
    Region.objects.filter(pk=world.county1.pk).update(boundary=COUNTY1)
    return world


def fresh(region: Region) -> Region:
    return Region.objects.select_related("parent").get(pk=region.pk)


def test_a_point_inside_the_region_is_accepted(world):
    assert point_problem(118.5, 36.4, fresh(world.county1)) is None


def test_a_point_far_outside_is_refused_naming_the_region(world):
    assert point_problem(73.0, 3.0, fresh(world.county1)) == "坐标不在所属区域内（甲区）"
    assert point_problem(119.5, 36.4, fresh(world.county1)) == "坐标不在所属区域内（甲区）"


def test_a_point_just_across_the_border_is_tolerated(world):
    # 0.02° of longitude at 36.4° N is about 1.8 km: inside the tolerance; 0.1° (9 km) is not.
    assert point_problem(118.72, 36.4, fresh(world.county1)) is None
    assert point_problem(118.80, 36.4, fresh(world.county1)) is not None


def test_distance_is_measured_in_km():
    region_shape = shape(COUNTY1)
    assert distance_km(region_shape, 118.5, 36.4) == 0
    assert distance_km(region_shape, 118.7, 36.7) == pytest.approx(11.06, abs=0.1)


def test_a_village_without_boundary_falls_back_to_its_county(world):
    village = fresh(world.village1)
    holder, _shape = region_with_boundary(village)
    assert holder.pk == world.county1.pk
    assert point_problem(118.9, 36.9, village) == "坐标不在所属区域内（甲区）"
    assert point_problem(118.5, 36.4, village) is None


def test_a_tree_without_any_boundary_keeps_the_point_in_china(world):
    village = fresh(world.village2)  # 乙区 and its ancestors have no boundary
    assert point_problem(118.9, 36.9, village) is None
    assert point_problem(10.0, 50.0, village) == "坐标不在中国境内（经度 73～136，纬度 3～54）"


def test_coordinates_are_optional_but_come_in_pairs(world):
    assert point_problem(None, None, fresh(world.county1)) is None
    assert point_problem(118.5, None, fresh(world.county1)) == "经度和纬度须同时填写"
