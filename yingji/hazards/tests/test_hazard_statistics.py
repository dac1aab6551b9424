"""Statistics against a fixture counted by hand (the comments say which hazard counts where)."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from yingji.core.testing import add_enterprise_user, xlsx_rows
from yingji.enterprises.testing import EnterpriseFactory
from yingji.hazards import services
from yingji.hazards.models import HazardStat
from yingji.hazards.selectors import Period, hazard_statistics
from yingji.hazards.tasks import flag_overdue_hazards
from yingji.hazards.testing import PLAN, HazardFactory, bring_to
from yingji.hazards.tests.test_hazard_overdue import past_due

pytestmark = pytest.mark.django_db
PERIOD = Period(datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))


def at(year, month, day, hour=9, minute=0):
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


@pytest.fixture
def fixture(world):
    a = EnterpriseFactory(region=world.village1, name="甲化工", category="hazchem_production")
    b = EnterpriseFactory(region=world.village1, name="乙烟花", category="fireworks")
    c = EnterpriseFactory(region=world.village2, name="丙商贸", category="commerce")
    h = {}
    h[1] = bring_to(HazardFactory(enterprise=a, source="self_check", found_at=at(2026, 1, 10)), "closed")
    h[2] = bring_to(HazardFactory(enterprise=a, source="self_check", found_at=at(2026, 1, 20)), "rectifying")
    h[3] = HazardFactory(enterprise=a, source="enforcement", level="major", found_at=at(2026, 2, 5), **PLAN)
    h[4] = bring_to(HazardFactory(enterprise=b, source="covert", found_at=at(2026, 2, 15)), "closed")
    h[5] = bring_to(HazardFactory(enterprise=None, region=world.village1, source="public_report",
                                  found_at=at(2026, 3, 1)), "awaiting_acceptance")
    h[6] = bring_to(HazardFactory(enterprise=b, source="self_check", found_at=at(2025, 12, 31, 23, 30)), "closed")
    h[7] = bring_to(HazardFactory(enterprise=c, source="department_check", found_at=at(2026, 3, 10)), "closed")
    h[8] = HazardFactory(enterprise=a, source="self_check", found_at=at(2026, 6, 30, 23, 30))
    h[9] = HazardFactory(enterprise=b, source="department_check", found_at=at(2026, 7, 1, 0, 30))
    past_due(h[2])
    assert flag_overdue_hazards() == 1
    return {"a": a, "b": b, "c": c, "hazards": h}


def by_key(rows):
    return {r["key"]: (r["found"], r["closed"], r["overdue"]) for r in rows}


def test_city_figures_match_the_hand_count(world, fixture):
    stats = hazard_statistics(world.city_admin, PERIOD)
    # In the period: 1, 2, 3, 4, 5, 7, 8 (6 is a day early, 9 half an hour late); closed 1, 4, 7; overdue 2.
    assert stats["totals"] == {"found": 7, "closed": 3, "overdue": 1, "rate": 42.9,
                               "major": {"found": 1, "closed": 0, "overdue": 0, "rate": 0.0}}
    # Self: 1, 2, 8; enforcement: 3 (执法), 4 (暗访), 7 (部门); public: 5.
    assert stats["shares"] == {"self_found": 42.9, "enforcement": 42.9, "public_report": 14.3}
    sources = by_key(stats["by_source"])
    assert sources["self_check"] == (3, 1, 1) and sources["enforcement"] == (1, 0, 0)
    assert sources["covert"] == (1, 1, 0) and sources["public_report"] == (1, 0, 0)
    assert sources["department_check"] == (1, 1, 0) and sources["special_campaign"] == (0, 0, 0)
    assert by_key(stats["by_level"]) == {"general": (6, 3, 1), "major": (1, 0, 0)}
    categories = by_key(stats["by_category"])
    assert categories["hazchem_production"] == (4, 1, 1)
    assert categories["fireworks"] == (1, 1, 0) and categories["commerce"] == (1, 1, 0) and categories[""] == (1, 0, 0)
    assert by_key(stats["by_region"]) == {"390102000000": (6, 2, 1), "390103000000": (1, 1, 0)}
    months = by_key(stats["by_month"])
    assert list(months) == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    assert months["2026-01"] == (2, 1, 1) and months["2026-02"] == (2, 1, 0) and months["2026-03"] == (2, 1, 0)
    assert months["2026-04"] == (0, 0, 0) and months["2026-06"] == (1, 0, 0)
    ranking = stats["enterprise_ranking"]
    assert (ranking[0]["name"], ranking[0]["found"]) == ("甲化工", 4)
    assert sorted(r["name"] for r in ranking[1:]) == ["丙商贸", "乙烟花"]
    assert stats["region_ranking"][0]["name"] == "甲区"


def test_a_county_officer_sees_only_the_county(world, fixture):
    stats = hazard_statistics(world.county1_officer, PERIOD)
    assert (stats["totals"]["found"], stats["totals"]["closed"]) == (6, 2)
    assert "丙商贸" not in {r["name"] for r in stats["enterprise_ranking"]}
    assert by_key(stats["by_region"]) == {"390102001000": (6, 2, 1)}


def test_an_enterprise_user_sees_only_its_own(world, fixture):
    stats = hazard_statistics(add_enterprise_user(world, "manager", fixture["a"]), PERIOD)
    assert (stats["totals"]["found"], stats["totals"]["closed"], stats["totals"]["overdue"]) == (4, 1, 1)


def test_the_api_gives_the_same_figures(world, fixture):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.city_admin).key}")
    response = client.get("/api/hazards/statistics/?from=2026-01-01&to=2026-06-30")
    assert response.status_code == 200
    assert response.json() == hazard_statistics(world.city_admin, PERIOD)
    assert client.get("/api/hazards/statistics/?from=2026-13-01").status_code == 400
    assert APIClient().get("/api/hazards/statistics/").status_code == 401


def test_the_api_refuses_a_region_out_of_scope(world, fixture):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.county1_officer).key}")
    assert client.get(f"/api/hazards/statistics/?region={world.county2.code}").status_code == 404


def test_the_page_shows_and_exports_the_figures(client, world, fixture):
    client.force_login(world.county1_leader)
    response = client.get("/hazards/statistics/?from=2026-01-01&to=2026-06-30")
    assert response.status_code == 200
    assert response.context["stats"]["totals"]["found"] == 6
    assert response.context["title"] and response.context["breadcrumbs"]
    export = client.get("/hazards/statistics/?from=2026-01-01&to=2026-06-30&export=xlsx")
    rows = xlsx_rows(export.content)
    assert ["合计", 6, 2, 33.3, 1] in rows


def test_the_page_needs_the_view_permission_and_a_login(client, world):
    assert client.get("/hazards/statistics/").status_code == 302
    client.force_login(world.county1_no_role)
    assert client.get("/hazards/statistics/").status_code == 403
    client.force_login(world.county1_officer)
    assert client.get(f"/hazards/statistics/?region={world.county2.code}").status_code == 404
    response = client.get("/hazards/statistics/?from=2026-06-01&to=2026-01-01")
    assert response.status_code == 400 and "开始日期不晚于结束日期" in response.content.decode()


def test_a_period_with_partial_months_counts_the_edges_from_the_hazards(world, fixture):
    stats = hazard_statistics(world.city_admin, Period(datetime.date(2026, 1, 15), datetime.date(2026, 3, 5)))
    # 2 (Jan 20), 3 (Feb 5), 4 (Feb 15, closed), 5 (Mar 1); 1 (Jan 10) and 7 (Mar 10) fall outside.
    assert (stats["totals"]["found"], stats["totals"]["closed"], stats["totals"]["overdue"]) == (4, 1, 1)
    assert by_key(stats["by_month"]) == {"2026-01": (1, 0, 1), "2026-02": (2, 1, 0), "2026-03": (1, 0, 0)}
    assert stats["enterprise_ranking"][0]["found"] == 2


def test_a_ranking_from_new_year_reads_the_year_rows_less_what_lies_after_the_period(world, fixture):
    # From 1 January to 15 June: 甲化工 has 1, 2, 3 (8 is on 30 June); 乙烟花 4 (9 is in July); 丙商贸 7.
    stats = hazard_statistics(world.city_admin, Period(datetime.date(2026, 1, 1), datetime.date(2026, 6, 15)))
    assert [(r["name"], r["found"], r["closed"], r["overdue"]) for r in stats["enterprise_ranking"]] == [
        ("甲化工", 3, 1, 1), ("乙烟花", 1, 1, 0), ("丙商贸", 1, 1, 0)]
    from2 = hazard_statistics(world.city_admin, Period(datetime.date(2026, 1, 2), datetime.date(2026, 6, 15)))
    assert sorted((r["name"], r["found"]) for r in from2["enterprise_ranking"]) == sorted(
        (r["name"], r["found"]) for r in stats["enterprise_ranking"])


def rollup():
    return sorted((str(s.month), s.region_id, s.dimension, s.key, s.found, s.closed, s.overdue)
                  for s in HazardStat.objects.filter(found__gt=0) | HazardStat.objects.filter(closed__gt=0)
                  | HazardStat.objects.filter(overdue__gt=0))


def test_the_services_keep_the_rollup_equal_to_a_recount(world, fixture):
    hazards = fixture["hazards"]
    services.hazard_update(hazard=hazards[3], actor=world.county1_officer, level="general", source="covert",
                           found_at=at(2026, 4, 2))
    services.hazard_update(hazard=hazards[8], actor=None, enterprise=fixture["c"])
    services.hazard_update(hazard=hazards[2], actor=world.county1_officer,
                           deadline=timezone.localdate() + datetime.timedelta(days=3))
    services.hazard_accept(hazard=hazards[5], actor=world.county1_admin)
    kept = rollup()
    services.rebuild_statistics()
    assert kept == rollup()
