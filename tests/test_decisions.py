"""Aim line and decision rules (issue 20): a goal's optional `start` and `target` dates, checked;
the aim line from the baseline's mean to the mastery criterion; "3 consecutive sessions below the
aim line" and "flat or falling trend over 6+ sessions in the current phase", each firing and not."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from paratui.model import datalog
from paratui.model.events import Event
from paratui.model.goals import Goal, Mastery, StudentPlan
from tests.helpers import run_cli
from tests.test_phases import Clock, at, log_correct, school_days

PROMPTS = ("FP", "PP", "M", "G", "V", "I")
START = date(2026, 9, 1)  # a Tuesday


def days(n: int) -> list[date]:
    """`n` weekdays from START on."""
    out, d = [], START
    while len(out) < n:
        if d.weekday() < 5:
            out.append(d)
        d += timedelta(days=1)
    return out


def tally_events(counts: list[int], phase_at: int | None, goal: str = "g") -> list[Event]:
    """One tally a day (a session each), and a phase event on session `phase_at`'s day."""
    evs = [Event(f"d{i}", "data", datetime.combine(d, datetime.min.time()).replace(hour=10), 0, "JT", "", "",
                 {"student": "S01", "goal": goal, "count": n})
           for i, (d, n) in enumerate(zip(days(len(counts)), counts))]
    if phase_at is not None:
        d = days(len(counts))[phase_at]
        evs.append(Event("p1", "phase", datetime.combine(d, datetime.min.time()).replace(hour=8), 0, "MR", "", "",
                         {"student": "S01", "goal": goal, "name": "Token board", "kind": "intervention"}))
    return sorted(evs, key=lambda e: e.time)


def summary(counts: list[int], phase_at: int | None, mastery: Mastery, target: date | None,
            start: date | None = None) -> datalog.GoalSummary:
    goal = Goal("g", "Greets", "tally", mastery=mastery, start=start, target=target)
    [s] = datalog.summarize(StudentPlan("S01", (goal,)), tally_events(counts, phase_at), PROMPTS)
    return s


UP = Mastery(3, at_least=10)  # a goal to raise: 10 a day
TARGET = date(2026, 9, 29)  # 20 school days after START


def test_the_aim_line_runs_from_the_baseline_mean_to_the_criterion() -> None:
    s = summary([2, 4, 3, 3, 5, 6, 7], phase_at=4, mastery=UP, target=TARGET)
    assert s.aim is not None
    assert (s.aim.start, s.aim.level, s.aim.target, s.aim.criterion) == (days(7)[4], 3.0, TARGET, 10.0)
    halfway = s.aim.start + (TARGET - s.aim.start) / 2
    assert s.aim.at(halfway) == pytest.approx(6.5) and s.aim.at(TARGET + timedelta(days=9)) == 10.0
    # the goal's own start date wins over the first intervention session
    own = summary([2, 4, 3, 3, 5], 4, UP, TARGET, start=date(2026, 9, 8)).aim
    assert own is not None and own.start == date(2026, 9, 8)
    # no target, no baseline session, or no start yet: no aim line
    assert summary([2, 4, 3, 3, 5], 4, UP, None).aim is None
    assert summary([2, 4, 3], 0, UP, TARGET).aim is None  # the phase began with the first session
    assert summary([2, 4, 3], None, UP, TARGET).aim is None  # still in baseline, no start date


def test_three_sessions_below_the_aim_line_fires_and_two_do_not() -> None:
    # baseline mean 3; aim rises from 3 on day 4 to 10 on 09-29: sessions at 3 stay below it
    below = summary([3, 3, 3, 3, 3, 3, 3, 3], 4, UP, TARGET)  # on the start day, level with it
    assert below.decisions == (datalog.RULE_BELOW,)
    assert datalog.RULE_BELOW == "3 consecutive sessions below the aim line"
    two = summary([3, 3, 3, 3, 3, 3, 3, 9], 4, UP, TARGET)  # the last one above the line
    assert two.decisions == ()
    short = summary([3, 3, 3, 3, 3, 3], 4, UP, TARGET)  # only 2 sessions in the phase
    assert short.decisions == ()


def test_a_flat_or_falling_trend_over_six_sessions_fires_and_rising_or_fewer_do_not() -> None:
    flat = summary([3, 3, 3, 5, 5, 5, 5, 5, 5], 3, UP, None)  # 6 sessions at 5 in intervention
    assert flat.line.direction == "flat" and flat.line.sessions == 6
    assert flat.decisions == (datalog.RULE_FLAT,)
    assert datalog.RULE_FLAT == "flat or falling trend over 6+ sessions in the current phase"
    falling = summary([3, 3, 3, 9, 8, 7, 6, 5, 4], 3, UP, None)
    assert falling.line.direction == "falling" and falling.decisions == (datalog.RULE_FLAT,)
    five = summary([3, 3, 3, 5, 5, 5, 5, 5], 3, UP, None)
    assert five.line.sessions == 5 and five.decisions == ()
    rising = summary([3, 3, 3, 4, 5, 6, 7, 8, 9], 3, UP, None)
    assert rising.line.direction == "rising" and rising.decisions == ()


def test_no_rule_fires_in_baseline() -> None:
    s = summary([3] * 8, None, UP, TARGET, start=START)
    assert s.line.phase.kind == "baseline" and s.line.direction == "flat" and s.decisions == ()


def test_a_goal_to_reduce_is_behind_above_its_aim_line() -> None:
    down = Mastery(3, at_most=1)  # a behavior to bring down to 1 a day
    above = summary([8, 8, 8, 8, 8, 8, 8, 8], 4, down, TARGET)
    assert above.aim is not None and above.aim.reduce
    assert above.decisions == (datalog.RULE_ABOVE,)
    falling = summary([8, 8, 8, 8, 6, 4, 2, 1, 0, 0], 4, down, TARGET)
    assert falling.decisions == ()
    rising = summary([8, 8, 8, 1, 2, 3, 4, 5, 6], 3, down, None)
    assert rising.decisions == (datalog.RULE_FLAT_UP,)


def _with_dates(room_dir: Path, start: str | None, target: str) -> None:
    """K.B.'s coins with these dates (instead of the demo's)."""
    path = room_dir / "students" / "S02.toml"
    text = re.sub(r"(?m)^(start|target) = .*\n", "", path.read_text())
    more = (f"start = {start}\n" if start else "") + f"target = {target}\n"
    path.write_text(text.replace('when = "daily in math groups"\n', 'when = "daily in math groups"\n' + more, 1))


def test_the_report_says_consider_a_change_with_the_rule_and_draws_the_aim_line(room_dir: Path) -> None:
    from paratui.store.room import Room

    _with_dates(room_dir, None, "2027-01-29")
    clock = Clock()
    room = Room(room_dir, clock)
    ds = school_days(8)
    for d, n in zip(ds[:4], (2, 3, 2, 3)):  # baseline: 25% on average
        log_correct(room, clock, d, n)
    out = run_cli("phase", "K.B.", "coins", "Token board", "--as", "MR", data=room_dir, env=at(ds[4]))
    assert out.returncode == 0, out.stderr
    for d, n in zip(ds[4:], (2, 2, 2, 2)):  # four intervention sessions at 20%: below the line
        log_correct(room, clock, d, n)
    [coins] = json.loads(run_cli("report", "K.B.", "--goal", "coins", "--format", "json", data=room_dir,
                                 check=True).stdout)["goals"]
    assert coins["aim_line"] == {"start": ds[4].date().isoformat(), "from": 25.0, "target": "2027-01-29",
                                 "to": 80.0, "reduce": False}
    assert coins["consider_change"] and coins["decision_rules"] == ["3 consecutive sessions below the aim line"]
    md = run_cli("report", "K.B.", "--goal", "coins", data=room_dir, check=True).stdout
    assert f"- Aim line: from 25% on {ds[4].date().isoformat()} to 80% by 2027-01-29" in md
    assert "- Decision: **consider a change**: 3 consecutive sessions below the aim line" in md
    page = run_cli("report", "K.B.", "--goal", "coins", "--format", "html", "--chart", "builtin", data=room_dir,
                   check=True).stdout
    assert len(re.findall(r'<line class="aim-line"', page)) == 1 and "condition-line" in page
    assert "<strong>consider a change: 3 consecutive sessions below the aim line</strong>" in page
    # and the other goals say why they have none
    greet = json.loads(run_cli("report", "K.B.", "--goal", "greet", "--format", "json", data=room_dir,
                               check=True).stdout)["goals"][0]
    assert greet["aim_line"] is None and greet["decision_rules"] == [] and not greet["consider_change"]


async def test_the_student_screen_says_consider_a_change(room_dir: Path) -> None:
    from paratui.store.room import Room
    from tests.helpers import make_app
    from tests.test_student_screen import open_student, screen_text

    _with_dates(room_dir, None, "2027-01-29")
    clock = Clock()
    room = Room(room_dir, clock)
    ds = school_days(7)
    log_correct(room, clock, ds[0], 3)
    run_cli("phase", "K.B.", "coins", "Token board", "--as", "MR", data=room_dir, env=at(ds[1]), check=True)
    for d in ds[1:]:  # six intervention sessions at 30%: flat, and below the rising line
        log_correct(room, clock, d, 3)
    app = make_app(room_dir, as_staff="JT")
    async with app.run_test(size=(120, 40)) as pilot:
        seen = screen_text(await open_student(pilot, "2"))
    assert ("Consider a change: 3 consecutive sessions below the aim line; flat or falling trend over 6+ "
            "sessions in the current phase") in seen
    assert f"Aim line: from 30% on {ds[1]:%m-%d} to 80% by 2027-01-29" in seen


@pytest.mark.parametrize(("start", "target", "field", "message"), [
    ('"2026-13-01"', "2027-01-29", "goals[0].start", "expected a date, YYYY-MM-DD"),
    ("2026-11-02", "true", "goals[0].target", "expected a date, YYYY-MM-DD"),
    ("2026-11-02", "2026-10-01", "goals[0].target", "is not after start"),
])
def test_check_names_a_bad_date_by_file_line_and_field(room_dir: Path, start: str, target: str, field: str,
                                                       message: str) -> None:
    _with_dates(room_dir, start, target)
    out = run_cli("check", data=room_dir)
    assert out.returncode != 0
    line = next(n for n, t in enumerate((room_dir / "students" / "S02.toml").read_text().splitlines(), 1)
                if t.startswith(field.split(".")[1] + " ="))
    assert f"students/S02.toml:{line}: {field}: {message}" in out.stdout + out.stderr


def test_good_dates_pass_the_check(room_dir: Path) -> None:
    _with_dates(room_dir, "2026-11-02", "2027-01-29")
    out = run_cli("check", data=room_dir)
    assert out.returncode == 0, out.stdout + out.stderr
