"""Importing a whole province's 统计用区划代码 table (issue 19): ~50,000 rows read, planned, written, then a later
year's table (renames, new codes, retired codes) planned and written again.

The table is generated here (a fictional province 39 of 16 cities, ~120 counties, ~2,000 townships and ~48,000
villages), never committed. Prints the time of each step; no target is enforced.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yingji_bench_regions  (the default; rebuilt)
    BENCH_VILLAGES=48000   fewer for a quick check
"""

from __future__ import annotations

import os
import random
import time

import benchlib

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/yingji_bench_regions"
DATABASE_URL = os.environ.get("DATABASE_URL") or DEFAULT_URL
VILLAGES = int(os.environ.get("BENCH_VILLAGES", "48000"))
SEED = 20261207


def table(rng: random.Random, villages: int) -> str:
    """The province's table as CSV: the province, its cities, counties, townships and villages, in code order."""
    lines = ["统计用区划代码,名称,城乡分类代码", "390000000000,江海省,"]
    townships_wanted = max(1, villages // 24)
    counties_wanted = max(1, townships_wanted // 17)
    cities = max(1, counties_wanted // 8)
    made = 0
    for city in range(1, cities + 1):
        lines.append(f"39{city:02d}00000000,第{city}市,")
        for county in range(1, counties_wanted // cities + 2):
            lines.append(f"39{city:02d}{county:02d}000000,第{city}市第{county}县,")
            for township in range(100, 100 + townships_wanted // counties_wanted + 1):
                lines.append(f"39{city:02d}{county:02d}{township:03d}000,第{township}镇,")
                for village in range(201, 201 + rng.randint(20, 28)):
                    if made >= villages:
                        break
                    lines.append(f"39{city:02d}{county:02d}{township:03d}{village:03d},第{village}村,220")
                    made += 1
    return "\n".join(lines) + "\n"


def later_year(text: str, rng: random.Random) -> str:
    """A later table: 1% of villages renamed, 1% dropped, 1% new."""
    out = []
    for line in text.splitlines():
        if line.endswith(",220"):
            roll = rng.random()
            if roll < 0.01:
                line = line.replace("村,220", "新村,220")
            elif roll < 0.02:
                continue
            elif roll < 0.03:
                code = line[:12]
                out.append(line)
                line = f"{code[:9]}{int(code[9:]) + 400:03d},新设{code[9:]}村,220"
        out.append(line)
    return "\n".join(out) + "\n"


def main() -> None:
    if DATABASE_URL.startswith("postgres"):
        benchlib.recreate_database(DATABASE_URL)
    benchlib.use_settings(DATABASE_URL)
    benchlib.start_django()
    from yingji.core.division_import import apply_divisions, plan_divisions, read_division_file
    from yingji.core.models import Region

    rng = random.Random(SEED)
    first = table(rng, VILLAGES).encode()
    Region.objects.create(code="390000000000", name="江海省", level="province")
    for label, data in (("first import", first), ("later year", later_year(first.decode(), rng).encode())):
        started = time.perf_counter()
        rows = read_division_file(data, "table.csv")
        read = time.perf_counter()
        plan = plan_divisions(rows, root_code="390000000000")
        planned = time.perf_counter()
        apply_divisions(rows, root_code="390000000000", actor=None, expected=plan.summary())
        done = time.perf_counter()
        print(f"{label}: {len(rows)} rows; read {read - started:.2f} s, preview {planned - read:.2f} s, "
              f"confirm (plans again, writes) {done - planned:.2f} s, total {done - started:.2f} s; {plan.summary()}")
    print(f"regions stored: {Region.objects.count()}")


if __name__ == "__main__":
    main()
