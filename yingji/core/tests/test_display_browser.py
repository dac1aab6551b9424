"""Every menu page of every role, and the first record each list links to, read in a real browser: no developer
value (True/False/None/null, a Python list or dict, a UTC timestamp, a docs/ path, "---------") reaches the screen.

One browser, one login per role, one page reused: the walk reads each page's visible text once.
"""

from __future__ import annotations

import os
import re
import time
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.utils import timezone

from yingji.core import roles
from yingji.core.browser_testing import log_in
from yingji.core.navigation import menu_for
from yingji.core.testing import add_enterprise_user, build_world
from yingji.disasters import testing as disasters
from yingji.enterprises.testing import EnterpriseFactory
from yingji.hazards.testing import HazardFactory, bring_to
from yingji.incidents.testing import IncidentFactory, add_duty_people
from yingji.inspections import services as inspections
from yingji.inspections import testing as inspection_testing
from yingji.monitoring import testing as monitoring
from yingji.monitoring.services import alarms
from yingji.plans import testing as plans
from yingji.resources.testing import ExpertFactory, RescueTeamFactory, ShelterFactory, WarehouseFactory
from yingji.risks.testing import RiskPointFactory
from yingji.tipoffs.testing import make_tipoff
from yingji.training import testing as training
from yingji.warnings import testing as warnings

# What only a developer should ever see. Words match whole (so "Nonexistent" or an English name would not);
# "[" catches a printed Python list, "{'" a dict, the timestamps an ISO or UTC time.
RAW_WORDS = re.compile(r"(?<![A-Za-z])(True|False|None|null|undefined|NaN)(?![A-Za-z])")
RAW_TEXT = ("---------", "{'", "docs/", "+00:00", "<built-in", "object at 0x")
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
UTC_WORD = re.compile(r"(?<![A-Za-z])UTC(?![A-Za-z])")
PYTHON_LIST = re.compile(r"\[\s*['\"\d{]|\[\]")
# A stored key shown as it is stored (after_minutes, hazchem_production): the test users' names are the only
# snake_case a page may show, and they are taken out first.
STORED_KEY = re.compile(r"(?<![\w/.-])[a-z]+(?:_[a-z0-9]+)+(?![\w/.-])")
# Pages outside the menu every user reaches from the top bar.
ALWAYS = ["/notifications/"]

# One user of every role (roles.ROLE_PERMISSIONS; test_the_walk_covers_every_role keeps the two in step).
ROLES = {"city_duty": roles.DUTY_OFFICER, "city_leader": roles.LEADER, "county1_officer": roles.SUPERVISOR,
         "county1_monitor": roles.MONITOR, "enterprise_manager": roles.ENTERPRISE_MANAGER,
         "village1_grid": roles.GRID_MEMBER, "county1_admin": roles.ADMIN, "county1_rescue": roles.RESCUE_LEADER,
         "county1_industry": roles.INDUSTRY_OFFICER}


def build_city():
    """build_world() and a few records of each app in county 1, so lists and details are not empty."""
    world = build_world()
    disasters.add_people(world)
    add_duty_people(world)
    warnings.add_person(world, "county1_signer", roles.LEADER, world.county1)
    monitoring.add_monitor(world, "county1_monitor", world.county1)
    warnings.add_person(world, "city_leader", roles.LEADER, world.city)
    warnings.add_person(world, "county1_industry", roles.INDUSTRY_OFFICER, world.county1)
    enterprise = EnterpriseFactory(region=world.village1, name="甲一化工有限公司")
    add_enterprise_user(world, "enterprise_manager", enterprise)

    RiskPointFactory(enterprise=enterprise)
    bring_to(HazardFactory(enterprise=enterprise, region=world.village1), "rectifying")
    make_tipoff(world.village1)
    source = monitoring.make_source(world.county1, enterprise=enterprise)
    point = monitoring.make_point(source)
    with transaction.atomic():  # as the engine calls it: inside the ingest transaction
        alarms.alarm_raise(kind="high", level=1, at_ms=int(timezone.now().timestamp() * 1000), value=16.2,
                           threshold=15.0, point_id=point.pk)
    RescueTeamFactory(region=world.county1)
    WarehouseFactory(region=world.county1)
    ShelterFactory(region=world.village1)
    ExpertFactory(region=world.county1)
    IncidentFactory(region=world.county1)
    warnings.publish(world, warnings.make_warning(world))
    inspectors = [inspection_testing.make_inspector(world.county1) for _ in range(3)]
    inspection_testing.make_plan(world.county1)
    inspections.draw_inspection(actor=None, region=world.county1, title="一季度双随机抽查", count=1, seed="display")
    inspection_testing.make_inspection(enterprise, inspectors)
    plans.make_plan(world.county1)
    plans.make_drill(world.county1)
    bank = training.make_bank(world.county1)
    training.make_exam(world.county1, [bank])
    training.make_trainee(enterprise)
    event = disasters.make_event(world.county1, [world.regions[disasters.TOWNSHIP1]])
    disasters.make_report(event, world.regions[disasters.TOWNSHIP1])
    disasters.make_consultation(world.county1)
    disasters.make_station(world.county1, "T0001", 118.5, 36.5)
    return world


def raw_values(text: str, usernames: tuple[str, ...] = ()) -> list[str]:
    """The developer values in a page's visible text, each with a little context."""
    found = []
    for name in usernames:
        text = text.replace(name, "用户")

    def around(match_start: int, match_end: int) -> str:
        return text[max(0, match_start - 30):match_end + 30].replace("\n", " ")

    for pattern in (RAW_WORDS, ISO_MOMENT, UTC_WORD, PYTHON_LIST, STORED_KEY):
        found += [around(m.start(), m.end()) for m in pattern.finditer(text)]
    for needle in RAW_TEXT:
        start = text.find(needle)
        if start >= 0:
            found.append(around(start, start + len(needle)))
    return found


def menu_urls(user) -> list[str]:
    return [item["url"] for group in menu_for(user) for item in group["items"] if item.get("url")]


def first_detail_link(page, url: str) -> str | None:
    """The first link in the list's table to a record's page under the list's own path (…/<pk>/)."""
    path = urlsplit(url).path
    for href in page.locator("table a[href]").evaluate_all("links => links.map(a => a.getAttribute('href'))"):
        target = urlsplit(href).path
        if target.startswith(path) and re.fullmatch(r"[\w-]+/", target[len(path):]):
            return target
    return None


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_developer_values_on_any_menu_page_of_any_role(live_server, context):
    world = build_city()
    # A page of our own, not the `page` fixture that also fails on console errors: this walk is about the text.
    page = context.new_page()
    problems: list[str] = []
    details_seen: set[str] = set()
    usernames = tuple(sorted(world.users, key=len, reverse=True))
    only = os.environ.get("DISPLAY_ROLES")
    for username in only.split(",") if only else ROLES:
        user = world.users[username]
        assert ROLES[username] in user.role_names, username
        log_in(page, live_server.url, username)
        for url in menu_urls(user) + ALWAYS:
            if url.startswith("/api/"):
                continue  # the API's own documentation page is for developers
            to_visit = [url]
            while to_visit:
                current = to_visit.pop()
                started = time.monotonic()
                response = page.goto(f"{live_server.url}{current}")
                if os.environ.get("DISPLAY_TIMES"):
                    print(f"{time.monotonic() - started:6.2f}s {username} {current}", flush=True)
                if response is None or response.status >= 400:
                    problems.append(f"{username} {current}: HTTP {response.status if response else '—'}")
                    continue
                text = page.locator("body").inner_text()
                problems += [f"{username} {current}: {raw}" for raw in raw_values(text, usernames)]
                if current == url and current not in ALWAYS and not page.locator("ol.breadcrumb").count():
                    problems.append(f"{username} {current}: no breadcrumb")
                if current == url:
                    detail = first_detail_link(page, url)
                    # A record's page is read once, by the first role whose list links to it.
                    if detail and detail not in details_seen:
                        details_seen.add(detail)
                        to_visit.append(detail)
    assert not problems, "developer values on screen:\n" + "\n".join(dict.fromkeys(problems))


@pytest.mark.parametrize("shown", ["启用 True", "报警值 None", "条件 null", "['甲区']", "类别 []", "{'a': 1}",
                                   "区划 ---------", "见 docs/disasters.md", "2026-12-07T04:00:00", "04:00+00:00",
                                   "12:00 UTC", "<built-in method", "after_minutes：10"])
def test_the_walk_recognises_each_kind_of_developer_value(shown):
    assert raw_values(f"标题 {shown} 结尾")


def test_the_walk_passes_what_people_read():
    assert raw_values("是 否 — 2026-12-07 12:00 16.2 m 甲区、乙区 请选择… county1_officer 第 1 页",
                      ("county1_officer",)) == []


def test_the_walk_covers_every_role():
    assert set(ROLES.values()) == set(roles.ROLE_PERMISSIONS)
