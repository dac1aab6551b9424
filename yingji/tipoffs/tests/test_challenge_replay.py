"""A public-form challenge is good for one try, and only for a limited time."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from yingji.tipoffs.models import TipOff, UsedChallenge
from yingji.tipoffs.services import throttle_purge
from yingji.tipoffs.testing import public_form_data, solved_challenge

pytestmark = pytest.mark.django_db

REPORT = "/tipoffs/report/"


def test_a_solved_challenge_cannot_be_replayed(world):
    data = public_form_data(world.village1)
    assert Client().post(REPORT, data).status_code == 302
    replay = Client().post(REPORT, data, REMOTE_ADDR="10.0.0.9")
    assert replay.status_code == 400
    assert "该验证问题已使用过，请回答新的验证问题后再提交" in replay.content.decode()
    assert TipOff.objects.count() == 1


def test_a_wrong_answer_burns_the_challenge(world):
    challenge = solved_challenge()
    wrong = Client().post(REPORT, public_form_data(world.village1, challenge=challenge["challenge"], answer="8"))
    assert "验证问题回答错误" in wrong.content.decode()
    retry = Client().post(REPORT, public_form_data(world.village1, **challenge))
    assert retry.status_code == 400 and "已使用过" in retry.content.decode()
    assert not TipOff.objects.exists()


def test_an_old_challenge_has_expired(world, settings):
    settings.TIPOFF_CHALLENGE_MAX_AGE = 600
    response = Client().post(REPORT, public_form_data(world.village1, **solved_challenge(seconds_ago=601)))
    assert response.status_code == 400 and "验证问题已过期" in response.content.decode()
    assert not TipOff.objects.exists()


def test_used_challenges_are_forgotten_once_they_could_no_longer_be_answered(world, settings):
    settings.TIPOFF_CHALLENGE_MAX_AGE = 3600
    now = timezone.now()
    UsedChallenge.objects.create(nonce="old", used_at=now - datetime.timedelta(days=1, hours=2))
    UsedChallenge.objects.create(nonce="recent", used_at=now - datetime.timedelta(hours=2))
    throttle_purge()
    assert list(UsedChallenge.objects.values_list("nonce", flat=True)) == ["recent"]
