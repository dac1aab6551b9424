"""The four-colour map of an enterprise and the region view, against a hand-counted fixture."""

import pytest

from yingji.core.testing import add_enterprise_user, xlsx_rows
from yingji.enterprises.testing import EnterpriseFactory
from yingji.risks.models import RiskLevelCount
from yingji.risks.services import rebuild_level_counts, risk_point_change_status, risk_point_update
from yingji.risks.testing import RiskPointFactory

pytestmark = pytest.mark.django_db


def lec(enterprise, name, l, e, c, **extra):  # noqa: E741
    return RiskPointFactory(enterprise=enterprise, name=name, method="lec", lec_l=l, lec_e=e, lec_c=c, **extra)


def matrix(enterprise, name, l, s, **extra):  # noqa: E741
    return RiskPointFactory(enterprise=enterprise, name=name, method="matrix", lec_l=None, lec_e=None, lec_c=None,
                            matrix_l=l, matrix_s=s, **extra)


@pytest.fixture
def city(world):
    """By hand: 甲区 重大1 较大1 一般1 低1; 乙区 重大1 较大2 一般0 低1 (the retired 重大 point is not counted)."""
    e1 = EnterpriseFactory(region=world.village1, name="甲区东方化工", longitude=118.05, latitude=36.05)
    e2 = EnterpriseFactory(region=world.regions["390102001002"], name="甲区机械", longitude=118.06, latitude=36.06)
    e3 = EnterpriseFactory(region=world.village2, name="乙区石化", longitude=118.25, latitude=36.05)
    e4 = EnterpriseFactory(region=world.regions["390103100202"], name="乙区商贸", longitude=118.26, latitude=36.06)
    lec(e1, "液氨储罐区", 10, 6, 15, longitude=118.051, latitude=36.051)        # D 900 重大
    matrix(e1, "动火作业", 4, 4, longitude=118.052, latitude=36.052)             # R 16 较大
    matrix(e1, "办公楼", 1, 1)                                                   # R 1 低, no coordinates
    retired = lec(e1, "旧氯气库", 10, 10, 40)                                     # 重大, retired below
    risk_point_change_status(risk_point=retired, actor=None, action="retire", reason="已拆除")
    lec(e2, "冲压机", 3, 6, 7)                                                   # D 126 一般
    matrix(e3, "汽油储罐", 5, 5)                                                 # R 25 重大
    matrix(e3, "装卸栈台", 3, 5)                                                 # R 15 较大
    lec(e3, "有限空间作业", 6, 6, 7)                                             # D 252 较大
    lec(e4, "配电室", 1, 1, 1)                                                   # D 1 低
    world.firms = (e1, e2, e3, e4)
    return world


def test_the_region_view_counts_each_county_by_level(client, city):
    client.force_login(city.city_admin)
    response = client.get("/risks/regions/")
    assert response.status_code == 200
    rows = {row["name"]: (row["levels"], row["total"]) for row in response.context["rows"]}
    assert rows == {"甲区": ([1, 1, 1, 1], 4), "乙区": ([1, 2, 0, 1], 4)}
    assert response.context["totals"] == [2, 3, 1, 2, 8]
    content = response.content.decode()
    assert f"/risks/?region={city.county2.code}&amp;status=active&amp;level=larger" in content
    places = {name: (level, major, larger)
              for _id, name, _lon, _lat, level, major, larger in client.get("/risks/regions/points/").json()["rows"]}
    assert places == {"甲区东方化工": ("major", 1, 1), "乙区石化": ("major", 1, 2)}


def test_a_county_sees_its_townships_only(client, city):
    client.force_login(city.county1_admin)
    response = client.get("/risks/regions/")
    assert [(r["name"], r["levels"]) for r in response.context["rows"]] == [("甲一街道", [1, 1, 1, 1])]
    points = client.get("/risks/regions/points/").json()["rows"]
    assert [row[1] for row in points] == ["甲区东方化工"]
    assert client.get(f"/risks/regions/?region={city.county2.code}").status_code == 404
    assert client.get(f"/risks/regions/points/?region={city.county2.code}").status_code == 404
    assert "乙区石化" not in response.content.decode()


def test_the_click_through_list_shows_the_same_number(client, city):
    client.force_login(city.city_admin)
    response = client.get(f"/risks/?region={city.county2.code}&status=active&level=larger")
    assert response.context["page"].paginator.count == 2


def test_the_region_figures_export_to_excel(client, city):
    client.force_login(city.city_admin)
    rows = xlsx_rows(client.get("/risks/regions/?export=xlsx").content)
    assert rows[0] == ["区划代码", "区划名称", "重大风险", "较大风险", "一般风险", "低风险", "合计"]
    assert rows[-1][1:] == ["合计", 2, 3, 1, 2, 8]


def test_the_enterprise_map_colours_and_counts_its_points(client, city):
    client.force_login(city.county1_officer)
    response = client.get(f"/risks/enterprises/{city.firms[0].pk}/map/")
    assert response.status_code == 200
    legend = {row["label"]: row["total"] for row in response.context["legend"]}
    assert legend == {"重大风险": 1, "较大风险": 1, "一般风险": 0, "低风险": 1}
    colours = {f["properties"]["name"]: f["properties"]["color"] for f in response.context["features"]["features"]}
    assert colours == {"液氨储罐区": "#ff0000", "动火作业": "#ff8c00"}
    content = response.content.decode()
    assert 'data-major="1"' in content and "旧氯气库" not in content
    assert response.context["title"] and response.context["breadcrumbs"]


def test_the_enterprise_map_is_scoped(client, city):
    client.force_login(city.county1_officer)
    assert client.get(f"/risks/enterprises/{city.firms[2].pk}/map/").status_code == 404
    client.force_login(city.county1_no_role)
    assert client.get(f"/risks/enterprises/{city.firms[0].pk}/map/").status_code == 403
    assert client.get("/risks/regions/").status_code == 403
    assert client.get("/risks/regions/points/").status_code == 403
    client.logout()
    assert client.get("/risks/regions/").status_code == 302
    assert client.get("/risks/regions/points/").status_code == 302


def test_an_enterprise_user_is_sent_to_its_own_map(client, city):
    manager = add_enterprise_user(city, "manager", city.firms[0])
    client.force_login(manager)
    response = client.get("/risks/regions/")
    assert response["Location"] == f"/risks/enterprises/{city.firms[0].pk}/map/"
    assert client.get(f"/risks/enterprises/{city.firms[1].pk}/map/").status_code == 404
    assert client.get(response["Location"]).status_code == 200


def counts():
    return {(c.enterprise_id, c.region_id, c.level): c.total for c in RiskLevelCount.objects.filter(total__gt=0)}


def test_the_roll_up_follows_every_change_and_equals_a_recount(city):
    e1, e2 = city.firms[0], city.firms[1]
    point = lec(e1, "新增反应釜", 3, 6, 7)                                       # 一般
    assert counts()[(e1.pk, e1.region_id, "general")] == 1
    risk_point_update(risk_point=point, actor=None, lec_c="40")                  # 3 × 6 × 40 = 720 重大
    assert counts()[(e1.pk, e1.region_id, "major")] == 2
    assert (e1.pk, e1.region_id, "general") not in counts()
    risk_point_change_status(risk_point=point, actor=None, action="retire", reason="停用")
    assert counts()[(e1.pk, e1.region_id, "major")] == 1
    risk_point_change_status(risk_point=point, actor=None, action="reactivate", reason="复产")
    risk_point_update(risk_point=point, actor=None, enterprise=e2)
    assert counts()[(e2.pk, e2.region_id, "major")] == 1
    before = counts()
    rebuild_level_counts()
    assert counts() == before
