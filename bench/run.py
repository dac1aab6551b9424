"""Run every bench/bench_*.py in its own process and report which ones failed.

Each benchmark prints its own figures; a benchmark that misses a target still
exits 0 (the figures are the result), so a non-zero exit here means a
benchmark could not run at all, or (bench_answers_load) that answers sent were
not all recorded.

`bench/run.py answers_load` runs only the benchmarks whose name contains one of
the arguments (here the HTTP load test of the answer links and the boards).
Files in bench/ not named bench_*.py are helpers: benchlib.py, locust_answers.py
(the load generator bench_answers_load.py starts), profile_answers.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent


def main(argv: list[str]) -> int:
    # `bench/run.py enterprise_list` runs only the benchmarks whose name contains an argument.
    scripts = sorted(BENCH_DIR.glob("bench_*.py"))
    if argv:
        scripts = [s for s in scripts if any(word in s.stem for word in argv)]
    if not scripts:
        print("no benchmarks found", file=sys.stderr)
        return 1
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    env.setdefault("PYTHONUNBUFFERED", "1")
    results = []
    for script in scripts:
        print(f"=== {script.name}", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, str(script)], cwd=ROOT, env=env)
        elapsed = time.perf_counter() - started
        results.append((script.name, code, elapsed))
        print(f"=== {script.name}: {'ok' if code == 0 else f'FAILED (exit {code})'} in {elapsed:.1f} s\n", flush=True)
    failed = [name for name, code, _elapsed in results if code != 0]
    print(f"{len(results) - len(failed)} of {len(results)} benchmarks ran" + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
