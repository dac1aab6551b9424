"""线上巡查: a bureau's monitoring officer records the day's patrol with a snapshot of what the platform shows,
records findings and raises a hazard from one; nobody outside the bureau's jurisdiction sees or changes it."""

import orjson
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from yingji.core.testing import ScopedModelViewTests, add_enterprise_user
from yingji.enterprises.testing import EnterpriseFactory
from yingji.hazards.models import Hazard
from yingji.monitoring import ingest, services
from yingji.monitoring.ingest import PointTable
from yingji.monitoring.models import Patrol, PatrolEntry
from yingji.monitoring.testing import add_monitor, make_point, make_source

pytestmark = pytest.mark.django_db


def monitored(region, name, value=10.0):
    enterprise = EnterpriseFactory(region=region, name=name)
    point = make_point(make_source(region, enterprise=enterprise))
    gateway = services.gateway_create(actor=None, enterprise=enterprise, code=f"GW-{point.pk}", name="网关")
    now = ingest.now_ms()
    services.readings_ingest(gateway_id=gateway.pk, enterprise_id=enterprise.pk, points=PointTable(),
                             body=orjson.dumps({"readings": [[point.tag, now - 1000, value]]}), now=now)
    return enterprise


@pytest.fixture
def patrol_world(world):
    add_monitor(world, "county1_monitor", world.county1)
    add_monitor(world, "county2_monitor", world.county2)
    return {"alarming": monitored(world.village1, "报警企业", 19.0), "quiet": monitored(world.village1, "正常企业"),
            "other": monitored(world.village2, "乙区企业")}


def test_a_patrol_keeps_a_snapshot_of_each_enterprise(world, patrol_world):
    services.online_rates_rollup(day=timezone.localdate())
    patrol = services.patrol_create(actor=world.county1_monitor, day=timezone.localdate(), summary="例行巡查",
                                    enterprises=[patrol_world["alarming"], patrol_world["quiet"]])
    entries = {e.enterprise.name: e for e in patrol.entries.all()}
    assert (entries["报警企业"].open_alarms, entries["报警企业"].worst_level) == (1, 1)
    assert entries["报警企业"].alarm_codes.startswith("BJ")
    assert (entries["正常企业"].open_alarms, entries["正常企业"].points_total) == (0, 1)
    assert entries["正常企业"].online_rate is not None
    assert patrol.region == world.county1 and patrol.officer == world.county1_monitor


def test_a_patrol_is_refused_for_another_countys_enterprise_or_none(world, patrol_world):
    with pytest.raises(PermissionDenied):
        services.patrol_create(actor=world.county1_monitor, day=timezone.localdate(),
                               enterprises=[patrol_world["other"]])
    with pytest.raises(ValidationError):
        services.patrol_create(actor=world.county1_monitor, day=timezone.localdate(), enterprises=[])
    assert not Patrol.objects.exists()


def test_a_finding_raises_a_hazard_once(client, world, patrol_world):
    patrol = services.patrol_create(actor=world.county1_monitor, day=timezone.localdate(),
                                    enterprises=[patrol_world["alarming"]])
    entry = patrol.entries.get()
    client.force_login(world.county1_monitor)
    url = f"/monitoring/patrols/{patrol.pk}/entries/{entry.pk}/"
    client.post(url, {"action": "finding", "finding": "液位持续高高报，企业未确认"})
    response = client.post(url, {"action": "hazard", "description": "储罐液位高高报警长时间未处置",
                                 "place": "储罐区", "category": "hazchem", "level": "general"})
    assert response.status_code == 302
    entry.refresh_from_db()
    hazard = Hazard.objects.get()
    assert entry.hazard == hazard and entry.finding == "液位持续高高报，企业未确认"
    assert (hazard.enterprise, hazard.source, hazard.found_by) == (patrol_world["alarming"], "department_check",
                                                                  world.county1_monitor)
    client.post(url, {"action": "hazard", "description": "再次登记", "place": "储罐区", "category": "hazchem",
                      "level": "general"})
    assert Hazard.objects.count() == 1
    page = client.get(f"/monitoring/patrols/{patrol.pk}/").content.decode()
    assert hazard.code in page


def test_the_patrol_page_lists_the_monitored_enterprises_in_scope(client, world, patrol_world):
    client.force_login(world.county1_monitor)
    page = client.get("/monitoring/patrols/new/").content.decode()
    assert "报警企业" in page and "正常企业" in page and "乙区企业" not in page
    response = client.post("/monitoring/patrols/new/", {"day": timezone.localdate().isoformat(), "summary": "巡查",
                                                       "enterprises": [patrol_world["other"].pk]})
    assert response.status_code == 400 and not Patrol.objects.exists()
    response = client.post("/monitoring/patrols/new/", {"day": timezone.localdate().isoformat(), "summary": "巡查",
                                                       "enterprises": [patrol_world["quiet"].pk]})
    assert response.status_code == 302
    assert PatrolEntry.objects.get().enterprise == patrol_world["quiet"]


def test_others_cannot_see_or_change_a_patrol(client, world, patrol_world):
    patrol = services.patrol_create(actor=world.county1_monitor, day=timezone.localdate(),
                                    enterprises=[patrol_world["quiet"]])
    entry = patrol.entries.get()
    manager = add_enterprise_user(world, "quiet_manager", patrol_world["quiet"])
    for user in (world.county2_monitor, manager):
        client.force_login(user)
        assert client.get(f"/monitoring/patrols/{patrol.pk}/").status_code in (403, 404)
        client.post(f"/monitoring/patrols/{patrol.pk}/entries/{entry.pk}/", {"action": "finding", "finding": "x"})
        entry.refresh_from_db()
        assert entry.finding == ""
    client.force_login(world.county2_monitor)
    assert patrol.code not in client.get("/monitoring/patrols/").content.decode()


class TestPatrolPages(ScopedModelViewTests):
    model = Patrol
    url_namespace = "monitoring"
    actor = "county1_admin"
    outsider = "county2_admin"
    has_edit = False

    def make_in_scope(self, world):
        return services.patrol_create(actor=world.county1_admin, day=timezone.localdate(),
                                      enterprises=[monitored(world.village1, "甲区企业")])

    def make_out_of_scope(self, world):
        return services.patrol_create(actor=world.county2_admin, day=timezone.localdate(),
                                      enterprises=[monitored(world.village2, "乙区企业")])

    def valid_form_data(self, world):
        return {"day": timezone.localdate().isoformat(), "summary": "巡查",
                "enterprises": [monitored(world.village1, "新巡查企业").pk]}

    def invalid_form_data(self, world):
        return {"day": timezone.localdate().isoformat(), "summary": "巡查"}, "请至少选择一家巡查的企业"

    def out_of_scope_form_data(self, world):
        return {"day": timezone.localdate().isoformat(), "enterprises": [monitored(world.village2, "外区企业").pk]}
