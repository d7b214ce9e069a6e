"""A tally's criterion "a day" (issue 20): `mastery = { at_most = 1, per = "day" }` compares each
day's total, the sum over that day's sessions, not each session; `sessions` counts days then."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from paratui.model.classroom import parse_classroom
from paratui.model.errors import ConfigError
from paratui.model.goals import parse_student_plan
from tests.helpers import run_cli


def _log(room_dir: Path, at: datetime, who: str, count: str) -> None:
    run_cli("log", "I.F.", "hands", count, "--as", who, data=room_dir,
            env={"PARATUI_NOW": at.isoformat(timespec="minutes")}, check=True)


def test_two_sessions_of_a_day_are_summed_against_a_per_day_criterion(room_dir: Path) -> None:
    """I.F.'s reminders, at most 1 a day (the demo's goal file says `per = "day"`): on 11-18 Ms. L's
    AM session has 1 and Mr. T's PM session 1, each at or below 1 but 2 that day: not met; 11-19 one
    session of 1, 11-20 sessions of 0 and 1: met, met. Mastery reads "2 of 5 days" (each session on
    its own would read 5 of 5, mastered)."""
    for day, sessions in ((18, (("AL", 9, "1"), ("JT", 13, "1"))), (19, (("AL", 9, "1"),)),
                          (20, (("AL", 9, "0"), ("JT", 13, "1")))):
        for who, hour, n in sessions:
            _log(room_dir, datetime(2026, 11, day, hour, 0), who, n)
    out = run_cli("report", "I.F.", "--goal", "hands", "--format", "json", data=room_dir,
                  env={"PARATUI_NOW": "2026-11-20T15:00"}, check=True).stdout
    [g] = json.loads(out)["goals"]
    assert [(s["date"], s["count"], s["met"]) for s in g["sessions"]] == [
        ("2026-11-18", 1, False), ("2026-11-18", 1, False), ("2026-11-19", 1, True),
        ("2026-11-20", 0, True), ("2026-11-20", 1, True)]
    assert [(d["date"], d["count"]) for d in g["days"]] == [("2026-11-18", 2), ("2026-11-19", 1), ("2026-11-20", 1)]
    assert g["mastery"]["text"] == "2 of 5 days at or below 1 a day" and not g["mastery"]["mastered"]
    assert g["mastery_on"] == "each day's total count (the sum of that day's sessions)" and g["mastery_per"] == "day"
    md = run_cli("report", "I.F.", "--goal", "hands", data=room_dir, env={"PARATUI_NOW": "2026-11-20T15:00"},
                 check=True).stdout
    assert "2 of 5 days at or below 1 a day" in md


def _plan(room_dir: Path, mastery: dict) -> None:
    import tomllib

    classroom = parse_classroom(tomllib.loads((room_dir / "classroom.toml").read_text()))
    goal = {"id": "g", "title": "T", "kind": "trials", "mastery": mastery}
    parse_student_plan({"goals": [goal]}, "S01", classroom)


def test_per_day_is_named_where_it_does_not_fit(room_dir: Path) -> None:
    with pytest.raises(ConfigError) as e:
        _plan(room_dir, {"percent": 80, "per": "week"})
    assert any("goals[0].mastery.per" in str(p) for p in e.value.problems)
    with pytest.raises(ConfigError) as e:
        _plan(room_dir, {"at_least": 3, "per": "day"})
    assert any("goals[0].mastery.per" in str(p) and "tally" in str(p) for p in e.value.problems)
