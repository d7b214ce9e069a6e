"""`paratui history` of a whole school year: the first run (every file read, the cache made), then
runs that find it (nothing changed; one new write today), as a person runs it: a fresh process,
output to a file.

    python bench/bench_history.py [--runs 3] [--days 180]

The cache is this machine's (paratui.store.history_cache); the runs here use a throw-away one.
Baseline in the same run: `paratui --version` (the interpreter and the CLI's imports).
Target: the history of a year prints in ≤ 1 s (issue 11).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

from _common import NOW, Row, fresh_copy, median, ms, print_table, pristine_year, save

TARGET_S = 1.0


def run(runs: int = 3, days: int = 180) -> list[Row]:
    year, count = pristine_year(days)
    root = fresh_copy(year, "history")
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "PARATUI_NOW": NOW, "XDG_CACHE_HOME": cache}

        def timed(*args: str) -> float:
            t0 = time.perf_counter()
            with open(os.devnull, "w") as out:
                subprocess.run([sys.executable, "-m", "paratui", "--data", str(root), *args], env=env,
                               stdout=out, check=True)
            return time.perf_counter() - t0

        bare = median([timed("--version") for _ in range(runs)])
        first = timed("history")
        warm = median([timed("history") for _ in range(runs)])
        after = []
        for i in range(runs):
            subprocess.run([sys.executable, "-m", "paratui", "--data", str(root), "move", "S01", "--to",
                            "bathroom" if i % 2 == 0 else "office", "--as", "JT"], env=env, check=True,
                           capture_output=True)
            after.append(timed("history"))
        student = median([timed("history", "--student", "S05") for _ in range(runs)])
        csv = median([timed("history", "--format", "csv") for _ in range(runs)])
    rows = [
        Row(f"history of the year ({count // 1000}k events), first run (cache made)", ms(first),
            f"{ms(bare)} (paratui --version)", first / bare, "informational"),
        Row("history of the year, cached, nothing changed", ms(warm), ms(bare), warm / bare,
            f"≤ {TARGET_S:g} s", warm <= TARGET_S),
        Row("history of the year, cached, after a write today", ms(median(after)), ms(bare), median(after) / bare,
            f"≤ {TARGET_S:g} s", median(after) <= TARGET_S),
        Row("history --student S05 (cached)", ms(student), ms(bare), student / bare, "informational"),
        Row("history --format csv (cached)", ms(csv), ms(bare), csv / bare, "informational"),
    ]
    save("history", rows, {"runs": runs, "days": days})
    return rows


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--days", type=int, default=180)
    a = p.parse_args()
    print_table(run(a.runs, a.days))
    return 0


if __name__ == "__main__":
    sys.exit(main())
