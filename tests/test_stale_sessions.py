"""A session whose start was written and whose end never was (issue 20): a board killed with
SIGKILL mid-session. It is open no more the next day (nothing joins it, a new one may start), its
figures end at its last entry (so its minutes and rate are those it was observed, not till
whenever), and the report, the CSV and the student screen say "not closed"."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

from paratui.app.student_screen import build_view, goal_text
from paratui.model.events import live_events
from paratui.store.room import Room
from tests.helpers import env_for, run_cli

ROOT = Path(__file__).resolve().parent.parent
NEXT_DAY = {"PARATUI_NOW": "2026-11-24T09:00"}


def _room(room_dir: Path) -> Room:
    return Room(room_dir, clock=lambda: datetime(2026, 11, 24, 9, 5))


def entries(room_dir: Path, kind: str) -> list:
    """The live events of a kind, read from the files as another process would, on the next day."""
    return [e for e in live_events(_room(room_dir).snapshot().events) if e.type == kind]


def test_a_board_killed_mid_session_leaves_it_not_closed_and_ended_at_its_last_entry(room_dir: Path) -> None:
    child = subprocess.Popen([sys.executable, "-m", "tests.fault_session_child", str(room_dir)], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=env_for("board1"))
    try:
        assert child.stdout is not None
        lines = []
        for line in child.stdout:
            lines.append(line.strip())
            if line.strip() == "ready":
                break
        assert lines[-1:] == ["ready"], child.stderr.read() if child.stderr else ""
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    starts = entries(room_dir, "session.start")
    assert [e.payload["goal"] for e in starts] == ["greet", "coins"] and entries(room_dir, "session.end") == []
    greet_id, coins_id = (e.id for e in starts)

    # the next day: nothing joins the old session, and a new one may start
    out = run_cli("log", "K.B.", "greet", "--as", "JT", data=room_dir, env=NEXT_DAY, check=True)
    assert out.returncode == 0
    [today] = [e for e in entries(room_dir, "data") if e.time.date() == date(2026, 11, 24)]
    assert "session" not in today.payload
    assert run_cli("session", "start", "K.B.", "coins", "--as", "JT", data=room_dir, env=NEXT_DAY).returncode == 0

    report = json.loads(run_cli("report", "K.B.", "--format", "json", data=room_dir, env=NEXT_DAY,
                                check=True).stdout)
    goals = {g["id"]: g for g in report["goals"]}
    greet, implied = goals["greet"]["sessions"]
    assert (greet["id"], greet["not_closed"], greet["start"], greet["end"], greet["minutes"]) == (
        greet_id, True, "2026-11-23T10:00", "2026-11-23T10:10", 10)
    assert (greet["count"], greet["rate_per_minute"], greet["rate_per_hour"]) == (3, 0.3, 18)
    assert (implied["declared"], implied["not_closed"]) == (False, False)
    [coins] = goals["coins"]["sessions"]
    assert (coins["id"], coins["not_closed"], coins["start"], coins["end"], coins["minutes"], coins["level"]) == (
        coins_id, True, "2026-11-23T10:20", "2026-11-23T10:23", 3, 66.7)

    md = run_cli("report", "K.B.", "--goal", "greet", data=room_dir, env=NEXT_DAY, check=True).stdout
    assert "| Mr. T | Arrival | 10:00–10:10 (not closed) | 10 | 0.3 | 18 |" in md
    html = run_cli("report", "K.B.", "--goal", "greet", "--format", "html", data=room_dir, env=NEXT_DAY,
                   check=True).stdout
    assert "10:00–10:10 (not closed)" in html
    rows = list(csv.DictReader(io.StringIO(run_cli("report", "K.B.", "--format", "csv", data=room_dir,
                                                   env=NEXT_DAY, check=True).stdout)))
    assert {(r["goal"], r["session_end"][:16], r["minutes_observed"], r["session_not_closed"])
            for r in rows if r["session"] in (greet_id, coins_id)} == {
        ("greet", "2026-11-23T10:10", "10", "yes"), ("coins", "2026-11-23T10:23", "3", "yes")}
    assert {r["session_not_closed"] for r in rows if r["session"] not in (greet_id, coins_id)} == {""}

    snap = _room(room_dir).snapshot()
    kb = snap.classroom.student_by_id()["S02"]
    view = build_view(snap.classroom, kb, list(snap.events), date(2026, 11, 24))
    said = {s.goal.id: str(goal_text(s, date(2026, 11, 24), "I")) for s in view.goals}
    assert "Not closed: 1 session never ended (the last begun 11-23 10:00, by JT; it ends at its last entry, " \
        "10:10)" in said["greet"]
    assert "Not closed" in said["coins"] and "Not closed" not in said["wash"]
