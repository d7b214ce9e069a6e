"""Coverage ahead: what it adds to every reload.

    python bench/bench_coverage.py [--quick] [--year]

`build_board` (what every reload runs after reading the folder) with coverage ahead (`ahead=True`,
the default) vs without (`ahead=False`), median of N, on the demo room:

* quiet day: no changes;
* busy day: a fire drill, a changed block, an adult out with a sub, a para lent, two students out
  for services, a student absent, a dozen moves and assignments;
* at 08:05 (the whole day still ahead: the most moments to fold) and at 13:20.

`--year` also measures on the generated school year (bench/make_year.py; made once, then reused),
whose task history the board reads on every reload. Ratios printed; no target of its own: the live
p95 (bench_live.py) and the flat-over-a-year refresh (bench_years.py) must still hold.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from _common import Row, median, ms, print_table

from paratui.model import change_commands as cc
from paratui.model import commands
from paratui.model.board import build_board
from paratui.store import paths
from paratui.store.room import Room


def busy_day(root: Path) -> None:
    clock = datetime(2026, 11, 23, 8, 0)
    room = Room(root, clock=lambda: clock)

    def do(actor: str, make) -> None:
        room.apply(make(room.context(actor)), actor)

    do("MR", lambda c: cc.drill(c, "10:30", "10:50", "exit B"))
    do("MR", lambda c: cc.block(c, "13:15", start="13:30", activity="Cooking (late start)"))
    do("MR", lambda c: commands.absent(c, "AL", "SUB"))
    do("MR", lambda c: cc.lend(c, "JT", "Room 8", "12:30"))
    do("MR", lambda c: cc.student_out(c, "K.B.", "OT", "09:00", "09:30"))
    do("MR", lambda c: cc.student_out(c, "L.S.", "speech", "14:00", "14:30", with_=["SK"]))
    do("MR", lambda c: cc.student_absent(c, "I.F."))
    for i in range(6):
        do("DP", lambda c: commands.move(c, "R.N.", "bathroom"))
        do("DP", lambda c: commands.back(c, "R.N."))
        do("MR", lambda c, i=i: commands.assign(c, "SK", ["T.H."], "library", f"Library {i}", "08:25"))


def timed(fn, n: int) -> float:
    fn()
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return median(samples)


def measure(label: str, root: Path, n: int, rows: list[Row]) -> None:
    snap = Room(root).snapshot()
    for hhmm in ("08:05", "13:20"):
        now = datetime(2026, 11, 23, int(hhmm[:2]), int(hhmm[3:]))
        base = timed(lambda now=now: build_board(snap.classroom, snap.schedule, snap.events, now, snap.binder_titles,
                                         binder=snap.binder, ahead=False), n)
        full = timed(lambda now=now: build_board(snap.classroom, snap.schedule, snap.events, now, snap.binder_titles,
                                         binder=snap.binder), n)
        state = build_board(snap.classroom, snap.schedule, snap.events, now, binder=snap.binder)
        rows.append(Row(f"build_board with ahead, {label} at {hhmm} ({len(state.ahead)} ahead, "
                        f"{len(snap.events)} events)", ms(full), f"without: {ms(base)}", full / base))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--year", action="store_true", help="also on the generated school year")
    args = ap.parse_args()
    n = 50 if args.quick else 300
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        quiet = Path(tmp) / "quiet"
        shutil.copytree(paths.demo_data(), quiet, ignore=shutil.ignore_patterns("journal"))
        (quiet / "journal").mkdir()
        busy = Path(tmp) / "busy"
        shutil.copytree(quiet, busy)
        busy_day(busy)
        measure("quiet day", quiet, n, rows)
        measure("busy day", busy, n, rows)
        if args.year:
            from _common import pristine_year

            year, _ = pristine_year(180)
            copy = Path(tmp) / "year"
            shutil.copytree(year, copy)
            busy_day(copy)
            measure("busy day 180 of a year", copy, max(10, n // 10), rows)
    print("coverage ahead: build_board with vs without")
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
