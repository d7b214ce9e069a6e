"""Issue 22's "done when": a room like the seeds' set up from an empty folder with the setup screens
alone, driven by keys (Pilot) — `paratui init`'s questions (8 students; a teacher, 2 paras, a
one-to-one, a speech therapist, a sub), one goal of each of the 8 kinds (`paratui setup goal`), a
five-day week with groups, staggered staff lunches and a speech service (`paratui setup week`) —
then `paratui check` passes on the folder (its own process) and the board shows the right adults,
students and places at three times of a Tuesday: reading groups, the first staff lunch, and the
afternoon speech pull-out.

`ROOM_KEYS`, `GOAL_KEYS` and `WEEK_KEYS` are what a person types (docs/setup.md counts them)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tomllib
from datetime import date
from pathlib import Path

import pytest

from paratui.app import setup_app
from paratui.app.goal_setup import GoalApp
from paratui.app.panes import AdultsPane, OutPane, StudentsPane, UncoveredPane
from paratui.app.status import StatusBar
from paratui.app.week_setup import WeekApp
from paratui.model.goals import KINDS
from paratui.store import paths
from paratui.store.room import Room
from paratui.store.student_file import read_room_file, read_student_file
from tests.helpers import make_app, text, wait_for
from tests.test_setup_app import STAFF, STUDENTS, fields, keys


def _room_keys() -> list[str]:
    """`paratui init`'s questions: the room, the staff, the students, every place, a 08:30-14:30
    day of 45-minute periods (8 blocks), write."""
    out = ["ctrl+a", "ctrl+k", *fields("Room 12"), "ctrl+a", "ctrl+k", *fields("America/Chicago")]
    for adult in STAFF:
        out += fields(*adult)
    out += ["enter"]
    for pupil in STUDENTS:
        out += fields(*pupil)
    out += ["enter", "enter", "enter"]  # the students are done; the places as ticked
    out += ["ctrl+a", "ctrl+k", *fields("08:30"), "ctrl+a", "ctrl+k", *fields("14:30"), "ctrl+a", "ctrl+k",
            *fields("45"), "enter"]
    return out


ROOM_KEYS = _room_keys()

# One goal of each kind: (student, the form's fields in order after the kind's digit).
GOALS = {
    "tally": ("S01", ["Raises a hand to speak", "", "behavior", "", "at_least 8 over 3", "JT", "morning meeting"]),
    "trials": ("S02", ["Counts coins to $1", "", "academic", "20%", "", "Mr. T", "math"]),
    "duration": ("S03", ["Stays with the group", "", "behavior", "", "at_least 600", "", ""]),
    "latency": ("S04", ["Starts work after the instruction", "", "", "", "at_most 30 over 4", "", ""]),
    "task_analysis": ("S05", ["Washes hands", "", "self-care", "", "", "DP", "before lunch",
                              "Water on; Soap; Rub; Rinse; Dry"]),
    "interval": ("S06", ["On task in centers", "", "", "", "", "", "", "15", "whole"]),
    "mts": ("S07", ["In seat at the bell", "", "", "", "90% over 2", "", "", "60"]),
    "abc": ("S08", ["Throwing materials", "", "behavior", "", "at_most 2 over 5", "", "",
                    "Throws an object more than 1 m", "escape"]),
}
GOAL_KEYS = {kind: [str(KINDS.index(kind) + 1), "enter", *fields(*form), "enter"] for kind, (_, form) in GOALS.items()}


def _rename(activity: str) -> list[str]:
    """`e` on a block: its time kept, its activity typed over, its place kept."""
    return ["e", "enter", "ctrl+u", *keys(activity), "enter", "enter"]


# The week, from the day screen (Monday, the first block): staff MR JT AL DP SK SUB in that order.
WEEK_KEYS = [
    "g", "n", *fields("readers_a", "S01 S02 S03 S04"), "n", *fields("readers_b", "S05 S06 S07 S08"), "escape",
    *_rename("Arrival & morning meeting"),                                       # 08:30 everyone with all
    "down", *_rename("Reading groups"), "w", "g", "down", "g", "g", "enter",     # 09:15 MR readers_a, JT _b
    "down", *_rename("Math"),                                                    # 10:00
    "down", *_rename("Specials"),                                                # 10:45
    "down", *_rename("Lunch"), "w", "l", "down", "s", "n", *["down"] * 4, "space", "enter",
    "down", "down", "l", "enter",                                                # 11:30 MR + DP at lunch, JT has R.N.
    "down", *_rename("Recess"), "w", "down", "l", "enter",                       # 12:15 JT at lunch
    "down", *_rename("Read-aloud"), "w", "down", "down", "l", "enter",           # 13:00 AL at lunch
    "down", *_rename("Work stations"),                                           # 13:45
    "v", "n", *fields("Speech", "SK", "R.N.", "tue thu", "13:45-14:15", "library"), "escape",
    "c", "ctrl+s", "escape",
]

TUESDAY = "2026-11-24"


async def _set_up(target: Path) -> None:
    app = setup_app.SetupApp(target, login="tester", time_zone="America/Chicago", full_name="Maria Rivera",
                             theme_folders=[paths.builtin_themes()])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*ROOM_KEYS)
        assert await wait_for(pilot, lambda: isinstance(app.screen, setup_app.DoneScreen))
        await pilot.press("enter")
    assert app.return_value == target
    for kind, (sid, _) in GOALS.items():
        classroom = Room(target).snapshot().classroom
        goal = GoalApp(target, classroom, classroom.student_by_id()[sid], read_student_file(target, sid),
                       date.fromisoformat(TUESDAY))
        async with goal.run_test(size=(80, 24)) as pilot:
            await pilot.press(*GOAL_KEYS[kind])
            assert await wait_for(pilot, lambda g=goal: not g.is_running), kind
        assert goal.return_value, kind
    week = WeekApp(target, Room(target).snapshot().classroom, read_room_file(target, "schedule.toml"), "monday")
    async with week.run_test(size=(80, 24)) as pilot:
        await pilot.press(*WEEK_KEYS)
        assert await wait_for(pilot, lambda: not week.is_running)
    assert week.return_value is True


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The room, set up once for the tests below (as tests/conftest.py isolates each test)."""
    base = tmp_path_factory.mktemp("done")
    target = base / "room12"
    with pytest.MonkeyPatch.context() as mp:
        for key in [k for k in os.environ if k.startswith("PARATUI_")]:
            mp.delenv(key)
        mp.setenv("XDG_CACHE_HOME", str(base / "xdg-cache"))
        mp.setenv("XDG_CONFIG_HOME", str(base / "xdg-config"))
        mp.setenv("PARATUI_NOW", f"{TUESDAY}T08:00")
        mp.setenv("PARATUI_LOGIN", "tester")
        mp.setenv("PARATUI_HOST", "testhost")
        asyncio.run(_set_up(target))
    return target


def test_the_folder_passes_paratui_check_and_says_what_was_set_up(built: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "paratui", "check", "--data", str(built)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    room = tomllib.loads((built / "classroom.toml").read_text(encoding="utf-8"))
    assert room["groups"] == {"readers_a": ["S01", "S02", "S03", "S04"], "readers_b": ["S05", "S06", "S07", "S08"]}
    week = tomllib.loads((built / "schedule.toml").read_text(encoding="utf-8"))
    assert all(len(week[d]) == 8 for d in ("monday", "tuesday", "wednesday", "thursday", "friday"))
    lunches = [{k for k, v in b["with"].items() if isinstance(v, dict) and v.get("activity") == "Lunch break"}
               for b in week["friday"]]
    assert lunches[4:7] == [{"MR", "DP"}, {"JT"}, {"AL"}]  # staggered, every day
    assert week["services"] == [{"staff": "SK", "students": ["S05"], "days": ["tuesday", "thursday"],
                                 "time": "13:45-14:15", "at": "library", "activity": "Speech"}]
    kinds = sorted(g["kind"] for sid in GOALS.values()
                   for g in tomllib.loads((built / "students" / f"{sid[0]}.toml").read_text("utf-8"))["goals"])
    assert kinds == sorted(KINDS)


def _card(adults: str, short: str) -> str:
    """One adult's card on the board (their lines up to the next adult's name)."""
    lines = adults.splitlines()
    start = next(i for i, x in enumerate(lines) if x.startswith(short + " "))
    end = next((i for i in range(start + 1, len(lines)) if lines[i] and not lines[i].startswith(" ")), len(lines))
    return "\n".join(lines[start:end])


@pytest.mark.parametrize("at", ["09:30", "11:45", "14:00"])
async def test_the_board_at_three_times_of_a_tuesday(built: Path, monkeypatch: pytest.MonkeyPatch, at: str) -> None:
    monkeypatch.setenv("PARATUI_NOW", f"{TUESDAY}T{at}")
    app = make_app(built, theme_folders=[paths.builtin_themes()])
    async with app.run_test(size=(120, 40)) as pilot:
        assert await wait_for(pilot, lambda: "Room 12" in text(app, StatusBar))
        status, adults = text(app, StatusBar), text(app, AdultsPane)
        students, out, uncovered = text(app, StudentsPane), text(app, OutPane), text(app, UncoveredPane)
    assert "Every student has an adult" in uncovered
    for initials in ("E.M.", "K.B.", "L.S.", "O.W.", "R.N.", "T.H.", "E.Mo.", "I.F."):
        assert initials in students
    if at == "09:30":  # reading groups: the teacher with readers_a, a para with readers_b, the other with all
        assert "Reading groups" in status
        assert "E.M. K.B. L.S. O.W." in _card(adults, "Maria Rivera") and "R.N." not in _card(adults, "Maria Rivera")
        assert "R.N. T.H. E.Mo. I.F." in _card(adults, "Mr. T")
        assert "R.N." in _card(adults, "Ms. P") and "One-to-one" in _card(adults, "Ms. P")
    elif at == "11:45":  # the first staff lunch: the teacher and the one-to-one out, Mr. T has R.N.
        assert "Lunch" in status
        assert "Lunch break" in _card(adults, "Maria Rivera") and "Lunch break" in _card(adults, "Ms. P")
        assert "R.N." in _card(adults, "Mr. T") and "E.M." not in _card(adults, "Mr. T")
        assert "E.M. K.B." in _card(adults, "Ms. L")
    else:  # the afternoon: R.N. pulled out to the library for speech with Ms. K
        assert "Work stations" in status
        assert "R.N." in out and "Library" in out
        assert "Speech" in _card(adults, "Ms. K") and "R.N." in _card(adults, "Ms. K")
        assert "R.N." not in _card(adults, "Mr. T")
