"""Sessions as observations (issue 20): a session has a start, an end, an observer and a setting;
several a day; a rate where the observation time is known; timers kept overnight, stopped with a
corrected end, flagged until then. The figures are checked against a computation done here from
the raw journal files (json.load, not paratui's reader)."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from paratui.model import data_commands
from paratui.model.datalog import summarize
from paratui.model.events import Event
from paratui.store.room import Room
from tests.helpers import run_cli

NOW = datetime(2026, 11, 23, 10, 15)  # a Monday


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def _report(room_dir: Path, student: str, goal: str, now: datetime | None = None) -> dict[str, Any]:
    env = {"PARATUI_NOW": (now or NOW).isoformat(timespec="minutes")}
    out = run_cli("report", student, "--goal", goal, "--format", "json", data=room_dir, env=env, check=True)
    [g] = json.loads(out.stdout)["goals"]
    return g


def cli(room_dir: Path, at: datetime, *args: str) -> Any:
    return run_cli(*args, data=room_dir, env={"PARATUI_NOW": at.isoformat(timespec="minutes")})


def ok(room_dir: Path, at: datetime, *args: str) -> str:
    out = cli(room_dir, at, *args)
    assert out.returncode == 0, out.stderr
    return str(out.stdout)


def test_an_am_session_and_a_pm_session_by_two_adults_are_two_sessions(room_dir: Path) -> None:
    """JT's 10 trials in the morning, 1 independent (10%); AL's 10 in the afternoon, 2 (20%): two
    sessions of 10% and 20%, each with its observer, start and end, not one day of 15%."""
    clock = Clock()
    room = Room(room_dir, clock)
    for who, hour, right in (("JT", 9, 1), ("AL", 13, 2)):
        for i in range(10):
            clock.now = NOW.replace(hour=hour, minute=i)
            room.apply(data_commands.log(room.context(who), "K.B.", "coins", "+" if i < right else "-"), who)
    g = _report(room_dir, "K.B.", "coins", NOW.replace(hour=15))
    assert [(s["date"], s["level"], s["observer"]) for s in g["sessions"]] == [
        ("2026-11-23", 10.0, "JT"), ("2026-11-23", 20.0, "AL")]
    am, pm = g["sessions"]
    assert (am["start"], am["end"], pm["start"], pm["end"]) == (
        "2026-11-23T09:00", "2026-11-23T09:09", "2026-11-23T13:00", "2026-11-23T13:09")
    assert am["minutes"] is None  # implied sessions have no declared observation time
    assert am["probe"] is not None and pm["probe"] is None  # the cold probe is the day's first trial
    assert g["entries"] == 20
    # the student screen's line of today pools the day's two sessions (its chart shows both)
    from paratui.app.student_screen import today_line

    snap = room.snapshot()
    plan = snap.classroom.plans["S02"]
    [coins] = summarize(plan, snap.events, snap.classroom.prompts, goal="coins")
    assert len(coins.sessions) == 2
    assert today_line(coins, NOW.date()).startswith("Today: 20 trials, 15% correct, 15% independent")
    assert today_line(coins, NOW.date()).endswith(" · 2 sessions")


def test_two_task_analysis_runs_of_a_day_are_two_sessions(room_dir: Path) -> None:
    """K.B.'s `wash` (7 steps) run twice in one morning by one adult: the second run starts again
    at step 1, so it is its own session, each over the chain (3 of 7, then 7 of 7)."""
    clock = Clock()
    room = Room(room_dir, clock)
    for run, levels in enumerate((("I", "PP", "I", "PP", "I", "PP", "PP"), ("I",) * 7)):
        for i, level in enumerate(levels):
            clock.now = NOW.replace(hour=9 + run, minute=i)
            room.apply(data_commands.log(room.context("AL"), "K.B.", "wash", level), "AL")
    g = _report(room_dir, "K.B.", "wash", NOW.replace(hour=12))
    assert [(s["trials"], s["level"]) for s in g["sessions"]] == [(7, round(300 / 7, 1)), (7, 100.0)]
    assert [s["id"] for s in g["sessions"]] == ["2026-11-23/wash/AL", "2026-11-23/wash/AL/2"]


def test_a_declared_session_gives_a_rate_and_one_without_an_end_says_so(room_dir: Path) -> None:
    """`session start`, three tallies, `session end` 30 minutes later: 0.1 a minute, 6 an hour."""
    t = NOW.replace(hour=8, minute=30)
    out = ok(room_dir, t, "session", "start", "K.B.", "greet", "--setting", "Arrival", "--as", "MR")
    sid = next(line.split()[-1] for line in out.splitlines() if line.startswith("session id:"))
    ok(room_dir, t + timedelta(minutes=5), "log", "K.B.", "greet", "2", "--as", "MR")  # into the open session
    ok(room_dir, t + timedelta(minutes=9), "log", "K.B.", "greet", "--as", "MR", "--session", sid[:8])
    ok(room_dir, t + timedelta(minutes=30), "session", "end", "K.B.", "greet", "--as", "MR")
    ok(room_dir, t + timedelta(minutes=40), "log", "K.B.", "greet", "--as", "JT")  # JT's: no session
    g = _report(room_dir, "K.B.", "greet")
    declared, implied = g["sessions"]
    assert (declared["id"], declared["count"], declared["minutes"], declared["setting"]) == (sid, 3, 30, "Arrival")
    assert (declared["rate_per_minute"], declared["rate_per_hour"]) == (0.1, 6)
    assert (implied["count"], implied["minutes"], implied["rate_per_minute"]) == (1, None, None)
    assert g["days"] == [{"date": "2026-11-23", "sessions": 2, "count": 4, "total_seconds": None, "minutes": None}]
    md = run_cli("report", "K.B.", "--goal", "greet", data=room_dir, env={"PARATUI_NOW": "2026-11-23T10:15"},
                 check=True).stdout
    assert "| Ms. R | Arrival | 08:30–09:00 | 30 | 0.1 | 6 |" in md
    assert "| Mr. T |  | 09:10–09:10 | — no observation time | — no observation time |  |" in md
    # a second session while one is open is refused; --session naming another goal's is too
    ok(room_dir, NOW, "session", "start", "K.B.", "greet", "--as", "MR")
    again = cli(room_dir, NOW, "session", "start", "K.B.", "greet", "--as", "MR")
    assert again.returncode == 2 and "already open" in again.stderr
    wrong = cli(room_dir, NOW, "log", "K.B.", "coins", "+", "--as", "MR", "--session", sid)
    assert wrong.returncode == 2 and "not a session of coins" in wrong.stderr
    rows = run_cli("report", "K.B.", "--goal", "greet", "--format", "csv", data=room_dir, check=True).stdout
    head, first = (r.split(",") for r in rows.splitlines()[:2])
    assert head[-6:] == ["session", "session_start", "session_end", "minutes_observed", "ioa", "session_not_closed"]
    assert first[-6] == sid and first[-3] == "30" and first[-2] == "" and first[-1] == ""


def test_a_timer_left_running_overnight_is_kept_flagged_and_stopped_with_a_corrected_end(room_dir: Path) -> None:
    """Started Monday 14:02 and forgotten: Tuesday's `timer stop` says since when and asks for the
    real end; until then the report flags an open timer and counts nothing; `--end 14:20` makes it
    Monday's 18 minutes."""
    monday, tuesday = NOW.replace(hour=14, minute=2), NOW.replace(hour=9) + timedelta(days=1)
    ok(room_dir, monday, "timer", "start", "R.N.", "tantrum", "--as", "DP")
    stop = cli(room_dir, tuesday, "timer", "stop", "R.N.", "tantrum", "--as", "DP")
    assert stop.returncode == 2
    assert "running since yesterday 14:02" in stop.stderr and "--end HH:MM" in stop.stderr
    again = cli(room_dir, tuesday, "timer", "start", "R.N.", "tantrum", "--as", "DP")
    assert again.returncode == 2 and "since yesterday 14:02" in again.stderr
    board = json.loads(ok(room_dir, tuesday, "board", "--json"))
    assert [(t["goal"], t["started"][:16]) for t in board["timers"]] == [("tantrum", "2026-11-23T14:02")]
    g = _report(room_dir, "R.N.", "tantrum", tuesday)
    assert g["sessions"] == [] and [t["start"] for t in g["open_timers"]] == ["2026-11-23T14:02"]
    md = run_cli("report", "R.N.", "--goal", "tantrum", data=room_dir, env={"PARATUI_NOW": "2026-11-24T09:00"},
                 check=True).stdout
    assert "Open timer: started 2026-11-23 14:02 and never stopped" in md
    bad = cli(room_dir, tuesday, "timer", "stop", "R.N.", "tantrum", "--end", "13:00", "--as", "DP")
    assert bad.returncode == 2 and "before the timer started" in bad.stderr
    ok(room_dir, tuesday, "timer", "stop", "R.N.", "tantrum", "--end", "14:20", "--as", "DP")
    g = _report(room_dir, "R.N.", "tantrum", tuesday)
    assert g["open_timers"] == [] and g["flagged"] == []
    assert [(s["date"], s["seconds"], s["total_seconds"]) for s in g["sessions"]] == [("2026-11-23", [1080.0], 1080)]


def test_an_uncorrected_overnight_episode_is_flagged_and_left_out() -> None:
    """A journal written before the refusal: a stop the next morning, with no corrected end."""
    from paratui.model.goals import Goal, StudentPlan

    plan = StudentPlan("S05", goals=(Goal("tantrum", "t", "behavior", "duration"),))
    start = Event("a1", "timer.start", NOW.replace(hour=14), staff="DP", payload={"student": "S05", "goal": "tantrum"})
    stop = Event("a2", "timer.stop", NOW + timedelta(days=1), staff="DP",
                 payload={"student": "S05", "goal": "tantrum", "start": "a1", "seconds": 68400.0})
    other = Event("a3", "data", NOW + timedelta(days=1, hours=1), staff="DP",
                  payload={"student": "S05", "goal": "tantrum", "seconds": 90})
    [s] = summarize(plan, [start, stop, other], ("FP", "I"))
    assert [x.flag for x in s.entries] == ["overnight", None]
    assert [(x.day, x.seconds) for x in s.sessions] == [((NOW + timedelta(days=1)).date(), (90.0,))]


# -- weeks of data through the command line, against the raw journal files -------------------------

def _raw(room_dir: Path) -> list[dict[str, Any]]:
    """Every event in the journal's log stream, as json.load reads its files (no retracts here)."""
    out = []
    for path in sorted((room_dir / "journal" / "log").rglob("*.json")):
        out += json.loads(path.read_text(encoding="utf-8"))["_default"].values()
    return sorted(out, key=lambda e: e["time"])


def test_weeks_of_data_through_the_cli_match_a_computation_from_the_journal_files(room_dir: Path) -> None:
    days = [NOW - timedelta(days=7), NOW - timedelta(days=5), NOW - timedelta(days=3), NOW - timedelta(days=0),
            NOW + timedelta(days=2)]  # Mon, Wed, Fri of one week; Mon, Wed of the next
    last = days[-1].replace(hour=15)
    for n, day in enumerate(days):
        t = day.replace(hour=8, minute=30)
        # a declared tally session: greet, from 8:30 to 8:30 + 20+5n minutes
        ok(room_dir, t, "session", "start", "K.B.", "greet", "--setting", "Arrival", "--as", "MR")
        ok(room_dir, t + timedelta(minutes=3), "log", "K.B.", "greet", str(n + 1), "--as", "MR")
        ok(room_dir, t + timedelta(minutes=20 + 5 * n), "session", "end", "K.B.", "greet", "--as", "MR")
        # intervals of L.S.'s ontask (10 s each): + / - / missed by the day
        for k, v in enumerate(["+", "-" if n % 2 else "+", "missed" if n % 3 == 0 else "-"]):
            ok(room_dir, t + timedelta(hours=1, seconds=10 * k), "log", "L.S.", "ontask", v, "--as", "JT")
        # a task analysis run stopped after step 2 (the chain is 7)
        for k, level in enumerate(["I", "I" if n > 1 else "PP"]):
            ok(room_dir, t + timedelta(hours=2, minutes=k), "log", "K.B.", "wash", level, "--as", "AL")
        # two tantrums timed by hand
        for k, secs in enumerate([60 + 30 * n, 200 - 20 * n]):
            ok(room_dir, t + timedelta(hours=3, minutes=k), "log", "R.N.", "tantrum", str(secs), "--as", "DP")
    raw = _raw(room_dir)

    def of(goal: str) -> list[dict[str, Any]]:
        return [e for e in raw if e["type"] == "data" and e["payload"]["goal"] == goal]

    # tally: count ÷ (end - start) of each session.start / session.end pair
    starts = {e["id"]: e for e in raw if e["type"] == "session.start"}
    ends = {e["payload"]["session"]: e for e in raw if e["type"] == "session.end"}
    want_rate = []
    for sid, s in starts.items():
        minutes = (datetime.fromisoformat(ends[sid]["time"]) - datetime.fromisoformat(s["time"])).seconds / 60
        count = sum(e["payload"]["count"] for e in of("greet") if e["payload"].get("session") == sid)
        want_rate.append((sid, minutes, round(count / minutes, 3), round(60 * count / minutes, 1)))
    g = _report(room_dir, "K.B.", "greet", last)
    assert [(s["id"], s["minutes"], s["rate_per_minute"], s["rate_per_hour"]) for s in g["sessions"]] == want_rate
    # % of intervals: + ÷ (+ and -), missed apart, per day (one observer a day)
    by_day: dict[str, list[str]] = defaultdict(list)
    for e in of("ontask"):
        by_day[e["time"][:10]].append(e["payload"]["value"])
    g = _report(room_dir, "L.S.", "ontask", last)
    assert [(s["date"], s["level"], s["missed"], s["minutes"]) for s in g["sessions"]] == [
        (d, round(100 * v.count("+") / (v.count("+") + v.count("-")), 1), v.count("missed"), round(len(v) / 6, 2))
        for d, v in by_day.items()]
    # task analysis: independent steps ÷ the 7 steps of the chain
    steps: dict[str, list[str]] = defaultdict(list)
    for e in of("wash"):
        steps[e["time"][:10]].append(e["payload"].get("prompt") or "-")
    g = _report(room_dir, "K.B.", "wash", last)
    assert [(s["date"], s["trials"], s["level"]) for s in g["sessions"]] == [
        (d, 7, round(100 * v.count("I") / 7, 1)) for d, v in steps.items()]
    # duration: total per day and per session, mean per episode
    secs: dict[str, list[float]] = defaultdict(list)
    for e in of("tantrum"):
        secs[e["time"][:10]].append(e["payload"]["seconds"])
    g = _report(room_dir, "R.N.", "tantrum", last)
    assert [(s["date"], s["total_seconds"], s["level"]) for s in g["sessions"]] == [
        (d, sum(v), round(sum(v) / len(v), 1)) for d, v in secs.items()]
    assert [(d["date"], d["total_seconds"]) for d in g["days"]] == [(d, sum(v)) for d, v in secs.items()]
    assert g["mastery_on"] == "each session's mean seconds per episode"


async def test_two_runs_of_trials_on_the_board_are_two_sessions(room_dir: Path) -> None:
    """The same adult's two runs on the logging sheet (each opened with the goal's key, ended with
    Esc) are two sessions: each run's entries carry the run's id."""
    from paratui.app.logging_sheet import LogSheet
    from tests.helpers import entries, make_app, wait_for
    from tests.test_logging_keys import goal_key

    app = make_app(room_dir, as_staff="JT", watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        for run, keys in enumerate((["plus", "minus", "minus", "minus"], ["plus", "plus", "plus", "minus"])):
            await pilot.press("l", "2")  # K.B.
            assert await wait_for(pilot, lambda: isinstance(app.screen, LogSheet))
            await pilot.press(goal_key(app, "coins"))
            await pilot.pause()
            await pilot.press(*keys)
            assert await wait_for(pilot, lambda n=4 * (run + 1): len(entries(room_dir, "data")) == n)
            await pilot.press("escape")
            assert await wait_for(pilot, lambda: not isinstance(app.screen, LogSheet))
    runs = [e.payload.get("session") for e in entries(room_dir, "data")]
    assert runs == [e.id for e in entries(room_dir, "session.start") for _ in range(4)]  # each run's own
    g = _report(room_dir, "K.B.", "coins")
    assert [(s["entries"], s["level"], s["id"]) for s in g["sessions"]] == [(4, 25.0, runs[0]), (4, 75.0, runs[4])]


# -- runs on the board are declared sessions: a start, an end, minutes observed (issue 20) ---------------

async def _trial_run(app: Any, pilot: Any, clock: Clock, student_key: str, goal: str, trials: list[str],
                     minutes: float = 1) -> None:
    """`l`, the student, the goal's key (the run opens); each trial `minutes` after the one before; Esc."""
    from paratui.app.logging_sheet import LogSheet
    from tests.helpers import wait_for
    from tests.test_logging_keys import goal_key

    await pilot.press("l", student_key)
    assert await wait_for(pilot, lambda: isinstance(app.screen, LogSheet))
    await pilot.press(goal_key(app, goal))
    assert await wait_for(pilot, lambda: getattr(app.screen, "stage", None) in ("run", "intervals", "steps"))
    def written() -> int:
        sheet = app.screen
        return len(sheet.run) + len(sheet.intervals) + len(sheet.step_marks) if isinstance(sheet, LogSheet) else -1

    for key in trials:
        clock.now += timedelta(minutes=minutes)
        want = max(written() - 1, 0) if key == "u" else written() + 1  # `u` with nothing to undo: refused
        await pilot.press(key)
        assert await wait_for(pilot, lambda want=want: written() in (want, -1) and not app.typeahead.keys)
        await pilot.pause()
    clock.now += timedelta(minutes=minutes)
    if isinstance(app.screen, LogSheet):
        await pilot.press("escape")
    assert await wait_for(pilot, lambda: not isinstance(app.screen, LogSheet))
    await pilot.app.workers.wait_for_complete()


async def test_a_run_of_five_trials_on_the_board_is_a_session_with_its_minutes(room_dir: Path) -> None:
    """K.B.'s coins, opened at 10:15, a trial a minute, Esc at 10:21: one declared session, from the
    goal's key to Esc (6 minutes), observed by Mr. T in math groups; its entries carry its id."""
    from tests.helpers import entries, make_app

    clock = Clock()
    app = make_app(room_dir, clock, as_staff="JT", watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await _trial_run(app, pilot, clock, "2", "coins", ["plus", "plus", "minus", "plus", "minus"])
    [start] = entries(room_dir, "session.start")
    [end] = entries(room_dir, "session.end")
    assert (start.time, start.staff, start.payload) == (
        NOW, "JT", {"student": "S02", "goal": "coins", "setting": "Math groups"})
    assert (end.time, end.staff, end.payload) == (
        NOW + timedelta(minutes=6), "JT", {"student": "S02", "goal": "coins", "session": start.id})
    data = entries(room_dir, "data")
    assert [(e.payload["session"], e.payload["value"], e.time) for e in data] == [
        (start.id, v, NOW + timedelta(minutes=i + 1)) for i, v in enumerate("++-+-")]
    [s] = _report(room_dir, "K.B.", "coins", NOW + timedelta(hours=1))["sessions"]
    assert (s["id"], s["declared"], s["start"], s["end"], s["minutes"]) == (
        start.id, True, "2026-11-23T10:15", "2026-11-23T10:21", 6)
    assert (s["observer"], s["setting"], s["entries"], s["level"]) == ("JT", "Math groups", 5, 60.0)
    assert (s["rate_per_minute"], s["rate_per_hour"]) == (None, None)  # a rate is a count's, not trials'
    md = run_cli("report", "K.B.", "--goal", "coins", data=room_dir, env={"PARATUI_NOW": "2026-11-23T11:15"},
                 check=True).stdout
    assert "| Mr. T | Math groups | 10:15–10:21 | 6 |" in md  # minutes observed shown


async def test_two_runs_of_one_goal_a_day_by_two_adults_are_two_sessions(room_dir: Path) -> None:
    """Mr. T's run at 10:15 (2 of 4) and Ms. L's at 13:00 on another board (4 of 4): two declared
    sessions, each with its observer, start, end and minutes, never one day of 75%."""
    from tests.helpers import make_app

    clock = Clock()
    runs = (("JT", NOW, ["plus", "minus", "plus", "minus"]), ("AL", NOW.replace(hour=13, minute=0), ["plus"] * 4))
    for who, at, trials in runs:
        clock.now = at
        app = make_app(room_dir, clock, as_staff=who, watch=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await _trial_run(app, pilot, clock, "2", "coins", trials, minutes=2)
    g = _report(room_dir, "K.B.", "coins", NOW.replace(hour=15))
    assert [(s["observer"], s["declared"], s["start"], s["end"], s["minutes"], s["level"]) for s in g["sessions"]] == [
        ("JT", True, "2026-11-23T10:15", "2026-11-23T10:25", 10, 50.0),
        ("AL", True, "2026-11-23T13:00", "2026-11-23T13:10", 10, 100.0)]


async def test_an_empty_run_leaves_no_session(room_dir: Path) -> None:
    """A run of trials, of intervals and of steps, each opened and ended with nothing typed: the
    start each wrote is retracted, so no session (and no data) is left; the same goal's run after
    it is a session of its own."""
    from tests.helpers import entries, make_app

    clock = Clock()
    app = make_app(room_dir, clock, as_staff="MR", watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        for student, goal in (("2", "coins"), ("3", "ontask"), ("2", "wash"), ("3", "ontask")):
            await _trial_run(app, pilot, clock, student, goal, [])
        await _trial_run(app, pilot, clock, "3", "ontask", ["plus"])
    events = list(Room(room_dir).snapshot().events)
    assert [e.type for e in events] == ["session.start", "retract"] * 4 + ["session.start", "data", "session.end"]
    assert all(r.payload["target"] == s.id for s, r in zip(events[0:8:2], events[1:8:2]))
    assert entries(room_dir, "session.start") == [events[8]]
    for student, goal, n in (("K.B.", "coins", 0), ("K.B.", "wash", 0), ("L.S.", "ontask", 1)):
        assert len(_report(room_dir, student, goal, NOW + timedelta(hours=1))["sessions"]) == n


async def test_u_in_a_run_retracts_the_last_entry_and_never_the_session(room_dir: Path) -> None:
    """A run of steps: two steps, `u` takes back the second, `u` the first, Esc: nothing left, so the
    start is taken back too. The next run: `u` first has nothing of the run to undo (refused: the
    session's start stays), then one step and Esc."""
    from tests.helpers import entries, make_app

    clock = Clock()
    app = make_app(room_dir, clock, as_staff="AL", watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        app.bell = lambda: None  # type: ignore[method-assign]
        await _trial_run(app, pilot, clock, "2", "wash", ["i", "v", "u", "u"])
        await _trial_run(app, pilot, clock, "2", "wash", ["u", "p"])
    events = list(Room(room_dir).snapshot().events)
    types = [e.type for e in events]
    assert types == ["session.start", "data", "data", "retract", "retract", "retract",  # the run left empty
                     "session.start", "data", "session.end"]
    assert [r.payload["target"] for r in events if r.type == "retract"] == [events[2].id, events[1].id, events[0].id]
    [step] = entries(room_dir, "data")
    assert (step.payload["step"], step.payload["prompt"], step.payload["session"]) == (1, "PP", events[6].id)


async def test_a_timer_from_the_board_goes_to_the_session_open_then(room_dir: Path) -> None:
    """`paratui session start R.N. tantrum`, then the timer started and stopped from the board two
    minutes apart: the episode is in that session (start and stop carry its id), ended from the CLI."""
    from paratui.app.logging_sheet import LogSheet
    from tests.helpers import entries, make_app, wait_for
    from tests.test_logging_keys import goal_key

    out = ok(room_dir, NOW, "session", "start", "R.N.", "tantrum", "--setting", "Recess", "--as", "JT")
    sid = next(line.split()[-1] for line in out.splitlines() if line.startswith("session id:"))
    clock = Clock()
    app = make_app(room_dir, clock, as_staff="JT", watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        for n in (1, 2):
            clock.now = NOW + timedelta(minutes=n)
            await pilot.press("5")
            assert await wait_for(pilot, lambda: isinstance(app.screen, LogSheet))
            await pilot.press(goal_key(app, "tantrum"))
            assert await wait_for(pilot, lambda n=n: len(entries(room_dir, "timer.start" if n == 1 else "timer.stop")))
            assert await wait_for(pilot, lambda: not isinstance(app.screen, LogSheet))
    ok(room_dir, NOW + timedelta(minutes=5), "session", "end", "R.N.", "tantrum", "--as", "JT")
    [start], [stop] = entries(room_dir, "timer.start"), entries(room_dir, "timer.stop")
    assert (start.payload.get("session"), stop.payload.get("session"), stop.payload["seconds"]) == (sid, sid, 60.0)
    [s] = _report(room_dir, "R.N.", "tantrum", NOW + timedelta(hours=1))["sessions"]
    assert (s["id"], s["minutes"], s["total_seconds"], s["setting"]) == (sid, 5, 60, "Recess")


async def test_the_docked_interval_session_is_a_session(room_dir: Path) -> None:
    """The interval run handed to the board's timed session (`t`): the sheet's empty run leaves no
    session; the docked one opens its own, its answers carry its id, `x` ends it."""
    from paratui.app.logging_session import IntervalSession
    from paratui.app.logging_sheet import LogSheet
    from tests.helpers import entries, make_app, settle, wait_for
    from tests.test_logging_keys import goal_key

    clock = Clock()
    app = make_app(room_dir, clock, as_staff="MR", watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        app.bell = lambda: None  # type: ignore[method-assign]
        await pilot.press("3")
        assert await wait_for(pilot, lambda: isinstance(app.screen, LogSheet))
        await pilot.press(goal_key(app, "ontask"), "t")
        assert await wait_for(pilot, lambda: bool(app.query(IntervalSession)))
        await settle(pilot)
        session = app.query_one(IntervalSession)
        for key in ("plus", "minus"):
            clock.now += timedelta(seconds=10)
            await session.advance()
            await pilot.press(key)
            await settle(pilot)
        clock.now += timedelta(seconds=10)
        await pilot.press("x")
        await settle(pilot)
    starts = entries(room_dir, "session.start")
    assert len(starts) == 1 and len([e for e in Room(room_dir).snapshot().events if e.type == "session.start"]) == 2
    [end] = entries(room_dir, "session.end")
    assert end.payload["session"] == starts[0].id and end.time == NOW + timedelta(seconds=30)
    assert [(e.payload["value"], e.payload["session"]) for e in entries(room_dir, "data")] == [
        ("+", starts[0].id), ("-", starts[0].id)]
    [s] = _report(room_dir, "L.S.", "ontask", NOW + timedelta(hours=1))["sessions"]
    assert (s["declared"], s["minutes"], s["level"]) == (True, 0.5, 50.0)


def test_the_chart_draws_a_days_sessions_apart_and_in_order() -> None:
    """Three sessions on 11-23 (10%, 20%, 90%) and one on 11-24: four x positions, the day's in the
    order of their start, labelled 11-23, 11-23·2, 11-23·3; the axis labels each day once."""
    from datetime import date

    from paratui.app.chart import ChartData, draw, session_labels, ticks_of

    days = [date(2026, 11, 23)] * 3 + [date(2026, 11, 24)]
    labels = session_labels(days)
    assert labels == ("11-23", "11-23·2", "11-23·3", "11-24")
    assert ticks_of(labels) == [0, 3]  # each day once, on its first session
    chart = draw(ChartData(labels, (10.0, 20.0, 90.0, 50.0), "%"), 60, 14).plain
    [axis] = [line for line in chart.splitlines() if "11-2" in line]
    assert axis.count("11-23") == 1 and axis.count("11-24") == 1 and axis.index("11-23") < axis.index("11-24")


async def test_the_student_screen_charts_two_sessions_of_a_day_as_two_points(room_dir: Path) -> None:
    """AM 10% by Mr. T and PM 20% by Ms. L on the student screen's chart: two sessions, labelled
    apart (not one point at one date)."""
    from paratui.app.student_screen import GoalCard
    from tests.helpers import make_app, wait_for

    clock = Clock()
    room = Room(room_dir, clock)
    for who, hour, right in (("JT", 9, 1), ("AL", 13, 2)):
        for i in range(10):
            clock.now = NOW.replace(hour=hour, minute=i)
            room.apply(data_commands.log(room.context(who), "K.B.", "coins", "+" if i < right else "-"), who)
    clock.now = NOW.replace(hour=14)
    app = make_app(room_dir, clock, as_staff="JT", watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("s", "2")
        assert await wait_for(pilot, lambda: any(v.chart is not None for v in app.screen.query(GoalCard)))
        [chart] = [v.chart for v in app.screen.query(GoalCard) if v.chart is not None and "coins" in v.text.plain]
        assert chart.days == ("11-23", "11-23·2") and chart.levels == (10.0, 20.0)


async def test_the_board_closing_with_a_run_open_ends_its_session(room_dir: Path) -> None:
    """Two trials, then the board exits with the run still open (quit, or its terminal gone): the
    session's end is written as it closes, at that moment."""
    from paratui.app.logging_sheet import LogSheet
    from tests.helpers import entries, make_app, wait_for
    from tests.test_logging_keys import goal_key

    clock = Clock()
    app = make_app(room_dir, clock, as_staff="JT", watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("l", "2")
        assert await wait_for(pilot, lambda: isinstance(app.screen, LogSheet))
        await pilot.press(goal_key(app, "coins"), "plus", "minus")
        assert await wait_for(pilot, lambda: len(entries(room_dir, "data")) == 2)
        clock.now = NOW + timedelta(minutes=3)
        app.exit()
    [start], [end] = entries(room_dir, "session.start"), entries(room_dir, "session.end")
    assert (end.payload["session"], end.time) == (start.id, NOW + timedelta(minutes=3))


async def test_u_on_the_sheet_after_a_run_takes_back_its_last_entry_not_its_end(room_dir: Path) -> None:
    """A run of two trials ended with Esc; the sheet opened again and `u`: the second trial is
    retracted, the session stays ended (1 trial, its minutes unchanged)."""
    from paratui.app.logging_sheet import LogSheet
    from tests.helpers import entries, make_app, wait_for

    clock = Clock()
    app = make_app(room_dir, clock, as_staff="JT", watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await _trial_run(app, pilot, clock, "2", "coins", ["plus", "minus"])
        await pilot.press("l", "2")
        assert await wait_for(pilot, lambda: isinstance(app.screen, LogSheet))
        await pilot.press("u")
        assert await wait_for(pilot, lambda: len(entries(room_dir, "data")) == 1)
        await pilot.press("escape")
        assert await wait_for(pilot, lambda: not isinstance(app.screen, LogSheet))
    [end] = entries(room_dir, "session.end")
    [s] = _report(room_dir, "K.B.", "coins", NOW + timedelta(hours=1))["sessions"]
    assert (s["entries"], s["minutes"], s["end"]) == (1, 3, "2026-11-23T10:18")


def test_undo_takes_back_the_last_entry_never_a_sessions_start_or_end(room_dir):
    t = NOW.replace(hour=8, minute=30)
    ok(room_dir, t, "session", "start", "K.B.", "greet", "--as", "MR")
    ok(room_dir, t + timedelta(minutes=5), "log", "K.B.", "greet", "2", "--as", "MR")
    ok(room_dir, t + timedelta(minutes=30), "session", "end", "K.B.", "greet", "--as", "MR")
    ok(room_dir, t + timedelta(minutes=31), "undo", "--as", "MR")
    rows = json.loads(ok(room_dir, t + timedelta(minutes=32), "history", "--format", "json"))
    undone = {r["type"]: r["retracted_by"] for r in rows if r["type"] != "retract"}
    # the count is taken back, not the session's end written after it
    assert undone["data"] is not None and undone["session.end"] is None and undone["session.start"] is None


def test_ioa_and_the_trend_through_the_cli_match_a_computation_from_the_journal_files(room_dir: Path) -> None:
    """Interval-by-interval IOA (a second adult's `--ioa` record of the same intervals) and the trend's
    least-squares slope per week, built over two weeks through the CLI, against the raw files."""
    days = [NOW - timedelta(days=7), NOW - timedelta(days=6), NOW - timedelta(days=4), NOW - timedelta(days=1),
            NOW]
    primary = ["++-+-+", "+-+-++", "+++-++", "++++-+", "++++++"]
    second = {0: "++-+++", 3: "+++++0"}  # MR checks two of the five sessions (0: not observed)
    for n, day in enumerate(days):
        t = day.replace(hour=9, minute=0)
        for k, v in enumerate(primary[n]):
            ok(room_dir, t + timedelta(seconds=10 * k), "log", "L.S.", "ontask", v, "--as", "JT")
        for k, v in enumerate(second.get(n, "")):
            ok(room_dir, t + timedelta(seconds=10 * k), "log", "L.S.", "ontask", "missed" if v == "0" else v,
               "--ioa", "--as", "MR")
    last = days[-1].replace(hour=15)
    raw = _raw(room_dir)
    mine = [e for e in raw if e["type"] == "data" and e["payload"]["goal"] == "ontask"]
    by_day: dict[str, dict[bool, list[str]]] = defaultdict(lambda: {False: [], True: []})
    for e in mine:
        by_day[e["time"][:10]][bool(e["payload"].get("ioa"))].append(e["payload"]["value"])
    # interval-by-interval: intervals scored the same ÷ intervals both observed
    want = []
    for d, rec in by_day.items():
        if rec[True]:
            pairs = [(a, b) for a, b in zip(rec[False], rec[True]) if "missed" not in (a, b)]
            want.append((d, round(100 * sum(a == b for a, b in pairs) / len(pairs), 1)))
    out = run_cli("report", "L.S.", "--goal", "ontask", "--format", "json", data=room_dir,
                  env={"PARATUI_NOW": last.isoformat(timespec="minutes")}, check=True)
    report = json.loads(out.stdout)
    [ioa] = [x for x in report["ioa"]["goals"] if x["goal"] == "ontask"]
    assert ioa["measure"] == "interval-by-interval"
    assert [(c["date"], c["agreement"]) for c in ioa["checks"]] == want
    assert (ioa["checked"], ioa["sessions"]) == (2, 5) and ioa["share"] == 40.0
    # the goal's own levels leave the IOA records out: + ÷ (+ and -) of the primary's only
    [g] = report["goals"]
    levels = [(d, 100 * rec[False].count("+") / len(rec[False])) for d, rec in by_day.items()]
    assert [(s["date"], s["level"]) for s in g["sessions"]] == [(d, round(v, 1)) for d, v in levels]
    # the trend: the least-squares slope of those levels over the days (x in days), × 7
    xs = [datetime.fromisoformat(d).toordinal() for d, _ in levels]
    ys = [v for _, v in levels]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    assert g["trend_line"]["method"] == "least squares"
    assert g["trend_line"]["per_week"] == round(slope * 7, 1)
