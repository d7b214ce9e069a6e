"""The wall board at every size and in every theme, as a picture (pytest-textual-snapshot), at a
moment with every alarm on screen: a student out longer than expected, students with no adult, an
overdue task and a file warning. Plus what must never be cut at 80×24, checked through the real board,
and the wall mode (paratui/app/wall.py) at 200×50 and 240×67, with an urgent note too.

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
from paratui.app.board_screen import WALL
from paratui.app.form import FormScreen
from paratui.app.panes import OutPane, StudentsPane, TasksPane, UncoveredPane
from paratui.app.picker import PickerScreen
from paratui.app.status import StatusBar
from paratui.app.wall import (
    WallPane,
    _small_width,
    big_digits,
    block_letters,
    small_letters,
    small_letters_text,
    small_lines,
)
from paratui.cli import build_parser
from paratui.model.events import Event
from paratui.store import paths
from paratui.store.room import Room
from tests.helpers import make_app

NOW = datetime(2026, 11, 23, 10, 22)  # a Monday, in math groups
SIZES = [(80, 24), (120, 40)]  # the normal board; from 160×45 it is the wall mode (below)
WALL_SIZES = [(200, 50), (240, 67)]
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


def wall_app(root: Path, theme: str = "paratui-dark", wall: bool = False) -> BoardApp:
    return make_app(root, clock=lambda: NOW, as_staff="JT", theme_name=theme, watch=False, wall=wall)


@pytest.fixture
def urgent_room(alarm_room) -> Path:
    """The same moment, with an urgent note to Mr. T not yet acknowledged (the wall counts it)."""
    path = alarm_room / "journal" / "2026-11-23" / "wall--wall.json"
    doc = json.loads(path.read_text())
    doc["_default"]["5"] = _event(5, "note", "MR", {"text": "Fire drill at 11:00", "to": ["JT"], "kind": "handoff",
                                                    "urgent": True}, "10:21")
    path.write_text(json.dumps(doc))
    return alarm_room


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


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", WALL_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_wall_mode_snapshot(urgent_room, snap_compare, size, theme):
    """A big terminal is the wall mode by itself (no --wall given here)."""
    assert snap_compare(wall_app(urgent_room, theme), terminal_size=size)


def _lines(widget) -> list[str]:
    return [widget.render_line(y).text for y in range(widget.size.height)]


def _drawn(lines: list[str], big: list[str]) -> bool:
    """`big` (rows of large text) is on consecutive lines, at the same column."""
    for y in range(len(lines) - len(big) + 1):
        at = lines[y].find(big[0].rstrip())  # (a line is drawn without the blanks at its end)
        if at >= 0 and all(lines[y + r][at:at + len(row)].ljust(len(row)) == row for r, row in enumerate(big)):
            return True
    return False


async def test_wall_flag_gives_the_wall_at_120_by_40(alarm_room):
    assert build_parser().parse_args(["--wall"]).wall and build_parser().parse_args(["board", "--wall"]).wall
    for wall in (False, True):
        app = wall_app(alarm_room, wall=wall)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert app.board.has_class("-wall") == wall
            assert app.query_one(WallPane).display == wall
            assert app.query_one(OutPane).display == (not wall) and app.query_one(UncoveredPane).display == (not wall)


@pytest.mark.parametrize("size", [(WALL[0] - 1, WALL[1]), (WALL[0], WALL[1] - 1), WALL, (240, 67)],
                         ids=lambda s: f"{s[0]}x{s[1]}")
async def test_a_big_terminal_switches_to_the_wall_by_itself(alarm_room, size):
    app = wall_app(alarm_room)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        big = size[0] >= WALL[0] and size[1] >= WALL[1]
        assert app.board.has_class("-wall") == big
        assert app.query_one(WallPane).display == big


async def test_the_wall_shows_who_is_out_and_for_how_long_in_large_text(urgent_room):
    app = wall_app(urgent_room)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        pane = app.query_one(WallPane)
        lines = _lines(pane)
        assert pane.region.bottom <= 49 and pane.region.right <= 200
        # K.B., 20 minutes in the bathroom (10 expected): initials in block letters, the minutes in Digits
        assert _drawn(lines, block_letters("K.B.")) and _drawn(lines, big_digits(20)[1:4])
        assert _drawn(lines, block_letters("T.H.")) and _drawn(lines, big_digits(2)[1:4])
        assert _drawn(lines, block_letters("O.W.")) and _drawn(lines, block_letters("I.F."))
        assert _drawn(lines, small_letters("FIRE DRILL AT 11:00"))  # the urgent note itself, large
        assert "UNCOVERED" in lines[next(y for y, line in enumerate(lines) if block_letters("I.F.")[1] in line)]
        text = "\n".join(lines)
        # the states in words, never by colour alone; initials only
        for word in ("OVER", "UNCOVERED", "⚠ URGENT NOTE", "10:21 Ms. R → Mr. T", "1 for you", "expected 10 min",
                     "Bathroom", "Mr. T"):
            assert word in text, word
        assert not any(s.name and s.name in text for s in app.snapshot.classroom.students)


async def test_the_keys_still_work_on_the_wall(alarm_room):
    app = wall_app(alarm_room, wall=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        await pilot.press("escape", "question_mark")
        await pilot.pause()
        assert app.screen is not app.board


def test_board_wall_opens_the_board_rather_than_printing_it(alarm_room, capsys):
    """`paratui board --wall` is the terminal board in wall mode: without a terminal it says so (2),
    and prints no board."""
    from paratui.cli import main

    assert main(["board", "--wall", "--data", str(alarm_room)]) == 2
    out = capsys.readouterr()
    assert "no terminal here" in out.err and out.out == ""
    assert main(["board", "--plain", "--data", str(alarm_room)]) == 0  # the printed board as before


async def test_many_out_at_once_are_all_on_the_wall(alarm_room):
    """Six students out: those that fit are in large text, the others one line each; none cut off."""
    path = alarm_room / "journal" / "2026-11-23" / "wall--wall.json"
    doc = json.loads(path.read_text())
    for n, student in enumerate(("S01", "S03", "S05", "S07"), 6):
        doc["_default"][str(n)] = _event(n, "move", "MR", {"student": student, "to": "bathroom", "with": []}, "10:15")
    path.write_text(json.dumps(doc))
    app = wall_app(alarm_room)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        await pilot.pause()
        pane = app.query_one(WallPane)
        lines = _lines(pane)
        assert pane.region.bottom <= 49
        text = "\n".join(lines)
        assert str(pane.content).count("\n") + 1 <= pane.content_region.height  # nothing cut at the bottom
        for s in app.state.out_of_room:
            if not s.placed:
                assert s.initials in text or _drawn(lines, block_letters(s.initials)), s.initials
        assert _drawn(lines, block_letters("O.W.")) and "UNCOVERED" in text


async def test_growing_the_terminal_draws_the_wall(alarm_room):
    app = wall_app(alarm_room)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert not app.board.has_class("-wall")
        await pilot.resize_terminal(200, 50)
        await pilot.pause()
        await pilot.pause()
        assert app.board.has_class("-wall") and _drawn(_lines(app.query_one(WallPane)), block_letters("K.B."))


def _add_notes(root: Path, notes: list[tuple[str, list[str], str]]) -> None:
    path = root / "journal" / "2026-11-23" / "wall--wall.json"
    doc = json.loads(path.read_text())
    for n, (body, to, hh_mm) in enumerate(notes, 20):
        doc["_default"][str(n)] = _event(n, "note", "MR", {"text": body, "to": to, "kind": "handoff", "urgent": True},
                                         hh_mm)
    path.write_text(json.dumps(doc))


@pytest.mark.parametrize("size", [WALL, (200, 50), (240, 67)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_newest_urgent_note_is_large_and_the_others_counted(alarm_room, size):
    """Several urgent notes: the newest one's text in large letters, the others counted in Digits
    ("+2", on the banner above); the students out and uncovered still on the pane, none cut off."""
    _add_notes(alarm_room, [("Bus 12 is late", ["AL"], "10:05"), ("Fire drill at 11:00", ["JT"], "10:10"),
                            ("Seizure: R.N. in the hallway", ["JT", "AL"], "10:21")])
    app = wall_app(alarm_room)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.pause()
        pane = app.query_one(WallPane)
        lines = _lines(pane)
        text = "\n".join(lines)
        assert _drawn(lines, small_letters("SEIZURE: R.N.")), text  # as many lines of it as the pane spares
        assert any(all(_drawn(lines, small_letters(line)) for line in small_lines(
            small_letters_text("Seizure: R.N. in the hallway"), pane.content_region.width - 1, most))
            for most in (1, 2, 3)), text
        assert _drawn(lines, big_digits("+2")[1:4]) and "2 more on the banner above" in text
        assert not _drawn(lines, small_letters("FIRE")) and not _drawn(lines, small_letters("BUS"))  # not large
        assert "⚠ URGENT NOTE, the newest" in text and "10:21 Ms. R → Mr. T, Ms. L" in text
        assert "2 for you: k acknowledges" in text  # the seizure note and the fire drill wait for Mr. T
        assert str(pane.content).count("\n") + 1 <= pane.content_region.height  # nothing cut at the bottom
        assert "K.B." in text or _drawn(lines, block_letters("K.B.")), text
        assert _drawn(lines, block_letters("O.W.")) and "UNCOVERED" in text
        assert all(len(line.rstrip()) <= pane.content_region.width for line in lines)


async def test_an_urgent_notes_text_is_data_on_the_wall_never_markup_and_cut_to_fit(alarm_room):
    hostile = "[bold red]DROP[/] \x1b[2J\x1b[31m café — " + "x" * 480
    _add_notes(alarm_room, [(hostile, ["JT"], "10:21")])
    app = wall_app(alarm_room)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        await pilot.pause()
        pane = app.query_one(WallPane)
        lines = _lines(pane)
        content = pane.content
        assert "\x1b" not in content.plain and "[bold red]" not in content.plain  # drawn as letters, not run
        width = pane.content_region.width - 1
        candidates = [small_lines(small_letters_text(hostile), width, most) for most in (1, 2, 3)]
        drawn = next(d for d in candidates if all(_drawn(lines, small_letters(line)) for line in d))
        assert drawn[0].startswith("[BOLD RED]DROP[/]")  # the brackets as letters (the escapes: boxes)
        assert drawn[-1].endswith("...")  # cut to fit: 500 letters never fit
        assert all(len(line.rstrip()) <= pane.content_region.width for line in lines)
        assert str(content).count("\n") + 1 <= pane.content_region.height
        assert _drawn(lines, block_letters("K.B."))  # the student out too long still large


def test_the_small_font_wraps_within_its_width_and_cuts_with_dots():
    for width in (20, 47, 83):
        for most in (1, 2, 3):
            lines = small_lines(small_letters_text("Seizure — R.N. in the hallway by the gym " * 4), width, most)
            assert 1 <= len(lines) <= most and lines[-1].endswith("...")
            assert all(_small_width(line) <= width for line in lines)
            assert all(len(row) == _small_width(line) for line in lines for row in small_letters(line))
    assert small_lines("FIRE DRILL AT 11:00", 83, 3) == ["FIRE DRILL AT 11:00"]
    assert small_letters_text("Ça\tva\n — ok?") == "CA VA - OK?"
    assert small_lines("X" * 40, 20, 3) == ["XXXXX", "XXXXX", "XXX..."]  # a long word broken, then cut
