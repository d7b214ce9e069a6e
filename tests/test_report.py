"""Progress reports: CSV one row per entry, Markdown and HTML per goal with a chart, JSON with the
same numbers; initials unless --names; dates and goal filters; bad input refused."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta

import pytest

from paratui.model import data_commands, report
from paratui.store.room import Room
from tests.helpers import run_cli

NOW = datetime(2026, 11, 23, 10, 15)


class Clock:
    def __init__(self):
        self.now = NOW

    def __call__(self):
        return self.now


@pytest.fixture
def logged(room_dir):
    """Three school days of K.B.'s coins (0%, 50%, 100% independent) and a few other entries."""
    clock = Clock()
    room = Room(room_dir, clock)
    plan = [(-3, [("+", "V"), ("-", None)]), (-2, [("+", "I"), ("+", "G")]), (0, [("+", "I"), ("+", "I")])]
    for days, trials in plan:
        clock.now = NOW + timedelta(days=days)
        for value, prompt in trials:
            room.apply(data_commands.log(room.context("JT"), "K.B.", "coins", value, prompt), "JT")
    room.apply(data_commands.log(room.context("MR"), "K.B.", "greet", "2", note="=HYPERLINK(\"x\")"), "MR")
    room.apply(data_commands.log(room.context("AL"), "K.B.", "wash", "PP"), "AL")
    room.apply(data_commands.log(room.context("DP"), "R.N.", "aac", "+"), "DP")  # someone else's
    gone = room.apply(data_commands.log(room.context("JT"), "K.B.", "coins", "-"), "JT")
    room.undo("JT")
    return room_dir, room, gone


def test_csv_is_one_row_per_live_entry_with_initials(logged):
    room_dir, _, gone = logged
    out = run_cli("report", "K.B.", "--format", "csv", data=room_dir, check=True).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 8 and {r["student"] for r in rows} == {"K.B."}
    assert gone.id not in out  # a retracted entry is not in the report
    assert [r["prompt"] for r in rows[:2]] == ["V", ""] and rows[0]["staff"] == "Mr. T"
    note = next(r["note"] for r in rows if r["goal"] == "greet")
    assert note.startswith("'=")  # never a live formula in a spreadsheet
    assert next(r for r in rows if r["goal"] == "wash")["step_name"] == "Turn on water"


def test_json_has_the_numbers_per_goal(logged):
    room_dir, _, _ = logged
    data = json.loads(run_cli("report", "KB", "--format", "json", data=room_dir, check=True).stdout)
    coins = next(g for g in data["goals"] if g["id"] == "coins")
    assert [s["level"] for s in coins["sessions"]] == [0.0, 50.0, 100.0]
    assert [s["percent_correct"] for s in coins["sessions"]] == [50.0, 100.0, 100.0]
    assert coins["sessions"][1]["prompts"] == {"G": 1, "I": 1}
    assert coins["mastery"] == {"run": 1, "needed": 3, "mastered": False,
                                "text": "1 of 3 sessions at or above 80% independent"}
    assert coins["current"] == 100.0 and coins["baseline"].startswith("20%")
    assert data["student"] == {"id": "S02", "initials": "K.B."}


def test_dates_and_goal_filter(logged):
    room_dir, _, _ = logged
    data = json.loads(run_cli("report", "KB", "--format", "json", "--goal", "COINS", "--from", "2026-11-21",
                              "--to", "2026-11-23", data=room_dir, check=True).stdout)
    [coins] = data["goals"]
    assert [s["date"] for s in coins["sessions"]] == ["2026-11-21", "2026-11-23"]
    out = run_cli("report", "KB", "--goal", "nope", data=room_dir)
    assert out.returncode == 2 and "coins, wash, greet" in out.stderr
    out = run_cli("report", "KB", "--from", "23/11/2026", data=room_dir)
    assert out.returncode == 2 and "not a date" in out.stderr


def test_markdown_and_html_have_every_goal_with_a_chart(logged):
    room_dir, room, _ = logged
    md = run_cli("report", "KB", "--format", "md", data=room_dir, check=True).stdout
    assert "## coins: Counts coins to $1.00" in md and "1 of 3 sessions at or above 80% independent" in md
    assert "Baseline: 20% independent (September)" in md and "Current level: 100%" in md
    assert md.count("█") > 10 and "## greet" in md and "## wash" in md
    snap = room.folder.load(NOW.date(), whole_journal=True)
    kb = snap.classroom.student_by_id()["S02"]
    page = report.render("html", snap.classroom, kb, snap.events, NOW, use_matplotlib=False)
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg") == 3  # one chart per goal with data
    assert "<polyline" in page and "src=" not in page and "http://" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")  # self-contained
    assert "1 of 3 sessions at or above 80% independent" in page


def test_full_names_only_with_the_flag(room_dir):
    room = Room(room_dir, Clock())
    room.apply(data_commands.log(room.context("JT"), "E.M.", "help", "+"), "JT")
    for fmt in ("csv", "md", "html", "json"):
        plain = run_cli("report", "E.M.", "--format", fmt, data=room_dir, check=True).stdout
        assert "Evander" not in plain
    classroom = room_dir / "classroom.toml"  # --names needs the room to allow full names (issue 20)
    classroom.write_text(classroom.read_text().replace("full_names = false", "full_names = true"))
    named = run_cli("report", "E.M.", "--format", "md", "--names", data=room_dir, check=True).stdout
    assert "Evander Moonbeam" in named


def test_text_from_files_is_escaped_in_html_and_markdown(room_dir):
    path = room_dir / "students" / "S02.toml"
    path.write_text(path.read_text().replace('title = "Counts coins to $1.00"',
                                             'title = "<script>alert(1)</script> | coins"'))
    room = Room(room_dir, Clock())
    room.apply(data_commands.log(room.context("JT"), "K.B.", "coins", "+"), "JT")
    page = run_cli("report", "KB", "--format", "html", data=room_dir, check=True).stdout
    assert "<script>" not in page and "&lt;script&gt;" in page
    md = run_cli("report", "KB", "--format", "md", data=room_dir, check=True).stdout
    assert "\\<script\\>" in md and "\\| coins" in md


def test_matplotlib_chart_when_installed(logged):
    pytest.importorskip("matplotlib")
    _, room, _ = logged
    snap = room.folder.load(NOW.date(), whole_journal=True)
    kb = snap.classroom.student_by_id()["S02"]
    page = report.render("html", snap.classroom, kb, snap.events, NOW)
    assert page.count("<svg") == 3 and "<polyline" not in page  # matplotlib's own SVG


def test_report_output_file(logged, tmp_path):
    room_dir, _, _ = logged
    out = run_cli("report", "KB", "--format", "html", "--output", str(tmp_path / "kb.html"), data=room_dir)
    assert out.returncode == 0 and (tmp_path / "kb.html").read_text().startswith("<!DOCTYPE html>")


def test_csv_new_columns_at_the_end_and_numbers_as_numbers(logged):
    """Issue 20: the time with its UTC offset, the observer, the host, the entry time of a late entry,
    the goal's title; the old columns first, in their order; counts as 2 (not 2.0), blank stays blank."""
    room_dir, _, _ = logged
    out = run_cli("report", "K.B.", "--format", "csv", data=room_dir, check=True).stdout
    head = next(csv.reader(io.StringIO(out)))
    assert head[:20] == ["date", "time", "student", "goal", "kind", "value", "count", "seconds", "prompt", "step",
                         "step_name", "behavior", "antecedent", "consequence", "setting", "note", "staff", "id",
                         "phase", "phase_kind"]
    assert head[20:] == ["observed_at", "observer", "host", "entered", "goal_title", "cold_probe",
                         "session", "session_start", "session_end", "minutes_observed", "ioa",
                         "session_not_closed"]  # issue 20
    rows = list(csv.DictReader(io.StringIO(out)))
    first = rows[0]
    when = datetime.fromisoformat(first["observed_at"])
    assert when.tzinfo is not None and when.utcoffset() == datetime(2026, 11, 20, 10, 15).astimezone().utcoffset()
    assert when.replace(tzinfo=None) == datetime.fromisoformat(f"{first['date']}T{first['time']}")
    assert first["observer"] == "JT" and first["staff"] == "Mr. T" and first["host"]
    assert first["entered"] == "" and first["goal_title"] == "Counts coins to $1.00"
    greet = next(r for r in rows if r["goal"] == "greet")
    assert greet["count"] == "2" and greet["seconds"] == "" and greet["step"] == ""
    wash = next(r for r in rows if r["goal"] == "wash")
    assert wash["step"] == "1" and wash["count"] == ""


def test_csv_seconds_keep_their_decimals_and_never_an_exponent(room_dir):
    from paratui.model.report import _cell

    assert [_cell(v) for v in (3.0, 12.5, 86399.5, 12345.25, 0.0, None)] == [
        "3", "12.5", "86399.5", "12345.25", "0", ""]
