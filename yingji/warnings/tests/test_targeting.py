"""Who a warning addresses: the region tree, the polygon drawn on the map (centres and boundaries), roles and
organisations; and the area on the page and in the CAP document."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from lxml import etree

from yingji.core.browser_testing import square
from yingji.core.services import organization_create, region_update
from yingji.warnings import services
from yingji.warnings.delivery import regions_in_polygon, resolve_recipients
from yingji.warnings.models import Warning
from yingji.warnings.testing import make_warning, publish

pytestmark = pytest.mark.django_db
CAP = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}


def local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def people(world):
    return {
        "cadre": services.person_create(actor=None, region=world.village1, role="village_cadre", name="甲村干部",
                                        phone="13800003001"),
        "grid": services.person_create(actor=None, region=world.village1, role="grid_member", name="甲村网格员",
                                       phone="13800003002"),
        "far": services.person_create(actor=None, region=world.regions["390102001002"], role="village_cadre",
                                      name="甲二村干部", phone="13800003003"),
        "other_county": services.person_create(actor=None, region=world.village2, role="village_cadre",
                                               name="乙村干部", phone="13800003004"),
    }


def names(warning) -> set[str]:
    return set(resolve_recipients(warning).values_list("name", flat=True))


def test_a_polygon_overlapping_a_village_boundary_addresses_it_even_when_the_centre_lies_outside(world, people):
    region_update(region=world.village1, actor=None, boundary=square(118.0, 36.0, 0.2), longitude=118.1,
                  latitude=36.1)
    overlapping = square(118.15, 36.15, 0.2)  # covers a corner of the village, not its centre
    touching = square(118.2, 36.0, 0.2)  # shares only the eastern edge
    assert regions_in_polygon(overlapping, world.county1.prefix) == [world.village1.code]
    assert regions_in_polygon(touching, world.county1.prefix) == []
    warning = make_warning(world, areas=[], area_polygon=overlapping)
    assert names(warning) == {"甲村干部", "甲村网格员"}


def test_a_polygon_never_reaches_beyond_the_issuers_jurisdiction(world, people):
    region_update(region=world.village2, actor=None, longitude=118.1, latitude=36.1)
    warning = make_warning(world, areas=[], area_polygon=square(118.0, 36.0, 0.2))
    assert names(warning) == set()


def test_organisations_add_their_people_within_the_jurisdiction_and_roles_narrow_the_area(world, people):
    water = organization_create(actor=None, name="甲区水利局", kind="industry", region=world.county1)
    services.person_update(person=people["far"], actor=None, organization=water)
    services.person_update(person=people["other_county"], actor=None, organization=water)
    warning = make_warning(world, areas=[world.village1], target_roles=["grid_member"],
                           target_organizations=[water])
    assert names(warning) == {"甲村网格员", "甲二村干部"}
    assert publish(world, warning).recipients.count() == 2


def test_an_organisation_outside_the_drafters_jurisdiction_is_refused(world, people):
    theirs = organization_create(actor=None, name="乙区水利局", kind="industry", region=world.county2)
    with pytest.raises(ValidationError, match="叫应单位超出您的管辖范围"):
        make_warning(world, actor=world.county1_admin, target_organizations=[theirs])


def test_the_drawn_polygon_is_in_the_cap_document_and_on_the_page(client, world, people):
    region_update(region=world.village1, actor=None, longitude=118.1, latitude=36.1)
    area = square(118.0, 36.0, 0.2)
    warning = publish(world, make_warning(world, areas=[], area_polygon=area))
    assert warning.recipients.count() == 2
    document = etree.fromstring(warning.cap_xml.encode())
    polygon = document.findtext(".//cap:area/cap:polygon", namespaces=CAP)
    assert polygon.split()[0] == "36.000000,118.000000" and polygon.split()[0] == polygon.split()[-1]
    client.force_login(world.county1_admin)
    page = client.get(f"/warnings/{warning.pk}/").content.decode()
    assert 'id="warning-area"' in page and "118.2" in page and "warning-area-map" in page


def test_the_form_takes_regions_from_the_tree_a_drawn_polygon_roles_and_organisations(client, world, people):
    water = organization_create(actor=None, name="甲区水利局", kind="industry", region=world.county1)
    organization_create(actor=None, name="乙区水利局", kind="industry", region=world.county2)
    client.force_login(world.county1_admin)
    page = client.get("/warnings/new/").content.decode()
    assert 'data-testid="region-tree"' in page and "甲一社区" in page and "乙一村" not in page
    assert "甲区水利局" in page and "乙区水利局" not in page and 'data-testid="area-map"' in page
    now = timezone.now()
    data = {"region": world.county1.pk, "kind": "forest_fire", "event_type": "", "level": "orange",
            "headline": "甲区森林火险橙色预警", "description": "高火险", "instructions": "禁止野外用火",
            "area_regions": [world.village1.pk], "area_polygon": '{"type": "Polygon", "coordinates": '
            '[[[118.0, 36.0], [118.2, 36.0], [118.2, 36.2], [118.0, 36.0]]]}',
            "target_roles": ["village_cadre"], "target_organizations": [water.pk], "onset": local(now),
            "expires": local(now + timedelta(hours=6)), "source": "市气象台",
            "escalation": '[{"after_minutes": 10, "step": "voice"}]'}
    response = client.post("/warnings/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    warning = Warning.objects.get(headline="甲区森林火险橙色预警")
    assert list(warning.area_regions.all()) == [world.village1]
    assert warning.area_polygon["type"] == "Polygon" and warning.target_roles == ["village_cadre"]
    assert list(warning.target_organizations.all()) == [water]
    bad = {**data, "headline": "坏范围", "area_polygon": '{"type": "Polygon", "coordinates": [[[118.0, 36.0], '
           '[118.2, 36.0], [118.0, 36.0]]]}'}
    response = client.post("/warnings/new/", bad)
    assert response.status_code == 400 and "不是有效的多边形" in response.content.decode()
    outside = {**data, "headline": "越界", "area_regions": [world.village2.pk]}
    assert client.post("/warnings/new/", outside).status_code == 400
    assert not Warning.objects.filter(headline__in=["坏范围", "越界"]).exists()


def test_a_draft_from_another_app_keeps_working_with_the_old_arguments(world, people):
    now = timezone.now()
    warning = services.warning_create(
        actor=None, region=world.county1, kind="forest_fire", level="yellow", headline="森林火险黄色预警",
        description="FWI 较高", instructions="", onset=now, expires=now + timedelta(hours=24),
        area_regions=[world.regions["390102001000"]], source="森林火险预报")
    assert warning.status == "draft" and names(warning) == {"甲村干部", "甲村网格员", "甲二村干部"}
