"""Where the board's start-up time goes, phase by phase (what each millisecond buys).

    python bench/startup_phases.py [--runs 5] [--days 180]

Each run is a fresh process (this script with --child) starting the real BoardApp headless at
120×40 on the generated school year, timing: the imports (Textual's own, then paratui's modules,
then Rich's Markdown for the binder pane); reading the folder; the first fold and draw of every
pane; each layout and paint Textual does before the first frame is complete. Medians of the runs;
`bench_startup.py` measures the same start against a bare Textual app.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def child(data: str) -> None:
    t0 = time.perf_counter()
    import gc

    gc.disable()  # as `paratui` does until the first paint
    marks: dict[str, float] = {}
    import textual.app  # noqa: F401
    import textual.widgets  # noqa: F401

    marks["imports: Textual"] = time.perf_counter() - t0
    t = time.perf_counter()
    import rich.markdown  # noqa: F401

    marks["imports: Rich Markdown (binder pane)"] = time.perf_counter() - t
    t = time.perf_counter()
    from textual.screen import Screen

    from paratui.app.board_app import BoardApp
    from paratui.store import paths
    from paratui.store.room import Room

    marks["imports: paratui"] = time.perf_counter() - t
    spans: dict[str, float] = {}

    def timed(cls, name: str, label: str) -> None:
        original = getattr(cls, name)

        def wrapper(self, *a, **k):
            start = time.perf_counter()
            try:
                return original(self, *a, **k)
            finally:
                spans[label] = spans.get(label, 0.0) + time.perf_counter() - start

        setattr(cls, name, wrapper)

    timed(Screen, "_refresh_layout", "Textual: layouts (incl. paints)")
    timed(Screen, "_compositor_refresh", "Textual: paints to the screen")
    timed(BoardApp, "board_ready", "first fold of the journal + drawing every pane")
    t = time.perf_counter()
    room = Room(Path(data))
    room.snapshot()
    marks["reading the folder (a school year)"] = time.perf_counter() - t
    app = BoardApp(room, as_staff="JT", theme_folders=[paths.builtin_themes()], watch=False)
    t_run = time.perf_counter()

    async def first_paint(pilot) -> None:
        await pilot.pause()
        marks["run: compose → first complete frame"] = time.perf_counter() - t_run
        marks["total"] = time.perf_counter() - t0
        pilot.app.exit()

    app.run(headless=True, size=(120, 40), auto_pilot=first_paint)
    print(json.dumps({**marks, **{f"  of which {k}": v for k, v in spans.items()}}))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--days", type=int, default=180)
    p.add_argument("--child")
    args = p.parse_args()
    if args.child:
        child(args.child)
        return
    sys.path.insert(0, str(BENCH))
    from _common import NOW, pristine_year

    year, count = pristine_year(args.days)
    env = {**os.environ, "PARATUI_NOW": NOW}
    runs = []
    for i in range(args.runs + 1):
        r = subprocess.run([sys.executable, __file__, "--child", str(year)], env=env, capture_output=True,
                           text=True, timeout=120)
        if r.returncode != 0:
            raise SystemExit(r.stderr[-2000:])
        if i:  # the first run warms the file cache and the .pyc files
            runs.append(json.loads(r.stdout.strip().splitlines()[-1]))
    print(f"start-up phases, {count // 1000}k-event year, 120×40, median of {args.runs}:")
    for key in runs[0]:
        print(f"  {key:55} {statistics.median(r[key] for r in runs) * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
