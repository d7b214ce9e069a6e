"""The wall board at every size and in every theme, as a picture (pytest-textual-snapshot), at a
moment with every alarm on screen: a student out longer than expected, students with no adult, an
overdue task and a file warning. Plus what must never be cut at 80×24, checked through the real board.

Deterministic: a fixed classroom clock (10:22), fixed journal events written here (fixed ids), no
watcher; the top bar's "changed" time is the newest event's. Regenerate after a deliberate change of
look with `pytest --snapshot-update tests/test_wall.py` and read the SVGs before committing them.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from paratui.app.board_app import BoardApp
from paratui.app.form import FormScreen
from paratui.app.panes import OutPane, StudentsPane, TasksPane, UncoveredPane
from paratui.app.picker import PickerScreen
from paratui.app.status import StatusBar
from paratui.model.events import Event
from paratui.store import paths
from paratui.store.room import Room
from tests.helpers import make_app

NOW = datetime(2026, 11, 23, 10, 22)  # a Monday, in math groups
SIZES = [(80, 24), (120, 40), (200, 50)]
THEMES = ["paratui-dark", "paratui-light", "paratui-contrast"]


def _event(n: int, type_: str, staff: str, payload: dict, hh_mm: str) -> dict:
    when = datetime.fromisoformat(f"2026-11-23T{hh_mm}")
    return Event(f"{n:02d}" + "a5" * 15, type_, when, n, staff, "wall", "wall", payload).to_doc()


@pytest.fixture
def alarm_room(tmp_path, monkeypatch) -> Path:
    """The demo room at 10:22 with every alarm: K.B. 20 minutes in the bathroom (10 expected),
    T.H. in the office, Mr. T's and Ms. L's groups left with no adult, an overdue task, E.M. in gen-ed
    by the schedule, and a broken theme file (a warning)."""
    monkeypatch.setenv("PARATUI_NOW", NOW.isoformat(timespec="minutes"))
    root = tmp_path / "room"
    # the demo room as shipped, its recurring tasks (recurring.toml) included: the Tasks pane scrolls
    shutil.copytree(paths.demo_data(), root, ignore=shutil.ignore_patterns("journal"))
    day = root / "journal" / "2026-11-23"
    day.mkdir(parents=True)
    events = [
        _event(1, "move", "JT", {"student": "S02", "to": "bathroom", "with": ["JT"]}, "10:02"),
        _event(2, "task.add", "MR", {"text": "20 copies of the math page", "for": "AL", "due": "2026-11-23T10:15"},
               "10:10"),
        _event(3, "task.add", "MR", {"text": "Call home about the field trip", "for": None, "due": "2026-11-23T14:00"},
               "10:11"),
        _event(4, "move", "AL", {"student": "S06", "to": "office", "with": ["AL"]}, "10:20"),
    ]
    (day / "wall--wall.json").write_text(json.dumps({"_default": {str(i): e for i, e in enumerate(events, 1)}}))
    (root / "themes").mkdir()
    (root / "themes" / "broken.toml").write_text('dark = true\nprimary = "#123456"\nbackground = "nope"\n')
    return root


def wall_app(root: Path, theme: str = "paratui-dark") -> BoardApp:
    return make_app(root, clock=lambda: NOW, as_staff="JT", theme_name=theme, watch=False)


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_wall_board_snapshot(alarm_room, snap_compare, size, theme):
    assert snap_compare(wall_app(alarm_room, theme), terminal_size=size)


async def test_the_moment_has_every_alarm(alarm_room):
    app = wall_app(alarm_room)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        state = app.state
        assert state is not None
        assert any(s.over for s in state.out_of_room)
        assert state.uncovered
        assert any(t.overdue for t in state.tasks)
        assert state.warnings
        assert any(s.placed for s in state.out_of_room)  # E.M. in gen-ed, by the schedule


@pytest.mark.parametrize("theme", THEMES)
async def test_nothing_essential_is_cut_at_80_by_24(alarm_room, theme):
    app = wall_app(alarm_room, theme)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        status = app.query_one(StatusBar)
        bar = status.render_line(0).text
        assert status.region.height == 1
        assert "⚠1" in bar and "chg 10:20" in bar and "Mr. T" in bar  # warnings and 'changed' visible
        students = "\n".join(app.query_one(StudentsPane).render_line(y).text
                             for y in range(app.query_one(StudentsPane).size.height))
        for initials, adult in (("E.M.", "staff there"), ("K.B.", "Mr. T"), ("L.S.", "Ms. R"),
                                ("O.W.", "no adult"), ("R.N.", "Ms. P"), ("I.F.", "no adult")):
            assert any(initials in line and adult in line for line in students.splitlines()), initials
        out = "\n".join(app.query_one(OutPane).render_line(y).text for y in range(app.query_one(OutPane).size.height))
        assert "OVER Mr. T" in out
        for pane in (OutPane, UncoveredPane, StudentsPane):
            region = app.query_one(pane).region
            assert region.right <= 80 and region.bottom <= 23, pane
        # the day's tasks (the recurring ones too) are more than fit: their pane scrolls, on screen
        tasks = app.query_one("#tasks-scroll")
        assert tasks.region.height >= 3 and tasks.region.right <= 80 and tasks.region.bottom <= 23
        assert tasks.max_scroll_y > 0 or tasks.region.height >= app.query_one(TasksPane).region.height


async def test_the_adults_pane_scrolls_at_80_by_24(alarm_room):
    app = wall_app(alarm_room)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        adults = app.query_one("#col-adults")
        if adults.max_scroll_y == 0:  # every adult fits (one-line cards at this size): all are shown
            from paratui.app.panes import AdultsPane

            pane = app.query_one(AdultsPane)
            assert pane.region.bottom <= 23 and pane.region.height == pane.virtual_size.height
            assert all(s.short in str(pane.content) for s in app.snapshot.classroom.staff)
            return
        while app.focused is not adults:
            await pilot.press("tab")
        await pilot.press("pagedown")
        await pilot.pause()
        assert adults.scroll_y > 0


async def test_the_assign_form_and_the_place_picker_fit_80_by_24(alarm_room):
    app = wall_app(alarm_room)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        form = app.screen.query_one("#form")
        hint = app.screen.query_one("#form-hint")
        assert form.region.bottom <= 24 and hint.region.bottom <= form.region.bottom - 1  # hint and border
        assert hint.region.height >= 1
        await pilot.press("escape", "m", "1")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        options = app.screen.query_one("OptionList")
        classroom = Room(alarm_room).snapshot().classroom
        places = [loc for loc in classroom.locations if loc.id != classroom.home.id]
        assert options.option_count == len(places)
        # every place is on screen at once (no scrolling needed to see one)
        assert options.content_region.height >= len(places)
        assert app.screen.query_one("#picker").region.bottom <= 24
