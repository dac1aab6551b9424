"""The display layer: how values read on pages, in exports and in messages."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template

from yingji.core import display, excel
from yingji.core.forms import RegionChoiceField
from yingji.core.models import Region
from yingji.core.tables import Column
from yingji.monitoring.testing import make_point, make_source

SHANGHAI_NOON = datetime.datetime(2026, 12, 7, 4, 0, tzinfo=datetime.UTC)  # 12:00 in Asia/Shanghai


def test_booleans_read_yes_and_no():
    assert display.text(True) == "是"
    assert display.text(False) == "否"


@pytest.mark.parametrize("empty", [None, "", [], (), {}])
def test_an_empty_value_reads_as_a_dash(empty):
    assert display.text(empty) == "—"


def test_a_moment_reads_in_shanghai_time_without_seconds():
    assert display.text(SHANGHAI_NOON) == "2026-12-07 12:00"
    assert display.moment_text(SHANGHAI_NOON, with_seconds=True) == "2026-12-07 12:00:00"
    assert display.text(datetime.date(2026, 12, 7)) == "2026-12-07"


def test_a_list_reads_as_its_items_joined():
    assert display.text(["甲区", "乙区"]) == "甲区、乙区"


def test_stored_choice_keys_read_as_their_labels():
    field = Region._meta.get_field("level")
    assert display.text("county", field) == "县级"
    assert display.text(["county", "township"], field) == "县级、乡级"


def test_a_number_reads_without_noise_and_with_its_unit():
    assert display.text(16.2, unit="m") == "16.2 m"
    assert display.text(3.0) == "3"
    assert display.text(Decimal("20000.00")) == "20000"
    assert display.text(0.1 + 0.2) == "0.3"


def test_a_mapping_reads_as_labelled_pairs_never_as_a_repr():
    assert display.text({"高报": 15}) == "高报：15"


def test_the_template_filters_use_the_same_rules():
    rendered = Template("{% load display %}{{ a|show }} {{ b|show }} {{ c|show:'ppm' }} {{ d|local }}").render(
        Context({"a": True, "b": None, "c": 12.5, "d": SHANGHAI_NOON}))
    assert rendered == "是 — 12.5 ppm 2026-12-07 12:00"


def test_export_cells_hold_yes_no_labels_and_local_times():
    assert excel.cell_value(True) == "是"
    assert excel.cell_value(["甲区", "乙区"]) == "甲区、乙区"
    assert excel.cell_value(12.5) == 12.5
    assert excel.cell_value(SHANGHAI_NOON) == datetime.datetime(2026, 12, 7, 12, 0)


def test_every_select_prompts_instead_of_dashes(world):
    from django import forms

    class Plain(forms.Form):
        region = RegionChoiceField(queryset=Region.objects.all())
        kind = forms.ChoiceField(choices=[("", "---------"), ("a", "甲")])
        optional = forms.ModelChoiceField(queryset=Region.objects.all(), required=False)

    rendered = str(Plain())
    assert "---------" not in rendered
    assert rendered.count("请选择…") == 3


def test_a_column_shows_the_unit_its_model_declares(world):
    point = make_point(make_source(world.village1), high=15.0, unit="m")
    assert Column("high").text(point) == "15 m"
    assert Column("high").value(point) == 15.0
    assert Column("is_active").text(point) == "是"
    assert Column("low_low").text(point.__class__(unit="m")) == "—"
