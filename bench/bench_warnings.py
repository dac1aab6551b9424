"""Warnings on PostgreSQL: fan-out to 100,000 responsible persons, acknowledgements per second, escalation sweep.

Builds a fresh database (DROP and CREATE), a region tree under province 39 (1 city, 5 counties, 40 townships,
400 villages) and 100,000 responsible persons (250 per village, each with a township guarantor as superior),
then:
  1. a red warning for the whole city is approved and every message handed to the channels (a local gateway
     simulator over HTTP), timed from the signer's click — target under 60 s;
  2. the escalation sweep over the 100,000 unanswered (all past their first deadline) — target under 5 s;
  3. SMS answers recorded in gateway batches of 1,000, and single answers (link/app) one by one —
     target 1,000 per second.
A miss is printed, not fatal; only an error makes the exit code non-zero.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yingji_bench_warnings  (the default)
    BENCH_PERSONS=100000   (BENCH_PERSONS=5000 for a quick check)
    BENCH_ANSWER_WORKERS=8 processes answering at once for the last figure
    BENCH_NO_VACUUM=1      leave the dead rows of the bench's own set-up UPDATE before the sweep (see below)

What makes the targets (see docs/warnings.md): recipients streamed in with COPY and every message written by one
INSERT … SELECT per channel; the queue's answers written back by one UPDATE … FROM a COPY-filled scratch table;
the sweep claims and moves the due rows with one UPDATE … RETURNING (SKIP LOCKED) and writes the messages and
timeline rows set-based from them; an answer by link is one statement (the UPDATE guarded by state and token, and
its timeline row), durably committed; lean indexes on the recipient table, no re-checked foreign keys on the
delivery table.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from datetime import timedelta

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/yingji_bench_warnings"
DATABASE_URL = os.environ.get("DATABASE_URL") or DEFAULT_URL
PERSONS = int(os.environ.get("BENCH_PERSONS", "100000"))
ANSWER_WORKERS = int(os.environ.get("BENCH_ANSWER_WORKERS", "8"))

os.environ["DATABASE_URL"] = DATABASE_URL
os.environ["DJANGO_SETTINGS_MODULE"] = "yingji.settings"
os.environ["DEBUG"] = "0"
os.environ["AXES_ENABLED"] = "0"


from benchlib import recreate_database  # noqa: E402 - bench/ is on the path of a bench script


def build(persons: int):
    from yingji.core.models import Region
    from yingji.warnings.models import ResponsiblePerson

    regions = [Region(code="390000000000", name="基准省", level="province"),
               Region(code="390100000000", name="基准市", level="city", parent_id="390000000000")]
    townships, villages = [], []
    for county_number in range(1, 6):
        county = f"3901{county_number:02d}000000"
        regions.append(Region(code=county, name=f"第{county_number}县", level="county", parent_id="390100000000"))
        for township_number in range(1, 9):
            township = f"{county[:6]}{100 + township_number:03d}000"
            townships.append(Region(code=township, name=f"{county_number}县{township_number}镇", level="township",
                                    parent_id=county))
            for village_number in range(1, 11):
                villages.append(Region(code=f"{township[:9]}{village_number:03d}",
                                       name=f"{county_number}县{township_number}镇{village_number}村",
                                       level="village", parent_id=township))
    Region.objects.bulk_create(regions + townships + villages)
    chiefs = ResponsiblePerson.objects.bulk_create([
        ResponsiblePerson(region_id=t.code, role="guarantor", name=f"包保{i}", phone=f"1360{i:07d}")
        for i, t in enumerate(townships)])
    chief_of = {c.region_id: c.pk for c in chiefs}
    per_village = max(1, (persons - len(chiefs)) // len(villages))
    rows = []
    serial = 0
    roles = ["village_cadre", "grid_member", "disaster_informant", "enterprise_head"]
    for village in villages:
        for _ in range(per_village):
            serial += 1
            rows.append(ResponsiblePerson(region_id=village.code, role=roles[serial % 4], name=f"责任人{serial}",
                                          phone=f"1370{serial:07d}", superior_id=chief_of[village.parent_id]))
    ResponsiblePerson.objects.bulk_create(rows, batch_size=5000)
    return regions[1], len(rows) + len(chiefs)


def main() -> int:
    print(f"machine load (1/5/15 min): {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    recreate_database(DATABASE_URL)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0, interactive=False)
    from yingji.core.models import StateChange
    from yingji.warnings import services
    from yingji.warnings.delivery import acknowledge, acknowledge_many, escalate_due, send_queued
    from yingji.warnings.models import Delivery, Recipient
    from yingji.warnings.simulator import GatewaySimulator

    started = time.perf_counter()
    city, total = build(PERSONS)
    print(f"responsible persons: {total:,} in 400 villages ({time.perf_counter() - started:.1f} s to build)")
    simulator = GatewaySimulator(answer_rate=0, answer_after=36000).start()
    settings.WARNING_SMS_GATEWAY_URL = simulator.url + "sms"
    settings.WARNING_VOICE_GATEWAY_URL = simulator.url + "voice"
    settings.WARNING_BROADCAST_URL = simulator.url + "broadcast"
    settings.WARNING_CALLBACK_BASE_URL = ""  # no answers posted back during the timing

    now = timezone.now()
    warning = services.warning_create(
        actor=None, region=city, kind="weather", event_type="11B03", level="red", headline="基准市暴雨红色预警",
        description="全市强降雨", instructions="转移低洼地带人员", onset=now, expires=now + timedelta(hours=12),
        area_regions=[city])
    services.warning_submit(warning=warning, actor=None)

    t0 = time.perf_counter()
    warning = services.warning_approve(warning=warning, actor=None)
    t_approved = time.perf_counter() - t0
    handed = 0
    while sent := send_queued():
        handed += sent
    t_handed = time.perf_counter() - t0
    recipients = Recipient.objects.filter(warning=warning).count()
    received = len(simulator.received)
    ok = "OK" if t_handed < 60 else "MISS"
    print(f"fan-out: {recipients:,} recipients; approve + recipients + queue {t_approved:.1f} s; "
          f"{handed:,} messages handed to the channels ({received:,} received by the gateway) "
          f"{t_handed:.1f} s after approval (target < 60 s) {ok}")

    Recipient.objects.filter(warning=warning).update(next_step_at=timezone.now() - timedelta(seconds=1))
    # That UPDATE (the bench's shortcut past the 10 minutes) leaves a dead copy of every row. In the ten minutes it
    # stands for, autovacuum (on by default; this test server has it off) would have cleared them, so do it here.
    # BENCH_NO_VACUUM=1 measures without it (as before 2026-12-02).
    if not os.environ.get("BENCH_NO_VACUUM"):
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {Recipient._meta.db_table}")
    t0 = time.perf_counter()
    escalated = 0
    while done := escalate_due():
        escalated += done
    t_escalate = time.perf_counter() - t0
    calls = Delivery.objects.filter(warning=warning, channel="voice").count()
    ok = "OK" if t_escalate < 5 else "MISS"
    steps = StateChange.objects.filter(action="escalate").count()
    print(f"escalation sweep: {escalated:,} unanswered moved to voice ({calls:,} calls queued, {steps:,} timeline "
          f"rows) in {t_escalate:.2f} s (target < 5 s) {ok}")

    # Half answer by SMS in gateway batches, the other half is left for the one-by-one answers below.
    pairs = list(Recipient.objects.filter(warning=warning).values_list("phone", "reply_code")[:recipients // 2])
    t0 = time.perf_counter()
    answered = 0
    for start in range(0, len(pairs), 1000):
        answered += acknowledge_many(pairs[start:start + 1000])
    t_bulk = time.perf_counter() - t0
    rate = answered / t_bulk if t_bulk else 0
    print(f"acknowledgements (SMS replies in gateway batches of 1,000): {answered:,} in {t_bulk:.2f} s = "
          f"{rate:,.0f}/s (target 1,000/s) {'OK' if rate >= 1000 else 'MISS'}")

    # The service the answer link calls: find the recipient by the link's key, check its token, answer, write
    # the timeline row, each in its own transaction.
    keys = [r.link_key for r in Recipient.objects.filter(warning=warning, status="pending").order_by("?")[:2000]]
    # Answers come in any order; a server answering all day has the recipient table in memory, this shared test
    # server (128 MB of shared buffers for every database) does not: read it once so both timings below find it
    # as the other would have left it, whichever runs first.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), SUM(LENGTH(token)) FROM {Recipient._meta.db_table}")
    t0 = time.perf_counter()
    for key in keys:
        services.acknowledge_by_token(token=key)
    t_single = time.perf_counter() - t0
    assert StateChange.objects.filter(action="acknowledge").count() == answered + len(keys)
    rate = len(keys) / t_single if t_single else 0
    print(f"acknowledgements one by one (answer link: look-up, answer and timeline row, each its own transaction): "
          f"{len(keys):,} in {t_single:.2f} s = {rate:,.0f}/s (target 1,000/s) {'OK' if rate >= 1000 else 'MISS'}")
    # The write alone, as this line measured before 2026-12-02 (then inside transaction.atomic(); the write is
    # atomic by itself now): comparable with the earlier figures.
    singles = list(Recipient.objects.filter(warning=warning, status="pending").order_by("?")[:2000])
    t0 = time.perf_counter()
    for recipient in singles:
        acknowledge(recipient, channel="link")
    t_bare = time.perf_counter() - t0
    rate = len(singles) / t_bare if t_bare else 0
    print(f"acknowledgements one by one, the write alone (answer and timeline row, no look-up): {len(singles):,} "
          f"in {t_bare:.2f} s = {rate:,.0f}/s")
    # As answers arrive in practice: many people at once, through several web worker processes, each answer its
    # own transaction on its own connection; their commits share the disk flush.
    keys = [r.link_key for r in Recipient.objects.filter(warning=warning, status="pending").order_by("?")[:6000]]
    shares = [keys[number::ANSWER_WORKERS] for number in range(ANSWER_WORKERS)]
    before = Recipient.objects.filter(warning=warning, status="acknowledged").count()

    def answer(share: list[str]) -> None:
        for key in share:
            services.acknowledge_by_token(token=key)
        connection.close()

    connection.close()  # each worker opens its own
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=answer, args=(share,)) for share in shares]
    t0 = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    t_together = time.perf_counter() - t0
    done = Recipient.objects.filter(warning=warning, status="acknowledged").count() - before
    assert done == len(keys), (done, len(keys))
    rate = len(keys) / t_together if t_together else 0
    print(f"acknowledgements arriving together (answer link, {ANSWER_WORKERS} processes, each answer its own "
          f"transaction): {len(keys):,} in {t_together:.2f} s = {rate:,.0f}/s (target 1,000/s) "
          f"{'OK' if rate >= 1000 else 'MISS'}")
    simulator.stop()
    print(f"machine load (1/5/15 min): {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
