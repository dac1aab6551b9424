"""The 叫应 escalation timetable is edited as rows (等待分钟数 + 届时执行), never as a JSON box, and still validated."""

import pytest
from django.urls import reverse

from yingji.core.models import Organization
from yingji.warnings.forms import WarningForm
from yingji.warnings.models import Warning
from yingji.warnings.tests.test_warning_pages import WarningDeclarations

pytestmark = pytest.mark.django_db

CREATE = reverse("warnings:warning_create")


def rows_data(world, minutes: list[str], steps: list[str]) -> dict:
    data = WarningDeclarations().valid_form_data(world)
    del data["escalation"]
    return {**data, "escalation-minutes": minutes, "escalation-choice": steps}


def test_the_page_shows_rows_not_json(client, world):
    client.force_login(world.county1_admin)
    page = client.get(CREATE).content.decode()
    assert 'data-timetable' in page and 'name="escalation-minutes"' in page and 'value="10"' in page
    assert '<option value="voice" selected>语音电话</option>' in page
    assert "after_minutes" not in page and 'name="escalation"' not in page


def test_rows_are_saved_as_the_timetable_and_empty_rows_are_dropped(client, world):
    client.force_login(world.county1_admin)
    response = client.post(CREATE, rows_data(world, ["5", "", "30"], ["sms", "", "superior"]))
    assert response.status_code == 302
    assert Warning.objects.get().escalation == [{"after_minutes": 5, "step": "sms"},
                                                {"after_minutes": 30, "step": "superior"}]


def test_no_rows_means_no_escalation(client, world):
    client.force_login(world.county1_admin)
    assert client.post(CREATE, rows_data(world, ["", ""], ["", ""])).status_code == 302
    assert Warning.objects.get().escalation == []


@pytest.mark.parametrize("minutes, steps, message", [
    (["20", "10"], ["voice", "sms"], "等待分钟数（after_minutes）应为逐行递增的正整数"),
    (["十"], ["voice"], "等待分钟数（after_minutes）应为逐行递增的正整数"),
    (["10"], [""], "届时执行的动作（step）应为"),
])
def test_a_bad_row_is_refused_in_chinese_and_kept_on_the_page(client, world, minutes, steps, message):
    client.force_login(world.county1_admin)
    response = client.post(CREATE, rows_data(world, minutes, steps))
    page = response.content.decode()
    assert response.status_code == 400 and message in page
    assert f'value="{minutes[0]}"' in page
    assert not Warning.objects.exists()


def test_the_acknowledging_units_are_a_searchable_multiple_choice(world):
    Organization.objects.create(name="甲区应急管理局", kind="bureau", region=world.county1)
    widget = WarningForm(user=world.county1_admin).fields["target_organizations"].widget
    assert widget.allow_multiple_selected and "size" not in widget.attrs
