"""The student screen's open time on a year of logging, against a bare screen in the same run.

    python bench/bench_student.py [--runs 7]

The real BoardApp runs headless (120×40) on the generated year (bench/make_year.py, with its
quick-logging data). Once the board is painted and the room's quick-logging history is loaded (the
board does that on a thread a second after start; here it is awaited and timed on its own), each
run pushes R.N.'s student screen (S05: five goals, two behaviors) and waits until it is painted
(`await pilot.pause()`), then a bare `Screen` with one Static the same way (the baseline); and then
both again the way a person opens them, `s` then `5` (the board's picker included). Target: the
screen's own open ≤ 200 ms. Also printed: the history's first read and its re-read (a stat of every file), and
the process's peak resident memory after the history is loaded and after the screens (issue 9: ≤ 60 MiB,
a figure for the real terminal process: its VmHWM, the student screen opened and closed a few times).
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
    class Bare(Screen[None]):
        def __init__(self, student_id: str = ""):
            super().__init__()

        def compose(self):
            yield Static("bare")

    from paratui.app import student_screen

    push: dict[str, list[float]] = {"student": [], "bare": [], "cold": []}
    forget = getattr(getattr(student_screen, "LastView", None), "forget", lambda: None)
    keys: dict[str, list[float]] = {"student": [], "bare": []}
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        history = history_for(root)
        rss_board = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        t0 = time.perf_counter()
        history.load_now()
        first_read = time.perf_counter() - t0
        t0 = time.perf_counter()
        history.load_now()
        reread = time.perf_counter() - t0
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        # Data due's decision marks: every student's year folded (on the board's thread) before the
        # screens are timed, so the open below is what a board running all day does
        marks_s, marks = await _marks(app, pilot)
        for _ in range(runs):
            # the year folded afresh (no view kept from an earlier open: the first open after a change)
            forget()
            t0 = time.perf_counter()
            app.push_screen(StudentScreen("S05"))
            await pilot.pause()
            push["cold"].append(time.perf_counter() - t0)
            app.pop_screen()
            await pilot.pause()
            await app.workers.wait_for_complete()
            for kind, cls in (("student", StudentScreen), ("bare", Bare)):
                # the screen itself: pushed → painted
                t0 = time.perf_counter()
                app.push_screen(cls("S05"))
                await pilot.pause()
                push[kind].append(time.perf_counter() - t0)
                app.pop_screen()
                await pilot.pause()
                # what a person does: `s`, the picker, `5` → painted (the bare run opens a bare
                # screen from the same picker)
                student_screen.StudentScreen = cls  # type: ignore[misc]  # action_student imports it
                try:
                    t0 = time.perf_counter()
                    await pilot.press("s", "5")
                    while not isinstance(app.screen, cls):
                        await pilot.pause(0.001)
                    await pilot.pause()
                    keys[kind].append(time.perf_counter() - t0)
                finally:
                    student_screen.StudentScreen = StudentScreen  # type: ignore[misc]
                await pilot.press("escape")
                await pilot.pause()
                if kind == "bare":
                    app.pop_screen()
                    await pilot.pause()
                await app.workers.wait_for_complete()
    rss_screen = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    opened, bare = median(push["student"]), median(push["bare"])
    k_open, k_bare = median(keys["student"]), median(keys["bare"])
    return [
        Row("Data due decision marks: every student's year folded (thread)", ms(marks_s),
            f"history first read {ms(first_read)}", marks_s / first_read if first_read else None,
            f"informational ({marks} goals marked)"),
        Row("student screen (R.N.) pushed → painted, median", ms(opened), f"bare screen {ms(bare)}",
            opened / bare if bare else None, "≤ 200 ms", opened <= TARGET_S),
        Row("… slowest of the runs", ms(max(push["student"])), f"bare {ms(max(push['bare']))}"),
        Row("… the year folded afresh (no view kept: the first open after a change), median",
            ms(median(push["cold"])), f"bare screen {ms(bare)}", median(push["cold"]) / bare if bare else None,
            "informational"),
        Row("`s` `5` (picker included) → painted, median", ms(k_open), f"same keys, bare {ms(k_bare)}",
            k_open / k_bare if k_bare else None, "informational"),
        Row("history first read (thread, after start)", ms(first_read), "", None, "informational"),
        Row("history re-read (nothing changed)", ms(reread), "", None, "informational"),
        Row("peak RSS of this process (board + history)", f"{rss:.1f} MiB", f"board alone {rss_board:.1f} MiB",
            None, "≤ 60 MiB", rss <= 60),
        Row(f"… after the student screen opened and closed {2 * runs}× (charts, R.N.'s year folded)",
            f"{rss_screen:.1f} MiB", f"board + history {rss:.1f} MiB", None, "informational"),
    ]


async def _marks(app, pilot) -> tuple[float, int]:
    """The time the board's decision marks take to fold every student from the loaded history."""
    from paratui.app.board_screen import BoardScreen

    board = app.screen
    flags = board._flags if isinstance(board, BoardScreen) else None
    if flags is None:  # the code before the marks
        return 0.0, 0
    while flags._running:  # one the history's arrival may have started
        await pilot.pause(0.01)
    flags._keys.clear()  # fold every student again, timed
    flags._seen = None
    t0 = time.perf_counter()
    flags.update(app.snapshot, lambda: None)
    while flags._running:
        await pilot.pause(0.005)
    return time.perf_counter() - t0, len(flags.marks)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=7)
    args = p.parse_args()
    os.environ.setdefault("PARATUI_NOW", NOW)
    print_table(asyncio.run(measure(args.runs)))


if __name__ == "__main__":
    main()
