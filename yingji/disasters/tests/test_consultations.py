"""会商: the consultation and task loops from their tables, judgements by month, and the Word report."""

import datetime
import io
import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from docx import Document

from yingji.core.models import Organization, StateChange
from yingji.core.testing import assert_official_layout
from yingji.core.workflow import InvalidTransition
from yingji.disasters import services
from yingji.disasters.models import Consultation, ConsultationStatus, ConsultationTask, TaskStatus
from yingji.disasters.selectors import consultation_judgements
from yingji.disasters.states import CONSULTATION_WORKFLOW, TASK_WORKFLOW
from yingji.disasters.testing import TOWNSHIP1, TOWNSHIP2, make_consultation, make_task


@pytest.fixture
def consultation(world):
    return make_consultation(world.county1, "甲区月度会商")


@pytest.fixture
def department(world):
    return Organization.objects.get(name="甲区水利局")


def test_a_regular_consultation_needs_its_period_and_a_special_one_has_none(world):
    with pytest.raises(ValidationError, match="请选择周期"):
        services.consultation_create(actor=None, topic="x", kind="regular", period="", region=world.county1,
                                     held_at=timezone.now(), period_start=datetime.date(2026, 12, 1),
                                     period_end=datetime.date(2026, 11, 1))
    special = services.consultation_create(actor=None, topic="寒潮专题会商", kind="special", region=world.county1,
                                           held_at=timezone.now(), period_start=datetime.date(2026, 12, 1),
                                           period_end=datetime.date(2026, 12, 7))
    assert special.code.startswith("HS390102")


def test_judgements_are_given_for_the_months_their_period_covers_in_the_users_scope(world, consultation):
    services.judgement_create(actor=None, consultation=consultation, region=world.regions[TOWNSHIP1],
                              hazard_type="forest_fire", level=3, description="林区火险较高")
    other = make_consultation(world.county2, "乙区月度会商")
    services.judgement_create(actor=None, consultation=other, region=world.regions[TOWNSHIP2], hazard_type="flood",
                              level=4, description="河道")
    services.consultation_act(consultation=consultation, actor=None, action="hold")
    services.consultation_act(consultation=other, actor=None, action="hold")
    month = consultation.period_start
    mine = consultation_judgements(user=world.county1_duty, month=month)
    assert [(j["region"], j["hazard_type"], j["level"]) for j in mine] == [("甲一街道", "森林草原火灾", 3)]
    assert len(consultation_judgements(user=world.city_duty, month=month)) == 2
    next_year = month.replace(year=month.year + 1)
    assert consultation_judgements(user=world.city_duty, month=next_year) == []
    with pytest.raises(ValidationError, match="会商组织区划之内"):
        services.judgement_create(actor=None, consultation=consultation, region=world.regions[TOWNSHIP2],
                                  hazard_type="flood", level=1, description="越界")


def test_planned_consultations_give_no_judgements_yet(world, consultation):
    services.judgement_create(actor=None, consultation=consultation, region=world.county1, hazard_type="drought",
                              level=2, description="旱情")
    assert consultation_judgements(user=world.county1_duty, month=consultation.period_start) == []


CONSULTATION_CASES = list(itertools.product(ConsultationStatus.values,
                                            sorted({t.action for t in CONSULTATION_WORKFLOW.transitions})))
CONSULTATION_ALLOWED = {(t.source, t.action): t.target for t in CONSULTATION_WORKFLOW.transitions}
CONSULTATION_PATH = {"planned": [], "held": ["hold"], "issued": ["hold", "issue"]}


@pytest.mark.parametrize(("state", "action"), CONSULTATION_CASES)
def test_each_consultation_move_is_allowed_or_refused_exactly_as_the_table_says(world, consultation, state, action):
    for step in CONSULTATION_PATH[state]:
        consultation = services.consultation_act(consultation=consultation, actor=None, action=step)
    if (state, action) in CONSULTATION_ALLOWED:
        moved = services.consultation_act(consultation=consultation, actor=world.county1_duty, action=action)
        assert moved.status == CONSULTATION_ALLOWED[(state, action)]
    else:
        with pytest.raises(InvalidTransition):
            services.consultation_act(consultation=consultation, actor=world.county1_duty, action=action)
        assert Consultation.objects.get(pk=consultation.pk).status == state


def test_a_consultation_is_not_recorded_as_held_without_conclusions(world, consultation):
    services.consultation_update(consultation=consultation, actor=None, conclusions="  ")
    with pytest.raises(InvalidTransition, match="会商结论"):
        services.consultation_act(consultation=consultation, actor=world.county1_duty, action="hold")


TASK_CASES = list(itertools.product(TaskStatus.values, sorted({t.action for t in TASK_WORKFLOW.transitions})))
TASK_ALLOWED = {(t.source, t.action): t.target for t in TASK_WORKFLOW.transitions}
TASK_PATH = {"assigned": [], "in_progress": ["start"], "submitted": ["start", "submit"],
             "done": ["start", "submit", "confirm"]}


@pytest.mark.parametrize(("state", "action"), TASK_CASES)
def test_each_task_move_is_allowed_or_refused_exactly_as_the_table_says(world, consultation, department, state,
                                                                         action):
    task = make_task(consultation, department)
    for step in TASK_PATH[state]:
        task = services.task_act(task=task, actor=None, action=step, result="已完成巡查")
    actor = world.county1_water if action in ("start", "submit") else world.county1_duty
    changes = StateChange.objects.count()
    if (state, action) in TASK_ALLOWED:
        moved = services.task_act(task=task, actor=actor, action=action, reason="说明", result="已完成")
        assert moved.status == TASK_ALLOWED[(state, action)]
        assert StateChange.objects.count() == changes + 1
    else:
        with pytest.raises(InvalidTransition):
            services.task_act(task=task, actor=actor, action=action, reason="说明", result="已完成")
        assert ConsultationTask.objects.get(pk=task.pk).status == state


def test_only_the_assignee_works_a_task_and_only_the_consultation_side_confirms_it(world, consultation, department):
    task = make_task(consultation, department)
    with pytest.raises(InvalidTransition, match="无权"):
        services.task_act(task=task, actor=world.county1_duty, action="start")
    task = services.task_act(task=task, actor=world.county1_water, action="start")
    with pytest.raises(InvalidTransition, match="办理结果"):
        services.task_act(task=task, actor=world.county1_water, action="submit")
    task = services.task_act(task=task, actor=world.county1_water, action="submit", result="排查隐患 12 处")
    with pytest.raises(InvalidTransition, match="无权"):
        services.task_act(task=task, actor=world.county1_water, action="confirm")
    with pytest.raises(PermissionDenied):
        services.task_act(task=task, actor=world.county2_duty, action="confirm")
    task = services.task_act(task=task, actor=world.county1_duty, action="confirm")
    assert task.status == "done" and task.done_at is not None


def test_the_assessment_report_is_a_word_file_with_the_consultations_content(client, world, consultation,
                                                                              department):
    services.judgement_create(actor=None, consultation=consultation, region=world.regions[TOWNSHIP1],
                              hazard_type="forest_fire", level=3, description="林区火险较高")
    make_task(consultation, department, title="加密防火巡查")
    client.force_login(world.county1_duty)
    response = client.get(f"/disasters/consultations/{consultation.pk}/report.docx")
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = {c.text for t in document.tables for row in t.rows for c in row.cells}
    assert "甲区月度会商" in text and "本月森林火险偏高" in text
    assert {"甲一街道", "较大风险（橙）", "加密防火巡查", "甲区水利局"} <= cells
    # An official document of the host, dated the day it was held, never the download day or a region's name.
    held = timezone.localtime(consultation.held_at).date()
    assert_official_layout(response.content, issuer="甲区应急管理局", number=None, title="甲区月度会商评估报告",
                           day=held)
    client.force_login(world.county2_duty)
    assert client.get(f"/disasters/consultations/{consultation.pk}/report.docx").status_code == 404


def test_the_task_page_moves_the_task(client, world, consultation, department):
    task = make_task(consultation, department)
    client.force_login(world.county1_water)
    client.post(f"/disasters/tasks/{task.pk}/transition/", {"action": "start"})
    client.post(f"/disasters/tasks/{task.pk}/transition/", {"action": "submit", "result": "已完成"})
    assert ConsultationTask.objects.get(pk=task.pk).status == "submitted"
    client.force_login(world.county2_duty)
    assert client.post(f"/disasters/tasks/{task.pk}/transition/", {"action": "confirm"}).status_code == 404


def test_the_assessment_report_leaves_out_control_characters_instead_of_failing(client, world, consultation,
                                                                                department):
    Consultation.objects.filter(pk=consultation.pk).update(conclusions="注意\x07防火\x1b")  # as the API stores it
    services.judgement_create(actor=None, consultation=consultation, region=world.regions[TOWNSHIP1],
                              hazard_type="forest_fire", level=3, description="林区\x0b火险较高")
    client.force_login(world.county1_duty)
    response = client.get(f"/disasters/consultations/{consultation.pk}/report.docx")
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    assert "注意防火" in "\n".join(p.text for p in document.paragraphs)
    assert "林区火险较高" in {c.text for t in document.tables for row in t.rows for c in row.cells}
