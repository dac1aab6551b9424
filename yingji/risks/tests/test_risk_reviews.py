"""The sweep reminds an enterprise of overdue risk reviews, once per review date."""

import datetime

import pytest
from django.utils import timezone

from yingji.core.models import Notification
from yingji.core.tasks import SWEEPERS
from yingji.core.testing import add_enterprise_user
from yingji.enterprises.testing import EnterpriseFactory
from yingji.risks.services import risk_point_change_status, risk_point_update
from yingji.risks.tasks import remind_overdue_reviews
from yingji.risks.testing import RiskPointFactory

pytestmark = pytest.mark.django_db


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def test_the_sweeper_is_registered():
    assert remind_overdue_reviews in SWEEPERS


def test_an_overdue_review_is_notified_once_per_date(world, django_capture_on_commit_callbacks):
    enterprise = EnterpriseFactory(region=world.village1)
    manager = add_enterprise_user(world, "manager", enterprise)
    overdue = RiskPointFactory(enterprise=enterprise, name="液氨储罐区", next_review=days(-1))
    RiskPointFactory(enterprise=enterprise, name="配电室", next_review=days(0))
    retired = RiskPointFactory(enterprise=enterprise, name="旧仓库", next_review=days(-30))
    risk_point_change_status(risk_point=retired, actor=None, action="retire", reason="拆除")

    with django_capture_on_commit_callbacks(execute=True):
        assert remind_overdue_reviews() == 1
    notification = Notification.objects.for_user(manager).get()
    assert "液氨储罐区" in notification.title and "逾期" in notification.title
    assert notification.url == f"/risks/{overdue.pk}/"

    with django_capture_on_commit_callbacks(execute=True):
        assert remind_overdue_reviews() == 0
    assert Notification.objects.count() == 1

    risk_point_update(risk_point=overdue, actor=manager, next_review=days(-2))
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_overdue_reviews() == 1
    assert Notification.objects.count() == 2


def test_nobody_outside_the_enterprise_is_notified(world, django_capture_on_commit_callbacks):
    mine, theirs = EnterpriseFactory(region=world.village1), EnterpriseFactory(region=world.village1)
    stranger = add_enterprise_user(world, "stranger", theirs)
    RiskPointFactory(enterprise=mine, next_review=days(-5))
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_overdue_reviews() == 1
    assert not Notification.objects.for_user(stranger).exists()
    assert not Notification.objects.for_user(world.county1_admin).exists()
