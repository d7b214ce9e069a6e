"""Cold probes (issue 20, the binder's Friday tab): the first trial of the day of a trials goal is
its cold probe, flagged in the report (CSV, JSON, Markdown) and on the student screen."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

from tests.helpers import run_cli

AT = {"PARATUI_NOW": "2026-11-23T14:30"}


def log(room_dir: Path, *args: str) -> None:
    run_cli("log", "K.B.", "coins", *args, "--as", "JT", data=room_dir, env=AT, check=True)


def test_the_first_trial_of_each_day_is_the_cold_probe(room_dir: Path) -> None:
    log(room_dir, "-", "--at", "2026-11-20 09:00")  # Friday: the probe, missed
    log(room_dir, "+", "--prompt", "V", "--at", "2026-11-20 09:01")
    log(room_dir, "+", "--at", "2026-11-20 08:55")  # typed in last, observed first: Friday's probe
    log(room_dir, "+", "--prompt", "V")  # today: a prompted probe
    log(room_dir, "+")
    out = run_cli("report", "K.B.", "--goal", "coins", "--format", "csv", data=room_dir, env=AT, check=True).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["date"], r["time"][:5], r["cold_probe"]) for r in rows] == [
        ("2026-11-20", "08:55", "yes"), ("2026-11-20", "09:00", ""), ("2026-11-20", "09:01", ""),
        ("2026-11-23", "14:30", "yes"), ("2026-11-23", "14:30", "")]
    data = json.loads(run_cli("report", "K.B.", "--goal", "coins", "--format", "json", data=room_dir, env=AT,
                              check=True).stdout)
    probes = [(s["probe"]["value"], s["probe"]["prompt"], s["probe"]["independent"])
              for s in data["goals"][0]["sessions"]]
    assert probes == [("+", "I", True), ("+", "V", False)]
    md = run_cli("report", "K.B.", "--goal", "coins", data=room_dir, env=AT, check=True).stdout
    assert "| Phase | Cold probe |" in md and "| + (independent) |" in md and "| + at V |" in md


def test_only_trials_goals_have_probes(room_dir: Path) -> None:
    run_cli("log", "K.B.", "greet", "2", "--as", "JT", data=room_dir, env=AT, check=True)
    out = run_cli("report", "K.B.", "--format", "csv", data=room_dir, env=AT, check=True).stdout
    [row] = list(csv.DictReader(io.StringIO(out)))
    assert row["cold_probe"] == ""
    data = json.loads(run_cli("report", "K.B.", "--goal", "greet", "--format", "json", data=room_dir, env=AT,
                              check=True).stdout)
    assert data["goals"][0]["sessions"][0]["probe"] is None


def test_the_student_screen_says_todays_probe(room_dir: Path) -> None:
    from paratui.app.student_screen import build_view, today_line
    from paratui.store.room import Room

    log(room_dir, "-")
    log(room_dir, "+")
    snap = Room(room_dir).folder.load(date(2026, 11, 23), whole_journal=True)
    kb = snap.classroom.student_by_id()["S02"]
    view = build_view(snap.classroom, kb, snap.events, date(2026, 11, 23))
    coins = next(g for g in view.goals if g.goal.id == "coins")
    assert today_line(coins, date(2026, 11, 23), snap.classroom.independent).endswith("cold probe -")
