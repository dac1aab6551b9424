import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from yingji.core.models import Attachment, StateChange
from yingji.core.testing import ScopedModelAPITests, ScopedModelViewTests, add_enterprise_user
from yingji.enterprises.testing import EnterpriseFactory
from yingji.hazards.models import Hazard, HazardStatus, PhotoKind
from yingji.hazards.testing import PLAN, HazardFactory, bring_to

pytestmark = pytest.mark.django_db

# The smallest valid PNG: 1x1 pixel.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)


class HazardDeclarations:
    model = Hazard
    url_namespace = "hazards"
    api_url = "/api/hazards/"

    def make_in_scope(self, world):
        return HazardFactory(enterprise=EnterpriseFactory(region=world.village1), description="甲区储罐区报警器失效")

    def make_out_of_scope(self, world):
        return HazardFactory(enterprise=EnterpriseFactory(region=world.village2), description="乙区配电房线路老化")

    def valid_form_data(self, world, region=None):
        return {
            "enterprise": "", "region": (region or world.village1).pk, "description": "广场消防通道被占用",
            "place": "甲一社区文化广场", "category": "fire", "level": "general", "source": "department_check",
            "found_by_name": "王检查", "found_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "responsible_unit": "甲一社区居委会", "responsible_person": "赵六", "measures": "", "funds": "",
            "deadline": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
        }

    def invalid_form_data(self, world):
        data = self.valid_form_data(world)
        data["deadline"] = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
        return data, "整改期限不能早于发现时间"

    def out_of_scope_form_data(self, world):
        return self.valid_form_data(world, region=world.village2)

    def valid_api_data(self, world, region=None):
        data = self.valid_form_data(world, region)
        data["found_at"] = timezone.now().isoformat()
        for key in ("enterprise", "funds"):
            data.pop(key)
        return data

    def invalid_api_data(self, world):
        data = self.valid_api_data(world)
        data["deadline"] = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
        return data, "整改期限不能早于发现时间"

    def out_of_scope_api_data(self, world):
        return self.valid_api_data(world, region=world.village2)


class TestHazardPages(HazardDeclarations, ScopedModelViewTests):
    def test_a_new_hazard_gets_a_code_of_its_county_and_year(self, client, world):
        client.force_login(world.county1_officer)
        client.post(self.url("create"), self.valid_form_data(world))
        hazard = Hazard.objects.get()
        assert hazard.code == f"YH-390102-{timezone.localdate().year}-000001"
        assert hazard.found_by == world.county1_officer

    def test_an_enterprise_user_reports_for_its_own_enterprise_only(self, client, world):
        mine, other = EnterpriseFactory(region=world.village1), EnterpriseFactory(region=world.village1)
        client.force_login(add_enterprise_user(world, "manager", mine))
        data = {**self.valid_form_data(world), "enterprise": other.pk, "source": "self_check"}
        assert client.post(self.url("create"), data).status_code == 400
        response = client.post(self.url("create"), {**data, "enterprise": mine.pk})
        assert response.status_code == 302
        hazard = Hazard.objects.get()
        assert hazard.enterprise == mine and hazard.region == mine.region

    def test_filters_narrow_the_list(self, client, world):
        enterprise = EnterpriseFactory(region=world.village1)
        HazardFactory(enterprise=enterprise, description="一般隐患甲", level="general")
        bring_to(HazardFactory(enterprise=enterprise, description="已销号隐患乙"), "closed")
        client.force_login(world.county1_officer)
        content = client.get(self.url("list") + "?status=closed").content.decode()
        assert "已销号隐患乙" in content and "一般隐患甲" not in content
        content = client.get(self.url("list") + "?q=一般隐患").content.decode()
        assert "一般隐患甲" in content and "已销号隐患乙" not in content

    def test_the_list_runs_a_fixed_number_of_queries(self, client, world, django_assert_max_num_queries):
        enterprise = EnterpriseFactory(region=world.village1)
        for _ in range(12):
            HazardFactory(enterprise=enterprise)
        client.force_login(world.county1_officer)
        with django_assert_max_num_queries(12):
            assert client.get(self.url("list")).status_code == 200

    def test_the_detail_page_moves_the_hazard_and_shows_the_timeline(self, client, world):
        hazard = self.make_in_scope(world)
        client.force_login(world.county1_officer)
        page = client.get(self.url("detail", hazard.pk)).content.decode()
        assert "下达整改" in page and "验收销号" not in page
        response = client.post(f"/hazards/{hazard.pk}/transition/", {"action": "assign", "reason": "限期7日",
                                                                     "deadline": hazard.deadline.isoformat()})
        assert response.status_code == 302
        page = client.get(self.url("detail", hazard.pk)).content.decode()
        assert "整改中" in page and "限期7日" in page
        response = client.post(f"/hazards/{hazard.pk}/transition/", {"action": "accept"}, follow=True)
        assert "不能执行" in response.content.decode()

    def test_transitions_on_a_hazard_out_of_scope_are_not_found(self, client, world):
        theirs = self.make_out_of_scope(world)
        client.force_login(world.county1_officer)
        assert client.post(f"/hazards/{theirs.pk}/transition/", {"action": "assign"}).status_code == 404
        assert client.post(f"/hazards/{theirs.pk}/photo/", {"kind": PhotoKind.BEFORE}).status_code == 404
        assert client.post(f"/hazards/{theirs.pk}/supervise/", {"action": "list"}).status_code == 404
        assert not StateChange.objects.exists()

    def test_photos_before_and_after_are_kept_apart(self, client, world):
        hazard = self.make_in_scope(world)
        client.force_login(world.county1_officer)
        for kind, name in ((PhotoKind.BEFORE, "前.png"), (PhotoKind.AFTER, "后.png")):
            client.post(f"/hazards/{hazard.pk}/photo/", {"kind": kind, "file": SimpleUploadedFile(name, PNG)})
        assert set(Attachment.objects.values_list("description", "original_name")) == {
            (PhotoKind.BEFORE, "前.png"), (PhotoKind.AFTER, "后.png")}
        response = client.get(self.url("detail", hazard.pk))
        assert response.context["photos_before"][0].original_name == "前.png"
        assert response.context["photos_after"][0].original_name == "后.png"

    def test_a_file_that_is_not_an_image_type_allowed_is_refused(self, client, world):
        hazard = self.make_in_scope(world)
        client.force_login(world.county1_officer)
        response = client.post(f"/hazards/{hazard.pk}/photo/", follow=True, data={
            "kind": PhotoKind.BEFORE, "file": SimpleUploadedFile("x.png", b"#!/bin/sh\necho hi\n")})
        assert "不允许上传" in response.content.decode()
        assert not Attachment.objects.exists()

    def test_the_major_hazard_list_shows_open_major_hazards_only(self, client, world):
        enterprise = EnterpriseFactory(region=world.village1)
        HazardFactory(enterprise=enterprise, level="major", description="重大隐患开着", **PLAN)
        bring_to(HazardFactory(enterprise=enterprise, level="major", description="重大隐患关闭了", **PLAN), "closed")
        HazardFactory(enterprise=enterprise, description="普通的小问题")
        client.force_login(world.county1_leader)
        content = client.get("/hazards/major/").content.decode()
        assert "重大隐患开着" in content and "重大隐患关闭了" not in content and "普通的小问题" not in content


class TestHazardAPI(HazardDeclarations, ScopedModelAPITests):
    def test_the_level_may_be_left_out(self, world):
        data = self.valid_api_data(world)
        data.pop("level", None)
        response = self.api(world, self.actor).post(self.api_url, data, format="json")
        assert response.status_code == 201, response.content.decode()
        assert Hazard.objects.get(pk=response.json()["id"]).level == "general"

    def test_a_transition_through_the_api(self, world):
        hazard = self.make_in_scope(world)
        client = self.api(world, self.actor)
        url = f"{self.api_url}{hazard.pk}/transition/"
        response = client.post(url, {"action": "assign", "deadline": hazard.deadline.isoformat()}, format="json")
        assert response.status_code == 200, response.content.decode()
        assert response.json()["status"] == HazardStatus.RECTIFYING
        response = client.post(url, {"action": "accept"}, format="json")
        assert response.status_code == 400 and "不能执行" in response.content.decode()

    def test_a_transition_out_of_scope_is_404(self, world):
        theirs = self.make_out_of_scope(world)
        response = self.api(world, self.actor).post(f"{self.api_url}{theirs.pk}/transition/", {"action": "assign"},
                                                   format="json")
        assert response.status_code == 404
        assert Hazard.objects.get(pk=theirs.pk).status == HazardStatus.REPORTED

    def test_the_status_cannot_be_set_through_the_api(self, world):
        hazard = self.make_in_scope(world)
        response = self.api(world, self.actor).patch(f"{self.api_url}{hazard.pk}/", {"status": "closed"},
                                                    format="json")
        assert response.status_code == 200
        assert Hazard.objects.get(pk=hazard.pk).status == HazardStatus.REPORTED
