"""Every screen and modal of the board as a picture (pytest-textual-snapshot) at 80×24 and 120×40,
reached with the keys a person presses.

Deterministic as tests/test_wall.py: the demo room copied to tmp, a fixed classroom clock
(PARATUI_NOW), seeded events with fixed ids, no watcher. Regenerate after a deliberate change of
look with `pytest --snapshot-update tests/test_screens_snapshot.py` and read the SVGs before
committing them.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.screen import Screen

from paratui.app.board_screen import BoardScreen
from paratui.app.form import FormScreen
from paratui.app.history_screen import HistoryScreen
from paratui.app.logging_sheet import LogSheet
from paratui.app.meeting_screen import MeetingScreen
from paratui.app.page import PageScreen
from paratui.app.picker import PickerScreen
from paratui.app.privacy import PrivacyScreen
from paratui.app.student_screen import StudentScreen
from paratui.store import identity, journal
from paratui.store.room import Room
from tests.helpers import NOW_DT, make_app, settle, wait_for

SIZES = [(80, 24), (120, 40)]

# name: the keys pressed on the board, one screen opening after each, and the screen shown last
SCREENS: dict[str, tuple[tuple[str, ...], type[Screen[Any]]]] = {
    "board": ((), BoardScreen),
    "help": (("question_mark",), PageScreen),
    "warnings": (("w",), PageScreen),
    "privacy": (("z",), PrivacyScreen),
    "history": (("H",), HistoryScreen),
    "meeting": (("F",), MeetingScreen),
    "move-student-picker": (("m",), PickerScreen),
    "move-place-picker": (("m", "1"), PickerScreen),
    "back-in-picker": (("b",), PickerScreen),
    "assign-form": (("a",), FormScreen),
    "absent-staff-picker": (("o",), PickerScreen),
    "task-form": (("n",), FormScreen),
    "done-task-picker": (("d",), PickerScreen),
    "claim-task-picker": (("c",), PickerScreen),
    "log-student-picker": (("l",), PickerScreen),
    "logging-sheet": (("l", "1"), LogSheet),
    "student-picker": (("s",), PickerScreen),
    "student-screen": (("s", "1"), StudentScreen),
    "pages-picker": (("p",), PickerScreen),
    "binder-page": (("p", "1"), PageScreen),
    "whoami-staff-picker": (("i",), PickerScreen),
    "note-form": (("N",), FormScreen),
    "change-picker": (("G",), PickerScreen),
}


@pytest.fixture
def seeded_room(room_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo room at 10:15 with something for every picker: K.B. out, an open task for JT, one
    done, and an urgent note to JT (on the board's banner). Ids and logins are fixed (pickers and history
    show them)."""
    ids = (f"{n:02d}" + "5e" * 15 for n in itertools.count(1))
    monkeypatch.setattr(journal, "uuid", SimpleNamespace(uuid4=lambda: SimpleNamespace(hex=next(ids))))
    monkeypatch.setattr(identity, "login", lambda: "tester")  # not whoever runs the tests
    monkeypatch.setattr(identity, "host", lambda: "testhost")  # nor the machine they run on (history shows it)
    room = Room(room_dir, clock=lambda: NOW_DT.replace(minute=5))
    room.record("move", "JT", {"student": "S02", "to": "bathroom", "with": ["JT"]})
    room.record("task.add", "MR", {"text": "20 copies of the math page", "for": "JT", "due": None})
    done = room.record("task.add", "MR", {"text": "File the reading logs", "for": None, "due": None})
    room.record("task.done", "AL", {"task": done.id})
    room.record("note", "MR", {"text": "Fire drill at 11", "to": ["JT"], "kind": "handoff", "urgent": True})
    return room_dir


def _shown(screen: Screen[Any], kind: type[Screen[Any]]) -> bool:
    """The screen is up and has drawn what it loads on a thread."""
    if isinstance(screen, StudentScreen):
        return "loading" not in str(screen.query_one("#student-title").render())
    if isinstance(screen, HistoryScreen):
        return "loading" not in str(screen.query_one("#history-title").render())
    return isinstance(screen, kind)


@pytest.fixture(autouse=True)
def no_drafts() -> None:
    MeetingScreen.drafts.clear()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", list(SCREENS))
def test_screen_snapshot(seeded_room: Path, snap_compare: Any, name: str, size: tuple[int, int]) -> None:
    keys, kind = SCREENS[name]
    if name == "back-in-picker":  # with one student out, `b` brings them back at once: two to choose from
        Room(seeded_room, clock=lambda: NOW_DT.replace(minute=7)).record(
            "move", "AL", {"student": "S04", "to": "nurse", "with": ["AL"]})

    async def reach(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for key in keys:
            before = pilot.app.screen
            await pilot.press(key)
            assert await wait_for(pilot, lambda before=before: pilot.app.screen is not before), key
        assert await wait_for(pilot, lambda: _shown(pilot.app.screen, kind)), pilot.app.screen
        for _ in range(3):
            await pilot.pause()

    app = make_app(seeded_room, clock=lambda: NOW_DT, as_staff="JT", watch=False)
    assert snap_compare(app, terminal_size=size, run_before=reach)


@pytest.fixture
def aim_room(room_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """K.B.'s coins (the demo's aim line: 2026-11-02 to 2027-01-29): a week of baseline, the
    teacher's phase on 11-02, then three weeks of intervention. Fixed ids, logins and times."""
    from datetime import timedelta

    ids = (f"{n:03d}" + "a1" * 14 + "a" for n in itertools.count(1))
    monkeypatch.setattr(journal, "uuid", SimpleNamespace(uuid4=lambda: SimpleNamespace(hex=next(ids))))
    monkeypatch.setattr(identity, "login", lambda: "tester")
    monkeypatch.setattr(identity, "host", lambda: "testhost")
    when = {"now": NOW_DT}
    room = Room(room_dir, clock=lambda: when["now"])
    day, k = NOW_DT.replace(year=2026, month=10, day=26, hour=9, minute=0), 0
    correct = [2, 3, 2, 3, 3, 3, 3, 4, 4, 4, 5, 5, 5, 4, 4, 3, 3, 3, 3, 3]
    while day.date() < NOW_DT.date():
        if day.weekday() < 5:
            if day.month == 11 and day.day == 2:
                when["now"] = day.replace(hour=8)
                room.record("phase", "MR", {"student": "S02", "goal": "coins", "name": "Token board",
                                            "kind": "intervention"})
            for i in range(10):
                when["now"] = day + timedelta(minutes=i)
                n = correct[k % len(correct)]
                room.record("data", "JT", {"student": "S02", "goal": "coins", "value": "+" if i < n else "-",
                                           **({"prompt": "I"} if i < n else {})})
            k += 1
        day += timedelta(days=1)
    return room_dir


def test_student_screen_chart_draws_the_aim_line(aim_room: Path, snap_compare: Any) -> None:
    """K.B.'s screen: the coins chart with its condition line and the aim line ("aim")."""
    async def reach(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for key in ("s", "2"):
            before = pilot.app.screen
            await pilot.press(key)
            assert await wait_for(pilot, lambda before=before: pilot.app.screen is not before), key
        assert await wait_for(pilot, lambda: _shown(pilot.app.screen, StudentScreen)), pilot.app.screen
        for _ in range(3):
            await pilot.pause()

    app = make_app(aim_room, clock=lambda: NOW_DT, as_staff="JT", watch=False)
    assert snap_compare(app, terminal_size=(120, 40), run_before=reach)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_logging_sheet_in_ioa_mode(seeded_room: Path, snap_compare: Any, size: tuple[int, int]) -> None:
    """E.M.'s sheet after `*`: recording as the IOA observer, said in words (title, banner, hint)."""
    async def reach(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("l", "1")
        assert await wait_for(pilot, lambda: isinstance(pilot.app.screen, LogSheet))
        await pilot.press("asterisk")
        assert await wait_for(pilot, lambda: getattr(pilot.app.screen, "ioa", False))
        for _ in range(3):
            await pilot.pause()

    app = make_app(seeded_room, clock=lambda: NOW_DT, as_staff="JT", watch=False)
    assert snap_compare(app, terminal_size=size, run_before=reach)
