"""The bureau's tip-off pages and API: jurisdiction, who sees the reporter, and handling from the detail page."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from yingji.core.testing import ScopedModelAPITests, ScopedModelViewTests, xlsx_rows
from yingji.tipoffs.models import TipOff
from yingji.tipoffs.services import tipoff_submit
from yingji.tipoffs.specs import TIPOFF
from yingji.tipoffs.testing import make_tipoff, png_file

pytestmark = pytest.mark.django_db

IDENTITY = ("王举报", "13912345678")


class TipOffDeclarations:
    spec = TIPOFF
    api_url = "/api/tipoffs/"
    writable = False

    def make_in_scope(self, world):
        return make_tipoff(world.village1, description="甲区某厂违规动火作业无人监护",
                           reporter_name=IDENTITY[0], reporter_phone=IDENTITY[1])

    def make_out_of_scope(self, world):
        return make_tipoff(world.village2, description="乙区某厂仓库超量储存危化品")


class TestTipOffPages(TipOffDeclarations, ScopedModelViewTests):
    pass


class TestTipOffAPI(TipOffDeclarations, ScopedModelAPITests):
    pass


def api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.mark.parametrize(("persona", "sees"), [("county1_officer", True), ("county1_admin", True),
                                               ("county1_leader", False)])
def test_only_handlers_see_who_reported_in_pages_api_and_export(client, world, persona, sees):
    tipoff = TipOffDeclarations().make_in_scope(world)
    user = getattr(world, persona)
    client.force_login(user)
    pages = [client.get(reverse("tipoffs:tipoff_detail", args=[tipoff.pk])).content.decode(),
             client.get(reverse("tipoffs:tipoff_list")).content.decode(),
             client.get(reverse("tipoffs:tipoff_list") + "?q=" + IDENTITY[0]).content.decode()]
    exported = str(xlsx_rows(client.get(reverse("tipoffs:tipoff_list") + "?export=xlsx").content))
    body = api(user).get(f"/api/tipoffs/{tipoff.pk}/").json()
    assert (IDENTITY[1] in pages[0]) is sees
    assert (IDENTITY[0] in pages[1]) is sees
    assert (tipoff.number in pages[2]) is sees  # searching by the name finds nothing for those who may not see it
    assert (IDENTITY[0] in exported and IDENTITY[1] in exported) is sees
    assert ("reporter_phone" in body) is sees
    assert body["number"] == tipoff.number


def test_the_history_on_the_detail_page_does_not_carry_the_identity(client, world):
    tipoff = TipOffDeclarations().make_in_scope(world)
    client.force_login(world.county1_leader)
    page = client.get(reverse("tipoffs:tipoff_detail", args=[tipoff.pk])).content.decode()
    assert "变更记录" in page and IDENTITY[0] not in page and IDENTITY[1] not in page


def test_the_list_filters_by_status_category_region_and_period(client, world):
    received = make_tipoff(world.village1, category="fire")
    accepted = make_tipoff(world.village1, category="hazchem", status="accepted")
    client.force_login(world.city_admin)
    url = reverse("tipoffs:tipoff_list")

    def numbers(query):
        return {row[0] for row in xlsx_rows(client.get(url + "?export=xlsx&" + query).content)[1:]}

    assert numbers("status=accepted") == {accepted.number}
    assert numbers("category=fire") == {received.number}
    assert numbers(f"region={world.county2.code}") == set()
    assert numbers(f"region={world.county1.code}") == {received.number, accepted.number}
    today = received.submitted_at.astimezone().date()
    assert numbers(f"submitted_from={today}&submitted_to={today}") == {received.number, accepted.number}
    assert numbers("submitted_to=2000-01-01") == set()


def test_an_officer_handles_it_from_the_detail_page(client, world):
    tipoff = make_tipoff(world.village1, status="investigating")
    client.force_login(world.county1_officer)
    url = reverse("tipoffs:tipoff_detail", args=[tipoff.pk])
    assert "核查属实" in client.get(url).content.decode()
    response = client.post(reverse("tipoffs:tipoff_transition", args=[tipoff.pk]),
                           {"action": "substantiate", "reason": "现场核实", "hazard_level": "general",
                            "hazard_category": "fire", "place": "二号车间"})
    assert response.status_code == 302
    tipoff.refresh_from_db()
    assert tipoff.status == "substantiated" and tipoff.hazard.category == "fire"
    page = client.get(url).content.decode()
    assert tipoff.hazard.code in page and "现场核实" in page and "提出奖励" in page
    response = client.post(reverse("tipoffs:tipoff_transition", args=[tipoff.pk]), {"action": "substantiate"}, follow=True)
    assert "不能执行" in response.content.decode()


def test_a_leader_sees_no_buttons_and_cannot_post_an_action(client, world):
    tipoff = make_tipoff(world.village1)
    client.force_login(world.county1_leader)
    assert "tipoff-actions" not in client.get(reverse("tipoffs:tipoff_detail", args=[tipoff.pk])).content.decode()
    assert client.post(reverse("tipoffs:tipoff_transition", args=[tipoff.pk]), {"action": "accept"}).status_code == 404
    assert TipOff.objects.get(pk=tipoff.pk).status == "received"


def test_the_api_makes_moves_through_the_services(world):
    tipoff = make_tipoff(world.village1, status="investigating")
    client = api(world.county1_officer)
    response = client.post(f"/api/tipoffs/{tipoff.pk}/transition/", {"action": "substantiate", "reason": "属实"},
                           format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "substantiated" and response.json()["hazard_code"]
    response = client.post(f"/api/tipoffs/{tipoff.pk}/transition/", {"action": "pay", "amount": "10"}, format="json")
    assert response.status_code == 400 and "不能执行" in response.content.decode()
    assert api(world.county2_officer).post(f"/api/tipoffs/{tipoff.pk}/transition/", {"action": "propose_reward",
                                           "amount": "10"}, format="json").status_code == 404
    assert api(world.county1_leader).post(f"/api/tipoffs/{tipoff.pk}/transition/", {"action": "propose_reward",
                                          "amount": "10"}, format="json").status_code == 404
    steps = client.get(f"/api/tipoffs/{tipoff.pk}/timeline/").json()
    assert [s["action"] for s in steps] == ["accept", "investigate", "substantiate"]


def test_photos_are_served_only_inside_the_jurisdiction(client, world):
    tipoff, _code = tipoff_submit(description="某厂违规储存危化品十余桶", category="hazchem", region=world.village1,
                                  address="工业路1号", photos=[png_file()])
    photo = tipoff.photos.get()
    client.force_login(world.county1_officer)
    response = client.get(reverse("tipoffs:photo_download", args=[photo.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    client.force_login(world.county2_officer)
    assert client.get(reverse("tipoffs:photo_download", args=[photo.pk])).status_code == 404


def test_the_list_runs_the_same_queries_however_many_rows_it_shows(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.county1_officer)
    make_tipoff(world.village1, status="substantiated")
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("tipoffs:tipoff_list"))
    for _ in range(4):
        make_tipoff(world.village1, status="substantiated")
    with CaptureQueriesContext(connection) as five:
        client.get(reverse("tipoffs:tipoff_list"))
    assert len(five) == len(one)
