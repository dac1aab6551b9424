"""The outbox: effects written with the change, run once it commits, retried until done, never run twice at once."""

import threading
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from yingji.core import outbox
from yingji.core.models import Notification, OutboxMessage, OutboxStatus
from yingji.core.notifications import deliver, notify_after_commit
from yingji.core.testing import build_world
from yingji.core.tests.outbox_app import effects as test_effects


@pytest.fixture(autouse=True)
def _outbox_settings(settings):
    settings.OUTBOX_INLINE = False
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.OUTBOX_BACKOFF_SECONDS = 5
    settings.OUTBOX_BACKOFF_MAX_SECONDS = 3600
    test_effects.RUNS.clear()


def note(user, title: str, **extra) -> dict:
    return {"recipients": [user.pk], "kind": "测试", "title": title, "body": "", "url": "", "subject_type": None,
            "subject_id": "", **extra}


def titles(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def test_an_effect_emitted_in_a_rolled_back_transaction_leaves_nothing(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.emit("outboxtest.note", note(world.county1_officer, "回滚"))
        raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.exists()
    assert outbox.drain() == 0
    assert titles(world.county1_officer) == []


def test_an_emitted_effect_runs_once_when_drained(world):
    with transaction.atomic():
        message = outbox.emit("outboxtest.note", note(world.county1_officer, "已提交"))
    assert outbox.drain() == 1
    assert outbox.drain() == 0
    message.refresh_from_db()
    assert (message.status, message.attempts, message.done_at is not None) == (OutboxStatus.DONE, 1, True)
    assert titles(world.county1_officer) == ["已提交"]


def test_the_committing_process_runs_its_effect_right_after_the_commit(world, settings,
                                                                       django_capture_on_commit_callbacks):
    settings.OUTBOX_INLINE = True
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify_after_commit(recipients=[world.county1_officer, world.county2_officer], kind="测试", title="立即")
    assert titles(world.county1_officer) == []
    for callback in callbacks:
        callback()
    assert titles(world.county1_officer) == ["立即"] and titles(world.county2_officer) == ["立即"]
    assert OutboxMessage.objects.get().status == OutboxStatus.DONE


def test_a_payload_holds_ids_and_values_and_names_a_registered_handler(world):
    with pytest.raises(TypeError, match="ids and plain values"):
        outbox.emit("outboxtest.note", {"user": world.county1_officer})
    with pytest.raises(LookupError, match="no outbox handler"):
        outbox.emit("outboxtest.no_such_handler", {})
    assert not OutboxMessage.objects.exists()


def test_a_key_stores_one_message(world):
    first = outbox.emit("outboxtest.note", note(world.county1_officer, "一次"), key="reminder:1:2026-12-01")
    second = outbox.emit("outboxtest.note", note(world.county1_officer, "一次"), key="reminder:1:2026-12-01")
    assert first.pk == second.pk and OutboxMessage.objects.count() == 1


def make_due(message: OutboxMessage) -> None:
    """The backoff has passed (instead of waiting for it)."""
    OutboxMessage.objects.filter(pk=message.pk).update(available_at=timezone.now())


def test_a_failing_handler_is_retried_with_backoff_and_ends_failed_after_the_limit(world, capsys):
    message = outbox.emit("outboxtest.note", note(world.county1_officer, "失败", fail=True))
    waits = []
    for attempt in (1, 2):
        before = timezone.now()
        assert outbox.drain() == 1
        message.refresh_from_db()
        assert (message.status, message.attempts) == (OutboxStatus.PENDING, attempt)
        assert "RuntimeError: 网关无响应" in message.last_error
        waits.append((message.available_at - before).total_seconds())
        # Not due again before its backoff has passed.
        assert outbox.drain() == 0
        make_due(message)
    assert 5 <= waits[0] < 6 and 10 <= waits[1] < 11
    assert outbox.drain() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.FAILED, 3)
    make_due(message)
    assert outbox.drain() == 0
    # Each failed run's notification was rolled back with it.
    assert titles(world.county1_officer) == []
    assert test_effects.RUNS == [message.pk] * 3

    call_command("outbox_status")
    shown = capsys.readouterr().out
    assert f"失败 #{message.pk} outboxtest.note 尝试 3 次" in shown and "网关无响应" in shown

    OutboxMessage.objects.filter(pk=message.pk).update(payload=note(world.county1_officer, "修复后"))
    call_command("outbox_status", "--retry", str(message.pk))
    assert "已重新排队 1 条" in capsys.readouterr().out
    assert outbox.drain() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (OutboxStatus.DONE, 1, "")
    assert titles(world.county1_officer) == ["修复后"]


def test_the_backoff_doubles_up_to_its_ceiling(settings):
    settings.OUTBOX_BACKOFF_SECONDS = 5
    settings.OUTBOX_BACKOFF_MAX_SECONDS = 60
    assert [outbox.backoff(n) for n in range(1, 7)] == [5, 10, 20, 40, 60, 60]


def test_a_handler_outside_a_transaction_notifies_each_person_once_however_often_it_runs(world):
    message = outbox.emit("outboxtest.note_outside",
                          note(world.county1_officer, "至少一次", fail=True) | {"recipients": [
                              world.county1_officer.pk, world.county2_officer.pk]})
    assert outbox.drain() == 1
    # Its rows stayed although the run failed (no transaction around it) ...
    assert titles(world.county1_officer) == ["至少一次"]
    OutboxMessage.objects.filter(pk=message.pk).update(
        payload=message.payload | {"fail": False}, available_at=timezone.now())
    assert outbox.drain() == 1
    # ... and the second run met them instead of adding more.
    assert titles(world.county1_officer) == ["至少一次"] and titles(world.county2_officer) == ["至少一次"]
    message.refresh_from_db()
    deliver(message)  # a third run, as after a worker died between the effect and the done mark
    assert Notification.objects.filter(outbox_message=message.pk).count() == 2


def test_a_worker_whose_lease_ran_out_does_not_count_its_run(world, settings):
    settings.OUTBOX_LEASE_SECONDS = 60
    message = outbox.emit("outboxtest.note", note(world.county1_officer, "租约"))
    [slow] = outbox.claim(1)
    # The slow worker's lease ends; another worker takes the message and finishes it.
    OutboxMessage.objects.filter(pk=message.pk).update(available_at=timezone.now() - timedelta(seconds=1))
    [fast] = outbox.claim(1)
    assert fast.claimed_by != slow.claimed_by
    assert outbox.run(fast) is True
    # The slow one finishes afterwards: its done mark finds the claim gone, and its transaction rolls back.
    assert outbox.run(slow) is False
    message.refresh_from_db()
    assert (message.status, message.claimed_by, message.attempts) == (OutboxStatus.DONE, fast.claimed_by, 2)
    assert titles(world.county1_officer) == ["租约"]


def test_a_message_whose_worker_died_on_every_try_ends_failed(world):
    message = outbox.emit("outboxtest.note", note(world.county1_officer, "中断"))
    for _ in range(3):  # each claim is a try; the worker "dies" before running it
        assert len(outbox.claim(1)) == 1
        make_due(message)
    assert outbox.drain() == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED and "多次中断" in message.last_error
    assert titles(world.county1_officer) == []


def test_old_done_messages_are_pruned_but_keyed_ones_are_kept(world):
    plain = outbox.emit("outboxtest.note", note(world.county1_officer, "旧"))
    keyed = outbox.emit("outboxtest.note", note(world.county1_officer, "旧"), key="once")
    waiting = outbox.emit("outboxtest.note", note(world.county1_officer, "待处理"))
    outbox.run_now([plain.pk, keyed.pk])
    OutboxMessage.objects.filter(pk__in=[plain.pk, keyed.pk]).update(done_at=timezone.now() - timedelta(days=8))
    assert outbox.prune(days=7) == 1
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {keyed.pk, waiting.pk}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SKIP LOCKED 与多连接并发只在 PostgreSQL 上测试")
@pytest.mark.django_db(transaction=True)
def test_two_workers_never_run_the_same_message_at_once(settings):
    settings.OUTBOX_BATCH = 2
    world = build_world()
    messages = [outbox.emit("outboxtest.note", note(world.county1_officer, f"并发 {n}")) for n in range(40)]
    running: set[int] = set()
    overlaps: list[int] = []
    ran_by: dict[int, list[str]] = {}
    guard = threading.Lock()
    handler = outbox.handlers()["outboxtest.note"]

    def watched(message):
        with guard:
            if message.pk in running:
                overlaps.append(message.pk)
            running.add(message.pk)
            ran_by.setdefault(message.pk, []).append(threading.current_thread().name)
        try:
            time.sleep(0.01)
            handler.func(message)
        finally:
            with guard:
                running.discard(message.pk)

    outbox._handlers["outboxtest.note"] = outbox.Handler("outboxtest.note", watched, atomic=True)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait()
            outbox.drain()
        except BaseException as exc:  # reported by the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, name=f"worker-{n}") for n in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        outbox._handlers["outboxtest.note"] = handler
    assert errors == [] and overlaps == []
    assert sorted(ran_by) == sorted(m.pk for m in messages)
    assert all(len(names) == 1 for names in ran_by.values())
    # Both workers had a share of the work.
    assert len({names[0] for names in ran_by.values()}) == 2
    assert OutboxMessage.objects.filter(status=OutboxStatus.DONE).count() == 40
    assert Notification.objects.filter(recipient=world.county1_officer).count() == 40
