"""The student screen's open time on a year of logging, against a bare screen in the same run.

    python bench/bench_student.py [--runs 7]

The real BoardApp runs headless (120×40) on the generated year (bench/make_year.py, with its
quick-logging data). Once the board is painted and the room's quick-logging history is loaded (the
board does that on a thread a second after start; here it is awaited and timed on its own), each
run opens R.N.'s student screen (S05: five goals, two behaviors) the way a person does, `s` then
`5`, and waits until it is painted; and, interleaved, pushes a bare `Screen` with one Static
(baseline). Open time = key press → the screen painted (`await pilot.pause()` after it is active).
Target: ≤ 200 ms. Also printed: the history's first read and its re-read (a stat of every file), and
the process's resident memory after the history is loaded.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import time

from _common import NOW, Row, median, ms, print_table, pristine_year

TARGET_S = 0.200


async def measure(runs: int) -> list[Row]:
    from textual.screen import Screen
    from textual.widgets import Static

    from paratui.app.board_app import BoardApp
    from paratui.app.student_screen import StudentScreen
    from paratui.store import paths
    from paratui.store.history import history_for
    from paratui.store.room import Room

    root, _count = pristine_year(180)
    app = BoardApp(Room(root), as_staff="JT", theme_folders=[paths.builtin_themes()], watch=False)
    bare_times: list[float] = []
    open_times: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        history = history_for(root)
        t0 = time.perf_counter()
        history.load_now()
        first_read = time.perf_counter() - t0
        t0 = time.perf_counter()
        history.load_now()
        reread = time.perf_counter() - t0
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        for _ in range(runs):
            class Bare(Screen[None]):
                def compose(self):
                    yield Static("bare")

            t0 = time.perf_counter()
            app.push_screen(Bare())
            await pilot.pause()
            bare_times.append(time.perf_counter() - t0)
            app.pop_screen()
            await pilot.pause()

            t0 = time.perf_counter()
            await pilot.press("s", "5")
            while not isinstance(app.screen, StudentScreen):
                await pilot.pause(0.001)
            await pilot.pause()
            open_times.append(time.perf_counter() - t0)
            await pilot.press("escape")
            await pilot.pause()
            await app.workers.wait_for_complete()
    bare, opened = median(bare_times), median(open_times)
    return [
        Row("student screen open (s 5, R.N.), median", ms(opened), f"bare screen {ms(bare)}",
            opened / bare if bare else None, "≤ 200 ms", opened <= TARGET_S),
        Row("… slowest of the runs", ms(max(open_times)), f"bare {ms(max(bare_times))}"),
        Row("history first read (thread, after start)", ms(first_read), "", None, "informational"),
        Row("history re-read (nothing changed)", ms(reread), "", None, "informational"),
        Row("process peak RSS with the history", f"{rss:.1f} MiB", "", None, "informational"),
    ]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=7)
    args = p.parse_args()
    os.environ.setdefault("PARATUI_NOW", NOW)
    print_table(asyncio.run(measure(args.runs)))


if __name__ == "__main__":
    main()
