"""Run every paratui benchmark and print one table.

    python bench/run_all.py [--quick] [--only write,years,startup,live,sync] [--writes 200] [--poll 0.5] [--runs 5]

Generates the school year once (bench/out/year-180d, reused afterwards; delete it to regenerate),
then runs bench_write, bench_years (day 1 / 20 / 180 / 540: three school years, generated once
into bench/out/year-540d), bench_startup, bench_live and sync_check (two Syncthing instances;
skipped with a note when syncthing is not installed). Details go to stderr; the table to stdout and
bench/out/results.txt (+ one JSON file per bench in bench/out/). About 3 minutes on 2 cores with
the defaults; --quick about 1.5.
"""

from __future__ import annotations

import argparse
import io
import platform
import sys
import time

import bench_live
import bench_startup
import bench_write
import bench_years
import sync_check
from _common import NOW, OUT, Row, print_table, pristine_year


def sync_rows(writes: int) -> list[Row]:
    try:
        r = sync_check.run(writes, conflicts=5)
    except SystemExit as e:  # syncthing missing
        return [Row("two machines via Syncthing", "skipped", target=str(e))]
    p, same = r["propagation_s"], r["same_side_board_s"]
    copies = sum(len(side["conflict_copies"]) for side in r["sides"].values())
    doubled = sum(side["events_in_files"] - side["unique"] for side in r["sides"].values())
    return [
        Row(f"Syncthing: write on one machine → other machine's board, p50 (n={p['n']})",
            f"{p['p50'] * 1000:.0f} ms", f"{same['p50'] * 1000:.1f} ms (same machine's board)",
            p["p50"] / same["p50"], "info (fsWatcherDelayS=1)"),
        Row("Syncthing: … p95 / max", f"{p['p95'] * 1000:.0f} ms / {p['max'] * 1000:.0f} ms", target="info"),
        Row(f"Syncthing: acknowledged events lost (of {r['acknowledged']}, conflicts included)",
            str(r["lost"]), target="0", ok=r["lost"] == 0),
        Row("Syncthing: sync-conflict copies merged / events doubled in files", f"{copies} / {doubled}",
            target="info"),
    ]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="fewer repetitions everywhere")
    p.add_argument("--only", default="write,years,startup,live,sync", help="comma-separated subset")
    p.add_argument("--writes", type=int, default=200, help="live: writes per watch mode")
    p.add_argument("--poll", type=float, default=0.5, help="live: polling interval")
    p.add_argument("--runs", type=int, default=5, help="startup: fresh processes per kind")
    a = p.parse_args()
    only = set(a.only.split(","))
    t0 = time.perf_counter()
    year, count = pristine_year(180)
    print(f"school year: {year} ({count} events), clock {NOW}; python {platform.python_version()}, "
          f"{platform.machine()}", file=sys.stderr)
    rows: list[Row] = [Row("generated year: events (≥ 100k)", f"{count}", target="≥ 100000", ok=count >= 100_000)]
    if "write" in only:
        print("write cost …", file=sys.stderr)
        rows += bench_write.run(a.quick)
    if "years" in only:
        print("day 1 to three school years …", file=sys.stderr)
        rows += bench_years.run(a.quick)
    if "startup" in only:
        print("start-up …", file=sys.stderr)
        rows += bench_startup.run(a.runs, a.quick)
    if "live" in only:
        print("live latency …", file=sys.stderr)
        rows += bench_live.run(a.writes, a.poll, a.quick)
    if "sync" in only:
        print("two machines via Syncthing …", file=sys.stderr)
        rows += sync_rows(10 if a.quick else 40)
    print(f"total {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    print_table(rows)
    buf = io.StringIO()
    print_table(rows, buf)
    OUT.mkdir(exist_ok=True)
    (OUT / "results.txt").write_text(buf.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
