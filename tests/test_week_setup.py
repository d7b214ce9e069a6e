"""`paratui setup week` (paratui/app/week_setup.py), first version: a day's blocks split and merged
with keys, the live coverage warnings, Ctrl+S saving only a checked schedule and never over a file
changed meanwhile; a picture at 80×24."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from paratui.app.week_setup import WeekApp
from paratui.store.check import check_folder
from paratui.store.room import Room
from paratui.store.student_file import read_room_file
from tests.helpers import NOW_DT, wait_for


def make(room_dir: Path, day: str = "monday") -> WeekApp:
    return WeekApp(room_dir, Room(room_dir).snapshot().classroom, read_room_file(room_dir, "schedule.toml"), day)


def shown(app: WeekApp, wid: str) -> str:
    return str(app.screen.query_one(f"#{wid}", Static).render())


async def test_split_then_save_and_the_board_takes_it(room_dir: Path) -> None:
    app = make(room_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "s")
        assert await wait_for(pilot, lambda: "08:30-08:45" in shown(app, "setup-listing"))
        assert "(not saved)" in shown(app, "setup-title")
        assert "No coverage problems this day" in shown(app, "week-warnings")
        await pilot.press("ctrl+s")
        assert "saved schedule.toml" in shown(app, "setup-error")
        await pilot.press("escape")
        assert await wait_for(pilot, lambda: not app.is_running)
    assert app.return_value is True
    monday = tomllib.loads((room_dir / "schedule.toml").read_text(encoding="utf-8"))["monday"]
    assert [b["time"] for b in monday[1:3]] == ["08:30-08:45", "08:45-09:00"]
    assert check_folder(room_dir)[0] == []


async def test_a_week_with_the_adults_on_break_is_warned_on_screen(room_dir: Path) -> None:
    """Every "all" made a break: the students are left with no adult, said under the blocks."""
    text = (room_dir / "schedule.toml").read_text(encoding="utf-8")
    (room_dir / "schedule.toml").write_text(text.replace('MR = "all"', 'MR = { at = "lounge", activity = "Break" }')
                                            .replace('JT = "all"', 'JT = { at = "lounge", activity = "Break" }')
                                            .replace('AL = "all"', 'AL = { at = "lounge", activity = "Break" }'),
                                            encoding="utf-8")
    app = make(room_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "coverage problem" in shown(app, "week-warnings") and "uncovered" in shown(app, "week-warnings")


async def test_a_schedule_changed_on_disk_is_not_overwritten(room_dir: Path) -> None:
    app = make(room_dir)
    path = room_dir / "schedule.toml"
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        path.write_text(path.read_text(encoding="utf-8") + "# a hand edit\n", encoding="utf-8")
        await pilot.press("ctrl+s")
        assert "changed on disk since it was opened" in shown(app, "setup-error")
    assert path.read_text(encoding="utf-8").endswith("# a hand edit\n")


async def test_the_last_block_cannot_merge(room_dir: Path) -> None:
    app = make(room_dir, "friday")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*["down"] * 30, "m")
        assert "is the last one" in shown(app, "setup-error")


def test_week_screen_snapshot(room_dir: Path, snap_compare: Any) -> None:
    async def reach(pilot: Pilot[Any]) -> None:
        await pilot.press("down", "s")
        for _ in range(3):
            await pilot.pause()

    assert snap_compare(make(room_dir), terminal_size=(80, 24), run_before=reach)


@pytest.mark.parametrize("theme", ["paratui-dark", "paratui-light", "paratui-contrast"])
async def test_the_goal_and_week_screens_fit_80x24_in_every_theme(room_dir: Path, theme: str) -> None:
    from paratui.app.goal_setup import GoalApp
    from paratui.store import paths
    from paratui.store.student_file import read_student_file
    from tests.test_goal_setup import TASK

    classroom = Room(room_dir).snapshot().classroom
    apps: list[tuple[Any, list[list[str]]]] = [
        (GoalApp(room_dir, classroom, classroom.student_by_id()["S01"], read_student_file(room_dir, "S01"),
                 NOW_DT.date(), theme_name=theme, theme_folders=[paths.builtin_themes()]),
         [[], ["5", "enter"], TASK[2:]]),
        (WeekApp(room_dir, classroom, read_room_file(room_dir, "schedule.toml"), theme_name=theme,
                 theme_folders=[paths.builtin_themes()]), [[], ["s"]])]
    for app, steps in apps:
        async with app.run_test(size=(80, 24)) as pilot:
            assert app.theme == theme
            for step in steps:
                await pilot.press(*step)
                await pilot.pause()
                for widget in [*app.screen.query("Input"), app.screen.query_one("#setup-keys")]:
                    r = widget.region
                    assert r.height >= 1 and r.bottom <= 24 and r.right <= 80, (type(app.screen).__name__, widget)


async def test_a_block_edited_and_one_that_ends_before_it_starts_refused(room_dir: Path) -> None:
    app = make(room_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "e", "ctrl+a", "ctrl+k", *"09:00-08:30", "enter")
        assert await wait_for(pilot, lambda: type(app.screen).__name__ == "BlockQuestion")
        await pilot.press("enter", "enter")
        said = str(app.screen.query_one("#setup-error", Static).render())
        assert "time: the block ends (08:30) before it starts (09:00)" in said
        await pilot.press("ctrl+a", "ctrl+k", *"08:30-09:00", "enter", "ctrl+a", "ctrl+k", *"Circle", "enter",
                          "enter", "down")
        assert await wait_for(pilot, lambda: type(app.screen).__name__ == "WeekScreen")
        assert "08:30-09:00  Circle" in shown(app, "setup-listing")
        assert "> 09:00-09:30  Reading groups" in shown(app, "setup-listing")  # keys after it: the week's
    assert tomllib.loads(app.text)["monday"][1]["activity"] == "Circle"
    assert "# MR at the door" in app.text  # the file's comments kept


# -- who is with whom and where, lunches, groups, services ------------------------------------------
from tests.test_setup_app import fields  # noqa: E402


async def test_an_adults_lunch_set_kept_with_enter_and_undone_with_esc(room_dir: Path) -> None:
    app = make(room_dir)
    before = app.text
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("w", "l")
        assert await wait_for(pilot, lambda: "Lunch break @lounge" in shown(app, "setup-listing"))
        await pilot.press("escape")
        assert await wait_for(pilot, lambda: type(app.screen).__name__ == "WeekScreen")
        assert app.text == before and "(not saved)" not in shown(app, "setup-title")
        await pilot.press("w", "l", "enter")
        assert await wait_for(pilot, lambda: "MR=lunch, JT=all, AL=all" in shown(app, "setup-listing"))
        assert "08:00 on a break: Ms. R (lunch break)" in shown(app, "week-warnings")
        await pilot.press("ctrl+s", "escape")
        assert await wait_for(pilot, lambda: not app.is_running)
    first = tomllib.loads((room_dir / "schedule.toml").read_text(encoding="utf-8"))["monday"][0]
    assert first["with"]["MR"] == {"at": "lounge", "activity": "Lunch break"}
    assert check_folder(room_dir)[0] == []


async def test_a_one_to_one_left_alone_is_warned_in_the_block(room_dir: Path) -> None:
    app = make(room_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("w")  # 08:00 arrival: MR, JT and AL with all, DP with R.N.
        assert await wait_for(pilot, lambda: type(app.screen).__name__ == "AdultsScreen")
        assert "with R.N. (one-to-one: wherever they are)" in shown(app, "setup-listing")
        assert "No coverage problem in this block" in shown(app, "week-warnings")
        await pilot.press("down", "down", "down", "l")  # DP to lunch: "all" is nobody in their place
        assert await wait_for(pilot, lambda: "one-to-one: R.N.: 1:1 Ms. P is away: Lunch break"
                              in shown(app, "week-warnings"))
        await pilot.press("up", "up", "s", "n", *["down"] * 4, "space", "enter")  # JT with R.N. by name
        assert await wait_for(pilot, lambda: "No coverage problem in this block" in shown(app, "week-warnings"))
        await pilot.press("p", "x", "enter")  # JT and R.N. at the next place (the room); then no JT here
        assert await wait_for(pilot, lambda: type(app.screen).__name__ == "WeekScreen")
        assert "08:00 one-to-one: R.N." in shown(app, "week-warnings")
    first = tomllib.loads(app.text)["monday"][0]["with"]
    assert "JT" not in first and first["DP"] == {"at": "lounge", "activity": "Lunch break"}


async def test_a_group_made_used_and_saved_into_classroom_toml(room_dir: Path) -> None:
    app = make(room_dir)
    room_before = (room_dir / "classroom.toml").read_text(encoding="utf-8")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("g", "n", *fields("pairs", "E.M. Mars"))
        assert await wait_for(pilot, lambda: "students: the 2nd one is not" in shown(app, "setup-error"))
        await pilot.press("ctrl+u", *"E.M.", "space", *"K.B.", "enter")
        assert await wait_for(pilot, lambda: "pairs          S01 S02" in shown(app, "setup-listing"))
        await pilot.press("escape", "w", *["g"] * 6)  # MR: readers_a … math_b, then the new group
        assert await wait_for(pilot, lambda: "pairs" in shown(app, "setup-listing"))
        await pilot.press("enter", "ctrl+s")
        assert await wait_for(pilot, lambda: "saved classroom.toml and schedule.toml" in shown(app, "setup-error"))
    assert app.saved_files == ["classroom.toml", "schedule.toml"]  # what `paratui setup week` says it saved
    room = (room_dir / "classroom.toml").read_text(encoding="utf-8")
    assert tomllib.loads(room)["groups"]["pairs"] == ["S01", "S02"]
    assert all(line in room.splitlines() for line in room_before.splitlines())  # every comment kept
    assert tomllib.loads((room_dir / "schedule.toml").read_text(encoding="utf-8"))["monday"][0]["with"]["MR"] \
        == "pairs"
    assert check_folder(room_dir)[0] == []


async def test_nothing_is_saved_when_classroom_toml_changed_meanwhile(room_dir: Path) -> None:
    app = make(room_dir)
    sched, room = room_dir / "schedule.toml", room_dir / "classroom.toml"
    before = sched.read_text(encoding="utf-8")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("g", "n", *fields("pairs", "S01 S02"), "escape", "s")
        assert await wait_for(pilot, lambda: "(not saved)" in shown(app, "setup-title"))
        room.write_text(room.read_text(encoding="utf-8") + "# a hand edit\n", encoding="utf-8")
        await pilot.press("ctrl+s")
        assert await wait_for(pilot, lambda: "classroom.toml changed on disk" in shown(app, "setup-error"))
    assert sched.read_text(encoding="utf-8") == before  # neither file written
    assert "pairs" not in room.read_text(encoding="utf-8")


async def test_a_service_added_on_screen_and_a_bad_one_said_at_its_field(room_dir: Path) -> None:
    app = make(room_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v", "n", *fields("OT: gross motor", "", "S03 S04", "mon wed", "09:00-08:00", "ot"))
        assert await wait_for(pilot, lambda: "time: the service ends (08:00)" in shown(app, "setup-error"))
        await pilot.press("escape")  # back: nothing added
        assert await wait_for(pilot, lambda: type(app.screen).__name__ == "ServicesScreen")
        assert "OT: gross motor" not in shown(app, "setup-listing")
        await pilot.press("n", *fields("OT: gross motor", "", "S03 S04", "mon wed", "09:00-09:30", "ot"))
        assert await wait_for(pilot, lambda: "OT: gross motor" in shown(app, "setup-listing"))
        await pilot.press("escape")
        assert await wait_for(pilot, lambda: type(app.screen).__name__ == "WeekScreen")
    assert tomllib.loads(app.text)["services"][-1]["students"] == ["S03", "S04"]


WEEK_SCREENS = {"adults": ["w"], "groups": ["g"], "service": ["v", "enter"]}


@pytest.mark.parametrize("name", list(WEEK_SCREENS))
def test_week_people_screen_snapshot(room_dir: Path, snap_compare: Any, name: str) -> None:
    async def reach(pilot: Pilot[Any]) -> None:
        await pilot.press(*WEEK_SCREENS[name])
        for _ in range(3):
            await pilot.pause()

    assert snap_compare(make(room_dir), terminal_size=(80, 24), run_before=reach)


@pytest.mark.parametrize("theme", ["paratui-dark", "paratui-light", "paratui-contrast"])
async def test_the_week_people_screens_fit_80x24_in_every_theme(room_dir: Path, theme: str) -> None:
    from paratui.store import paths

    app = WeekApp(room_dir, Room(room_dir).snapshot().classroom, read_room_file(room_dir, "schedule.toml"),
                  theme_name=theme, theme_folders=[paths.builtin_themes()])
    steps = [["w"], ["s"], ["escape", "escape", "g"], ["n"], ["escape", "escape", "v"], ["enter"]]
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.theme == theme
        for step in steps:
            await pilot.press(*step)
            for _ in range(3):
                await pilot.pause()
            for widget in [*app.screen.query("Input"), *app.screen.query("Static")]:
                r = widget.region
                if widget.id in ("setup-listing",) and widget.parent is not None and widget.parent.id == "setup-list":
                    continue  # inside its scrolling box
                assert r.bottom <= 24 and r.right <= 80, (type(app.screen).__name__, widget)
            assert app.screen.query_one("#setup-keys").region.height == 1, type(app.screen).__name__
