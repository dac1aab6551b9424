"""Every page and API endpoint of training, inside and outside the jurisdiction (core base classes)."""

import datetime

import pytest
from django.utils import timezone

from yingji.core.testing import ScopedModelAPITests, ScopedModelViewTests, add_enterprise_user
from yingji.enterprises.testing import EnterpriseFactory
from yingji.training import services
from yingji.training.models import Exam, Question, QuestionBank, Trainee
from yingji.training.specs import EXAM, QUESTION, QUESTION_BANK, TRAINEE
from yingji.training.testing import enrol, id_number, make_bank, make_exam, make_trainee

pytestmark = pytest.mark.django_db


class BankDeclarations:
    spec = QUESTION_BANK
    api_url = "/api/training/banks/"

    def make_in_scope(self, world):
        return make_bank(world.county1, "甲区危化品安全管理人员题库")

    def make_out_of_scope(self, world):
        return make_bank(world.county2, "乙区非煤矿山题库")

    def valid_form_data(self, world, region=None):
        return {"name": "新建题库", "industry": "hazchem", "post": "principal",
                "region": (region or world.county1).pk, "description": ""}

    def invalid_form_data(self, world):
        return {**self.valid_form_data(world), "industry": ""}, "该字段是必填项"

    def out_of_scope_form_data(self, world):
        return self.valid_form_data(world, region=world.county2)

    valid_api_data = valid_form_data
    out_of_scope_api_data = out_of_scope_form_data

    def invalid_api_data(self, world):
        return {**self.valid_form_data(world), "industry": ""}, "不是合法选项"


class TestBankPages(BankDeclarations, ScopedModelViewTests):
    def test_a_county_sees_the_city_bank_but_cannot_change_it(self, client, world):
        city_bank = make_bank(world.city, "市级通用题库")
        client.force_login(world.county1_officer)
        assert client.get(self.url("detail", city_bank.pk)).status_code == 200
        assert client.get(self.url("edit", city_bank.pk)).status_code == 404
        assert client.get(f"/training/banks/{city_bank.pk}/import/").status_code == 404

    def test_an_enterprise_sees_banks_above_it_only(self, client, world):
        manager = add_enterprise_user(world, "manager", EnterpriseFactory(region=world.village1))
        mine, city, theirs = make_bank(world.county1, "甲区题库"), make_bank(world.city, "市题库"), make_bank(
            world.county2, "乙区题库")
        client.force_login(manager)
        content = client.get(self.url("list")).content.decode()
        assert str(mine) in content and str(city) in content and str(theirs) not in content
        assert client.get(self.url("create")).status_code == 403


class TestBankAPI(BankDeclarations, ScopedModelAPITests):
    pass


class QuestionDeclarations:
    spec = QUESTION
    api_url = "/api/training/questions/"

    def make_in_scope(self, world):
        return Question.objects.filter(bank=make_bank(world.county1, "甲区题库")).first()

    def make_out_of_scope(self, world):
        return Question.objects.filter(bank=make_bank(world.county2, "乙区题库", singles=1)).exclude(
            stem__startswith="单选题0").first()

    def valid_form_data(self, world, region=None):
        bank = QuestionBank.objects.filter(region=region or world.county1).first() or make_bank(
            region or world.county1, singles=0, multiples=0, judges=0)
        return {"bank": bank.pk, "code": "", "kind": "single", "stem": "新的单选题", "option_a": "甲", "option_b": "乙",
                "option_c": "", "option_d": "", "option_e": "", "option_f": "", "answer": "b", "explanation": "",
                "is_active": "on"}

    def invalid_form_data(self, world):
        return {**self.valid_form_data(world), "answer": "E"}, "答案应为已填写选项的字母"

    def out_of_scope_form_data(self, world):
        return self.valid_form_data(world, region=world.county2)

    def valid_api_data(self, world, region=None):
        data = self.valid_form_data(world, region)
        data["is_active"] = True
        return data

    def invalid_api_data(self, world):
        return {**self.valid_api_data(world), "answer": "E"}, "答案应为已填写选项的字母"

    def out_of_scope_api_data(self, world):
        return self.valid_api_data(world, region=world.county2)


class TestQuestionPages(QuestionDeclarations, ScopedModelViewTests):
    def test_a_question_gets_the_next_code_of_its_bank_and_a_normalised_answer(self, client, world):
        client.force_login(world.county1_officer)
        data = self.valid_form_data(world)
        assert client.post(self.url("create"), data).status_code == 302
        question = Question.objects.latest("pk")
        assert question.code == f"Q{data['bank']:03d}-00001" and question.answer == "B"
        assert question.region == world.county1


class TestQuestionAPI(QuestionDeclarations, ScopedModelAPITests):
    pass


class TraineeDeclarations:
    spec = TRAINEE
    api_url = "/api/training/trainees/"

    def make_in_scope(self, world):
        return make_trainee(EnterpriseFactory(region=world.village1), "甲区考生张明")

    def make_out_of_scope(self, world):
        return make_trainee(EnterpriseFactory(region=world.village2), "乙区考生李华")

    def valid_form_data(self, world, region=None):
        enterprise = EnterpriseFactory(region=region or world.village1)
        return {"enterprise": enterprise.pk, "name": "王新", "id_number": id_number(), "industry": "hazchem",
                "post": "employee", "phone": ""}

    def invalid_form_data(self, world):
        data = self.valid_form_data(world)
        data["id_number"] = data["id_number"][:17] + ("0" if data["id_number"][17] != "0" else "1")
        return data, "公民身份号码校验位不正确"

    def out_of_scope_form_data(self, world):
        return self.valid_form_data(world, region=world.village2)

    valid_api_data = valid_form_data
    invalid_api_data = invalid_form_data
    out_of_scope_api_data = out_of_scope_form_data


class TestTraineePages(TraineeDeclarations, ScopedModelViewTests):
    def test_an_enterprise_manager_registers_its_own_staff_only(self, client, world):
        mine, other = EnterpriseFactory(region=world.village1), EnterpriseFactory(region=world.village1)
        client.force_login(add_enterprise_user(world, "manager", mine))
        data = {**self.valid_form_data(world), "enterprise": other.pk}
        assert client.post(self.url("create"), data).status_code == 400
        assert client.post(self.url("create"), {**data, "enterprise": mine.pk}).status_code == 302
        trainee = Trainee.objects.get(enterprise=mine)
        assert trainee.region == world.village1
        theirs = make_trainee(other)
        assert client.get(self.url("detail", theirs.pk)).status_code == 404

    def test_the_same_person_is_registered_once_per_enterprise(self, world):
        enterprise = EnterpriseFactory(region=world.village1)
        trainee = make_trainee(enterprise)
        with pytest.raises(Exception, match="已登记"):
            services.trainee_create(actor=None, enterprise=enterprise, name="重复", id_number=trainee.id_number,
                                    industry="hazchem", post="employee")


class TestTraineeAPI(TraineeDeclarations, ScopedModelAPITests):
    pass


def _local(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


class ExamDeclarations:
    spec = EXAM
    api_url = "/api/training/exams/"

    def make_in_scope(self, world):
        return make_exam(world.county1, [make_bank(world.county1)], name="甲区危化品安全管理人员考试")

    def make_out_of_scope(self, world):
        return make_exam(world.county2, [make_bank(world.county2)], name="乙区非煤矿山考试")

    def valid_form_data(self, world, region=None):
        bank = make_bank(world.county1)
        now = timezone.now()
        return {"name": "新考试", "region": (region or world.county1).pk, "banks": [bank.pk], "single_count": 2,
                "single_score": "5", "multiple_count": 1, "multiple_score": "10", "judge_count": 2,
                "judge_score": "5", "pass_mark": "18", "duration_minutes": 30,
                "opens_at": _local(now + datetime.timedelta(days=1)),
                "closes_at": _local(now + datetime.timedelta(days=2)), "instructions": ""}

    def invalid_form_data(self, world):
        return {**self.valid_form_data(world), "pass_mark": "31"}, "合格分数线不能高于试卷总分"

    def out_of_scope_form_data(self, world):
        return self.valid_form_data(world, region=world.county2)

    def valid_api_data(self, world, region=None):
        data = self.valid_form_data(world, region)
        data["opens_at"] = (timezone.now() + datetime.timedelta(days=1)).isoformat()
        data["closes_at"] = (timezone.now() + datetime.timedelta(days=2)).isoformat()
        return data

    def invalid_api_data(self, world):
        return {**self.valid_api_data(world), "pass_mark": "31"}, "合格分数线不能高于试卷总分"

    def out_of_scope_api_data(self, world):
        return self.valid_api_data(world, region=world.county2)


class TestExamPages(ExamDeclarations, ScopedModelViewTests):
    def test_an_exam_asking_for_more_questions_than_the_banks_hold_is_refused(self, client, world):
        client.force_login(world.county1_officer)
        data = {**self.valid_form_data(world), "judge_count": 9, "pass_mark": "10"}
        response = client.post(self.url("create"), data)
        assert response.status_code == 400
        assert "判断题需 9 道，所选题库仅有 4 道" in response.content.decode()
        assert not Exam.objects.exists()

    def test_an_enterprise_manager_enrols_its_own_staff_and_sees_their_tickets_only(self, client, world):
        exam = self.make_in_scope(world)
        mine, other = EnterpriseFactory(region=world.village1), EnterpriseFactory(region=world.village1)
        own, foreign = make_trainee(mine, "本企业员工"), make_trainee(other, "外企业员工")
        client.force_login(add_enterprise_user(world, "manager", mine))
        detail = client.get(self.url("detail", exam.pk)).content.decode()
        assert "本企业员工" in detail and "外企业员工" not in detail
        client.post(f"/training/exams/{exam.pk}/enrol/", {"trainees": [own.pk, foreign.pk]})
        assert list(exam.candidates.values_list("trainee__name", flat=True)) == ["本企业员工"]
        enrol(exam, foreign)
        listing = client.get(f"/training/candidates/?exam={exam.pk}").content.decode()
        assert "本企业员工" in listing and "外企业员工" not in listing

    def test_a_county_cannot_enrol_staff_of_another_county_into_its_exam(self, world):
        exam = self.make_in_scope(world)
        theirs = make_trainee(EnterpriseFactory(region=world.village2))
        with pytest.raises(Exception, match="不在本场考试的组织范围内"):
            services.candidate_enrol(actor=None, exam=exam, trainee=theirs)


class TestExamAPI(ExamDeclarations, ScopedModelAPITests):
    pass


def _sat(world, village, name):
    """A candidate of an exam of the whole city who has handed in."""
    exam = Exam.objects.filter(name="市级考试").first() or make_exam(world.city, [make_bank(world.city)],
                                                                    name="市级考试")
    candidate = enrol(exam, make_trainee(EnterpriseFactory(region=village), name))
    attempt = services.attempt_start(candidate=candidate)
    return candidate, services.attempt_submit(attempt=attempt, answers={})


class ReadOnlyDeclarations:
    url_namespace = "training"
    has_create = has_edit = False
    writable = False


class TestCandidatePages(ReadOnlyDeclarations, ScopedModelViewTests):
    from yingji.training.models import Candidate as model  # noqa: N813

    def make_in_scope(self, world):
        return _sat(world, world.village1, "甲区考生")[0]

    def make_out_of_scope(self, world):
        return _sat(world, world.village2, "乙区考生")[0]


class TestCandidateAPI(TestCandidatePages, ScopedModelAPITests):
    api_url = "/api/training/candidates/"


class TestAttemptPages(ReadOnlyDeclarations, ScopedModelViewTests):
    from yingji.training.models import Attempt as model  # noqa: N813

    def make_in_scope(self, world):
        return _sat(world, world.village1, "甲区考生")[1]

    def make_out_of_scope(self, world):
        return _sat(world, world.village2, "乙区考生")[1]


class TestAttemptAPI(TestAttemptPages, ScopedModelAPITests):
    api_url = "/api/training/attempts/"
