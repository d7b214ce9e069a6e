"""Quick logging: one entry key-to-disk on day 1 vs day 180, the board's refresh with a year of
logging, and a year's progress report for one student.

    python bench/bench_logging.py [--quick]

* entry: what a key press does in the board: `data_commands.log(ctx, …)` against the snapshot the board
  already holds, then `Room.apply` (durable on disk), median of N; trials, tallies and timers in turn;
* refresh: `Room.snapshot()` + `Room.board()` right after (timers and data due included), for information;
* report: the log stream's load (what `paratui report` reads; the whole journal's load beside it, as
  before), then `report.render` for R.N. (S05, five goals, two behaviors) in each format; HTML with
  the inline SVG chart and, when installed, with matplotlib; and the CLI's whole process.

Day 1 = the year's last school day alone; day 180 = the whole generated year with its data entries
(bench/make_year.py). Both write at 14:00 of the last generated school day.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from datetime import datetime
from pathlib import Path

from _common import NOW, OUT, Row, median, ms, print_table, save
from bench_write import _last_day, one_day_of
from make_year import make_year

TARGET_ENTRY_S = 0.005
TARGET_REPORT_S = 1.0
FLAT = 1.5
WORK = OUT / "logging"


def year_with_data(days: int = 180) -> Path:
    root = WORK / f"year-{days}d-data"
    stamp = root / ".count-data-v2"  # v2: the log stream
    if not stamp.exists():
        if root.exists():
            shutil.rmtree(root)
        stamp_n = make_year(root, days, NOW, data=True)
        stamp.write_text(str(stamp_n))
    return root


def _copy(source: Path, name: str) -> Path:
    target = WORK / "work" / name
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".count*"))
    return target


def entries(roots: list[Path], clock: datetime, n: int) -> list[tuple[list[float], list[float]]]:
    from paratui.model import data_commands
    from paratui.store.room import Room

    os.environ.update({"PARATUI_HOST": "room12-ws", "PARATUI_LOGIN": "jthomas"})
    rooms = [Room(root, clock=lambda: clock) for root in roots]
    snaps = [room.snapshot() for room in rooms]
    steps = [
        ("JT", lambda ctx: data_commands.log(ctx, "K.B.", "coins", "+", "V")),
        ("MR", lambda ctx: data_commands.log(ctx, "K.B.", "greet")),
        ("DP", lambda ctx: data_commands.timer_start(ctx, "R.N.", "tantrum")),
        ("DP", lambda ctx: data_commands.timer_stop(ctx, "R.N.", "tantrum")),
        ("DP", lambda ctx: data_commands.abc(ctx, "R.N.", "elopement", "1", "2", "1")),
    ]
    out: list[tuple[list[float], list[float]]] = [([], []) for _ in rooms]
    for i in range(n):
        actor, make = steps[i % len(steps)]
        for k, (room, (write, refresh)) in enumerate(zip(rooms, out)):
            t0 = time.perf_counter()
            change = make(room.context(actor, snaps[k]))
            room.apply(change, actor)
            t1 = time.perf_counter()
            snaps[k] = room.snapshot()
            room.board(snaps[k])
            t2 = time.perf_counter()
            write.append(t1 - t0)
            refresh.append(t2 - t0)
    return out


def reports(root: Path, now: datetime) -> dict[str, float]:
    from paratui.model import report
    from paratui.store.folder import DataFolder

    t0 = time.perf_counter()
    DataFolder(root).load(now.date(), whole_journal=True)
    times = {"load whole journal (before the log stream)": time.perf_counter() - t0}
    t0 = time.perf_counter()
    snap = DataFolder(root).load(now.date(), log_range=(None, None))
    times["load the log stream (what the report reads)"] = time.perf_counter() - t0
    student = snap.classroom.student_by_id()["S05"]
    for fmt in ("csv", "json", "md"):
        t0 = time.perf_counter()
        report.render(fmt, snap.classroom, student, snap.events, now)
        times[fmt] = time.perf_counter() - t0
    t0 = time.perf_counter()
    report.render("html", snap.classroom, student, snap.events, now, use_matplotlib=False)
    times["html (inline SVG)"] = time.perf_counter() - t0
    times["CLI `paratui report S05 --format md` (whole process)"] = cli_report(root, now)
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return times
    t0 = time.perf_counter()
    report.render("html", snap.classroom, student, snap.events, now, use_matplotlib=True)
    times["html (matplotlib)"] = time.perf_counter() - t0
    return times


def cli_report(root: Path, now: datetime, runs: int = 3) -> float:
    """The median wall time of `paratui report S05 --format md` over the year, a fresh process each."""
    import subprocess

    env = {**os.environ, "PARATUI_NOW": now.isoformat(timespec="minutes")}
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "paratui", "--data", str(root), "report", "S05", "--format", "md"],
                           env=env, capture_output=True, text=True, timeout=120)
        out.append(time.perf_counter() - t0)
        if r.returncode != 0:
            raise SystemExit(f"paratui report failed: {r.stderr}")
    return median(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="fewer entries")
    a = p.parse_args(argv)
    n = 20 if a.quick else 60
    WORK.mkdir(parents=True, exist_ok=True)
    year = year_with_data()
    day = _last_day(year)
    clock = datetime.fromisoformat(f"{day}T14:00")
    day1 = _copy(one_day_of(year, WORK), "day1")
    day180 = _copy(year, "day180")
    (w1, r1), (w180, r180) = entries([day1, day180], clock, n)
    e1, e180 = median(w1), median(w180)
    rows = [
        Row("entry key→disk, day 1 (median)", ms(e1), target=f"≤ {ms(TARGET_ENTRY_S)}", ok=e1 <= TARGET_ENTRY_S),
        Row("entry key→disk, day 180 (median)", ms(e180), ms(e1), e180 / e1, f"≤ {ms(TARGET_ENTRY_S)}, ≤ {FLAT}×",
            e180 <= TARGET_ENTRY_S and e180 / e1 <= FLAT),
        Row("entry + board refresh, day 1 (median)", ms(median(r1))),
        Row("entry + board refresh, day 180 (median)", ms(median(r180)), ms(median(r1)),
            median(r180) / median(r1)),
    ]
    rep = reports(day180, clock)
    for name, secs in rep.items():
        ok = None if name.startswith("load") else secs <= TARGET_REPORT_S
        rows.append(Row(f"year report S05: {name}", ms(secs), target="" if ok is None else "≤ 1 s", ok=ok))
    load = rep["load the log stream (what the report reads)"]
    rows.append(Row("year report S05: load + md", ms(load + rep["md"]), target="≤ 1 s",
                    ok=load + rep["md"] <= TARGET_REPORT_S))
    print(f"bench_logging: {n} entries each into day 1 and day 180 ({year.name}), python {sys.version.split()[0]}")
    print_table(rows)
    save("bench_logging", rows)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
