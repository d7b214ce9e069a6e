"""The board tells the truth at a glance (issue 21): every urgent note seen, an old note's day, `b`
back to where the schedule places a student, no contradictory words, no alarm colour for normal
states, the demo at the start of the day, timers in m:ss, one-choice pickers that act at once."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

from paratui.app.routine_panes import UrgentBanner
from paratui.model import commands
from paratui.store.room import Room
from tests.helpers import NOW_DT, make_app, settle, text


def _write(root: Path, at: datetime, actor: str, make) -> None:
    room = Room(root, clock=lambda: at)
    room.apply(make(room.context(actor)), actor)


def _urgent(root: Path, at: datetime, body: str, to: list[str] | None = None, actor: str = "MR") -> None:
    _write(root, at, actor, lambda ctx: commands.note(ctx, body, to, urgent=True))


async def test_a_safety_note_to_me_is_seen_among_ten_urgent_ones_at_80x24(room_dir):
    start = NOW_DT - timedelta(minutes=40)
    # the safety note is the oldest: the nine later ones are to Ms. L only, so "mine" comes first
    _urgent(room_dir, start, "SEIZURE — R.N. in the hallway", ["JT"])
    for i in range(9):
        _urgent(room_dir, start + timedelta(minutes=i + 1), f"Reminder number {i + 1} about the copier", ["AL"])
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        banner = text(app, UrgentBanner)
        assert "SEIZURE" in banner
        assert re.search(r"\+\d+ more urgent", banner), banner
        shown = banner.count("Reminder number")
        assert f"+{9 - shown} more urgent" in banner
        assert banner.splitlines()[0].startswith(f"{start:%H:%M}")  # first, though oldest


async def test_the_newest_urgent_note_comes_first_and_tall_screens_list_more(room_dir):
    start = NOW_DT - timedelta(minutes=40)
    for i in range(9):
        _urgent(room_dir, start + timedelta(minutes=i), f"Reminder number {i + 1} about the copier")
    _urgent(room_dir, start + timedelta(minutes=20), "SEIZURE — R.N. in the hallway", ["JT"], actor="AL")
    app = make_app(room_dir, as_staff="MR")  # none is waiting for MR (the writer): newest first
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        short = text(app, UrgentBanner)
        assert short.splitlines()[0].startswith(f"{start + timedelta(minutes=20):%H:%M}")
        assert "SEIZURE" in short and "more urgent" in short
        assert len(short.splitlines()) <= UrgentBanner.SHORT_ROWS
    app = make_app(room_dir, as_staff="MR")
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(pilot)
        tall = text(app, UrgentBanner)
        assert tall.count("Reminder number") > short.count("Reminder number")
        assert "SEIZURE" in tall


async def test_an_urgent_note_from_an_earlier_day_says_its_day(room_dir):
    _urgent(room_dir, datetime(2026, 11, 19, 7, 52), "Fire drill at 13:20 today")  # a Thursday
    _urgent(room_dir, NOW_DT - timedelta(minutes=5), "Today's one")
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        banner = text(app, UrgentBanner)
        assert "Thu 07:52 URGENT" in banner
        assert f"{NOW_DT - timedelta(minutes=5):%H:%M} URGENT" in banner
        assert "Mon " not in banner
