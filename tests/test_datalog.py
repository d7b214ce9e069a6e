"""Quick logging: every data kind through the one command layer, its refusals, timers across a
restart, undo and retract, data due on the board, sessions and mastery."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from paratui.model import data_commands, datalog
from paratui.model.commands import Refused
from paratui.model.events import Event
from paratui.model.goals import Goal, Mastery
from paratui.store.room import Room
from tests.helpers import run_cli

NOW = datetime(2026, 11, 23, 10, 15)


class Clock:
    def __init__(self, now: datetime = NOW):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def do(room: Room, actor: str, fn, *args, **kw):
    change = fn(room.context(actor), *args, **kw)
    room.apply(change, actor)
    return change


def events_on_disk(room_dir: Path) -> int:
    return sum(len(json.loads(p.read_text() or "{}").get("_default", {}))
               for p in (room_dir / "journal").rglob("*.json") if not p.name.startswith("."))


def test_every_kind_is_one_event_that_reads_back(room_dir):
    room = Room(room_dir, Clock())
    said = [
        do(room, "JT", data_commands.log, "K.B.", "coins", "+", "V").text,
        do(room, "JT", data_commands.log, "KB", "COINS", "-").text,
        do(room, "MR", data_commands.log, "KB", "greet").text,
        do(room, "MR", data_commands.log, "KB", "greet", "3").text,
        do(room, "AL", data_commands.log, "KB", "wash", "PP").text,
        do(room, "AL", data_commands.log, "KB", "wash", "I").text,
        do(room, "AL", data_commands.log, "KB", "wash", "-", step="Scrub").text,
        do(room, "JT", data_commands.log, "O.W.", "start", "1:30").text,
        do(room, "MR", data_commands.log, "L.S.", "ontask", "missed").text,
        do(room, "AL", data_commands.log, "Z.C.", "engaged", "+").text,
        do(room, "DP", data_commands.abc, "R.N.", "elopement", "1", "Break given", "hallway", "ran to the door").text,
    ]
    assert said == [
        "K.B. · coins: + at V", "K.B. · coins: -", "K.B. · greet: +1", "K.B. · greet: +3",
        "K.B. · wash step 1 (Turn on water): PP", "K.B. · wash step 2 (Wet hands): I",
        "K.B. · wash step 4 (Scrub 20 seconds): -", "O.W. · start: 1 min 30 s", "L.S. · ontask: missed",
        "Z.C. · engaged: +",
        "ABC for R.N.: Elopement (in Hallway; A: Task demand; C: Break given)",
    ]
    events = [e for e in room.snapshot().events if e.type in ("data", "abc")]
    assert len(events) == 11 and events_on_disk(room_dir) == 11
    assert events[0].payload == {"student": "S02", "goal": "coins", "value": "+", "prompt": "V"}
    assert events[3].payload["count"] == 3 and events[7].payload["seconds"] == 90
    assert events[10].payload["note"] == "ran to the door"
    # data entries go in the log stream's day (journal/log/2026-11/23/), not the day folder or the task stream
    journal = room_dir / "journal"
    assert all(p.parent == journal / "log" / "2026-11" / "23" for p in journal.rglob("*.json"))


@pytest.mark.parametrize("args, field, shows", [
    (("K.B.", "nope", "+"), "goal", "coins (trials), wash (task_analysis), greet (tally)"),
    (("K.B.", "coins", "3"), "value", "+ (correct) or - (incorrect)"),
    (("K.B.", "coins", "+", "X"), "prompt", "FP, PP, M, G, V, I"),
    (("K.B.", "greet", "+"), "value", "a count"),
    (("O.W.", "start", "soon"), "value", "seconds (90)"),
    (("K.B.", "wash", "Q"), "prompt", "FP, PP, M, G, V, I"),
    (("R.N.", "elope", "+"), "goal", "abc"),
    (("L.S.", "ontask", "+", "V"), "prompt", "no prompt"),
])
def test_bad_input_is_refused_with_the_choices_and_nothing_written(room_dir, args, field, shows):
    room = Room(room_dir, Clock())
    with pytest.raises(Refused) as e:
        data_commands.log(room.context("JT"), *args)
    assert e.value.field == field and shows in e.value.message
    assert events_on_disk(room_dir) == 0


def test_abc_refuses_a_behavior_that_is_not_theirs(room_dir):
    room = Room(room_dir, Clock())
    with pytest.raises(Refused) as e:
        data_commands.abc(room.context("DP"), "R.N.", "biting")
    assert "elopement (Elopement), crying (Crying episode)" in e.value.message
    with pytest.raises(Refused) as e:
        data_commands.abc(room.context("DP"), "R.N.", "elopement", antecedent="9")
    assert "1 Task demand" in e.value.message
    with pytest.raises(Refused):
        data_commands.abc(room.context("DP"), "K.B.", "anything")  # K.B. has no behaviors


def test_timers_run_across_a_restart_and_refuse_double_start_and_stray_stop(room_dir):
    clock = Clock()
    room = Room(room_dir, clock)
    with pytest.raises(Refused, match="no timer is running"):
        data_commands.timer_stop(room.context("DP"), "R.N.", "tantrum")
    with pytest.raises(Refused, match="timers are for duration and latency"):
        data_commands.timer_start(room.context("DP"), "R.N.", "aac")
    do(room, "DP", data_commands.timer_start, "R.N.", "tantrum")
    do(room, "AL", data_commands.timer_start, "T.H.", "seat")
    with pytest.raises(Refused, match="already running"):
        data_commands.timer_start(room.context("JT"), "R.N.", "tantrum")
    clock.now = NOW + timedelta(minutes=3)
    again = Room(room_dir, clock)  # a new board process: the timers are events
    board = again.board()
    assert [(t.student, t.goal) for t in board.timers] == [("S05", "tantrum"), ("S06", "seat")]
    clock.now = NOW + timedelta(minutes=4, seconds=12)
    change = do(again, "DP", data_commands.timer_stop, "R.N.", "tantrum")
    assert change.payload["seconds"] == 252 and change.text == "timer stopped: R.N. · tantrum, 4 min 12 s"
    assert [(t.student, t.goal) for t in again.board().timers] == [("S06", "seat")]
    again.undo("DP")  # undoing the stop: the timer runs again
    assert len(again.board().timers) == 2


def test_data_due_per_adult_clears_as_entries_arrive(room_dir):
    room = Room(room_dir, Clock())
    due = room.board().data_due
    assert ("JT", "S05", "count") in {(d.staff, d.student, d.goal) for d in due}
    assert not any(d.goal in ("read", "engaged", "elope") for d in due)  # Fridays, Tue/Thu, ABC
    assert {d.staff for d in due if (d.student, d.goal) == ("S04", "start")} == {"JT", "AL"}
    do(room, "AL", data_commands.log, "O.W.", "start", "45")
    due = room.board().data_due
    assert not any((d.student, d.goal) == ("S04", "start") for d in due)
    room.undo("AL")
    assert any((d.student, d.goal) == ("S04", "start") for d in room.board().data_due)


def test_no_data_due_at_the_weekend(room_dir):
    room = Room(room_dir, Clock(datetime(2026, 11, 22, 10, 0)))
    assert room.board().data_due == ()


def test_task_analysis_steps_follow_on_and_wrap(room_dir):
    room = Room(room_dir, Clock())
    steps = [do(room, "DP", data_commands.log, "R.N.", "coat", "I").payload["step"] for _ in range(6)]
    assert steps == [1, 2, 3, 4, 5, 1]
    with pytest.raises(Refused, match="1 Gets coat from hook"):
        data_commands.log(room.context("DP"), "R.N.", "coat", "I", step="9")


def test_cli_log_abc_timer_and_refusals(room_dir):
    out = run_cli("log", "K.B.", "coins", "+", "--prompt", "G", "--as", "JT", data=room_dir, check=True)
    assert out.stdout.startswith("recorded: K.B. · coins: + at G")
    run_cli("abc", "R.N.", "--behavior", "elopement", "--antecedent", "Transition", "--as", "DP",
            data=room_dir, check=True)
    run_cli("timer", "start", "R.N.", "tantrum", "--as", "DP", data=room_dir, check=True)
    out = run_cli("timer", "start", "R.N.", "tantrum", "--as", "DP", data=room_dir)
    assert out.returncode == 2 and "already running" in out.stderr
    out = run_cli("timer", "stop", "T.H.", "seat", "--as", "AL", data=room_dir)
    assert out.returncode == 2 and "no timer is running" in out.stderr and "S05 tantrum" in out.stderr
    out = run_cli("log", "K.B.", "coins", "+", "--prompt", "Z", "--as", "JT", data=room_dir)
    assert out.returncode == 2 and "FP, PP, M, G, V, I" in out.stderr
    assert events_on_disk(room_dir) == 3
    out = run_cli("undo", "--as", "JT", data=room_dir, check=True)
    assert "undone: K.B. · coins: + at G" in out.stdout


def _ev(day: int, value: str, prompt: str | None = "I", goal: str = "g", i: list = [0]) -> Event:  # noqa: B006
    i[0] += 1
    payload = {"student": "S01", "goal": goal, "value": value}
    if prompt:
        payload["prompt"] = prompt
    return Event(f"e{i[0]}", "data", datetime(2026, 11, day, 10, i[0] % 60), 0, "JT", "", "", payload)


def test_sessions_percent_independent_prompt_breakdown_and_mastery():
    from paratui.model.goals import StudentPlan

    goal = Goal("g", "Coins", "trials", mastery=Mastery(3, 80, "I"))
    plan = StudentPlan("S01", (goal,))
    prompts = ("FP", "PP", "M", "G", "V", "I")
    events = [_ev(16, "+", "V"), _ev(16, "-", None),                            # 0% independent
              _ev(17, "+"), _ev(17, "+"), _ev(17, "+"), _ev(17, "+"), _ev(17, "-", None),  # 80%
              _ev(18, "+"), _ev(18, "+", "G"), _ev(18, "+"), _ev(18, "+"), _ev(18, "+")]   # 80%
    [summary] = datalog.summarize(plan, events, prompts)
    s16, s17, s18 = summary.sessions
    assert (s16.trials, s16.correct, s16.percent_correct, s16.level) == (2, 1, 50.0, 0.0)
    assert s18.prompts == {"G": 1, "I": 4} and s17.level == 80.0 and s17.met and not s16.met
    assert summary.status.text == "2 of 3 sessions at or above 80% independent" and not summary.status.mastered
    events.append(Event("x", "retract", datetime(2026, 11, 18, 11), 0, "JT", "", "", {"target": events[-1].id}))
    [summary] = datalog.summarize(plan, events, prompts)
    assert summary.sessions[-1].trials == 4 and summary.sessions[-1].level == 75.0
    assert summary.status.run == 0
    three = [_ev(d, "+") for d in (19, 20, 23)]
    [summary] = datalog.summarize(plan, three, prompts)
    assert summary.status.mastered and summary.status.text.startswith("3 of 3")
    [part] = datalog.summarize(plan, three, prompts, start=date(2026, 11, 20))
    assert [s.day.day for s in part.sessions] == [20, 23]


def test_at_most_goals_and_trend():
    goal = Goal("t", "Reminders", "tally", mastery=Mastery(2, at_most=1))
    from paratui.model.goals import StudentPlan

    counts = [6, 5, 6, 2, 1, 1]
    events = [Event(f"c{d}", "data", datetime(2026, 11, 10 + d, 9), 0, "AL", "", "",
                    {"student": "S01", "goal": "t", "count": n}) for d, n in enumerate(counts)]
    [s] = datalog.summarize(StudentPlan("S01", (goal,)), events, ("P", "I"))
    assert [x.level for x in s.sessions] == counts and s.trend == "falling"
    assert s.status.mastered and s.status.text == "2 of 2 sessions at or below 1"


def test_abc_patterns_by_antecedent_consequence_and_time_of_day(room_dir):
    room = Room(room_dir, Clock())
    for a, c in (("Task demand", "Break given"), ("Task demand", "Blocked and redirected"),
                 ("Transition", "Break given")):
        do(room, "DP", data_commands.abc, "R.N.", "elopement", a, c)
    room.clock.now = NOW.replace(hour=13, minute=30)
    do(room, "DP", data_commands.abc, "R.N.", "crying", "Loud noise")
    snap = room.snapshot()
    recs = datalog.entries(snap.events, snap.classroom.plans["S05"], "S05")
    p = datalog.abc_patterns(recs)
    assert p.total == 4 and p.antecedents[0] == ("Task demand", 2) and p.consequences[0] == ("Break given", 2)
    assert p.by_time == (("morning", 3), ("afternoon", 1))
    assert datalog.abc_patterns(recs, "crying").total == 1
    [elope] = datalog.summarize(snap.classroom.plans["S05"], snap.events, snap.classroom.prompts, goal="elope")
    assert elope.sessions[0].level == 3 and elope.status.text == "0 of 10 sessions at or below 0"


def test_board_json_carries_running_timers_and_data_due(room_dir):
    import json

    from tests.helpers import run_cli

    before = json.loads(run_cli("board", "--json", data=room_dir, check=True).stdout)
    assert isinstance(before["timers"], list) and isinstance(before["data_due"], list)
    assert before["data_due"], "the demo room's data plans have goals due on a Monday"
    due = before["data_due"][0]
    assert set(due) == {"staff", "student", "goal", "kind", "when"}
