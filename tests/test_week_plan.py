"""The week's plan per student (plans/2026-W48.toml): printed by `paratui plan`, made for the week
after from the newest earlier week's, checked as strictly as the goal files, edited from the Friday
meeting screen and the student screen, and read by the student screen, the logging sheet and Data due
(priority goals first). The demo room has a plan for 2026-W48, the week of NOW (Monday 2026-11-23)."""

from __future__ import annotations

import shutil
from pathlib import Path

from textual.widgets import Static, TextArea

from paratui.app.meeting_screen import MeetingScreen
from paratui.app.panes import DataDuePane
from paratui.app.student_screen import StudentScreen
from paratui.app.week_plan_screen import WeekPlanScreen
from paratui.model.datalog import data_due
from paratui.model.week_plan import monday_of, next_week, week_of
from paratui.store.room import Room
from tests.helpers import DAY, make_app, run_cli, settle, text, wait_for

W48 = "plans/2026-W48.toml"


def test_weeks_are_iso_weeks():
    assert week_of(DAY) == "2026-W48"
    assert monday_of("2026-W48").isoformat() == "2026-11-23"
    assert next_week("2026-W53") == "2027-W01"  # 2026 has 53 ISO weeks
    assert week_of(monday_of("2027-W01")) == "2027-W01"


def test_plan_prints_one_students_week(room_dir):
    out = run_cli("plan", "E.M.", data=room_dir, check=True).stdout
    assert out.splitlines()[0] == "E.M. — week 2026-W48 (from Monday 23 November 2026)"
    # goal titles from students/S01.toml, most important first; the data plan: what, how, when, who
    assert "  Priority goals: Asks for help with the help card instead of calling out · Reads a grade-2" in out
    assert "  Data: Asks for help with the help card instead of calling out — trials · reading groups · JT" in out
    assert "  Accommodations: extended time 1.5x · tests read aloud (not reading tests)" in out
    assert "  Communication: check-in card with the Rm 8 teacher; note home Friday (MR) · daily" in out
    # any day of a week names it; a week with no file says so (exit 0: nothing is wrong)
    same = run_cli("plan", "E.M.", "--week", "2026-11-27", data=room_dir, check=True).stdout
    assert same == out
    none = run_cli("plan", "K.B.", "--week", "2026-W49", data=room_dir)
    assert none.returncode == 0 and "no plan for this week (plans/2026-W49.toml: no such file" in none.stdout
    bad = run_cli("plan", "E.M.", "--week", "2026-W54", data=room_dir)
    assert bad.returncode == 2 and "--week" in bad.stderr


def test_a_new_week_is_made_from_the_last_one_keeping_its_comments(room_dir):
    plan = room_dir / W48
    plan.write_text(plan.read_text().replace('[S02]  # K.B.', '[S02]  # K.B.\n# coins first: the fair is on Friday'))
    made = run_cli("plan", "--new", data=room_dir, check=True)  # the week after this one
    assert made.stdout.strip() == "plans/2026-W49.toml: made from 2026-W48's plans"
    new = (room_dir / "plans/2026-W49.toml").read_text()
    assert new.startswith("# The week's plan per student — week 2026-W49 (Monday 30 November 2026).")
    assert "# coins first: the fair is on Friday" in new and "2026-W48" not in new
    assert run_cli("check", data=room_dir).returncode == 0
    again = run_cli("plan", "--new", "--week", "2026-W49", data=room_dir)
    assert again.returncode == 2 and "plans/2026-W49.toml already exists" in again.stderr
    # with no earlier week: a commented table per student, naming their goal ids
    shutil.rmtree(room_dir / "plans")
    run_cli("plan", "--new", "--week", "2026-W50", data=room_dir, check=True)
    fresh = (room_dir / "plans/2026-W50.toml").read_text()
    assert '[S01]  # E.M.\n# priority = ["help", "read", "callout"]' in fresh or '[S01]  # E.M.' in fresh
    assert run_cli("check", data=room_dir).returncode == 0


def test_check_names_file_line_and_field(room_dir):
    plan = room_dir / W48
    lines = plan.read_text().splitlines()
    at = {s: i + 1 for i, s in enumerate(lines)}
    text_ = plan.read_text().replace('priority = ["coins", "greet"]', 'priority = ["coins", "nope"]')
    text_ = text_.replace('who = ["AL"]', 'who = ["ZZ"]', 1)
    plan.write_text(text_ + '\n[S99]\npriority = ["x"]\n\n[S03.extra]\n')
    (room_dir / "plans/week49.toml").write_text("")
    out = run_cli("check", data=room_dir)
    assert out.returncode == 1
    said = out.stdout + out.stderr
    line = at['priority = ["coins", "greet"]']
    assert f"{W48}:{line}: S02.priority[1]: not a goal id in students/S02.toml" in said
    assert f"{W48}:" in said and "S03.data[1].who[0]: not the id of a [[staff]] in classroom.toml" in said
    assert "S99: not the id of a student in classroom.toml" in said
    assert "S03.extra: unknown key" in said
    assert "plans/week49.toml: not named by a week (YYYY-Www.toml" in said
    # the same problems stop `plan` (exit 2), never a half-read plan
    printed = run_cli("plan", "K.B.", data=room_dir)
    assert printed.returncode == 2 and "S02.priority[1]" in printed.stderr


def test_data_due_puts_this_weeks_priorities_first_and_its_collectors(room_dir):
    plan = room_dir / W48
    # K.B.'s priority this week: greet before coins, and AL collects greet (not its goal file's adults)
    plan.write_text(plan.read_text().replace('priority = ["coins", "greet"]', 'priority = ["greet", "coins"]')
                    .replace('goal = "greet"\nhow = "tally"\nwhen = "arrival"',
                             'goal = "greet"\nhow = "tally"\nwhen = "arrival"\nwho = ["AL"]'))
    snap = Room(room_dir).snapshot()
    assert snap.classroom.week_plan is not None and snap.classroom.week_plan.week == "2026-W48"
    due = data_due(snap.classroom, snap.screened().events, DAY, True)
    kb = [(d.staff, d.goal, d.priority) for d in due if d.student == "S02"]
    assert ("AL", "greet", 0) in kb and ("JT", "coins", 1) in kb
    assert not [g for s, g, _ in kb if g == "greet" and s != "AL"]
    ranks = [d.priority for d in due]
    assert ranks == sorted(ranks, key=lambda r: r is None)  # every priority goal before the others
    # no plan this week: the goal files alone decide, nothing is a priority
    plan.unlink()
    snap = Room(room_dir).snapshot()
    assert snap.classroom.week_plan is None
    assert all(d.priority is None for d in data_due(snap.classroom, snap.screened().events, DAY, True))


def test_a_broken_plan_keeps_the_last_good_one_on_the_board_and_says_so(room_dir):
    room = Room(room_dir)
    assert room.snapshot().classroom.week_plan is not None
    plan = room_dir / W48
    plan.write_text(plan.read_text().replace('priority = ["help", "read"]', 'priority = ["help", "nope"]'))
    snap = room.snapshot()
    assert snap.classroom.week_plan is not None and snap.classroom.week_plan.of("S01").priority == ("help", "read")
    assert any("S01.priority[1]: not a goal id" in w and "(showing the last good version)" in w
               for w in snap.warnings)


async def test_board_student_screen_and_sheet_show_the_week(room_dir):
    app = make_app(room_dir, as_staff="JT", watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "▸★K.B.  coins" in text(app, DataDuePane)
        await pilot.press("1")  # E.M.'s logging sheet
        assert await wait_for(pilot, lambda: bool(app.screen.query("#sheet-body")))
        await pilot.pause()
        body = str(app.screen.query_one("#sheet-body").content)
        help_line = next(line for line in body.splitlines() if " help " in f" {line} ")
        assert "★ priority this week" in help_line
        assert not any("★" in line for line in body.splitlines() if " callout " in f" {line} ")
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("s", "1")
        assert await wait_for(pilot, lambda: isinstance(app.screen, StudentScreen))
        screen = app.screen
        assert isinstance(screen, StudentScreen)
        assert await wait_for(pilot, lambda: "2026-W48" in str(screen.query_one("#week", Static).border_title))
        week = screen.query_one("#week", Static)
        assert week.border_title == "This week (2026-W48)"
        assert str(week.content).startswith("Priority goals: Asks for help with the help card instead")


async def test_the_friday_meeting_makes_next_weeks_plan_and_every_reader_sees_it(room_dir):
    MeetingScreen.drafts.clear()
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("F")
        assert await wait_for(pilot, lambda: isinstance(app.screen, MeetingScreen))
        await pilot.press("f3")
        assert await wait_for(pilot, lambda: isinstance(app.screen, WeekPlanScreen))
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, WeekPlanScreen) and editor.week == "2026-W49"
        area = editor.query_one("#week-plan-text", TextArea)
        assert '[S02]  # K.B.\npriority = ["coins", "greet"]' in area.text  # prefilled from 2026-W48
        assert "from 2026-W48's plans" in str(editor.query_one("#week-plan-title", Static).content)
        # a typo: nothing saved, the problem shown with its line and field
        area.text = area.text.replace('priority = ["coins", "greet"]', 'priority = ["greet", "coinz"]')
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not (room_dir / "plans/2026-W49.toml").exists()
        shown = str(editor.query_one("#week-plan-help", Static).content)
        assert "plans/2026-W49.toml:" in shown and "S02.priority[1]: not a goal id in students/S02.toml" in shown
        area.text = area.text.replace('"coinz"', '"coins"')
        await pilot.press("ctrl+s")
        await pilot.pause()
        saved = (room_dir / "plans/2026-W49.toml").read_text()
        assert 'priority = ["greet", "coins"]' in saved
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MeetingScreen)
    # next week, every reader: the CLI, Data due and the student screen
    monday = {"PARATUI_NOW": "2026-11-30T10:15"}
    out = run_cli("plan", "K.B.", data=room_dir, env=monday, check=True).stdout
    assert "Priority goals: Greets" in out.splitlines()[1] or "Priority goals: " in out
    room = Room(room_dir)
    snap = room.folder.load(monday_of("2026-W49"))
    assert snap.classroom.week_plan.of("S02").priority == ("greet", "coins")


async def test_the_student_screen_edits_this_weeks_plan_and_the_board_follows(room_dir):
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s", "2")  # K.B.
        assert await wait_for(pilot, lambda: isinstance(app.screen, StudentScreen))
        await pilot.press("w")
        assert await wait_for(pilot, lambda: isinstance(app.screen, WeekPlanScreen))
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, WeekPlanScreen) and editor.week == "2026-W48"
        area = editor.query_one("#week-plan-text", TextArea)
        area.text = area.text.replace('priority = ["coins", "greet"]', 'priority = ["greet"]')
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert 'priority = ["greet"]' in Path(room_dir / W48).read_text(), str(
            editor.query_one("#week-plan-help", Static).content)
        assert await wait_for(pilot, lambda: app.snapshot.classroom.week_plan.of("S02").priority == ("greet",))
        await pilot.press("escape")
        assert await wait_for(pilot, lambda: isinstance(app.screen, StudentScreen))
        screen = app.screen
        assert isinstance(screen, StudentScreen)

        def shows_greet_only() -> bool:
            content = str(screen.query_one("#week", Static).content)
            return content.startswith("Priority goals: ") and "·" not in content.splitlines()[0]

        assert await wait_for(pilot, shows_greet_only), str(screen.query_one("#week", Static).content)
        await pilot.press("escape")
        assert await wait_for(pilot, lambda: not isinstance(app.screen, StudentScreen))
    assert 'priority = ["greet"]' in Path(room_dir / W48).read_text()


def test_a_process_started_after_the_plan_broke_uses_its_last_good_copy(room_dir):
    assert Room(room_dir).snapshot().classroom.week_plan is not None  # a good read keeps a copy
    copies = list((room_dir / "journal/.last-good").glob("plans.2026-W48.toml.*"))
    assert len(copies) == 1
    plan = room_dir / W48
    plan.write_text(plan.read_text().replace('priority = ["help", "read"]', 'priority = ["help", "nope"]'))
    snap = Room(room_dir).snapshot()  # a new process: nothing in memory
    assert snap.classroom.week_plan is not None and snap.classroom.week_plan.of("S01").priority == ("help", "read")
    assert any("S01.priority[1]: not a goal id" in w and "(showing the last good version from " in w
               for w in snap.warnings)
    out = run_cli("plan", "E.M.", data=room_dir)
    assert out.returncode == 0 and "S01.priority[1]" in out.stderr and "showing the last good version" in out.stderr
    assert "  Priority goals: Asks for help with the help card instead of calling out · Reads a grade-2" in out.stdout
    # another week's broken file has no such fallback: `plan` refuses it (exit 2)
    (room_dir / "plans/2026-W49.toml").write_text(plan.read_text())
    assert run_cli("plan", "E.M.", "--week", "2026-W49", data=room_dir).returncode == 2
