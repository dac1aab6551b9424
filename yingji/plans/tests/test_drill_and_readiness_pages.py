"""Every page and endpoint of drills, improvement tasks and readiness assessments, inside and outside the
jurisdiction (core base classes)."""

import pytest
from django.utils import timezone

from yingji.core import roles
from yingji.core.testing import ScopedModelAPITests, ScopedModelViewTests, add_enterprise_user, form_as_sent
from yingji.enterprises.testing import EnterpriseFactory
from yingji.plans import forms, services
from yingji.plans.models import Drill, DrillImprovement, ReadinessAssessment, ReadinessItem
from yingji.plans.testing import bring_drill_to, deadline, make_assessment, make_drill
from yingji.plans.tests.test_transitions import person
from yingji.resources.testing import RescueTeamFactory

pytestmark = pytest.mark.django_db


class DrillDeclarations:
    model = Drill
    url_namespace = "plans"
    api_url = "/api/drills/"

    def make_in_scope(self, world):
        return make_drill(world.village1, name="甲区化工泄漏综合演练")

    def make_out_of_scope(self, world):
        return make_drill(world.village2, name="乙区森林火灾实战演练")

    def valid_form_data(self, world, region=None):
        return {"name": "甲区防汛桌面推演", "kind": "tabletop", "plan": "", "region": (region or world.village1).pk,
                "enterprise": "", "organizer": "", "scenario": "强降雨致河道水位超警", "event_subtype": "洪涝灾害",
                "place": "区应急指挥中心", "longitude": "", "latitude": "",
                "planned_on": timezone.localdate().isoformat(), "participants": "区防指成员单位",
                "participant_count": "30"}

    def invalid_form_data(self, world):
        return {**self.valid_form_data(world), "participant_count": "-1"}, "确保该值大于或等于0"

    def out_of_scope_form_data(self, world):
        return self.valid_form_data(world, region=world.village2)

    def valid_api_data(self, world, region=None):
        data = self.valid_form_data(world, region)
        for key in ("plan", "enterprise", "organizer", "longitude", "latitude"):
            data.pop(key)
        return data

    def invalid_api_data(self, world):
        return {**self.valid_api_data(world), "participant_count": -1}, "请确保该值大于或者等于 0"

    def out_of_scope_api_data(self, world):
        return self.valid_api_data(world, region=world.village2)


class TestDrillPages(DrillDeclarations, ScopedModelViewTests):
    def test_a_drill_takes_only_teams_in_scope(self, client, world):
        mine, theirs = RescueTeamFactory(region=world.village1), RescueTeamFactory(region=world.village2)
        client.force_login(world.county1_officer)
        data = {**self.valid_form_data(world), "teams": [mine.pk, theirs.pk]}
        assert client.post(self.url("create"), data).status_code == 400
        assert client.post(self.url("create"), {**data, "teams": [mine.pk]}).status_code == 302
        assert list(Drill.objects.get().teams.all()) == [mine]

    def test_an_enterprise_user_plans_drills_of_its_own_enterprise_only(self, client, world):
        mine = EnterpriseFactory(region=world.village1)
        manager = add_enterprise_user(world, "manager", mine)
        theirs = make_drill(world.village1, name="别家企业演练", enterprise=EnterpriseFactory(region=world.village1))
        client.force_login(manager)
        assert client.get(self.url("detail", theirs.pk)).status_code == 404
        response = client.post(self.url("create"), self.valid_form_data(world, region=world.village2))
        assert response.status_code == 302
        drill = Drill.objects.latest("pk")
        assert drill.enterprise == mine and drill.region == world.village1


class TestDrillAPI(DrillDeclarations, ScopedModelAPITests):
    pass


class ImprovementDeclarations:
    model = DrillImprovement
    url_namespace = "plans"
    api_url = "/api/drill-improvements/"
    has_edit = False
    writable = False

    def _improvement(self, village, problem):
        drill = bring_drill_to(make_drill(village, name=f"{problem}演练"), "conducted")
        return services.improvement_create(actor=None, drill=drill, problem=problem, measure="整改",
                                           responsible_unit="应急局", deadline=deadline())

    def make_in_scope(self, world):
        return self._improvement(world.village1, "甲区通讯保障不足")

    def make_out_of_scope(self, world):
        return self._improvement(world.village2, "乙区警戒疏散迟缓")

    def valid_form_data(self, world, village=None):
        drill = bring_drill_to(make_drill(village or world.village1, name="新演练"), "conducted")
        return {"drill": drill.pk, "problem": "指挥部与现场联络不畅", "measure": "配备对讲机",
                "responsible_unit": "区应急局", "deadline": deadline().isoformat()}

    def invalid_form_data(self, world):
        return {**self.valid_form_data(world), "deadline": "2000-01-01"}, "完成期限不能早于今天"

    def out_of_scope_form_data(self, world):
        return self.valid_form_data(world, village=world.village2)


class TestImprovementPages(ImprovementDeclarations, ScopedModelViewTests):
    pass


class TestImprovementAPI(ImprovementDeclarations, ScopedModelAPITests):
    pass


class AssessmentDeclarations:
    model = ReadinessAssessment
    url_namespace = "plans"
    api_url = "/api/readiness-assessments/"
    has_edit = False
    writable = False

    def make_in_scope(self, world):
        return make_assessment(world.village1)

    def make_out_of_scope(self, world):
        return make_assessment(world.village2)

    def valid_form_data(self, world, region=None):
        return {"region": (region or world.regions["390102001002"]).pk, "year": timezone.localdate().year}

    def invalid_form_data(self, world):
        return {**self.valid_form_data(world), "region": world.county1.pk}, "选择一个有效的选项"

    def out_of_scope_form_data(self, world):
        return self.valid_form_data(world, region=world.village2)


class TestAssessmentPages(AssessmentDeclarations, ScopedModelViewTests):
    def test_a_new_township_assessment_lists_the_six_items_and_a_village_the_three(self, client, world):
        client.force_login(world.county1_officer)
        client.post(self.url("create"), {"region": "390102001000", "year": 2026})
        township = ReadinessAssessment.objects.get(region_id="390102001000")
        assert [i.get_key_display() for i in township.items.all()] == ["有班子", "有机制", "有预案", "有队伍", "有培训",
                                                                        "有演练"]
        village = make_assessment(world.village1)
        assert [i.get_key_display() for i in village.items.all()] == ["有场地", "有装备物资", "有工作制度"]

    def test_one_assessment_per_region_and_year(self, client, world):
        make_assessment(world.regions["390102001002"])
        client.force_login(world.county1_officer)
        response = client.post(self.url("create"), self.valid_form_data(world))
        assert response.status_code == 400 and "存在" in response.content.decode()


class TestAssessmentAPI(AssessmentDeclarations, ScopedModelAPITests):
    pass


class ItemDeclarations:
    model = ReadinessItem
    url_namespace = "plans"
    has_create = False

    def make_in_scope(self, world):
        return make_assessment(world.village1).items.first()

    def make_out_of_scope(self, world):
        return make_assessment(world.village2).items.first()

    def valid_form_data(self, world):
        return {"self_met": "on", "description": "村委会设有应急物资室"}


class TestItemPages(ItemDeclarations, ScopedModelViewTests):
    actor_who_assesses = "village1_grid"

    def test_an_edit_inside_the_users_scope_is_saved(self, client, world):
        # Only the village itself fills in its self-assessment (test_transitions); its grid member saves the form.
        person(world, self.actor_who_assesses, roles.GRID_MEMBER, world.village1)
        mine = self.make_in_scope(world)
        user = getattr(world, self.actor_who_assesses)
        client.force_login(user)
        url = self.url("edit", mine.pk)
        response = client.post(url, form_as_sent(forms.ReadinessItemForm, mine, user))
        assert response.status_code == 302
