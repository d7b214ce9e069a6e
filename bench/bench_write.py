"""Cost of one write on day 1 vs day 180 of a school year, and vs one naive TinyDB file.

    python bench/bench_write.py [--quick]

* in-app: `Room.record("move"/"back", ...)` in this process (what the board does for a key press),
  median of N writes, into a day file that already holds that writer's events of a busy day;
* in-app + refresh: the same plus what the board does right after (`Room.snapshot()` +
  `Room.board()`), for information;
* CLI: `python -m paratui move S01 --to bathroom --as JT` as a subprocess, wall time, median of M;
* naive: one `tinydb.TinyDB` file (default JSONStorage) already holding the whole journal;
  insert one event (the shape a "simple" design would have on day 1 and day 180).

Day 1 = a data folder holding one generated school day; day 180 = the whole generated year.
Both write at 14:00 of the last generated school day, as host room12-ws / login jthomas.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from _common import OUT, Row, fresh_copy, median, ms, pct, print_table, pristine_year, save

TARGET_S = 0.005
FLAT = 1.5


def _env(clock: str) -> dict[str, str]:
    return {**os.environ, "PARATUI_NOW": clock, "PARATUI_HOST": "room12-ws", "PARATUI_LOGIN": "jthomas"}


def _last_day(root: Path) -> str:
    days = sorted(p.name for p in (root / "journal").iterdir() if p.name[:2] == "20")
    return days[-1]


def one_day_of(year: Path, workdir: Path) -> Path:
    """Day 1 of a room: the year's last school day alone (same day files, same writer file to append to),
    with only that day's task events."""
    import shutil

    day = _last_day(year)
    target = workdir / "year-1d"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(year, target, ignore=lambda d, names: (
        ["journal", *(n for n in names if n.startswith(".count"))] if Path(d) == year else []))
    (target / "journal").mkdir()
    shutil.copytree(year / "journal" / day, target / "journal" / day)
    log_day = year / "journal" / "log" / day[:7] / day[8:]
    if log_day.is_dir():  # that day's quick-logging entries (the log stream)
        shutil.copytree(log_day, target / "journal" / "log" / day[:7] / day[8:])
    for f in (year / "journal" / "tasks").rglob("*.json"):
        docs = [d for d in json.loads(f.read_bytes())["_default"].values() if d["time"].startswith(day)]
        if docs:
            out = target / f.relative_to(year)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps({"_default": {str(i): d for i, d in enumerate(docs, 1)}}))
    return target


def fsync_floor(folder: Path, n: int, size: int = 20_000) -> list[float]:
    """The disk's floor: one atomic, durable replace of a day-file-sized file (temp + fsync + rename +
    fsync of the folder), the least any durable write can cost here."""
    from paratui.store.atomic import atomic_write

    data = b"x" * size
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        atomic_write(folder / "floor.bin", data)
        times.append(time.perf_counter() - t0)
    return times


def in_app(roots: list[Path], clock: str, n: int, fsync: bool = True) -> list[tuple[list[float], list[float]]]:
    """n writes into each folder, interleaved (so disk noise hits all of them alike).
    fsync=False: the same with os.fsync made a no-op (the CPU part of a write)."""
    from paratui.store.room import Room

    real_fsync = os.fsync
    if not fsync:
        os.fsync = lambda fd: None

    saved = {k: os.environ.get(k) for k in ("PARATUI_NOW", "PARATUI_HOST", "PARATUI_LOGIN")}
    os.environ.update(_env(clock))
    try:
        rooms = [Room(root) for root in roots]
        for room in rooms:
            room.snapshot()  # the board has read the folder before anyone presses a key
        out = [([], []) for _ in rooms]
        for i in range(n):
            for room, (write, refresh) in zip(rooms, out):
                t0 = time.perf_counter()
                if i % 2 == 0:
                    room.record("move", "JT", {"student": "S01", "to": "bathroom", "with": ["JT"]})
                else:
                    room.record("back", "JT", {"student": "S01"})
                t1 = time.perf_counter()
                room.board(room.snapshot())
                t2 = time.perf_counter()
                write.append(t1 - t0)
                refresh.append(t2 - t0)
        return out
    finally:
        os.fsync = real_fsync
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def cli(roots: list[Path], clock: str, n: int) -> list[list[float]]:
    env = _env(clock)
    out = [[] for _ in roots]
    for i in range(n):
        cmd = ["move", "S01", "--to", "bathroom"] if i % 2 == 0 else ["back", "S01"]
        for root, times in zip(roots, out):
            t0 = time.perf_counter()
            r = subprocess.run([sys.executable, "-m", "paratui", "--data", str(root), *cmd, "--as", "JT"],
                               env=env, capture_output=True, text=True)
            times.append(time.perf_counter() - t0)
            if r.returncode != 0:
                raise SystemExit(f"CLI failed: {r.stderr}")
    return out


def naive(root: Path, clock: str, n: int, path: Path) -> tuple[list[float], int]:
    """Every event of `root` in one TinyDB file (default JSONStorage), then n inserts."""
    from datetime import datetime

    from tinydb import TinyDB

    from paratui.store.journal import new_event

    docs = []
    for f in sorted((root / "journal").rglob("*.json")):
        docs.extend(json.loads(f.read_bytes())["_default"].values())
    docs.sort(key=lambda d: d["written"])
    path.write_text(json.dumps({"_default": {str(i): d for i, d in enumerate(docs, 1)}}))
    when = datetime.fromisoformat(clock)
    db = TinyDB(path)
    times = []
    try:
        for _i in range(n):
            ev = new_event("move", "JT", {"student": "S01", "to": "bathroom", "with": ["JT"]}, when,
                           "jthomas", "room12-ws")
            t0 = time.perf_counter()
            db.insert(ev.to_doc())
            times.append(time.perf_counter() - t0)
    finally:
        db.close()
    return times, len(docs)


def run(quick: bool = False, workdir: Path = OUT) -> list[Row]:
    n_app, n_cli, n_naive_big = (60, 8, 3) if quick else (200, 20, 5)
    year, count = pristine_year(180, workdir)
    one_day_src = one_day_of(year, workdir)
    clock = f"{_last_day(year)}T14:00"
    labels = ("day 1", "day 180")
    roots = [fresh_copy(src, f"write-{i}", workdir) for i, src in enumerate((one_day_src, year))]
    os.sync()  # the copies' dirty pages must not slow the first fsyncs down
    apps = in_app(roots, clock, n_app)
    floor = fsync_floor(workdir / "work", n_app // 2)
    nofsync = in_app(roots, clock, n_app, fsync=False)
    clis = cli(roots, clock, n_cli)
    results = {}
    for label, src, (w, r), c in zip(labels, (one_day_src, year), apps, clis):
        nv, ndocs = naive(src, clock, n_app if label == "day 1" else n_naive_big,
                          workdir / "work" / f"naive-{label.replace(' ', '')}.json")
        results[label] = dict(write=w, refresh=r, cli=c, naive=nv, naive_docs=ndocs)
        print(f"  {label}: in-app p50 {ms(median(w))} p95 {ms(pct(w, 95))}; +refresh p50 {ms(median(r))}; "
              f"CLI p50 {ms(median(c))}; naive TinyDB ({ndocs} docs) p50 {ms(median(nv))}", file=sys.stderr)
    d1, d180 = results["day 1"], results["day 180"]
    w1, w180 = median(d1["write"]), median(d180["write"])
    r1, r180 = median(d1["refresh"]), median(d180["refresh"])
    c1, c180 = median(d1["cli"]), median(d180["cli"])
    n1, n180 = median(d1["naive"]), median(d180["naive"])
    f0 = median(floor)
    cpu1, cpu180 = median(nofsync[0][0]), median(nofsync[1][0])
    print(f"  disk floor (atomic 20 kB replace) p50 {ms(f0)} p95 {ms(pct(floor, 95))}; "
          f"write without fsync day 1 {ms(cpu1)}, day 180 {ms(cpu180)}", file=sys.stderr)
    rows = [
        Row("write in-app, day 1 (p50)", ms(w1), target=f"≤ {TARGET_S * 1000:g} ms", ok=w1 <= TARGET_S),
        Row("write in-app, day 180 (p50)", ms(w180), ms(w1) + " (day 1)", w180 / w1,
            f"≤ {TARGET_S * 1000:g} ms, ratio ≤ {FLAT}", w180 <= TARGET_S and w180 / w1 <= FLAT),
        Row("write in-app, day 180, os.fsync stubbed", ms(cpu180), ms(cpu1) + " (day 1)", cpu180 / cpu1,
            f"ratio ≤ {FLAT}", cpu180 / cpu1 <= FLAT),
        Row("write in-app day 180 vs disk floor", ms(w180), ms(f0) + " (1 atomic write)", w180 / f0, "info"),
        Row("write in-app, day 180 (p95)", ms(pct(d180["write"], 95)), ms(pct(d1["write"], 95)) + " (day 1)",
            pct(d180["write"], 95) / pct(d1["write"], 95), "info"),
        Row("write in-app day 180 vs naive TinyDB", ms(w180), ms(n180) + f" ({d180['naive_docs']} docs)",
            w180 / n180, "≤ 1 (info)", None),
        Row("naive TinyDB insert, day 1 → day 180", ms(n180), ms(n1) + f" ({d1['naive_docs']} docs)",
            n180 / n1, "info (what we avoid)", None),
        Row("write + board refresh in-app, day 180", ms(r180), ms(r1) + " (day 1)", r180 / r1,
            f"ratio ≤ {FLAT} (info)", None),
        Row("write via CLI subprocess, day 180 (p50)", ms(c180), ms(c1) + " (day 1)", c180 / c1,
            f"ratio ≤ {FLAT}", c180 / c1 <= FLAT),
    ]
    save("write", rows, {**results, "floor": floor, "nofsync": nofsync})
    return rows


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="fewer repetitions")
    a = p.parse_args()
    print_table(run(a.quick))
    return 0


if __name__ == "__main__":
    sys.exit(main())
