"""A drill run in exercise mode, in Debian's chromium driven by Playwright: the duty officer starts it from the
drill, lands on its incident marked 演练 with the plan's tasks dispatched, and the real statistics do not count it."""

import pytest
from playwright.sync_api import Page, expect

from yingji.core.browser_testing import log_in
from yingji.core.testing import build_world
from yingji.incidents.models import Incident
from yingji.incidents.testing import IncidentFactory, add_duty_people
from yingji.plans.models import PlanActivation
from yingji.plans.testing import filed_plan, make_drill

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world_with_drill(transactional_db):
    world = add_duty_people(build_world())
    IncidentFactory(region=world.village1, title="真实的仓库火灾")
    plan = filed_plan(world.county1, name="甲区危险化学品事故专项应急预案")
    world.drill = make_drill(world.village1, name="甲一社区液氯泄漏综合演练", plan=plan)
    return world


def test_a_drill_in_exercise_mode_is_marked_and_not_counted(page: Page, live_server, world_with_drill):
    base = live_server.url
    log_in(page, base, "county1_duty")
    page.goto(f"{base}/incidents/statistics/")
    expect(page.locator("#totals .figure").first.locator(".value")).to_have_text("1")

    page.goto(f"{base}/plans/drills/{world_with_drill.drill.pk}/")
    form = page.locator("form.transition-form[data-action=start]")
    form.get_by_label("以演练模式运行（生成演练事件，在事件与调度界面实施）").check()
    form.locator("select[name=level]").select_option(label="按预案启动Ⅳ级响应")
    form.get_by_role("button", name="开始实施").click()
    page.wait_for_load_state()

    exercise = Incident.objects.get(is_exercise=True)
    assert page.url.endswith(f"/incidents/{exercise.pk}/")
    expect(page.locator("h1")).to_contain_text("【演练】甲一社区液氯泄漏综合演练")
    expect(page.locator("#tasks")).to_contain_text("设置警戒区，疏散群众")
    assert PlanActivation.objects.get().is_exercise

    page.goto(f"{base}/incidents/statistics/")
    expect(page.locator("#totals .figure").first.locator(".value")).to_have_text("1")
    page.goto(f"{base}/incidents/")
    expect(page.locator("main")).to_contain_text("真实的仓库火灾")
    expect(page.locator("main")).not_to_contain_text("液氯泄漏综合演练")

    page.goto(f"{base}/plans/drills/{world_with_drill.drill.pk}/")
    expect(page.locator("#drill-status")).to_contain_text("实施中")
    expect(page.locator("#exercise-incident")).to_contain_text("演练")
