"""The board as a person sees it, driven with real key presses (Textual Pilot)."""

from __future__ import annotations

from paratui.app.panes import AdultsPane, OutPane, StudentsPane, TasksPane, UncoveredPane
from paratui.app.status import StatusBar
from tests.helpers import entries, make_app, run_cli, settle, text, wait_for


async def test_board_shows_the_demo_room(room_dir):
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        status = text(app, StatusBar)
        assert "Room 12" in status and "10:15" in status and "Math groups" in status
        assert "you: Mr. T" in status and "live (inotify)" in status
        adults = text(app, AdultsPane)
        for short in ("Ms. R", "Mr. T", "Ms. L", "Ms. P"):
            assert short in adults
        students = text(app, StudentsPane)
        for initials in ("E.M.", "K.B.", "R.N.", "I.F."):
            assert initials in students
        assert "E.M." in text(app, OutPane)  # in the 3rd grade room for math
        assert "Every student has an adult" in text(app, UncoveredPane)
        assert app.query_one("#binder").border_title == "Binder: Monday"
        for full_name in ("Evander", "Moonbeam", "Rowan", "Zephyr"):  # never on the wall
            assert full_name not in adults + students


async def test_a_move_written_by_another_process_appears_without_a_key(room_dir):
    app = make_app(room_dir, as_staff="MR")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert "K.B." not in text(app, OutPane)
        run_cli("move", "K.B.", "--to", "nurse", "--as", "JT", data=room_dir, check=True)
        assert await wait_for(pilot, lambda: "K.B." in text(app, OutPane))
        assert "Nurse" in text(app, OutPane) and "Mr. T" in text(app, OutPane)
        run_cli("back", "K.B.", "--as", "JT", data=room_dir, check=True)
        assert await wait_for(pilot, lambda: "K.B." not in text(app, OutPane))


async def test_taking_a_student_to_the_bathroom_in_three_keys_and_undo(room_dir):
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("m", "2", "b")  # student 2 is K.B.
        await pilot.pause()
        out = text(app, OutPane)
        assert "K.B." in out and "Bathroom" in out and "Mr. T" in out
        # Mr. T left his math group: with nobody else there, they show as uncovered
        assert "O.W." in text(app, UncoveredPane)
        # the journal has it, written as Mr. T
        board = run_cli("board", "--json", data=room_dir, check=True).stdout
        assert '"location": "bathroom"' in board
        await pilot.press("u")
        await pilot.pause()
        assert "K.B." not in text(app, OutPane)
        await pilot.press("m", "escape")  # changed my mind: nothing recorded
        await pilot.pause()
        assert "K.B." not in text(app, OutPane)


async def test_the_board_asks_who_you_are_before_the_first_write(room_dir):
    app = make_app(room_dir)  # login "tester" is nobody's
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert "you: ?" in text(app, StatusBar)
        await pilot.press("b")  # back: first asks who I am
        await pilot.pause()
        assert app.screen.query("OptionList")
        await pilot.press("3")  # AL, third staff member
        await pilot.pause()
        assert "you: Ms. L" in text(app, StatusBar)


async def test_back_key_brings_a_student_back(room_dir):
    run_cli("move", "T.H.", "--to", "office", "--as", "MR", data=room_dir, check=True)
    app = make_app(room_dir, as_staff="MR")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert "T.H." in text(app, OutPane)
        await pilot.press("b", "6")  # T.H. is student 6
        await pilot.pause()
        assert "T.H." not in text(app, OutPane)


async def test_tasks_from_the_board(room_dir):
    app = make_app(room_dir, as_staff="MR")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"Call home", "enter", *"AL", "enter", *"10:00", "enter")
        await pilot.pause()  # not settle: the key's worker waits for the form, still open
        form = app.screen  # at 10:15, 10:00 is already past: overdue at once, so refused (issue 21)
        assert type(form).__name__ == "FormScreen" and entries(room_dir, "task.add") == []
        assert "due: 10:00 is already past (it is 10:15 now)" in str(form.query_one("#form-error").render())
        form.query_one("#field-due").value = "10:30"
        await pilot.press("enter")
        await settle(pilot)
        tasks = text(app, TasksPane)
        assert "Call home" in tasks and "Ms. L" in tasks and "due 10:30" in tasks and "OVERDUE" not in tasks
        await pilot.press("d", "1")
        await settle(pilot)
        assert len(entries(room_dir, "task.done")) == 1


async def test_broken_file_is_shown_and_the_board_keeps_going(room_dir):
    app = make_app(room_dir, as_staff="MR")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        schedule = room_dir / "schedule.toml"
        schedule.write_text(schedule.read_text() + "\n[[monday]\n")
        assert await wait_for(pilot, lambda: "1 warning" in text(app, StatusBar))
        assert "Ms. R" in text(app, AdultsPane)  # the last good schedule is still in use
        await pilot.press("w")
        await pilot.pause()
        page = str(app.screen.query_one("Markdown")._markdown)
        assert "schedule.toml:" in page and "last good version" in page


async def test_help_lists_every_key(room_dir):
    app = make_app(room_dir, as_staff="MR")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        page = str(app.screen.query_one("Markdown")._markdown)
        for key in ("`m`", "`b`", "`a`", "`n`", "`d`", "`u`", "`i`", "`p`", "`w`", "`?`", "`q`", "`ctrl+p`"):
            assert key in page
        commands = [c.title for c in app.get_system_commands(app.screen)]
        for title in ("Move a student", "Back from a move", "New task", "Undo my last", "Binder pages"):
            assert title in commands


async def test_themes_from_files_and_a_bad_theme_falls_back(room_dir):
    (room_dir / "themes").mkdir()
    (room_dir / "themes" / "mine.toml").write_text('dark = false\nprimary = "#123456"\nbackground = "nope"\n')
    app = make_app(room_dir, as_staff="MR", theme_name="mine")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.theme == "paratui-dark"
        assert any("mine.toml: field 'background'" in w for w in app.state.warnings)
    app = make_app(room_dir, as_staff="MR", theme_name="paratui-contrast")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.theme == "paratui-contrast" and app.screen.has_class("-large")


async def test_an_adult_out_today_with_a_sub_from_the_board(room_dir):
    app = make_app(room_dir, as_staff="MR")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("o", "2")  # Mr. T is out today…
        await pilot.pause()
        await pilot.press("6")  # …and the sub covers: 0 nobody, then each adult by their key (SUB is 6)
        await pilot.pause()
        await pilot.press("enter")  # until: empty, the rest of the day
        await settle(pilot)
        adults = text(app, AdultsPane)
        assert "Out today, Sub covers" in adults and "Math groups (for Mr. T)" in adults
        assert "Every student has an adult" in text(app, UncoveredPane)


async def test_an_absence_until_a_time_and_ended_early(room_dir):
    app = make_app(room_dir, as_staff="MR", watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("o", "2", "6")  # Mr. T is out, the sub covers…
        await pilot.pause()
        await pilot.press(*"11:30", "enter")  # …until 11:30
        await settle(pilot)
        adults = text(app, AdultsPane)
        assert "Mr. T →11:30 Out today, Sub covers" in adults
        await pilot.press("o", "2")  # Mr. T is back early
        await pilot.pause()
        await pilot.press("1")  # end the absence now
        await settle(pilot)
        absences = [e for e in app.snapshot.events if e.type == "absent"]
        assert absences[-1].payload["until"].startswith("2026-11-23T10:16")  # a minute from now
        assert absences[-1].payload["sub"] == "SUB"  # the sub stays on for that minute
