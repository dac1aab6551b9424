"""双随机 draws and enforcement statistics on PostgreSQL at the issue's scale.

Builds a fresh database (DROP and CREATE): the region tree of bench_enterprise_list, 100,000 enterprises,
2,000 certified officers (each with a few declared conflicts), 1,000,000 inspections since 2022 (two officers each,
written with COPY) and a case for one in ten of them, then the roll-ups (`rebuild_statistics`). It times

- a city-wide draw of 500 targets from the operating enterprises (weighted by risk) with a team of two officers each,
  avoiding declared conflicts and each target's previous team, through the service (candidates, snapshot, record)
  and the pure algorithm alone; every draw is re-run from its record and must match. Target: under 1 s.
- `enforcement_statistics` for a city and a county supervisor over several periods. Target: p95 under 300 ms.

A miss is printed, not fatal; only an error makes the exit code non-zero.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yingji_bench_inspections  (the default)
    BENCH_SMALL=1        5,000 enterprises, 200 officers, 20,000 inspections, draws of 50 (a quick check)
    BENCH_REQUESTS=100   timed calls per statistics case
    BENCH_REUSE=1        time the database a previous run built instead of rebuilding it
"""

from __future__ import annotations

import datetime
import os
import random
import sys
import time
from pathlib import Path

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/yingji_bench_inspections"
os.environ["DATABASE_URL"] = os.environ.get("DATABASE_URL") or DEFAULT_URL
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_enterprise_list as base  # noqa: E402 - reads DATABASE_URL set above
import benchlib  # noqa: E402

SMALL = os.environ.get("BENCH_SMALL") == "1"
ENTERPRISES = 5_000 if SMALL else 100_000
INSPECTORS = 200 if SMALL else 2_000
INSPECTIONS = 20_000 if SMALL else 1_000_000
DRAW_COUNT = 50 if SMALL else 500
DRAWS = 5 if SMALL else 10
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "30" if SMALL else "100"))
DRAW_TARGET_S = 1.0
STATS_TARGET_P95_MS = 300.0
SEED = 20261123
FIRST_DAY = datetime.date(2022, 1, 1)


def build_inspectors(rng: random.Random, enterprise_ids: list[int]) -> None:
    from yingji.inspections.models import Inspector

    counties = [f"3901{n:02d}000000" for n in range(1, 6)]
    Inspector.objects.bulk_create([
        Inspector(name=f"执法员{n:05d}", certificate_no=f"BZ{n:08d}", region_id=counties[n % 5],
                  organization=f"第{n % 5 + 1}县应急管理局", is_active=True)
        for n in range(INSPECTORS)], batch_size=2000)
    ids = list(Inspector.objects.values_list("pk", flat=True))
    through = Inspector.conflict_enterprises.through
    links = {(i, rng.choice(enterprise_ids)) for i in ids for _ in range(5)}
    through.objects.bulk_create([through(inspector_id=i, enterprise_id=e) for i, e in links], batch_size=5000)


def build_inspections() -> int:
    """COPY the inspections, their officers and a case for one in ten of them."""
    from django.db import connection
    from django.utils import timezone

    from yingji.enterprises.models import Enterprise
    from yingji.inspections.models import Inspector

    enterprises = list(Enterprise.objects.values_list("pk", "region_id"))
    by_county: dict[str, list[int]] = {}
    for pk, region in Inspector.objects.values_list("pk", "region_id"):
        by_county.setdefault(region[:6], []).append(pk)
    today = timezone.localdate()
    span = (today - FIRST_DAY).days
    now = timezone.now()
    rng = random.Random(SEED)  # _replay() walks the same stream again
    connection.ensure_connection()
    cases = 0
    with connection.connection.cursor() as raw:
        with raw.copy("COPY inspections_inspection (id, code, enterprise_id, region_id, kind, inspected_on, place, "
                      "item_results, conclusion, created_at) FROM STDIN") as copy:
            for number in range(1, INSPECTIONS + 1):
                enterprise, region = enterprises[rng.randrange(len(enterprises))]
                day = FIRST_DAY + datetime.timedelta(days=rng.randrange(span))
                copy.write_row((number, f"JC-{region[:6]}-{day.year}-{number:07d}", enterprise, region,
                                "random" if rng.random() < 0.7 else "key", day, "", "{}", "", now))
        with raw.copy("COPY inspections_inspection_inspectors (inspection_id, inspector_id) FROM STDIN") as copy:
            rng_teams = random.Random(SEED + 1)
            for number, (_pk, region) in zip(range(1, INSPECTIONS + 1), _replay(enterprises), strict=True):
                pool = by_county[region[:6]]
                for member in rng_teams.sample(pool, 2):
                    copy.write_row((number, member))
        with raw.copy("COPY inspections_case (code, inspection_id, enterprise_id, region_id, title, facts, "
                      "legal_basis, penalty_basis, filed_on, status, order_rectify, order_suspend, order_close, "
                      "fine_yuan, decision_no, decided_on) FROM STDIN") as copy:
            rng_cases = random.Random(SEED + 2)
            for number, (enterprise, region, day) in enumerate(_replay(enterprises, with_day=True), start=1):
                if rng_cases.random() >= 0.1:
                    continue
                cases += 1
                filed = min(today, day + datetime.timedelta(days=rng_cases.randrange(10)))
                decided = filed + datetime.timedelta(days=rng_cases.randrange(40))
                decided = decided if decided <= today and rng_cases.random() < 0.8 else None
                suspend, close = rng_cases.random() < 0.05, rng_cases.random() < 0.005
                fine = rng_cases.choice([0, 5000, 10000, 30000, 50000]) if decided else 0
                copy.write_row((f"AJ-{region[:6]}-{filed.year}-{cases:07d}", number, enterprise, region, "案由",
                                "违法事实", "", "", filed, "decided" if decided else "investigating", False,
                                bool(decided) and suspend, bool(decided) and close, fine, "", decided))
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('inspections_inspection', 'id'), %s)", [INSPECTIONS])
    return cases


def _replay(enterprises: list, with_day: bool = False):
    """The enterprises (and days) of the COPY above, in the same order: the same seed replays the same stream.

    It must not query: the connection is busy with a COPY while it runs.
    """
    from django.utils import timezone

    rng = random.Random(SEED)
    span = (timezone.localdate() - FIRST_DAY).days
    for _number in range(INSPECTIONS):
        enterprise, region = enterprises[rng.randrange(len(enterprises))]
        day = FIRST_DAY + datetime.timedelta(days=rng.randrange(span))
        rng.random()
        yield (enterprise, region, day) if with_day else (enterprise, region)


def time_draws(city_user) -> int:
    from yingji.core.models import Region
    from yingji.inspections import drawing, selectors, services

    city = Region.objects.get(pk="390100000000")
    service_times, algorithm_times = [], []
    for n in range(DRAWS):
        started = time.perf_counter()
        draw = services.draw_inspection(actor=city_user, region=city, title=f"基准抽取{n}", count=DRAW_COUNT,
                                        seed=str(SEED + n))
        service_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        check = selectors.draw_rerun(draw)
        algorithm_times.append(time.perf_counter() - started)
        if not check["same"]:
            raise RuntimeError(f"draw {draw.code} did not re-run to the same result")
        if len(draw.target_ids) != DRAW_COUNT or any(len(t) != 2 for t in draw.teams.values()):
            raise RuntimeError(f"draw {draw.code} is incomplete")
    candidates = len(draw.inputs["targets"])
    print(f"draw: {DRAW_COUNT} targets from {candidates} operating enterprises (of {ENTERPRISES}), "
          f"{len(draw.inputs['team']['pool'])} officers, algorithm {drawing.ALGORITHM_VERSION}")
    misses = 0
    for label, samples in (("service (query, snapshot, draw, record)", service_times),
                           ("re-run from the record (pure algorithm)", algorithm_times)):
        p50, p95, worst = benchlib.summary([s * 1000 for s in samples])
        verdict = "PASS" if worst / 1000 < DRAW_TARGET_S else "FAIL"
        misses += verdict == "FAIL"
        print(f"  {benchlib.pad(label, 44)} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  max {worst:7.1f} ms  "
              f"<{DRAW_TARGET_S:.0f} s {verdict}")
    return misses


def time_statistics(users) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from yingji.inspections.selectors import enforcement_statistics, statistics_sentence

    today = timezone.localdate()
    periods = [
        ("year to date", today.replace(month=1, day=1), today),
        ("last 365 days", today - datetime.timedelta(days=365), today),
        ("one month", (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1),
         today.replace(day=1) - datetime.timedelta(days=1)),
        ("since 2022", FIRST_DAY, today),
    ]
    header = f"{'user':<7} {benchlib.pad('period', 16)} {'inspections':>11} {'SQL':>4} {'p50 ms':>7} {'p95 ms':>7} " \
             f"{'max ms':>7}  p95<{STATS_TARGET_P95_MS:.0f}"
    print(header)
    print("-" * len(header))
    misses = 0
    for label, user in users:
        for name, start, end in periods:
            figures = enforcement_statistics(user=user, start=start, end=end)
            with CaptureQueriesContext(connection) as captured:
                enforcement_statistics(user=user, start=start, end=end)
            samples = benchlib.timed(lambda u=user, s=start, e=end: enforcement_statistics(user=u, start=s, end=e),
                                 REQUESTS)
            p50, p95, worst = benchlib.summary(samples)
            verdict = "PASS" if p95 < STATS_TARGET_P95_MS else "FAIL"
            misses += verdict == "FAIL"
            print(f"{label:<7} {benchlib.pad(name, 16)} {figures['inspections']:>11} {len(captured.captured_queries):>4} "
                  f"{p50:7.1f} {p95:7.1f} {worst:7.1f}  {verdict}", flush=True)
            if name == "year to date" and label == "city":
                sentence = statistics_sentence(figures)
    print(f"city, year to date: {sentence}")
    return misses


def check_statistics(users) -> None:
    """The roll-up figures equal a plain count over the inspections for one period: a wrong roll-up is no result."""
    from django.utils import timezone

    from yingji.inspections.models import Inspection
    from yingji.inspections.selectors import enforcement_statistics

    today = timezone.localdate()
    start = today - datetime.timedelta(days=200)
    for _label, user in users:
        figures = enforcement_statistics(user=user, start=start, end=today)
        rows = Inspection.objects.restrict(user, "view").filter(inspected_on__gte=start, inspected_on__lte=today)
        expected = (rows.count(), rows.values("enterprise_id").distinct().count())
        if (figures["inspections"], figures["units_inspected"]) != expected:
            raise RuntimeError(f"statistics for {user.username}: {figures}, counted {expected}")


def main() -> int:
    started = time.perf_counter()
    reuse = os.environ.get("BENCH_REUSE") == "1"
    if not reuse:
        benchlib.recreate_database(os.environ["DATABASE_URL"])
    benchlib.start_django()
    from yingji.inspections.models import Inspection

    if reuse:
        users = benchlib.bench_users("city", "county")
        print(f"data: reused, {Inspection.objects.count()} inspections")
    else:
        rng = random.Random(SEED)
        villages = base.build_regions()
        base.ENTERPRISES = ENTERPRISES
        base.build_enterprises(villages)
        users = base.build_users()
        from yingji.enterprises.models import Enterprise

        build_inspectors(rng, list(Enterprise.objects.values_list("pk", flat=True)))
        cases = build_inspections()
        from yingji.inspections.services import rebuild_statistics

        rows = rebuild_statistics()
        benchlib.vacuum_analyze()
        print(f"data: {ENTERPRISES} enterprises, {INSPECTORS} officers, {INSPECTIONS} inspections and {cases} cases "
              f"since {FIRST_DAY}, {rows} roll-up rows, built in {time.perf_counter() - started:.1f} s")
    benchlib.print_machine()
    check_statistics(users)
    misses = time_draws(users[0][1])
    print()
    misses += time_statistics(users)
    print(f"\n{misses} case(s) over target" if misses else "\nall cases within target")
    print(f"load average at the end {benchlib.load_average()}; total {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
