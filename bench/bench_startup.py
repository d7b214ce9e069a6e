"""Start-up to the first painted board with a whole school year, vs a bare Textual app; peak memory.

    python bench/bench_startup.py [--runs 5] [--quick]

Each start is a fresh `python` process (bench/_startup_child.py) running the app headless at
120×40; the two kinds alternate so machine noise hits both alike. Start-up = the child's
time.time() once the first screen is painted (after `await pilot.pause()` in an auto-pilot)
minus the parent's time.time() just before spawning it: interpreter start, imports, reading the
folder, building and painting. Peak memory = the child's VmHWM just before it exits. Medians.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from _common import BENCH, NOW, OUT, Row, median, ms, print_table, pristine_year, save

TARGET_RATIO = 1.3
TARGET_MIB = 60


def one(mode: str, data: Path | None) -> dict:
    env = {**os.environ, "PARATUI_NOW": NOW, "PARATUI_HOST": "room12-ws", "PARATUI_LOGIN": "jthomas"}
    cmd = [sys.executable, str(BENCH / "_startup_child.py"), mode] + ([str(data)] if data else [])
    t0 = time.time()
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    t_exit = time.time()
    if r.returncode != 0:
        raise SystemExit(f"start-up child {mode} failed:\n{r.stderr}")
    s = json.loads(r.stdout.strip().splitlines()[-1])
    return {"mode": mode, "paint": s["painted"] - t0, "interp": s["start"] - t0,
            "imports": s["imported"] - s["start"], "build": s["built"] - s["imported"],
            "run": s["painted"] - s["built"], "exit": t_exit - t0, "hwm_mib": s["hwm_kib"] / 1024,
            "tasks": s.get("tasks_on_board")}


def run(runs: int = 5, quick: bool = False, workdir: Path = OUT) -> list[Row]:
    if quick:
        runs = min(runs, 3)
    year, count = pristine_year(180, workdir)  # read only: the board at start-up does not write
    one("bare", None)  # warm the OS file cache and the .pyc files for both
    one("board", year)
    res: dict[str, list[dict]] = {"bare": [], "board": []}
    for _ in range(runs):
        res["bare"].append(one("bare", None))
        res["board"].append(one("board", year))

    def m(mode, key):
        return median([r[key] for r in res[mode]])

    for mode in ("bare", "board"):
        print(f"  {mode:5}: first paint {ms(m(mode, 'paint'))} = interpreter {ms(m(mode, 'interp'))} + imports "
              f"{ms(m(mode, 'imports'))} + build {ms(m(mode, 'build'))} + run-to-paint {ms(m(mode, 'run'))}; "
              f"process exit {ms(m(mode, 'exit'))}; VmHWM {m(mode, 'hwm_mib'):.1f} MiB", file=sys.stderr)
    b, p = m("bare", "paint"), m("board", "paint")
    hb, hp = m("bare", "hwm_mib"), m("board", "hwm_mib")
    rows = [
        Row(f"start-up to first board, {count // 1000}k-event year (median of {runs})", ms(p),
            ms(b) + " (bare Header+Footer)", p / b, f"≤ {TARGET_RATIO}×", p / b <= TARGET_RATIO),
        Row("peak memory (VmHWM) of the board", f"{hp:.1f} MiB", f"{hb:.1f} MiB (bare)", hp / hb,
            f"≤ {TARGET_MIB} MiB", hp <= TARGET_MIB),
    ]
    save("startup", rows, {"runs": res})
    return rows


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--quick", action="store_true")
    a = p.parse_args()
    print_table(run(a.runs, a.quick))
    return 0


if __name__ == "__main__":
    sys.exit(main())
