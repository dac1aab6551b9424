"""The demo shows every way of addressing a warning: chosen regions, a drawn polygon, organisations."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from yingji.core.tests.test_demo import FAST_HASHER
from yingji.warnings.delivery import regions_in_polygon
from yingji.warnings.models import Recipient, Warning, WarningStatus


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_a_demo_warning_is_addressed_by_a_drawn_polygon_and_by_organisations(seeded):
    warning = Warning.objects.get(area_polygon__isnull=False, status=WarningStatus.PUBLISHED)
    assert not warning.area_regions.exists() and warning.target_organizations.count() == 2
    inside = set(regions_in_polygon(warning.area_polygon, warning.region.prefix))
    recipients = Recipient.objects.filter(warning=warning)
    by_polygon = recipients.filter(region__in=inside)
    by_organization = recipients.filter(person__organization__in=warning.target_organizations.all())
    assert by_polygon.exists() and by_organization.count() == 2
    assert recipients.count() == by_polygon.count() + by_organization.count()
    assert recipients.filter(status="acknowledged").exists() and recipients.filter(status="pending").exists()
    codes = list(Warning.objects.filter(status=WarningStatus.PUBLISHED).values_list("reply_code", flat=True))
    assert warning.reply_code and len(codes) == len(set(codes)) >= 2
