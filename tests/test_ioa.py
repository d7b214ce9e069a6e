"""Inter-observer agreement (issue 20): a second adult's `--ioa` record of a session, each measure
against a hand computation (Cooper, Heron & Heward), pairing with the primary observer's record, the
share of sessions checked against the field's standard, and IOA entries never in the goal's data."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from paratui.model import datalog, ioa
from paratui.model.datalog import Entry
from paratui.model.events import Event
from paratui.model.goals import Goal, Mastery, StudentPlan
from paratui.store.room import Room
from tests.helpers import run_cli

NOW = datetime(2026, 11, 23, 10, 15)  # a Monday
T0 = datetime(2026, 11, 23, 10, 0)


def _x(i: int, kind: str, sec: float, staff: str = "JT", **kw: object) -> Entry:
    return Entry(f"{staff}{i}", T0 + timedelta(seconds=sec), staff, "S01", "g", kind, **kw)  # type: ignore[arg-type]


def _rec(items: list[Entry]) -> ioa.Record:
    return ioa.Record(items[0].time.date(), items[0].staff, None, tuple(items))


# -- each measure, by hand ------------------------------------------------------------------------

def test_total_count_is_the_smaller_over_the_larger() -> None:
    assert ioa.total_count(3, 4) == 75.0 and ioa.total_count(4, 3) == 75.0
    assert ioa.total_count(0, 0) == 100.0 and ioa.total_count(0, 2) == 0.0


def test_exact_count_per_interval_over_one_minute_bins() -> None:
    """Bins 10:00, 10:01, 10:02, 10:03: counts 2|1, 1|2, 0|0, 1|1: the same in 2 of 4 bins (a bin
    where both saw none agrees): 50%. Total count 4|4: 100%."""
    goal = Goal("g", "Hands", "tally")
    primary = [_x(i, "tally", s, count=1) for i, s in enumerate((10, 40, 90, 185))]
    second = [_x(i, "tally", s, "AL", count=1) for i, s in enumerate((20, 70, 110, 190))]
    c = ioa.compare(goal, _rec(second), _rec(primary))
    assert (c.measure, c.agreed, c.compared, c.agreement, c.total_count) == (
        "exact count-per-interval", 2, 4, 50.0, 100.0)
    # the goal's own interval as the bin: 2-minute bins 10:00-10:02 (3|3), 10:02-10:04 (1|1): 100%
    wide = ioa.compare(Goal("g", "Hands", "tally", interval_seconds=120), _rec(second), _rec(primary))
    assert (wide.agreed, wide.compared, wide.agreement) == (2, 2, 100.0)


def test_a_days_tally_falls_back_to_total_count() -> None:
    """One entry of 3 against one of 4: no time per count to bin, so total count: 3 ÷ 4 = 75%."""
    goal = Goal("g", "Hands", "tally")
    c = ioa.compare(goal, _rec([_x(0, "tally", 0, "AL", count=4)]), _rec([_x(0, "tally", 5, count=3)]))
    assert (c.measure, c.agreement, c.total_count) == ("total count", 75.0, 75.0)
    assert "no time per count" in c.note


def test_trial_by_trial_is_by_position_over_the_longer_record() -> None:
    """n-th against n-th, the same + or - at the same prompt level: +I=+I, +V≠+I, -=-, +I=+ (a bare
    + is independent), and a 5th trial only the primary has: 3 of 5 = 60%."""
    goal = Goal("g", "Coins", "trials")
    primary = [_x(0, "trials", 0, value="+", prompt="I"), _x(1, "trials", 10, value="+", prompt="V"),
               _x(2, "trials", 20, value="-"), _x(3, "trials", 30, value="+", prompt="I"),
               _x(4, "trials", 40, value="+", prompt="I")]
    second = [_x(0, "trials", 1, "AL", value="+", prompt="I"), _x(1, "trials", 11, "AL", value="+", prompt="I"),
              _x(2, "trials", 21, "AL", value="-"), _x(3, "trials", 31, "AL", value="+")]
    c = ioa.compare(goal, _rec(second), _rec(primary), independent="I")
    assert (c.measure, c.agreed, c.compared, c.agreement) == ("trial-by-trial", 3, 5, 60.0)


def test_task_analysis_is_step_by_step() -> None:
    """Steps 1-4 of a chain: I=I, PP≠V, -=-, step 4 only the IOA observer scored: 2 of 4 = 50%."""
    goal = Goal("g", "Wash", "task_analysis", steps=("a", "b", "c", "d"))
    primary = [_x(0, "task_analysis", 0, value="+", prompt="I", step=1),
               _x(1, "task_analysis", 10, value="+", prompt="PP", step=2),
               _x(2, "task_analysis", 20, value="-", step=3)]
    second = [_x(0, "task_analysis", 1, "AL", value="+", prompt="I", step=1),
              _x(1, "task_analysis", 11, "AL", value="+", prompt="V", step=2),
              _x(2, "task_analysis", 21, "AL", value="-", step=3),
              _x(3, "task_analysis", 31, "AL", value="+", prompt="I", step=4)]
    c = ioa.compare(goal, _rec(second), _rec(primary))
    assert (c.measure, c.agreed, c.compared, c.agreement) == ("trial-by-trial", 2, 4, 50.0)


def test_interval_by_interval_leaves_missed_out_and_says_so() -> None:
    """+|+ same, -|+ not, +|+ same, missed|+ left out, +|- not, (none)|+ not: 2 of 5 = 40%, 1 left out."""
    goal = Goal("g", "On task", "interval", interval_seconds=10)
    primary = [_x(i, "interval", 10 * i, value=v) for i, v in enumerate(("+", "-", "+", "missed", "+"))]
    second = [_x(i, "interval", 10 * i + 1, "AL", value=v) for i, v in enumerate(("+", "+", "+", "+", "-", "+"))]
    c = ioa.compare(goal, _rec(second), _rec(primary))
    assert (c.measure, c.agreed, c.compared, c.left_out, c.agreement) == ("interval-by-interval", 2, 5, 1, 40.0)
    assert c.note == "1 missed left out"


def test_mean_duration_per_occurrence_for_latency() -> None:
    """30|40 s: 75%; 60|60: 100%; an occurrence only one timed: 0%: (75 + 100 + 0) ÷ 3."""
    goal = Goal("g", "Starts work", "latency")
    primary = [_x(0, "latency", 0, seconds=30.0), _x(1, "latency", 100, seconds=60.0)]
    second = [_x(0, "latency", 1, "AL", seconds=40.0), _x(1, "latency", 101, "AL", seconds=60.0),
              _x(2, "latency", 300, "AL", seconds=10.0)]
    c = ioa.compare(goal, _rec(second), _rec(primary))
    assert c.measure == "mean duration-per-occurrence" and c.agreement == pytest.approx(175 / 3)


def test_total_duration_for_duration_goals() -> None:
    """The field's duration IOA: the session's shorter total ÷ the longer × 100: 30 + 60 = 90 s against
    40 + 60 + 10 = 110 s: 81.8% (the mean per occurrence, 58%, said beside it)."""
    goal = Goal("g", "Tantrum", "duration")
    primary = [_x(0, "duration", 0, seconds=30.0), _x(1, "duration", 100, seconds=60.0)]
    second = [_x(0, "duration", 1, "AL", seconds=40.0), _x(1, "duration", 101, "AL", seconds=60.0),
              _x(2, "duration", 300, "AL", seconds=10.0)]
    c = ioa.compare(goal, _rec(second), _rec(primary))
    assert c.measure == "total duration" and c.agreement == pytest.approx(100 * 90 / 110)
    assert c.note == "primary 90 s, IOA 110 s; mean duration-per-occurrence 58%"


# -- pairing --------------------------------------------------------------------------------------

def _ev(i: int, staff: str, minute: int, value: str = "+", day: int = 0, **extra: object) -> Event:
    payload = {"student": "S01", "goal": "g", "value": value, "prompt": "I" if value == "+" else None} | extra
    return Event(f"e{staff}{day}{minute}{i}", "data", T0 + timedelta(days=day, minutes=minute, seconds=i), 0, staff,
                 "", "", {k: v for k, v in payload.items() if v is not None})


def _agreement(events: list[Event]) -> ioa.GoalIOA:
    plan = StudentPlan("S01", (Goal("g", "Coins", "trials", mastery=Mastery(3, 80)),))
    summaries = datalog.summarize(plan, events, ("FP", "V", "I"))
    [out] = ioa.agreement(plan, events, summaries, "I")
    return out


def test_an_ioa_observation_pairs_with_the_other_adults_record_at_that_time() -> None:
    """JT runs trials at 10:00 and again at 13:00 (two sittings); AL checks the 13:00 one: it pairs
    with that sitting only (10:00's trials are not compared)."""
    events = [_ev(i, "JT", 0, "-") for i in range(3)] + [_ev(i, "JT", 180) for i in range(3)] \
        + [_ev(i, "AL", 180, ioa=True) for i in range(3)]
    g = _agreement(events)
    [c] = g.checks
    assert (c.primary.start.hour, c.agreement, c.compared) == (13, 100.0, 3)
    assert g.sessions == 1 and g.checked == 1 and g.unpaired == ()


def test_a_session_id_pairs_before_the_time() -> None:
    """With a `session` id in both payloads, the IOA observation pairs with that session's record,
    even when another adult's record is nearer in time."""
    events = [_ev(i, "JT", 0, "-", session="s1") for i in range(2)] \
        + [_ev(i, "MR", 20, session="s2") for i in range(2)] \
        + [_ev(i, "AL", 19, "-", ioa=True, session="s1") for i in range(2)]
    [c] = _agreement(events).checks
    assert c.primary.staff == "JT" and c.agreement == 100.0


def test_no_partner_is_listed_not_paired_and_checks_nothing() -> None:
    events = [_ev(0, "JT", 0), _ev(0, "AL", 240, ioa=True), _ev(0, "JT", 300, ioa=True, day=1)]
    g = _agreement(events)
    assert g.checks == () and g.checked == 0
    assert [why for _, why in g.unpaired] == [
        "no primary record at that time (another adult's that day is more than 15 min apart)",
        "no primary record of the goal that day"]


def test_share_of_sessions_and_the_standard() -> None:
    """5 sessions, 1 checked at 100%: 20%, the standard met; 6 sessions: 17%, flagged; a check at
    50%: the mean under 80%, flagged too."""
    events = [_ev(0, "JT", 0, day=d) for d in range(5)] + [_ev(0, "AL", 1, day=4, ioa=True)]
    g = _agreement(events)
    assert (g.sessions, g.checked, g.share, g.mean, g.meets_standard, g.flag) == (5, 1, 20.0, 100.0, True, "")
    more = _agreement(events + [_ev(0, "JT", 0, day=5)])
    assert more.flag == "IOA below the field's standard: 1 of 6 sessions checked (17%)"
    poor = _agreement(events + [_ev(1, "JT", 0, day=3), _ev(0, "DP", 0, day=3, ioa=True),
                                _ev(1, "DP", 0, "-", day=3, ioa=True)])
    assert (poor.checked, poor.mean, poor.low, poor.high) == (2, 75.0, 50.0, 100.0)
    assert poor.flag == "IOA below the field's standard: mean agreement 75% (under 80%)"


# -- through the command line, real processes, a real journal -----------------------------------

def _json(room_dir: Path, student: str, *args: str) -> dict:
    return json.loads(run_cli("report", student, "--format", "json", *args, data=room_dir, check=True).stdout)


def test_ioa_entries_never_count_in_the_goals_data(room_dir: Path) -> None:
    """JT's 4 trials of coins (3 correct, 75%); AL's `--ioa` record of the same session (2 of 4) is
    compared, never counted: coins is still 4 trials at 75%, greet still a count of 2, and greet is
    still due for MR (its collector) after AL's IOA count."""
    for value in ("+", "+", "-", "+"):
        run_cli("log", "K.B.", "coins", value, "--as", "JT", data=room_dir, check=True)
    before = next(g for g in _json(room_dir, "K.B.")["goals"] if g["id"] == "coins")
    for value in ("+", "-", "-", "+"):
        out = run_cli("log", "K.B.", "coins", value, "--ioa", "--as", "AL", data=room_dir, check=True)
        assert "(IOA observation)" in out.stdout
    report = _json(room_dir, "K.B.")
    coins = next(g for g in report["goals"] if g["id"] == "coins")
    assert coins["sessions"] == before["sessions"] and coins["entries"] == 4
    assert (coins["sessions"][0]["trials"], coins["sessions"][0]["percent_correct"]) == (4, 75.0)
    [check] = next(g for g in report["ioa"]["goals"] if g["goal"] == "coins")["checks"]
    assert (check["primary"], check["ioa_observer"], check["agreement"], check["agreed"]) == ("Mr. T", "Ms. L", 75.0, 3)

    room = Room(room_dir)
    assert any((d.student, d.goal, d.staff) == ("S02", "greet", "MR") for d in room.board().data_due)
    run_cli("log", "K.B.", "greet", "2", "--ioa", "--as", "AL", data=room_dir, check=True)
    assert any((d.student, d.goal, d.staff) == ("S02", "greet", "MR") for d in room.board().data_due)
    run_cli("log", "K.B.", "greet", "2", "--as", "MR", data=room_dir, check=True)
    greet = next(g for g in _json(room_dir, "K.B.")["goals"] if g["id"] == "greet")
    assert [s["count"] for s in greet["sessions"]] == [2]


def test_an_ioa_event_in_the_journal_is_left_out_of_every_figure(room_dir: Path) -> None:
    """However it got there (another board, a hand-written journal): an event with `ioa: true`."""
    room = Room(room_dir)
    room.record("data", "MR", {"student": "S02", "goal": "greet", "count": 3})
    room.record("data", "AL", {"student": "S02", "goal": "greet", "count": 3, "ioa": True})
    greet = next(g for g in _json(room_dir, "K.B.")["goals"] if g["id"] == "greet")
    assert greet["entries"] == 1 and greet["current"] == 3
    snap = room.snapshot()
    plan = snap.classroom.plans["S02"]
    [s] = datalog.summarize(plan, snap.events, snap.classroom.prompts, goal="greet")
    assert s.sessions[0].count == 3.0


def test_the_observer_of_the_session_cannot_check_it(room_dir: Path) -> None:
    run_cli("log", "K.B.", "coins", "+", "--as", "JT", data=room_dir, check=True)
    out = run_cli("log", "K.B.", "coins", "+", "--ioa", "--as", "JT", data=room_dir)
    assert out.returncode == 2 and "second adult" in out.stderr and "ioa" in out.stderr
    assert run_cli("log", "K.B.", "coins", "+", "--ioa", "--as", "AL", data=room_dir).returncode == 0
    out = run_cli("log", "K.B.", "coins", "+", "--ioa", "--as", "JT",
                  data=room_dir, env={"PARATUI_NOW": "2026-11-23T13:00"})  # another sitting: JT may check
    assert out.returncode == 0, out.stderr


def test_share_checked_is_reported_with_the_flag_in_every_format(room_dir: Path) -> None:
    """MR counts greet on 6 school days; AL checks one (a day's count: total count, 2 of 3 = 67%):
    1 of 6 sessions (17%), mean 67%: flagged in Markdown, HTML and JSON; CSV flags AL's row."""
    days = ["2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20", "2026-11-23"]
    for d in days:
        run_cli("log", "K.B.", "greet", "3", "--as", "MR", data=room_dir, env={"PARATUI_NOW": f"{d}T14:00"},
                check=True)
    run_cli("log", "K.B.", "greet", "2", "--ioa", "--as", "AL", data=room_dir,
            env={"PARATUI_NOW": "2026-11-18T14:05"}, check=True)
    g = next(g for g in _json(room_dir, "K.B.")["ioa"]["goals"] if g["goal"] == "greet")
    assert (g["sessions"], g["checked"], g["share"], g["mean"], g["meets_standard"]) == (6, 1, 16.7, 66.7, False)
    flag = "IOA below the field's standard: 1 of 6 sessions checked (17%); mean agreement 67% (under 80%)"
    assert g["flag"] == flag and g["checks"][0]["measure"] == "total count"
    md = run_cli("report", "K.B.", "--goal", "greet", data=room_dir, check=True).stdout
    assert "## Inter-observer agreement" in md and f"**{flag}**" in md
    assert "- Sessions checked: 1 of 6 (17%)" in md and "- Mean agreement: 67% (range 67%)" in md
    assert "| 2026-11-18 | Ms. R | Ms. L | total count | 67% |" in md
    page = run_cli("report", "K.B.", "--goal", "greet", "--format", "html", data=room_dir, check=True).stdout
    assert "<h2>Inter-observer agreement</h2>" in page and "field&#x27;s standard: 1 of 6" in page
    rows = list(csv.DictReader(io.StringIO(run_cli("report", "K.B.", "--goal", "greet", "--format", "csv",
                                                   data=room_dir, check=True).stdout)))
    assert [(r["observer"], r["ioa"]) for r in rows if r["date"] == "2026-11-18"] == [("MR", ""), ("AL", "yes")]
    assert sum(r["ioa"] == "yes" for r in rows) == 1
    assert [s["count"] for s in next(x for x in _json(room_dir, "K.B.")["goals"] if x["id"] == "greet")[
        "sessions"]] == [3] * 6


def test_the_student_screen_reads_the_goal_without_the_ioa_record(room_dir: Path) -> None:
    """Its today line, trend and mastery are the primary observer's data; the recent entries list
    says which is the IOA observation."""
    from paratui.app.student_screen import build_view, today_line

    room = Room(room_dir)
    for value in ("+", "-", "+"):
        room.record("data", "JT", {"student": "S02", "goal": "coins", "value": value, "prompt": "I"})
    room.record("data", "AL", {"student": "S02", "goal": "coins", "value": "-", "ioa": True})
    snap = room.snapshot()
    kb = snap.classroom.student_by_id()["S02"]
    view = build_view(snap.classroom, kb, list(snap.events), NOW.date())
    coins = next(g for g in view.goals if g.goal.id == "coins")
    assert today_line(coins, NOW.date()).startswith("Today: 3 trials, 67% correct, 67% independent")
    from paratui.model.commands import describe

    said = [describe(e, snap.classroom, snap.events) for e, _ in view.entries]
    assert said[0].endswith("coins: - (IOA observation)") and sum("IOA" in x for x in said) == 1
