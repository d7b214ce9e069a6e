"""The figures a behaviour analyst signs (issue 20), each against a computation done here from the
numbers put in: trend as a least-squares slope per week, task analysis over the chain, zeros and
gaps, % independent, % of intervals, duration per day, undo by who wrote last, charts' ticks."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from paratui.model import data_commands
from paratui.store.room import Room
from tests.helpers import run_cli

NOW = datetime(2026, 11, 23, 10, 15)  # a Monday


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def _school_days(n: int) -> list[datetime]:
    """The last `n` weekdays up to NOW, oldest first."""
    days, d = [], NOW
    while len(days) < n:
        if d.weekday() < 5:
            days.append(d)
        d -= timedelta(days=1)
    return days[::-1]


def _report(room_dir: Path, *args: str) -> dict:
    return json.loads(run_cli("report", "K.B.", "--format", "json", *args, data=room_dir, check=True).stdout)


def _least_squares_per_week(points: list[tuple[datetime, float]]) -> float:
    xs = [d.toordinal() for d, _ in points]
    ys = [v for _, v in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return 7 * sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def test_trend_is_a_least_squares_slope_per_week(room_dir: Path) -> None:
    """Rising overall, with the last 3 sessions below the 3 before: the old mean-of-3 rule said
    "falling"."""
    clock = Clock()
    room = Room(room_dir, clock)
    correct = [2, 3, 4, 5, 9, 9, 9, 7, 7, 7]  # of 10 independent trials a day
    days = _school_days(len(correct))
    for d, n in zip(days, correct):
        clock.now = d
        for i in range(10):
            room.apply(data_commands.log(room.context("JT"), "K.B.", "coins", "+" if i < n else "-",
                                         "I" if i < n else None), "JT")
    [coins] = _report(room_dir, "--goal", "coins")["goals"]
    want = round(_least_squares_per_week([(d, 10.0 * n) for d, n in zip(days, correct)]), 1)
    assert coins["trend"] == "rising" and coins["trend_line"]["per_week"] == want
    assert coins["trend_line"]["text"] == (f"rising, {want:+.1f} points/week "
                                           "(least squares over 10 sessions in baseline)")
    md = run_cli("report", "K.B.", "--goal", "coins", data=room_dir, check=True).stdout
    assert f"- Trend: rising, {want:+.1f} points/week (least squares over 10 sessions in baseline)" in md
    [few] = _report(room_dir, "--goal", "coins", "--from", days[-2].date().isoformat())["goals"]
    assert few["trend"] == "" and few["trend_line"]["text"] == "too few sessions for a trend in baseline"


def test_task_analysis_is_over_the_steps_in_the_chain(room_dir: Path) -> None:
    """K.B.'s `wash` has 7 steps; "6 of 7 steps" (85%) is the criterion. A run stopped after step 5
    with 3 independent is 3 of 7 (42.9%), not 3 of 5; 5 of 7 independent is not mastered."""
    clock = Clock()
    room = Room(room_dir, clock)
    days = _school_days(4)
    clock.now = days[0]
    for level in ("I", "I", "PP", "I", "V"):  # stopped after step 5
        room.apply(data_commands.log(room.context("AL"), "K.B.", "wash", level), "AL")
    for d in days[1:]:  # 5 of 7 independent, three days running
        clock.now = d
        for level in ("I", "I", "I", "I", "I", "PP", "PP"):
            room.apply(data_commands.log(room.context("AL"), "K.B.", "wash", level), "AL")
    [wash] = _report(room_dir, "--goal", "wash")["goals"]
    first = wash["sessions"][0]
    assert (first["trials"], first["entries"], first["level"]) == (7, 5, round(100 * 3 / 7, 1))
    assert [s["level"] for s in wash["sessions"][1:]] == [round(100 * 5 / 7, 1)] * 3
    assert not wash["mastery"]["mastered"]
    assert wash["mastery"]["text"] == "0 of 3 sessions at or above 85% independent (6 of 7 steps)"


def test_a_tally_of_zero_is_a_day_observed_and_a_day_not_observed_is_a_gap(room_dir: Path) -> None:
    """I.F.'s `hands` (reminders, at most 1): 0 is recorded (it exited 2); days with no entry are no
    session at all, never a 0 drawn or averaged in."""
    days = _school_days(5)
    counts = {0: "3", 2: "0", 4: "0"}  # days 1 and 3 not observed
    for i, n in counts.items():
        at = {"PARATUI_NOW": days[i].isoformat(timespec="minutes")}
        out = run_cli("log", "I.F.", "hands", n, "--as", "AL", data=room_dir, env=at)
        assert out.returncode == 0, out.stderr
    data = json.loads(run_cli("report", "I.F.", "--goal", "hands", "--format", "json", data=room_dir,
                              check=True).stdout)
    [hands] = data["goals"]
    assert [(s["date"], s["level"]) for s in hands["sessions"]] == [
        (days[i].date().isoformat(), float(n)) for i, n in counts.items()]
    assert hands["current"] == 0.0
    out = run_cli("log", "I.F.", "hands", "-1", "--as", "AL", data=room_dir)
    assert out.returncode == 2 and "from 0 to 1000" in out.stderr


def test_prompted_correct_is_not_independent_and_errors_are_tallied_apart(room_dir: Path) -> None:
    """% independent = unprompted correct ÷ all trials: 30 of 30 correct at full physical is 0%, not
    mastered, whatever the criterion's level; the prompt tally keeps correct and error trials apart."""
    from paratui.model import datalog
    from paratui.model.events import Event
    from paratui.model.goals import Goal, Mastery, StudentPlan

    prompts = ("FP", "PP", "M", "G", "V", "I")
    goal = Goal("g", "Coins", "trials", mastery=Mastery(1, 80))  # no level given
    events = [Event(f"e{i}", "data", NOW + timedelta(seconds=i), 0, "JT", "", "",
                    {"student": "S01", "goal": "g", "value": "+", "prompt": "FP"}) for i in range(30)]
    [s] = datalog.summarize(StudentPlan("S01", (goal,)), events, prompts)
    assert (s.sessions[0].percent_correct, s.sessions[0].level) == (100.0, 0.0)
    assert not s.status.mastered and s.status.text == "0 of 1 sessions at or above 80% independent"
    for value, prompt in (("+", "FP"), ("-", "FP"), ("+", None), ("-", "V")):
        args = ["log", "K.B.", "coins", value, "--as", "JT"] + (["--prompt", prompt] if prompt else [])
        run_cli(*args, data=room_dir, check=True)
    md = run_cli("report", "K.B.", "--goal", "coins", data=room_dir, check=True).stdout
    assert "| 2026-11-23 | 4 | 25% | 50% | FP:1 I:1 · errors FP:1 V:1 |" in md
    html = run_cli("report", "K.B.", "--goal", "coins", "--format", "html", data=room_dir, check=True).stdout
    assert "<th>% correct</th>" in html and "<td>50%</td>" in html


def test_interval_results_are_a_share_of_intervals_with_the_missed_shown(room_dir: Path) -> None:
    for value in ("+", "+", "-", "missed"):
        run_cli("log", "L.S.", "ontask", value, "--as", "MR", data=room_dir, check=True)
    md = run_cli("report", "L.S.", "--goal", "ontask", data=room_dir, check=True).stdout
    assert "| Date | Intervals | Level | % of intervals | Missed |" in md and "% correct" not in md
    assert "| 2026-11-23 | 4 | 67% | 67% | 1 |" in md


def test_the_student_screen_says_of_intervals_and_keeps_errors_apart() -> None:
    from paratui.app.student_screen import today_line
    from paratui.model import datalog
    from paratui.model.events import Event
    from paratui.model.goals import Goal, Mastery, StudentPlan

    prompts = ("FP", "PP", "M", "G", "V", "I")

    def ev(i: int, goal: str, value: str, prompt: str | None = None) -> Event:
        payload = {"student": "S01", "goal": goal, "value": value} | ({"prompt": prompt} if prompt else {})
        return Event(f"e{i}", "data", NOW + timedelta(seconds=i), 0, "JT", "", "", payload)

    goals = (Goal("on", "On task", "interval", mastery=Mastery(3, 80)), Goal("c", "Coins", "trials"))
    events = [ev(0, "on", "+"), ev(1, "on", "-"), ev(2, "on", "missed"),
              ev(3, "c", "+", "FP"), ev(4, "c", "-", "FP"), ev(5, "c", "+", "I")]
    on, coins = datalog.summarize(StudentPlan("S01", goals), events, prompts)
    assert today_line(on, NOW.date()) == "Today: 3 intervals, 50% of intervals scored, 1 missed"
    assert today_line(coins, NOW.date()) == \
        "Today: 3 trials, 67% correct, 33% independent, prompts FP:1 I:1, errors FP:1, cold probe + at FP"


def test_report_names_is_refused_where_full_names_are_off(room_dir: Path) -> None:
    run_cli("log", "E.M.", "help", "+", "--as", "JT", data=room_dir, check=True)
    out = run_cli("report", "E.M.", "--names", data=room_dir)  # the demo room: full_names = false
    assert out.returncode == 2 and "Evander" not in out.stdout + out.stderr
    assert "full_names = false" in out.stderr


def test_undo_takes_back_what_this_writer_wrote_last_not_the_newest_timed(room_dir: Path) -> None:
    """JT logs from a laptop whose clock is 30 minutes ahead, then on the board: the laptop's entry is
    newer by `time`, the board's is the one just written; undo takes back the board's own entry."""
    laptop = {"PARATUI_HOST": "laptop", "PARATUI_NOW": "2026-11-23T10:45"}
    board = {"PARATUI_HOST": "board", "PARATUI_NOW": "2026-11-23T10:15"}
    run_cli("log", "K.B.", "greet", "2", "--as", "JT", data=room_dir, env=laptop, check=True)
    run_cli("log", "K.B.", "coins", "+", "--as", "JT", data=room_dir, env=board, check=True)
    out = run_cli("undo", "--as", "JT", data=room_dir, env={**board, "PARATUI_NOW": "2026-11-23T10:16"},
                  check=True)
    assert "undone: K.B. · coins: +" in out.stdout
    data = _report(room_dir)
    greet = next(g for g in data["goals"] if g["id"] == "greet")
    coins = next(g for g in data["goals"] if g["id"] == "coins")
    assert greet["entries"] == 1 and coins["entries"] == 0
