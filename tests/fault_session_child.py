"""A board killed mid-session, as a separate process, for tests/test_stale_sessions.py:

    python -m tests.fault_session_child DATA_DIR

At 2026-11-23 10:00 (the clock moves on a minute a step) Mr. T declares a session of K.B.'s greet
tally (the command `paratui session start` runs) and tallies 3 greetings in it at 10:02, 10:05 and
10:10; then his board (a real BoardApp, headless) opens a run of K.B.'s coins trials at 10:20 and
writes 3 trials, one a minute. Each written event's id is printed, flushed; then `ready`, and the
process waits to be killed (SIGKILL: nothing ends either session).
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime, timedelta
from pathlib import Path

from paratui.model import data_commands
from paratui.store.room import Room

START = datetime(2026, 11, 23, 10, 0)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


async def main(data: Path) -> None:
    from paratui.app.logging_sheet import LogSheet
    from tests.helpers import make_app, wait_for
    from tests.test_logging_keys import goal_key

    clock = Clock()
    room = Room(data, clock)
    say(room.apply(data_commands.session_start(room.context("JT"), "K.B.", "greet", "Arrival"), "JT").id)
    for minute in (2, 5, 10):
        clock.now = START + timedelta(minutes=minute)
        say(room.apply(data_commands.log(room.context("JT"), "K.B.", "greet"), "JT").id)
    clock.now = START + timedelta(minutes=20)
    app = make_app(data, clock, as_staff="JT", watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("l", "2")
        assert await wait_for(pilot, lambda: isinstance(app.screen, LogSheet))
        await pilot.press(goal_key(app, "coins"))
        assert await wait_for(pilot, lambda: getattr(app.screen, "stage", None) == "run")
        for key in ("plus", "minus", "plus"):
            clock.now += timedelta(minutes=1)
            n = len(app.screen.run)
            await pilot.press(key)
            assert await wait_for(pilot, lambda n=n: len(app.screen.run) == n + 1)
        say("ready")
        await asyncio.sleep(3600)  # the run stays open until the kill


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
