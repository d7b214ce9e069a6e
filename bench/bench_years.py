"""Cost from day 1 to three school years: a write, the board's refresh after it, a reload that finds
nothing new, and one tick of the polling watcher.

    python bench/bench_years.py [--quick] [--days 1,180,540] [--reports]

Each folder is a generated room (`make_year.py --days N`, cached in bench/out/year-Nd/) copied to
bench/out/work/; all of them end on the same school day, written into at 14:00 of it, as host
room12-ws / login jthomas (the busy writer's day file, as bench_write does). The folders take turns,
so disk noise hits them alike. Per folder (medians):

* first read: a new process's `Room.snapshot()` + `Room.board()`, without and with this machine's
  summary of closed task months (in its cache folder, paratui.store.summary_cache);
* write: `Room.record("move"/"back")` in this process;
* refresh: `Room.snapshot()` + `Room.board()` right after that write (what the board does next);
* no-op reload: `Room.snapshot()` again with nothing changed (a rescan tick, or a second file event
  of the same write), which a board can stop at when nothing changed and the minute did not either;
  also the journal entries listed or stat'ed by that read (`JournalReader.stats`); and the fold
  (`Room.board()`) on its own;
* poll tick: one snapshot of the polling watcher (`BoardSnapshot`, only where the board reads): its
  time and the entries it lstat's; beside it the whole-tree walk the watcher used to do
  (watchdog's `DirectorySnapshot`, recursive, lstat), as "before".

* reports (`--reports`: only these): a year's progress report for one student (R.N., S05: five goals,
  two behaviors) in every format, each a whole `paratui report` process on the 180-day folder: the
  report of the whole year (`--format csv|md|html|json`) and the IEP progress report of a reporting
  period (`--period Q1`, a whole period, and `Q2`, the current one: one page per goal), against
  `paratui --version` (the process's start-up) and the year's Markdown report, measured in the same
  run. Target: each ≤ 1 s.

Targets: each figure on the 3-year folder ≤ 1.5 × an ordinary school day a month in (day 20, when
there is a yesterday and a last month of tasks to read); the ratio to day 1 (a room's very first day:
no yesterday, one month of tasks) is shown too.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from _common import OUT, Row, fresh_copy, median, ms, print_table, pristine_year, save

FLAT = 1.5


def _clock(root: Path) -> str:
    days = sorted(p.name for p in (root / "journal").iterdir() if p.name[:2] == "20")
    return f"{days[-1]}T14:00"


def whole_tree(root: Path) -> tuple[float, int]:
    """The old polling snapshot: every entry of the folder, lstat'ed (time, entries)."""
    from watchdog.utils.dirsnapshot import DirectorySnapshot

    count = [0]

    def lstat(p):
        count[0] += 1
        return os.lstat(p)

    t0 = time.perf_counter()
    DirectorySnapshot(str(root), recursive=True, stat=lstat, listdir=os.scandir)
    return time.perf_counter() - t0, count[0]


def board_tick(root: Path, today) -> tuple[float, int] | None:
    try:
        from paratui.store.watcher import BoardSnapshot
    except ImportError:  # the code before issue 8
        return None
    t0 = time.perf_counter()
    snap = BoardSnapshot(str(root), today)
    return time.perf_counter() - t0, snap.counter[0]


def first_reads(roots: dict[str, Path], clock: str, n: int) -> dict[str, dict[str, list]]:
    """A new process's first read of the folder (`Room.snapshot()` + `Room.board()` from a fresh
    Room): without this machine's summary of closed task months (its cache folder removed) and with it."""
    import shutil

    from paratui.store.room import Room
    from paratui.store.user_cache import cache_folder

    saved = {k: os.environ.get(k) for k in ("PARATUI_NOW", "PARATUI_HOST", "PARATUI_LOGIN")}
    os.environ.update(PARATUI_NOW=clock, PARATUI_HOST="room12-ws", PARATUI_LOGIN="jthomas")
    out: dict[str, dict[str, list]] = {k: {"cold": [], "second": [], "warm": []} for k in roots}
    try:
        for _ in range(n):
            for k, root in roots.items():
                for kind in ("cold", "second", "warm"):  # warm: a board started again the same day
                    if kind == "cold":
                        shutil.rmtree(cache_folder(root, "settled") or root / "none", ignore_errors=True)
                    t0 = time.perf_counter()
                    room = Room(root)
                    room.board(room.snapshot())
                    out[k][kind].append(time.perf_counter() - t0)
    finally:
        for key, v in saved.items():
            if v is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = v
    return out


def measure(roots: dict[str, Path], clock: str, n: int) -> dict[str, dict[str, list]]:
    from datetime import datetime

    from paratui.store.room import Room

    saved = {k: os.environ.get(k) for k in ("PARATUI_NOW", "PARATUI_HOST", "PARATUI_LOGIN")}
    os.environ.update(PARATUI_NOW=clock, PARATUI_HOST="room12-ws", PARATUI_LOGIN="jthomas")
    today = datetime.fromisoformat(clock).date()
    try:
        rooms = {k: Room(r) for k, r in roots.items()}
        out = {k: {"write": [], "refresh": [], "noop": [], "noop_stats": [], "fold": [], "tick": [],
                   "tick_entries": [], "tree": [], "tree_entries": []} for k in roots}
        for room in rooms.values():
            room.board(room.snapshot())  # the board has read the folder before anyone presses a key
        for i in range(n):
            for k, room in rooms.items():
                r = out[k]
                t0 = time.perf_counter()
                if i % 2 == 0:
                    room.record("move", "JT", {"student": "S01", "to": "bathroom", "with": ["JT"]})
                else:
                    room.record("back", "JT", {"student": "S01"})
                t1 = time.perf_counter()
                room.board(room.snapshot())
                t2 = time.perf_counter()
                reader = room.folder.reader
                before = getattr(reader, "stats", None)
                snap = room.snapshot()
                t3 = time.perf_counter()
                room.board(snap)
                t4 = time.perf_counter()
                r["write"].append(t1 - t0)
                r["refresh"].append(t2 - t1)
                r["noop"].append(t3 - t2)
                r["fold"].append(t4 - t3)
                if before is not None:
                    r["noop_stats"].append(reader.stats - before)
                if i % 4 == 0:
                    tick = board_tick(roots[k], today)
                    if tick is not None:
                        r["tick"].append(tick[0])
                        r["tick_entries"].append(tick[1])
                    tree = whole_tree(roots[k])
                    r["tree"].append(tree[0])
                    r["tree_entries"].append(tree[1])
        return out
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


REPORT_S = 1.0
PERIODS = '\n[[periods]]\nname = "Q1"\nstart = 2026-08-31\nend = 2026-10-30\n\n' \
    '[[periods]]\nname = "Q2"\nstart = 2026-11-02\nend = 2027-01-22\n'


def _process(root: Path, clock: str, args: list[str], runs: int) -> float:
    """The median wall time of `paratui ARGS --data ROOT`, a fresh process each."""
    import subprocess

    env = {**os.environ, "PARATUI_NOW": clock}
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "paratui", *args, "--data", str(root)], env=env,
                           capture_output=True, text=True, timeout=120)
        out.append(time.perf_counter() - t0)
        if r.returncode != 0:
            raise SystemExit(f"paratui {' '.join(args)} failed: {r.stderr}")
    return median(out)


def period_reports(quick: bool = False, workdir: Path = OUT) -> list[Row]:
    """A year's progress report for one student, every format, and the period's IEP progress report,
    each as a whole process, against start-up and the year's Markdown report in the same run."""
    if sys.flags.dont_write_bytecode and not (Path(__file__).resolve().parents[1] / "paratui" / "__pycache__").is_dir():
        # every process below then compiles paratui from source (~0.1-0.25 s of CPU on 2 cores) before
        # it does anything: an installed paratui has its .pyc files (`python -m compileall paratui`)
        print("note: PYTHONDONTWRITEBYTECODE is set and paratui has no .pyc files: each figure below includes "
              "compiling paratui from source", file=sys.stderr)
    src, count = pristine_year(180, workdir)
    root = fresh_copy(src, "years-reports", workdir)
    toml = root / "classroom.toml"
    if "[[periods]]" not in toml.read_text(encoding="utf-8"):  # a folder generated before periods
        toml.write_text(toml.read_text(encoding="utf-8") + PERIODS, encoding="utf-8")
    clock = _clock(root)
    runs = 3 if quick else 5
    # the teacher's statements, as a room at the end of a period has them
    for goal in ("aac", "count"):
        try:
            _process(root, clock, ["progress", "S05", goal, "--period", "Q1", "--status", "sufficient progress",
                                   "--comment", "Steady gains", "--as", "MR"], 1)
        except SystemExit:
            break  # a goal this room's R.N. does not have: the report says "no statement yet"
    configs: list[tuple[str, list[str]]] = [("startup", ["--version"]),
                                            *((f"year {f}", ["report", "S05", "--format", f])
                                              for f in ("md", "csv", "html", "json")),
                                            *((f"period {p} {f}", ["report", "S05", "--period", p, "--format", f])
                                              for p in ("Q1", "Q2") for f in ("html", "md", "json", "csv"))]
    times: dict[str, list[float]] = {k: [] for k, _ in configs}
    for _ in range(runs):  # the processes take turns, so the machine's noise hits them alike
        for k, args in configs:
            times[k].append(_process(root, clock, [*args, *(["--chart", "builtin"] if "html" in args else [])], 1))
    startup, year_md = median(times["startup"]), median(times["year md"])
    rows = [Row("`paratui --version` (start-up, the baseline)", ms(startup), target="info"),
            Row(f"year report S05 --format md ({count} events)", ms(year_md), ms(startup), year_md / startup,
                f"≤ {REPORT_S:g} s", year_md <= REPORT_S)]
    for k, args in configs[2:]:
        secs = median(times[k])
        label = f"{'progress' if 'period' in k else 'year'} report S05 {' '.join(args[2:])}"
        rows.append(Row(label, ms(secs), f"year md {ms(year_md)}", secs / year_md, f"≤ {REPORT_S:g} s",
                        secs <= REPORT_S))
    save("years-reports", rows, {"clock": clock, "events": count})
    return rows


def run(quick: bool = False, days: tuple[int, ...] = (1, 20, 180, 540), workdir: Path = OUT) -> list[Row]:
    n = 40 if quick else 120
    sources = {d: pristine_year(d, workdir) for d in days}
    clocks = {_clock(src) for src, _ in sources.values()}
    if len(clocks) != 1:
        raise SystemExit(f"the generated folders end on different days: {clocks}")
    roots = {f"day {d}": fresh_copy(src, f"years-{d}", workdir) for d, (src, _) in sources.items()}
    os.sync()
    clock = clocks.pop()
    firsts = first_reads(roots, clock, 3 if quick else 7)
    res = measure(roots, clock, n)
    first, base, last = f"day {days[0]}", f"day {days[1] if len(days) > 2 else days[0]}", f"day {days[-1]}"
    for k, r in res.items():
        count = sources[int(k.split()[1])][1]
        line = (f"  {k} ({count} events): write {ms(median(r['write']))}, refresh {ms(median(r['refresh']))}, "
                f"no-op snapshot {ms(median(r['noop']))}, fold {ms(median(r['fold']))}")
        if r["noop_stats"]:
            line += f" ({median(r['noop_stats']):.0f} journal entries)"
        if r["tick"]:
            line += f"; poll tick {ms(median(r['tick']))} ({median(r['tick_entries']):.0f} entries)"
        line += f"; whole tree {ms(median(r['tree']))} ({median(r['tree_entries']):.0f} entries)"
        print(line, file=sys.stderr)

    def row(figure: str, key: str, fmt=ms, target: bool = True) -> Row:
        a, b, one = res[base][key], res[last][key], res[first][key]
        if not a or not b:
            return Row(figure, "n/a", target="(not in this version)")
        va, vb, v1 = median(a), median(b), median(one)
        ratio = vb / va if va else None
        also = f"; {fmt(v1)} ({first}, ×{vb / v1:.2f})" if base != first and v1 else ""
        return Row(figure, fmt(vb), f"{fmt(va)} ({base}){also}", ratio,
                   f"ratio ≤ {FLAT}" if target else "info", (ratio is not None and ratio <= FLAT) if target else None)

    count = lambda v: f"{v:.0f}"  # noqa: E731
    for k, f in firsts.items():
        print(f"  {k}: first read (new process: snapshot + board) {ms(median(f['cold']))} without the "
              f"closed-month cache, {ms(median(f['second']))} the next start, {ms(median(f['warm']))} "
              "the one after (the cache holds the old tasks recent events are about)", file=sys.stderr)
    firsts_row = [Row(f"first read of the folder, {k} (p50): no cache / next start / the one after",
                      f"{ms(median(f['cold']))} / {ms(median(f['second']))} / {ms(median(f['warm']))}",
                      target="info")
                  for k, f in firsts.items()]
    warm_base, warm_last = median(firsts[base]["warm"]), median(firsts[last]["warm"])
    firsts_row.append(Row(f"first read with the cache, {last} vs {base}", ms(warm_last), ms(warm_base),
                          warm_last / warm_base, f"ratio ≤ {FLAT}", warm_last / warm_base <= FLAT))
    rows = firsts_row + [
        row(f"write in-app, {last} (p50)", "write"),
        row(f"board refresh after a write, {last} (p50)", "refresh"),
        row(f"reload that finds nothing new (snapshot), {last} (p50)", "noop"),
        row(f"  journal entries stat'ed by that reload, {last}", "noop_stats", count, target=False),
        row(f"  fold (Room.board) on its own, {last} (p50)", "fold"),
        row(f"poll tick (where the board reads), {last}", "tick"),
        row(f"  entries lstat'ed per poll tick, {last}", "tick_entries", count),
        row(f"poll tick walking the whole tree (before), {last}", "tree", target=False),
        row(f"  entries lstat'ed walking the whole tree, {last}", "tree_entries", count, target=False),
    ]
    save("years", rows, {"days": list(days), "results": res, "first_reads": firsts})
    return rows + period_reports(quick, workdir)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="fewer repetitions")
    p.add_argument("--days", default="1,20,180,540",
                   help="folder sizes in school days: first, the ordinary day compared with, …, the last")
    p.add_argument("--reports", action="store_true", help="only the reports (the 180-day folder)")
    a = p.parse_args()
    if a.reports:
        print_table(period_reports(a.quick))
        return 0
    print_table(run(a.quick, tuple(int(x) for x in a.days.split(","))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
