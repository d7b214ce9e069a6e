"""Logging from the board, counted in keys (issue 9): every test presses exactly the keys it counts,
from the board, and checks what reached the journal (read back from the real files) and the screen.

The clock is fixed (PARATUI_NOW, tests/conftest.py), so timers read 0 s; interval sessions are driven by calling
the session's `advance()` (what its Textual timer calls), never by waiting."""

from __future__ import annotations

from pathlib import Path

import pytest

from paratui.app.board_screen import KeyBar
from paratui.app.logging_session import IntervalSession
from paratui.app.logging_sheet import LogSheet
from paratui.app.page import PageScreen
from paratui.app.panes import AdultsPane, DataDuePane, StudentsPane, TimersPane
from paratui.app.picker import PickerScreen
from paratui.store.room import Room
from tests.helpers import NOW_DT, entries, make_app, run_cli, settle, text, wait_for

EXTRA = [("S09", "A.B."), ("S10", "C.D."), ("S11", "F.G."), ("S12", "H.J."), ("S13", "K.L.")]


def sheet_line(app, word: str) -> str:
    """The sheet's line for a goal (as shown: '▶1 coins  trials …')."""
    body = str(app.screen.query_one("#sheet-body").content)
    return next(line for line in body.splitlines() if f" {word} " in f" {line} ")


def goal_key(app, goal: str) -> str:
    return sheet_line(app, goal)[1]


def student_key_on_board(app, initials: str) -> str:
    """The key the Students pane shows beside a student."""
    line = next(x for x in text(app, StudentsPane).splitlines() if initials in x)
    return line.split()[0]


def toasts(app) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


@pytest.fixture
def big_room(room_dir: Path) -> Path:
    """The demo room with 13 students: S12 (H.J.) has K.B.'s goals."""
    extra = "".join(f'\n[[students]]\nid = "{sid}"\ninitials = "{ini}"\n' for sid, ini in EXTRA)
    toml = (room_dir / "classroom.toml").read_text()
    head, sep, tail = toml.partition("\n[groups]")
    (room_dir / "classroom.toml").write_text(head + extra + sep + tail)
    goals = (room_dir / "students" / "S02.toml").read_text().replace('student = "S02"', 'student = "S12"')
    (room_dir / "students" / "S12.toml").write_text(goals)
    return room_dir


async def test_student_keys_go_past_nine(big_room):
    app = make_app(big_room, as_staff="JT", watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.state is not None and len(app.state.students) == 13
        keys = [student_key_on_board(app, ini) for _, ini in EXTRA]
        assert keys[1] == "0"  # the 10th student
        assert len(set(keys)) == 5 and all(len(k) == 1 for k in keys)
        assert not set(keys) & set("mbaonduilptwq?x")  # never a board key
        # the move picker uses the same key for the same student
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        assert app.screen.by_key[keys[3]].value == "S12"


async def test_a_tally_in_two_keys_for_the_twelfth_student(big_room):
    app = make_app(big_room, as_staff="JT", watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        student = student_key_on_board(app, "H.J.")
        await pilot.press(student)  # key 1: the student's sheet
        await pilot.pause()
        assert isinstance(app.screen, LogSheet)
        key = goal_key(app, "greet")
        await pilot.press(key)  # key 2: the tally goal: +1 recorded
        await settle(pilot)
        assert not isinstance(app.screen, LogSheet)
        [e] = entries(big_room, "data")
        assert (e.payload["student"], e.payload["goal"], e.payload["count"], e.staff) == ("S12", "greet", 1, "JT")
        said = toasts(app)
        assert "H.J. · greet: +1" in said and "u to undo" in said


async def test_a_trial_in_three_keys_then_u_undoes_it(room_dir):
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert "coins" in text(app, DataDuePane)
        await pilot.press("2", "plus", "g")  # K.B.: a correct trial at a gestural prompt
        await settle(pilot)
        [e] = entries(room_dir, "data")
        assert e.payload == {"student": "S02", "goal": "coins", "value": "+", "prompt": "G"}
        assert "K.B. · coins: + at G" in toasts(app) and "u to undo" in toasts(app)
        assert await wait_for(pilot, lambda: "coins" not in text(app, DataDuePane))  # data due clears
        await pilot.press("u")
        await settle(pilot)
        assert entries(room_dir, "data") == []
        assert await wait_for(pilot, lambda: "coins" in text(app, DataDuePane))


async def test_trial_keys_go_to_the_goal_due_for_me_and_follow_my_pick(room_dir):
    app = make_app(room_dir, as_staff="JT", watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        # R.N. has two trials goals: aac (Ms. P's) and count (Mr. T's, due now): + goes to count
        await pilot.press("5", "minus", "v")
        await settle(pilot)
        assert [e.payload["goal"] for e in entries(room_dir, "data")] == ["count"]
        assert entries(room_dir, "data")[0].payload["value"] == "-"
        await pilot.press("5")
        await pilot.pause()
        assert sheet_line(app, "count").startswith("▶")
        await pilot.press(goal_key(app, "aac"), "i", "plus", "escape")  # a run of aac: one trial at I, ended
        await pilot.press("5", "plus", "m")  # ▶ is on aac now: 3 keys per trial
        await settle(pilot)
        assert [(e.payload["goal"], e.payload["prompt"]) for e in entries(room_dir, "data")] == [
            ("count", "V"), ("aac", "I"), ("aac", "M")]


async def test_abc_in_six_keys_with_the_definition_and_function_on_screen(room_dir):
    app = make_app(room_dir, as_staff="JT", watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("1")  # E.M.
        await pilot.pause()
        await pilot.press(goal_key(app, "callout"))  # the behavior (its ABC goal)
        await pilot.pause()
        for key in ("2", "3", "1"):  # antecedent, consequence, setting
            about = app.screen.query_one("#sheet-about")
            shown = str(about.content)
            assert about.display and about.region.height > 0
            assert "Calling out" in shown and "attention" in shown and "without raising a hand" in shown
            await pilot.press(key)
            await pilot.pause()
        assert "without raising a hand" in str(app.screen.query_one("#sheet-about").content)
        await pilot.press("enter")  # key 6: saved (no note)
        await settle(pilot)
        [e] = entries(room_dir, "abc")
        assert e.payload == {"student": "S01", "behavior": "calling-out", "antecedent": "Hard task",
                             "consequence": "Praise for the next hand up", "setting": "Morning meeting"}
        assert "ABC for E.M.: Calling out" in toasts(app)


async def test_abc_with_a_note_typed_after_the_picks_and_skips(room_dir):
    app = make_app(room_dir, as_staff="DP", watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("5")  # R.N. has two behaviors: elopement (goal elope) and crying (no goal)
        await pilot.pause()
        await pilot.press(goal_key(app, "Crying"), "1", "0", "0")  # antecedent 1, no consequence or setting
        await pilot.pause()
        await pilot.press(*"hid under the desk", "enter")
        await settle(pilot)
        [e] = entries(room_dir, "abc")
        assert e.payload["behavior"] == "crying" and e.payload["note"] == "hid under the desk"
        assert "consequence" not in e.payload and "setting" not in e.payload


async def test_timers_for_two_students_survive_a_restart(room_dir):
    app = make_app(room_dir, as_staff="JT", watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not app.query_one(TimersPane).display
        await pilot.press("4")  # O.W.: latency goal "start"
        await pilot.pause()
        await pilot.press(goal_key(app, "start"))
        await settle(pilot)
        await pilot.press("5")  # R.N.: duration goal "tantrum"
        await pilot.pause()
        await pilot.press(goal_key(app, "tantrum"))
        await settle(pilot)
        shown = text(app, TimersPane)
        assert "O.W." in shown and "start" in shown and "R.N." in shown and "tantrum" in shown
        assert app.query_one(TimersPane).display
    assert len(entries(room_dir, "timer.start")) == 2

    again = make_app(room_dir, as_staff="JT", watch=False)  # the board restarted on the same folder
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        pane = again.query_one(TimersPane)
        assert pane.display and pane.region.height > 0
        assert "O.W." in text(again, TimersPane) and "R.N." in text(again, TimersPane)
        await pilot.press("4")  # the same two keys stop it
        await pilot.pause()
        assert "running since" in sheet_line(again, "start")
        await pilot.press(goal_key(again, "start"))
        await settle(pilot)
        await pilot.press("t", "1")  # or t, and the timer
        await settle(pilot)
        assert not again.query_one(TimersPane).display
    stops = entries(room_dir, "timer.stop")
    assert sorted(e.payload["goal"] for e in stops) == ["start", "tantrum"]
    assert all(e.payload["seconds"] == 0 for e in stops)  # the clock is fixed in tests


async def test_an_interval_session_prompts_records_and_misses(room_dir):
    app = make_app(room_dir, as_staff="MR", watch=False)
    bells: list[int] = []
    async with app.run_test(size=(80, 24)) as pilot:
        app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
        await pilot.pause()
        await pilot.press("3")  # L.S.: ontask, partial interval, every 10 s
        await pilot.pause()
        await pilot.press(goal_key(app, "ontask"), "t")  # the run, handed to a session that keeps the time
        await settle(pilot)
        session = app.query_one(IntervalSession)
        assert "every 10 s" in str(session.border_title) and session.region.height > 0
        await pilot.press("plus")  # no prompt yet: nothing recorded
        await settle(pilot)
        assert entries(room_dir, "data") == []

        await session.advance()  # interval 1 ends: a prompt, with the bell
        await pilot.pause()
        assert bells == [1] and "Interval 1" in str(session.content)
        assert "at any time" in str(session.content)
        await pilot.press("plus")  # one key: recorded
        await settle(pilot)
        await session.advance()
        await pilot.pause()
        await pilot.press("minus")
        await settle(pilot)
        await session.advance()  # interval 3: nobody answers …
        await session.advance()  # … interval 4 comes: 3 is recorded as missed
        await settle(pilot)
        assert "Interval 4" in str(session.content) and len(bells) == 4
        await pilot.press("x")  # the session ends: the open prompt is missed too
        await settle(pilot)
        assert not app.query(IntervalSession)
    values = [(e.payload["goal"], e.payload["value"]) for e in entries(room_dir, "data")]
    assert values == [("ontask", "+"), ("ontask", "-"), ("ontask", "missed"), ("ontask", "missed")]


async def test_momentary_time_sampling_asks_about_the_moment(room_dir):
    app = make_app(room_dir, as_staff="MR", watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        app.bell = lambda: None  # type: ignore[method-assign]
        await pilot.press("7")  # Z.C.: engaged, MTS every 60 s
        await pilot.pause()
        await pilot.press(goal_key(app, "engaged"), "t")
        await settle(pilot)
        session = app.query_one(IntervalSession)
        await session.advance()
        await pilot.pause()
        assert "right now" in str(session.content)
        await pilot.press("equals_sign")  # "=": the + key unshifted
        await settle(pilot)
    [e] = entries(room_dir, "data")
    assert (e.payload["goal"], e.payload["value"]) == ("engaged", "+")


async def test_task_analysis_one_key_per_step(room_dir):
    app = make_app(room_dir, as_staff="AL", watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")  # K.B.: wash, 7 steps
        await pilot.pause()
        await pilot.press(goal_key(app, "wash"))
        await pilot.pause()
        assert "▶ 1 Turn on water" in str(app.screen.query_one("#sheet-body").content)
        await pilot.press("i", "v", "minus", "p")  # steps 1-4: I, V, not done, PP
        for _ in range(200):  # the sheet stays open (3 steps to go): wait for the writes, not the sheet
            if len(entries(room_dir, "data")) == 4:
                break
            await pilot.pause(0.02)
        await pilot.pause()
        body = str(app.screen.query_one("#sheet-body").content)
        assert "▶ 5 Rinse" in body
        await pilot.press("escape")
        await pilot.pause()
        assert "Steps recorded: K.B. (2) · wash: 1 I · 2 V · 3 not done · 4 PP" in toasts(app)
    steps = [(e.payload["step"], e.payload["value"], e.payload.get("prompt")) for e in entries(room_dir, "data")]
    assert steps == [(1, "+", "I"), (2, "+", "V"), (3, "-", None), (4, "+", "PP")]
    # the next time, the sheet starts at the step after today's last
    app = make_app(room_dir, as_staff="AL", watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        await pilot.press(goal_key(app, "wash"))
        await pilot.pause()
        assert "▶ 5 Rinse" in str(app.screen.query_one("#sheet-body").content)


async def test_data_due_per_adult_clears_when_another_board_logs(room_dir):
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        due = text(app, DataDuePane)
        assert due.splitlines()[0].startswith("Mr. T (you)")  # the acting adult first
        mine = due.split("Ms. R")[0]
        assert "▸★K.B.  coins · daily in math groups · trials" in mine  # due in this block, a priority goal (★)
        assert "E.M.  help" in mine
        run_cli("log", "K.B.", "coins", "+", "--as", "AL", data=room_dir, check=True)  # another process
        assert await wait_for(pilot, lambda: "coins" not in text(app, DataDuePane))
        assert "E.M.  help" in text(app, DataDuePane)


async def test_clicking_a_key_in_the_key_bar_runs_it(room_dir):
    app = make_app(room_dir, as_staff="JT", watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        bar = app.query_one(KeyBar)
        line = bar.render_line(0).text
        assert " l  Log " in line and " q  Quit " in line  # every daily key fits at 80 columns
        x = line.index(" ?  Help ") + 2
        assert bar.action_at(x) == "help"
        await pilot.click(KeyBar, offset=(x, 0))
        await pilot.pause()
        assert isinstance(app.screen, PageScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.click(KeyBar, offset=(line.index(" l  Log ") + 4, 0))
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)  # log: whom for?
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.screen, LogSheet)


async def test_adults_cards_do_not_wrap_at_80_columns(room_dir):
    app = make_app(room_dir, as_staff="JT", watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        pane = app.query_one(AdultsPane)
        written = str(pane.content).splitlines()
        shown = [pane.render_line(y).text.rstrip() for y in range(pane.size.height)]
        assert len(shown) == len(written)  # one screen line per line: nothing wrapped
        for short in ("Ms. R", "Mr. T", "Ms. L", "Ms. P"):
            assert any(line.startswith(short + " ") for line in shown), short
        assert any(line.startswith("Mr. T →11:00") for line in shown)  # the time is never cut


def test_the_big_room_is_a_valid_room(big_room):
    snap = Room(big_room).snapshot()
    assert not snap.warnings and len(snap.classroom.students) == 13 and "S12" in snap.classroom.plans


async def test_escape_closes_the_sheet_from_its_goal_list(room_dir):
    """Esc is a binding: the sheet's own key handler must let it through (it once swallowed it)."""
    app = make_app(room_dir, as_staff="JT", watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("l", "1")
        assert await wait_for(pilot, lambda: isinstance(app.screen, LogSheet))
        await pilot.press("escape")
        assert await wait_for(pilot, lambda: not isinstance(app.screen, LogSheet))
        assert entries(room_dir, "data") == []


async def test_a_run_of_ten_trials_in_twelve_keys(room_dir):
    """`l`, the student, the trials goal: then each trial is written as it is typed (+ alone is
    independent, a prompt level's key goes before its + or −), the sheet counts, Esc ends the run."""
    app = make_app(room_dir, as_staff="JT", watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("l", "2")  # K.B.
        assert await wait_for(pilot, lambda: isinstance(app.screen, LogSheet))
        await pilot.press(goal_key(app, "coins"))
        await pilot.pause()
        run = ["plus", "plus", "minus", "v", "plus", "plus", "plus", "minus", "plus", "plus", "g", "plus"]
        assert len(run) == 12  # ten trials, two of them prompted: the 12 keys after the goal key
        await pilot.press(*run)
        assert await wait_for(pilot, lambda: len(entries(room_dir, "data")) == 10)
        await pilot.pause()
        assert isinstance(app.screen, LogSheet)  # the run stays open
        body = str(app.screen.query_one("#sheet-body").content)
        assert "10 trials · 8 + · 80% · last G+" in body
        await pilot.press("u")  # the run's last trial undone
        assert await wait_for(pilot, lambda: len(entries(room_dir, "data")) == 9)
        await pilot.pause()
        assert "9 trials · 7 + · 78% · last I+" in str(app.screen.query_one("#sheet-body").content)
        await pilot.press("escape")  # the run ends
        assert await wait_for(pilot, lambda: not isinstance(app.screen, LogSheet))
        assert "Run ended: K.B. (2) · coins: 9 trials" in toasts(app)
    written = [(e.payload["goal"], e.payload["value"], e.payload.get("prompt")) for e in entries(room_dir, "data")]
    assert written == [("coins", "+", "I"), ("coins", "+", "I"), ("coins", "-", None), ("coins", "+", "V"),
                       ("coins", "+", "I"), ("coins", "+", "I"), ("coins", "-", None), ("coins", "+", "I"),
                       ("coins", "+", "I")]


def journal(root: Path) -> list:
    """Every event of the room, retractions too, read from its files as another process would."""
    return list(Room(root).snapshot().events)


async def test_a_run_of_ten_intervals_in_twelve_keys(room_dir):
    """The interval goal's key opens a run that stays open: one key per interval (`+` occurred, `-`
    did not, `0` not observed), each written as it is typed; the sheet counts; `u` undoes the last;
    Esc ends the run. Ten intervals, one mistyped and undone: 12 keys after the goal's key."""
    app = make_app(room_dir, as_staff="MR", watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")  # L.S.: ontask, 10-second partial interval
        assert await wait_for(pilot, lambda: isinstance(app.screen, LogSheet))
        await pilot.press(goal_key(app, "ontask"))
        await pilot.pause()
        assert "0 intervals yet" in str(app.screen.query_one("#sheet-body").content)
        first = ["plus", "plus", "minus", "plus", "minus", "plus", "plus", "minus"]
        await pilot.press(*first)
        assert await wait_for(pilot, lambda: len(entries(room_dir, "data")) == 8)
        await pilot.pause()
        body = str(app.screen.query_one("#sheet-body").content)
        assert "8 intervals · 5 occurred · 62.5%" in body and "at any time in the interval" in body
        rest = ["plus", "u", "0", "plus"]  # the 9th typed + by mistake, undone, then not observed; the 10th
        assert len(first + rest) == 12
        await pilot.press(*rest)
        assert await wait_for(pilot, lambda: len(entries(room_dir, "data")) == 10
                              and any(e.type == "retract" for e in journal(room_dir)))
        await pilot.pause()
        assert isinstance(app.screen, LogSheet)  # the run stays open
        assert "10 intervals · 6 occurred · 1 not observed · 66.7%" in str(app.screen.query_one("#sheet-body").content)
        assert "ontask: +" not in toasts(app)  # the sheet shows each interval: no toast covers it
        await pilot.press("escape")
        assert await wait_for(pilot, lambda: not isinstance(app.screen, LogSheet))
        assert "Run ended: L.S. (3) · ontask: 10 intervals · 6 occurred" in toasts(app)
    events = journal(room_dir)
    # the run is one session: its start when the goal's key opened it, its end at Esc (issue 20)
    assert [e.type for e in events] == ["session.start"] + ["data"] * 9 + ["retract", "data", "data", "session.end"]
    start, end = events[0], events[-1]
    assert start.payload == {"student": "S03", "goal": "ontask", "setting": "Math groups"}
    assert end.payload == {"student": "S03", "goal": "ontask", "session": start.id}
    assert start.staff == end.staff == "MR" and start.time == end.time == NOW_DT
    values = ["+", "+", "-", "+", "-", "+", "+", "-", "+", "missed", "+"]
    for e, value in zip([e for e in events if e.type == "data"], values):
        assert e.payload == {"student": "S03", "goal": "ontask", "value": value, "session": start.id}
        assert e.staff == "MR" and e.time == NOW_DT
    undone = events[9]
    assert events[10].payload["target"] == undone.id and events[10].staff == "MR"
    assert [e.payload["value"] for e in entries(room_dir, "data")] == values[:8] + values[9:]
    assert list((room_dir / "journal" / "log" / "2026-11" / "23").glob("*.json"))  # the log stream's day


async def test_abc_in_five_keys_when_the_first_choices_fit(room_dir):
    """From the board: the student, the behavior, then Enter on each list takes its choice marked ▶
    (the first antecedent, the first consequence, the setting of the block now), and the setting's
    Enter saves. Exactly five keys; the record compared field by field."""
    app = make_app(room_dir, as_staff="JT", watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("5")  # R.N.
        assert await wait_for(pilot, lambda: isinstance(app.screen, LogSheet))
        pressed = ["5", goal_key(app, "elope"), "enter", "enter", "enter"]
        await pilot.press(*pressed[1:3])
        assert await wait_for(pilot, lambda: getattr(app.screen, "stage", None) == "consequence")
        assert "▶1 Blocked and redirected" in str(app.screen.query_one("#sheet-body").content)
        await pilot.press(*pressed[3:])
        await settle(pilot)
        assert not isinstance(app.screen, LogSheet)
        assert len(pressed) == 5
    [e] = entries(room_dir)
    assert e.type == "abc" and e.staff == "JT"
    assert e.payload == {"student": "S05", "behavior": "elopement", "antecedent": "Task demand",
                         "consequence": "Blocked and redirected", "setting": "Math groups"}


async def test_abc_in_five_keys_with_two_picks(room_dir):
    """Antecedent and consequence by their keys, then Enter takes the setting of the block now and saves."""
    app = make_app(room_dir, as_staff="JT", watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("5")
        assert await wait_for(pilot, lambda: isinstance(app.screen, LogSheet))
        await pilot.press(goal_key(app, "elope"), "2", "3", "enter")  # 5 keys with the student's
        await settle(pilot)
        assert not isinstance(app.screen, LogSheet)
    [e] = entries(room_dir, "abc")
    assert e.payload == {"student": "S05", "behavior": "elopement", "antecedent": "Transition",
                         "consequence": "Followed at a distance", "setting": "Math groups"}


async def test_the_behaviors_definition_and_function_are_shown_as_plain_text(room_dir):
    """The definition is data from students/S05.toml: markup in it is shown as typed, never applied;
    terminal control is shown escaped."""
    path = room_dir / "students" / "S05.toml"
    path.write_text(path.read_text().replace(
        'definition = "Leaves the assigned area',
        'definition = "[bold red]Leaves[/] \\u001b[2J the assigned area'))
    app = make_app(room_dir, as_staff="JT", watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("5")
        assert await wait_for(pilot, lambda: isinstance(app.screen, LogSheet))
        await pilot.press(goal_key(app, "elope"))
        assert await wait_for(pilot, lambda: getattr(app.screen, "stage", None) == "antecedent")
        await pilot.pause()
        about = app.screen.query_one("#sheet-about")
        shown = "\n".join(about.render_line(y).text for y in range(about.size.height))
        assert "[bold red]Leaves[/] ␛[2J the assigned area" in shown
        assert "likely function: escape" in shown and "\x1b" not in str(about.content)
        assert not any("red" in str(span.style) for span in about.content.spans)
