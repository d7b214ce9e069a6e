"""Logging in the middle of chaos (issue 19): the whole key sequence of each flow pressed in one
`pilot.press` right after the board starts, from the first frame on, with no pause between keys.
Then, once the board is idle again, the journal holds exactly the events meant (type, student, goal,
value, prompt…), the board still runs and is back on the board screen. No key is lost, none lands
in the wrong field, none is turned into data nobody meant.

Pilot would wait for the app to go idle between two keys (and so hide every one of the issue's
symptoms): here it does not (`no_pauses`), each key follows the one before it after one turn of the
event loop. `posted` goes further: every key is queued before the first is handled, as a terminal
delivers a paste-speed burst."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual import events

from paratui.app.board_screen import BoardScreen
from paratui.app.logging_session import IntervalSession
from paratui.app.logging_sheet import PICK_KEYS
from paratui.model import data_commands
from paratui.store.room import Room
from tests.helpers import NOW_DT, entries, make_app, settle, wait_for


@pytest.fixture(autouse=True)
def no_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    """`pilot.press` sends the next key without waiting for the app to be idle."""
    import textual.app

    async def one_turn(*args: object, **kwargs: object) -> None:
        await asyncio.sleep(0)

    monkeypatch.setattr(textual.app, "wait_for_idle", one_turn)


KEY_NAMES = {"+": "plus", "-": "minus", "#": "number_sign", ":": "colon", " ": "space", "=": "equals_sign"}


def keys(*parts: str) -> list[str]:
    """"m1b", "enter", "JT" → one key per character, key names kept whole."""
    out: list[str] = []
    for part in parts:
        if part in ("enter", "escape", "backspace", "tab"):
            out.append(part)
        else:
            out += list(part)
    return out


def idle(app) -> bool:
    ahead = app.typeahead
    return (not ahead.flows and not ahead.keys and not getattr(ahead, "pumping", False) and not app._reloading
            and isinstance(app.screen, BoardScreen))


async def burst(app, pilot, *parts: str, posted: bool = False) -> None:
    """Every key of `parts` in one go, then wait until the board is idle and back on the board."""
    typed = keys(*parts)
    if posted:
        for k in typed:
            name = KEY_NAMES.get(k, k)
            app.post_message(events.Key(name, k if len(k) == 1 else None))
    else:
        await pilot.press(*typed)
    assert await wait_for(pilot, lambda: idle(app), 20), f"not back on the board: {app.screen!r}"
    await settle(pilot)
    assert app.is_running and isinstance(app.screen, BoardScreen)


def data(root: Path) -> list[tuple]:
    """The live data events: (student, goal, value, prompt, step, count)."""
    return [(e.payload["student"], e.payload["goal"], e.payload.get("value"), e.payload.get("prompt"),
             e.payload.get("step"), e.payload.get("count")) for e in entries(root, "data")]


def goal_key(root: Path, student: str, goal: str) -> str:
    plan = Room(root).snapshot().classroom.plans[student]
    return PICK_KEYS[[g.id for g in plan.goals].index(goal)]


def bells(app) -> list[int]:
    rung: list[int] = []
    app.bell = lambda: rung.append(1)  # type: ignore[method-assign]
    return rung


def toasts(app) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


# -- the board's flows -----------------------------------------------------------------------------
@pytest.mark.parametrize("posted", [False, True])
async def test_move(room_dir, posted):
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        await burst(app, pilot, "m1b", posted=posted)
    assert [(e.payload["student"], e.payload["to"]) for e in entries(room_dir, "move")] == [("S01", "bathroom")]


async def test_back(room_dir):
    room = Room(room_dir)
    from paratui.model import commands

    room.apply(commands.move(room.context("JT"), "K.B.", "nurse"), "JT")
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        await burst(app, pilot, "b2")
    assert [e.payload["student"] for e in entries(room_dir, "back")] == ["S02"]


@pytest.mark.parametrize("posted", [False, True])
async def test_two_flows_back_to_back_land_in_order(room_dir, posted):
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        await burst(app, pilot, "m1b", "b1", posted=posted)
    written = [(e.type, e.payload["student"]) for e in entries(room_dir) if e.type in ("move", "back")]
    assert written == [("move", "S01"), ("back", "S01")]


async def test_assign_fields_in_order(room_dir):
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        await burst(app, pilot, "a", "enter", "EM", "enter", "library", "enter", "Reading", "enter", "enter")
    [e] = entries(room_dir, "assign")
    assert (e.payload["staff"], e.payload["students"], e.payload["at"], e.payload["activity"]) == (
        "JT", ["S01"], "library", "Reading")


async def test_absent_with_no_sub_until_a_time(room_dir):
    app = make_app(room_dir, as_staff="MR")
    async with app.run_test(size=(120, 40)) as pilot:
        await burst(app, pilot, "o3", "0", "11:30", "enter")  # Ms. L is out, no sub, until 11:30
    [e] = entries(room_dir, "absent")
    assert (e.payload["staff"], e.payload["sub"], str(e.payload["until"])[:16]) == ("AL", None, "2026-11-23T11:30")


@pytest.mark.parametrize("posted", [False, True])
async def test_task_add_fields_in_order(room_dir, posted):
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        await burst(app, pilot, "n", "Copies for math", "enter", "AL", "enter", "13:00", "enter", posted=posted)
    [e] = entries(room_dir, "task.add")
    assert (e.payload["text"], e.payload["for"], str(e.payload["due"])[:16]) == (
        "Copies for math", "AL", "2026-11-23T13:00")


@pytest.mark.parametrize("posted", [False, True])
async def test_note_every_character_in_its_own_field(room_dir, posted):
    """The issue's symptom: text, Enter, `JT`, Enter without pauses all landed in the first field."""
    app = make_app(room_dir, as_staff="AL")
    async with app.run_test(size=(120, 40)) as pilot:
        await burst(app, pilot, "N", "Snack is late", "enter", "JT", "enter", "EM", "enter", "kudos", "enter",
                    "enter", posted=posted)
    [e] = entries(room_dir, "note")
    assert (e.payload["text"], e.payload["to"], e.payload["about"], e.payload["kind"]) == (
        "Snack is late", ["JT"], "S01", "kudos")


# -- logging from the sheet ----------------------------------------------------------------------------
@pytest.mark.parametrize("posted", [False, True])
async def test_tally(room_dir, posted):
    """`l23` used to crash (`ScreenStackError: Can't pop screen`) or write nothing."""
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        await burst(app, pilot, "l23", posted=posted)
    assert data(room_dir) == [("S02", "greet", None, None, None, 1)]


@pytest.mark.parametrize("posted", [False, True])
async def test_a_tally_costs_two_keys_from_the_board(room_dir, posted):
    """The student's own key on the board (2: K.B.), then the tally goal's key: exactly two keys, one
    event, nothing else written."""
    greet = goal_key(room_dir, "S02", "greet")
    assert len(keys("2", greet)) == 2
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        await burst(app, pilot, "2", greet, posted=posted)
    assert data(room_dir) == [("S02", "greet", None, None, None, 1)]
    [e] = entries(room_dir)
    assert e.staff == "JT"


@pytest.mark.parametrize("posted", [False, True])
async def test_a_trial_with_its_prompt_level(room_dir, posted):
    """`l2+v` used to write nothing."""
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        await burst(app, pilot, "l2+v", posted=posted)
    assert data(room_dir) == [("S02", "coins", "+", "V", None, None)]


async def test_task_analysis_steps(room_dir):
    wash = goal_key(room_dir, "S02", "wash")
    app = make_app(room_dir, as_staff="AL")
    async with app.run_test(size=(120, 40)) as pilot:
        await burst(app, pilot, "l2", wash, "iv-p", "escape")
    assert data(room_dir) == [("S02", "wash", "+", "I", 1, None), ("S02", "wash", "+", "V", 2, None),
                              ("S02", "wash", "-", None, 3, None), ("S02", "wash", "+", "PP", 4, None)]


async def test_duration_and_latency_timers_start_and_stop(room_dir):
    tantrum, start = goal_key(room_dir, "S05", "tantrum"), goal_key(room_dir, "S04", "start")
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        await burst(app, pilot, "l5", tantrum, "l4", start, "l5", tantrum, "4", start)
    assert [(e.type, e.payload["student"], e.payload["goal"]) for e in entries(room_dir)
            if e.type.startswith("timer")] == [
        ("timer.start", "S05", "tantrum"), ("timer.start", "S04", "start"),
        ("timer.stop", "S05", "tantrum"), ("timer.stop", "S04", "start")]


async def test_interval_session_starts_from_a_burst(room_dir):
    ontask = goal_key(room_dir, "S03", "ontask")
    app = make_app(room_dir, as_staff="MR")
    async with app.run_test(size=(120, 40)) as pilot:
        bells(app)
        await burst(app, pilot, "l3", ontask, "t+")  # the timed session: `+` before any prompt records nothing
        session = app.query_one(IntervalSession)
        await session.advance()
        await burst(app, pilot, "+x")
        assert not app.query(IntervalSession)
    assert data(room_dir) == [("S03", "ontask", "+", None, None, None)]


@pytest.mark.parametrize("posted", [False, True])
async def test_abc(room_dir, posted):
    """`l54121` used to write nothing (and later keys became task-analysis steps)."""
    app = make_app(room_dir, as_staff="JT")
    elope = goal_key(room_dir, "S05", "elope")
    async with app.run_test(size=(120, 40)) as pilot:
        await burst(app, pilot, "l5", elope, "121", "ran", "enter", posted=posted)
    [e] = entries(room_dir, "abc")
    assert e.payload == {"student": "S05", "behavior": "elopement", "antecedent": "Task demand",
                         "consequence": "Break given", "setting": "Math groups", "note": "ran"}
    assert data(room_dir) == []


async def test_undo_right_after_a_tally(room_dir):
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        await burst(app, pilot, "l23", "u")
    assert data(room_dir) == []
    assert [e.type for e in Room(room_dir).snapshot().events] == ["data", "retract"]


async def test_retract_from_the_student_screen(room_dir):
    room = Room(room_dir, clock=lambda: NOW_DT)
    eid = room.apply(data_commands.log(room.context("JT"), "K.B.", "coins", "+", "I"), "JT").id
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*"s2rry")
        assert await wait_for(pilot, lambda: any(e.type == "retract" for e in Room(room_dir).snapshot().events), 20)
        assert await wait_for(pilot, lambda: not app.typeahead.flows and not app.typeahead.keys)
        await settle(pilot)
        assert app.is_running
    [r] = [e for e in Room(room_dir).snapshot().events if e.type == "retract"]
    assert r.payload["target"] == eid and data(room_dir) == []


# -- a key that fits nothing ---------------------------------------------------------------------------
async def test_a_key_no_choice_takes_is_refused_and_never_reaches_the_board(room_dir):
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        rung = bells(app)
        await burst(app, pilot, "l23")  # something `u` on the board would undo
        await burst(app, pilot, "m#u1b")  # `#` and `u` fit no student: refused, the move still lands
        assert len(rung) == 2
        said = toasts(app)
        assert "“#” is not a choice here" in said and "Who is leaving?" in said and "Esc to cancel" in said
    assert data(room_dir) == [("S02", "greet", None, None, None, 1)]  # not undone
    assert [(e.payload["student"], e.payload["to"]) for e in entries(room_dir, "move")] == [("S01", "bathroom")]


async def test_a_key_the_sheet_does_not_take_is_refused(room_dir):
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        rung = bells(app)
        await burst(app, pilot, "l2#3")  # `#` is no goal's key: refused; 3 is the tally
        assert rung == [1] and "“#” is not a choice here" in toasts(app)
    assert data(room_dir) == [("S02", "greet", None, None, None, 1)]


@pytest.mark.parametrize("posted", [False, True])
async def test_a_run_of_trials_in_one_burst(room_dir, posted):
    coins = goal_key(room_dir, "S02", "coins")
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        await burst(app, pilot, "l2", coins, "++-v+g-+u+", "escape", posted=posted)
    assert data(room_dir) == [("S02", "coins", "+", "I", None, None), ("S02", "coins", "+", "I", None, None),
                              ("S02", "coins", "-", None, None, None), ("S02", "coins", "+", "V", None, None),
                              ("S02", "coins", "-", "G", None, None), ("S02", "coins", "+", "I", None, None)]
    [start], [end] = entries(room_dir, "session.start"), entries(room_dir, "session.end")  # the run's session
    assert (start.payload["goal"], end.payload["session"]) == ("coins", start.id)
    assert {e.payload["session"] for e in entries(room_dir, "data")} == {start.id}


async def test_abc_setting_prefilled_from_the_block_now(room_dir):
    """R.N. is in math groups now (NOW is Monday 10:15): the setting is marked ▶ and Enter takes it."""
    elope = goal_key(room_dir, "S05", "elope")
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("l", "5", elope, "1", "2")
        assert await wait_for(pilot, lambda: getattr(app.screen, "stage", None) == "setting")
        await pilot.pause()
        body = str(app.screen.query_one("#sheet-body").content)
        assert "▶1 Math groups  (now)" in body
        assert "Enter: Math groups" in str(app.screen.query_one("#sheet-hint").content)
        await burst(app, pilot, "enter")  # the prefilled setting, and saved (no note)
    [e] = entries(room_dir, "abc")
    assert (e.payload["antecedent"], e.payload["consequence"], e.payload["setting"]) == (
        "Task demand", "Break given", "Math groups")


@pytest.mark.parametrize("posted", [False, True])
async def test_task_analysis_u_undoes_that_very_step(room_dir, posted):
    """`u` in a chain retracts the step just written (by its id: every entry has the same fixed clock
    here, so "my newest" could be any of them)."""
    wash = goal_key(room_dir, "S02", "wash")
    app = make_app(room_dir, as_staff="AL")
    async with app.run_test(size=(120, 40)) as pilot:
        await burst(app, pilot, "l2", wash, "ivu", "g", "escape", posted=posted)
    assert data(room_dir) == [("S02", "wash", "+", "I", 1, None), ("S02", "wash", "+", "G", 2, None)]


@pytest.mark.parametrize("posted", [False, True])
async def test_a_run_of_intervals_in_one_burst(room_dir, posted):
    """The interval goal's key, then one key per interval (`0` not observed, `u` undoes the last),
    Esc: every interval lands as typed, in order, nothing else."""
    ontask = goal_key(room_dir, "S03", "ontask")
    app = make_app(room_dir, as_staff="MR")
    async with app.run_test(size=(120, 40)) as pilot:
        await burst(app, pilot, "3", ontask, "+-=0-u+", "escape", posted=posted)
    # the run is one session (issue 20): its start first, its end last, every interval in it
    events = entries(room_dir)
    assert [e.type for e in events] == ["session.start"] + ["data"] * 5 + ["session.end"]
    start = events[0]
    assert start.payload == {"student": "S03", "goal": "ontask", "setting": "Math groups"}
    assert events[-1].payload == {"student": "S03", "goal": "ontask", "session": start.id}
    assert [e.payload for e in entries(room_dir, "data")] == [
        {"student": "S03", "goal": "ontask", "value": v, "session": start.id} for v in ("+", "-", "+", "missed", "+")]


@pytest.mark.parametrize("posted", [False, True])
async def test_a_run_of_momentary_time_samples_in_one_burst(room_dir, posted):
    """MTS (Z.C.'s engaged) is logged as intervals are: one key per sample, `0` not observed."""
    engaged = goal_key(room_dir, "S07", "engaged")
    app = make_app(room_dir, as_staff="MR")
    async with app.run_test(size=(120, 40)) as pilot:
        await burst(app, pilot, "7", engaged, "+-0+", "escape", posted=posted)
    events = entries(room_dir)
    assert [e.type for e in events] == ["session.start"] + ["data"] * 4 + ["session.end"]
    assert [e.payload for e in entries(room_dir, "data")] == [
        {"student": "S07", "goal": "engaged", "value": v, "session": events[0].id} for v in ("+", "-", "missed", "+")]


@pytest.mark.parametrize("posted", [False, True])
async def test_abc_in_five_keys_in_one_burst(room_dir, posted):
    """The student's key, the behavior's, Enter on each list (its ▶ choice; the setting's Enter
    saves), then a tally: the keys after the save go to the board, none into the record."""
    elope, greet = goal_key(room_dir, "S05", "elope"), goal_key(room_dir, "S02", "greet")
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        await burst(app, pilot, "5", elope, "enter", "enter", "enter", "2", greet, posted=posted)
    [e] = entries(room_dir, "abc")
    assert e.payload == {"student": "S05", "behavior": "elopement", "antecedent": "Task demand",
                         "consequence": "Blocked and redirected", "setting": "Math groups"}
    assert data(room_dir) == [("S02", "greet", None, None, None, 1)]
