"""Reading may reach up, writing never does: the findings of the trust review, each as it was found."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from yingji.core import roles
from yingji.core.models import Attachment
from yingji.core.scoping import is_in_scope
from yingji.core.services import attachment_store, user_create
from yingji.core.testing import PASSWORD, PNG, add_enterprise_user, row_values
from yingji.disasters.models import DisasterEvent
from yingji.disasters.testing import make_event
from yingji.enterprises.models import Enterprise
from yingji.enterprises.testing import EnterpriseFactory
from yingji.monitoring.testing import make_source

pytestmark = pytest.mark.django_db


def person(world, username, role, region):
    world.users[username] = user_create(actor=None, username=username, password=PASSWORD, real_name=username,
                                        roles=[role], scope_region=region)
    return world.users[username]


def test_a_county_reads_the_citys_event_but_cannot_move_it(client, world):
    event = make_event(world.city, [world.village1])
    duty = person(world, "county1_duty", roles.DUTY_OFFICER, world.county1)
    assert DisasterEvent.objects.restrict(duty, "view").filter(pk=event.pk).exists()
    assert not DisasterEvent.objects.restrict(duty, "change").filter(pk=event.pk).exists()
    assert not is_in_scope(duty, event)
    client.force_login(duty)
    page = client.get(reverse("disasters:disasterevent_detail", args=[event.pk])).content.decode()
    assert "转入核报" not in page
    response = client.post(reverse("disasters:disasterevent_transition", args=[event.pk]),
                           {"action": "verify", "reason": ""})
    assert response.status_code == 404
    event.refresh_from_db()
    assert event.status == "reporting"


def test_the_city_moves_its_own_event(client, world):
    event = make_event(world.city, [world.village1])
    client.force_login(person(world, "city_duty", roles.DUTY_OFFICER, world.city))
    assert client.post(reverse("disasters:disasterevent_transition", args=[event.pk]),
                       {"action": "verify"}).status_code == 302
    event.refresh_from_db()
    assert event.status == "verifying"


def test_an_unknown_kind_of_transition_is_not_found(client, world):
    client.force_login(world.city_admin)
    assert client.post("/disasters/nothing/1/transition/", {"action": "verify"}).status_code == 404


@pytest.mark.parametrize("path", ["auth/user/1", "core/user/1", "core/region/390100000000", "contenttypes/contenttype/1",
                                  "core/attachment/1", "nothing/here/1"])
def test_files_attach_only_to_records_that_keep_files(client, world, path):
    client.force_login(world.city_admin)
    response = client.post(f"/attachments/{path}/upload/", {"file": SimpleUploadedFile("a.png", PNG)})
    assert response.status_code == 404
    assert Attachment.objects.count() == 0


def test_nobody_below_attaches_files_to_a_city_record(client, world):
    event = make_event(world.city, [world.village1])
    grid = person(world, "grid", roles.GRID_MEMBER, world.village1)
    enterprise_user = add_enterprise_user(world, "manager", EnterpriseFactory(region=world.village1))
    for user in (person(world, "county1_duty", roles.DUTY_OFFICER, world.county1), grid, enterprise_user):
        client.force_login(user)
        response = client.post(f"/attachments/disasters/disasterevent/{event.pk}/upload/",
                               {"file": SimpleUploadedFile("a.png", PNG)})
        assert response.status_code in (403, 404), user.username
        with pytest.raises(PermissionDenied):
            attachment_store(actor=user, uploaded_file=SimpleUploadedFile("a.png", PNG), owner=event)
    assert Attachment.objects.count() == 0


def test_a_grid_member_who_cannot_open_a_hazard_source_cannot_open_its_files(client, world):
    source = make_source(world.village1)
    attachment = attachment_store(actor=world.city_admin, uploaded_file=SimpleUploadedFile("应急预案.png", PNG),
                                  owner=source)
    client.force_login(person(world, "grid", roles.GRID_MEMBER, world.village1))
    assert client.get(reverse("monitoring:majorhazardsource_detail", args=[source.pk])).status_code == 403
    assert client.get(attachment.download_url).status_code == 404
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 404
    client.force_login(world.county1_admin)
    assert client.get(attachment.download_url).status_code == 200


def test_an_enterprise_keeps_its_contacts_but_not_how_it_is_supervised(world):
    enterprise = EnterpriseFactory(region=world.village1, supervision_class="B")
    manager = add_enterprise_user(world, "manager", enterprise)
    api = APIClient()
    api.force_authenticate(manager)
    url = f"/api/enterprises/{enterprise.pk}/"
    for field, value in [("supervision_class", "A"), ("category", "fireworks"), ("region", world.village2.pk),
                         ("credit_code", "91350100M000100Y43")]:
        before = row_values(Enterprise, enterprise)
        response = api.patch(url, {field: value}, format="json")
        assert response.status_code in (400, 403), (field, response.content.decode())
        assert row_values(Enterprise, enterprise) == before, field
    response = api.patch(url, {"safety_director": "张安全", "safety_director_phone": "13900001111"}, format="json")
    assert response.status_code == 200, response.content.decode()
    enterprise.refresh_from_db()
    assert (enterprise.safety_director, enterprise.supervision_class) == ("张安全", "B")


def test_the_enterprise_form_shows_supervision_fields_as_the_bureaus(client, world):
    enterprise = EnterpriseFactory(region=world.village1, supervision_class="B")
    client.force_login(add_enterprise_user(world, "manager", enterprise))
    form = client.get(reverse("enterprises:enterprise_edit", args=[enterprise.pk])).context["form"]
    assert all(form.fields[name].disabled for name in ("supervision_class", "category", "region", "status"))
    assert not form.fields["principal_phone"].disabled
    client.force_login(world.county1_officer)
    form = client.get(reverse("enterprises:enterprise_edit", args=[enterprise.pk])).context["form"]
    assert not form.fields["supervision_class"].disabled
