"""The board tells the truth at a glance (issue 21): every urgent note seen, an old note's day, `b`
back to where the schedule places a student, no contradictory words, no alarm colour for normal
states, the demo at the start of the day, timers in m:ss, one-choice pickers that act at once."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from paratui.app.panes import AdultsPane, OutPane, StudentsPane, UncoveredPane
from paratui.app.routine_panes import UrgentBanner
from paratui.model import commands
from paratui.store.room import Room
from tests.helpers import NOW_DT, entries, make_app, run_cli, settle, text, wait_for


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


async def test_back_returns_a_student_to_where_the_schedule_places_them(room_dir):
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:  # 10:15: E.M. is in 3rd grade (Rm 8) for math
        await pilot.press("m", "1", "b", "b", "1")  # to the bathroom with Mr. T, and back
        await settle(pilot)
        assert "E.M." not in text(app, UncoveredPane), text(app, UncoveredPane)
        assert "Every student has an adult" in text(app, UncoveredPane)
        em = next(line for line in text(app, StudentsPane).splitlines() if "E.M." in line)
        assert "3rd grade" in em
        assert not app.screen.query("LogSheet")  # the `1` went to nothing: there was one student to bring back
        assert app.screen.id == "board-screen"
        assert [e.type for e in entries(room_dir) if e.type in ("move", "back")] == ["move", "back"]
        await pilot.press("b")  # nobody is out: nobody offered (E.M. in gen-ed is not "back")
        await pilot.pause(0.3)
        assert not app.screen.query("OptionList")
        assert [e.type for e in entries(room_dir) if e.type in ("move", "back")] == ["move", "back"]


async def test_back_with_two_out_asks_who(room_dir):
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("m", "2", "b")
        await settle(pilot)
        await pilot.press("m", "4", "n")
        await settle(pilot)
        await pilot.press("b")
        assert await wait_for(pilot, lambda: app.screen.query("OptionList"))  # two students out: "Who is back?"
        await pilot.press("4")
        await settle(pilot)
        out = text(app, OutPane)
        assert "K.B." in out and "O.W." not in out


LUNCH = datetime(2026, 11, 23, 11, 50)  # the whole class at the Cafeteria, by the schedule


async def test_out_of_room_at_lunch_says_nothing_contradictory(room_dir):
    app = make_app(room_dir, clock=lambda: LUNCH, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        out = text(app, OutPane)
        assert "by the schedule:" in out and "Cafeteria" in out
        assert "Everyone is in the room." not in out


async def test_students_sent_by_an_assign_are_not_by_the_schedule(room_dir):
    at = NOW_DT + timedelta(minutes=5)
    _write(room_dir, at, "AL", lambda ctx: commands.assign(ctx, "AL", "T.H. Z.C.", "library", "Library visit"))
    app = make_app(room_dir, clock=lambda: at + timedelta(minutes=7), as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        out = text(app, OutPane)
        schedule = out.split("by the schedule:", 1)[1] if "by the schedule:" in out else ""
        assert "T.H." not in schedule and "Z.C." not in schedule
        assert "by today's assign:" in out
        th = next(line for line in out.splitlines() if line.startswith("T.H."))
        assert "Library" in th and "Ms. L" in th and f"since {at:%H:%M}" in th
        assert "Everyone is in the room." not in out


def test_plain_lists_scheduled_gen_ed_apart_and_untimed(room_dir):
    plain = run_cli("board", "--plain", data=room_dir, check=True).stdout
    section = plain.split("OUT OF ROOM", 1)[1].split("UNCOVERED", 1)[0]
    assert "E.M.: 3rd grade (Rm 8), 0 min" not in section
    assert "by the schedule:" in section and "E.M.: 3rd grade (Rm 8)" in section
    assert "everyone is in the room" not in section


def _styles_of(pane, word: str) -> list[str]:
    content = pane.content
    found = []
    for span in content.spans:
        if word in content.plain[span.start:span.end]:
            found.append(str(span.style))
    return found


async def test_the_adults_pane_has_no_alarm_colour_at_lunch(room_dir):
    from paratui.app.themes import board_color

    app = make_app(room_dir, clock=lambda: LUNCH, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        out_colour = board_color(app, "paratui-out")
        pane = app.query_one(AdultsPane)
        assert "R.N." in text(app, AdultsPane) and "—" in text(app, AdultsPane)
        for word in ("R.N.", "—", "E.M."):
            assert not any(out_colour in style for style in _styles_of(pane, word)), (word, _styles_of(pane, word))


async def test_an_adult_who_took_a_student_out_is_still_marked(room_dir):
    from paratui.app.themes import board_color

    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("m", "2", "n")  # K.B. to the nurse with Mr. T
        await settle(pilot)
        pane = app.query_one(AdultsPane)
        assert any(board_color(app, "paratui-out") in style for style in _styles_of(pane, "K.B."))


async def test_the_demo_at_the_start_of_the_day_has_no_warning_of_its_own(tmp_path):
    import shutil

    from paratui.app.status import StatusBar
    from paratui.store import paths

    root = tmp_path / "demo"  # the demo room with its sample journal (stamped through Monday morning)
    shutil.copytree(paths.demo_data(), root)
    early = datetime(2026, 11, 23, 8, 5)
    app = make_app(root, clock=lambda: early, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.state is not None and app.state.warnings == ()
        assert "warning" not in text(app, StatusBar) and "⚠" not in text(app, StatusBar)
        assert "Thanks for covering" not in " ".join(n.text for n in app.state.notes)  # 09:58: not yet


def test_a_clock_ahead_on_another_machine_is_still_warned_about(room_dir):
    _write(room_dir, NOW_DT + timedelta(minutes=30), "MR", lambda ctx: commands.note(ctx, "from a fast clock"))
    state = Room(room_dir, clock=lambda: NOW_DT).board()
    assert any("ahead of this board's" in w for w in state.warnings)


def test_the_demo_clock_starts_at_paratui_now_and_runs():
    from paratui.cli.board import board_clock
    from paratui.store import identity, paths

    ticks = iter([100.0, 100.0, 165.5])
    clock = identity.running_clock(tick=lambda: next(ticks))
    assert clock() == NOW_DT  # PARATUI_NOW (set for every test)
    assert clock() == NOW_DT + timedelta(seconds=65)
    assert board_clock(paths.demo_data()) is not identity.now  # the demo room: a running clock


def test_a_room_of_ones_own_keeps_the_frozen_clock(room_dir):
    from paratui.cli.board import board_clock
    from paratui.store import identity

    assert board_clock(room_dir) is identity.now  # tests and drills stay deterministic


async def test_a_running_timer_shows_minutes_and_seconds(room_dir):
    from paratui.app.panes import TimersPane
    from paratui.model import data_commands

    started = NOW_DT.replace(second=8)
    _write(room_dir, started, "JT", lambda ctx: data_commands.timer_start(ctx, "O.W.", "start"))
    now = [started + timedelta(seconds=70)]
    app = make_app(room_dir, clock=lambda: now[0], as_staff="JT")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "1:10" in text(app, TimersPane) and "0 min" not in text(app, TimersPane)
        now[0] += timedelta(seconds=5)  # within the minute: the pane follows the clock by itself
        assert await wait_for(pilot, lambda: "1:15" in text(app, TimersPane)), text(app, TimersPane)


@pytest.mark.parametrize("theme", ["paratui-dark", "paratui-light", "paratui-contrast"])
async def test_a_running_timer_has_its_own_colour_not_the_out_of_room_one(room_dir, theme):
    """A timer running is not a student out too long: its m:ss and its frame in the theme's
    `paratui-timer` colour, never `paratui-out`."""
    from textual.color import Color

    from paratui.app.panes import TimersPane
    from paratui.app.themes import board_color
    from paratui.model import data_commands

    _write(room_dir, NOW_DT - timedelta(seconds=70), "JT", lambda ctx: data_commands.timer_start(ctx, "O.W.", "start"))
    app = make_app(room_dir, as_staff="JT", theme_name=theme)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.theme == theme
        pane = app.query_one(TimersPane)
        timer, out = board_color(app, "paratui-timer"), board_color(app, "paratui-out")
        assert timer and timer.lower() != out.lower()
        styles = _styles_of(pane, "1:10")
        assert styles and all(timer in style for style in styles) and not any(out in s for s in styles), styles
        assert pane.styles.border_top[1] == Color.parse(timer) != Color.parse(out)


async def test_the_help_page_says_what_b_and_t_do_now(room_dir):
    """`b` offers only the students a move took out and puts them where the schedule places them;
    `b` and `t` with one choice act at once (u undoes): the help page and the palette say so."""
    from paratui.app.actions import ACTIONS

    app = make_app(room_dir, as_staff="MR")
    async with app.run_test(size=(120, 40)) as pilot:
        board = app.screen
        await pilot.press("question_mark")
        await pilot.pause()
        page = str(app.screen.query_one("Markdown")._markdown)
        rows = {line.split("|")[1].strip(): line for line in page.splitlines() if line.startswith("| `")}
        assert "a move took out" in rows["`b`"] and "where the schedule places them now" in rows["`b`"]
        assert "only one out: at once, u undoes" in rows["`b`"]
        assert "only one running: at once, u undoes" in rows["`t`"]
        assert "only one waiting: at once" in rows["`k`"]
        assert "0 not observed" in next(line for key, line in rows.items() if key.startswith("`l"))
        # every key of the board has its row, and every row's key is bound to the action it names
        assert len(rows) == len(ACTIONS) + 2  # and ctrl+p, tab
        bound = {b.key: b.action for b in board.BINDINGS}  # type: ignore[union-attr]
        assert all(bound[a.key] == a.name and (hasattr(board, f"action_{a.name}") or a.name == "app.quit")
                   for a in ACTIONS)
        assert "Back from a move" in [c.title for c in app.get_system_commands(board)]


async def test_one_timer_is_stopped_at_once_with_the_toast_s_undo(room_dir):
    from paratui.app.panes import TimersPane
    from paratui.model import data_commands

    _write(room_dir, NOW_DT, "JT", lambda ctx: data_commands.timer_start(ctx, "O.W.", "start"))
    app = make_app(room_dir, as_staff="JT")
    toasts: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        real = app.toast
        app.toast = lambda message, **kw: (toasts.append(message), real(message, **kw))  # type: ignore[method-assign]
        await pilot.press("t")
        await settle(pilot)
        assert not app.screen.query("OptionList")  # no "Stop which timer? 1"
        assert len(entries(room_dir, "timer.stop")) == 1
        assert not app.query_one(TimersPane).display
        assert any("u to undo" in t for t in toasts), toasts
        await pilot.press("u")
        await settle(pilot)
        assert app.query_one(TimersPane).display  # undone: running again


async def test_tasks_and_data_due_scroll_inside_their_frames_as_wide_as_above(room_dir):
    from paratui.app.panes import DataDuePane, TasksPane

    for i in range(8):
        _write(room_dir, NOW_DT, "MR", lambda ctx, i=i: commands.task_add(ctx, f"Task number {i} to do", "AL", "14:00"))
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for frame_id, pane in (("#tasks-scroll", TasksPane), ("#due-scroll", DataDuePane)):
            frame = app.query_one(frame_id)
            inner = app.query_one(pane)
            assert frame.styles.border_top[0] != "" and inner.styles.border_top[0] == ""  # the frame has it
            assert frame.border_title == inner.title and not inner.border_title
            # the scrollbar is inside the frame: within its border, beside the pane
            assert frame.show_vertical_scrollbar, frame_id
            bar = frame.vertical_scrollbar.region
            assert frame.region.x < bar.x and bar.right <= frame.region.right - 1 and inner.region.right <= bar.x
        assert app.query_one("#tasks-scroll").region.width == app.query_one("#out").region.width
        assert "open" in str(app.query_one("#tasks-scroll").border_subtitle)


async def test_an_abc_behavior_without_a_goal_id_keeps_the_sheet_s_columns(room_dir):
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("5")  # R.N.'s sheet
        await pilot.pause()
        body = str(app.screen.query_one("#sheet-body").content).splitlines()
        goal_rows = [line for line in body if line[:1] in " ▶" and " count " in f" {line} "]
        abc_rows = [line for line in body if "ABC" in line and "Crying" in line]
        assert goal_rows and abc_rows, body
        kind_column = goal_rows[0].index(goal_rows[0].split()[2])  # where the kind label starts
        assert abc_rows[0].index("ABC") == kind_column, body


async def test_the_sub_is_named_as_the_board_names_them_and_keeps_one_key(room_dir):
    from paratui.app.picker import PickerScreen

    app = make_app(room_dir, as_staff="MR")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("o")
        await pilot.pause()
        first = {c.value: c.key for c in app.screen.choices} if isinstance(app.screen, PickerScreen) else {}
        await pilot.press("3")  # Ms. L is out
        await pilot.pause()
        second = {c.value: c.key for c in app.screen.choices}
        assert first["SUB"] == second["SUB"] and first["DP"] == second["DP"]
        await pilot.press(second["SUB"], "enter")
        await settle(pilot)
        adults = text(app, AdultsPane)
        assert "SUB" not in adults and "(for AL)" not in adults
        assert "Out today, Sub covers" in adults and "(for Ms. L)" in adults


async def test_esc_on_a_half_filled_form_keeps_the_draft_and_says_so(room_dir):
    from paratui.app.form import FormScreen
    from paratui.app.panes import TasksPane

    app = make_app(room_dir, as_staff="MR")
    toasts: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        real = app.notify
        app.notify = lambda message, **kw: (toasts.append(str(message)), real(message, **kw))  # type: ignore
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"Call home about the", "enter", *"AL")
        await pilot.pause()
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, FormScreen)
        assert any("kept" in t for t in toasts), toasts
        assert "Call home" not in text(app, TasksPane)  # nothing recorded
        await pilot.press("n")  # the same form again: with the draft
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        values = form.values()
        assert values["text"] == "Call home about the" and values["for"] == "AL"
        await pilot.press("enter", "enter", "enter")
        await settle(pilot)
        assert "Call home about the" in text(app, TasksPane)
        await pilot.press("n")  # recorded: the draft is gone
        await pilot.pause()
        assert app.screen.values()["text"] == ""  # type: ignore[attr-defined]
        await pilot.press("escape")  # nothing typed: nothing kept, no toast about it
        await settle(pilot)
        assert sum("kept" in t for t in toasts) == 1


async def test_a_long_refusal_wraps_inside_the_form(room_dir):
    app = make_app(room_dir, as_staff="MR")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("ctrl+u", *"Zebediah-Quartermaine-Unknown", "enter", "enter", "enter", "enter", "enter")
        await pilot.pause(0.3)
        error = app.screen.query_one("#form-error")
        form = app.screen.query_one("#form")
        message = str(error.render())
        assert "Zebediah" in str(error.content), error.content
        assert error.region.right <= form.region.right - 1 and error.region.x >= form.region.x
        assert error.region.height * error.region.width >= len(str(error.content)), (message, error.region)


async def test_esc_in_the_history_filter_closes_the_filter_not_history(room_dir):
    from paratui.app.history_screen import HistoryScreen

    app = make_app(room_dir, as_staff="MR")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("H")
        await settle(pilot)
        await pilot.press("slash", *"KB")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        assert app.screen.query_one("#history-filter").value == ""
        assert not app.screen.query_one("#history-filter").has_focus
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HistoryScreen)


async def test_the_ack_picker_says_the_day_of_an_earlier_days_note(room_dir):
    """`k` with two urgent notes waiting: the one from Thursday reads "Thu 07:52", today's "HH:MM"."""
    from paratui.app.picker import PickerScreen

    _urgent(room_dir, datetime(2026, 11, 19, 7, 52), "Fire drill at 13:20 today", ["JT"])  # a Thursday
    _urgent(room_dir, NOW_DT - timedelta(minutes=5), "Today's one", ["JT"])
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("k")
        assert await wait_for(pilot, lambda: isinstance(app.screen, PickerScreen))
        labels = [c.label for c in app.screen.choices]
        assert any(label.startswith("Thu 07:52 Fire drill") for label in labels), labels
        assert any(label.startswith(f"{NOW_DT - timedelta(minutes=5):%H:%M} Today") for label in labels), labels
        await pilot.press("escape")
