"""Late entry of paper data (issue 20): `log --at` / `abc --at` record when the observation was
made (the payload's `observed`), apart from when it was entered (the event's time). Every reader of
data uses the observation time; history shows both; a bad time is refused naming the field."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path

from tests.helpers import entries, run_cli

ENTERED = "2026-11-23T14:30"  # a Monday afternoon: Friday's paper sheet is typed in
AT = {"PARATUI_NOW": ENTERED}


def late(room_dir: Path, *args: str) -> None:
    run_cli(*args, "--as", "JT", data=room_dir, env=AT, check=True)


def csv_rows(room_dir: Path, *args: str) -> list[dict[str, str]]:
    out = run_cli("report", "K.B.", "--format", "csv", *args, data=room_dir, env=AT, check=True).stdout
    return list(csv.DictReader(io.StringIO(out)))


def test_a_late_entry_lands_on_its_observed_day_in_the_report_and_csv(room_dir: Path) -> None:
    late(room_dir, "log", "K.B.", "coins", "+", "--prompt", "I", "--at", "2026-11-20 10:05")
    late(room_dir, "log", "K.B.", "coins", "-", "--at", "2026-11-20 10:06")
    late(room_dir, "log", "K.B.", "coins", "+")  # today's, as it happens
    [e, *_] = entries(room_dir, "data")
    assert e.time == datetime(2026, 11, 23, 14, 30)  # the event's own time is the entry time
    assert datetime.fromisoformat(e.payload["observed"]).replace(tzinfo=None) == datetime(2026, 11, 20, 10, 5)
    data = json.loads(run_cli("report", "K.B.", "--goal", "coins", "--format", "json", data=room_dir, env=AT,
                              check=True).stdout)
    [coins] = data["goals"]
    assert [(s["date"], s["entries"], s["level"]) for s in coins["sessions"]] == [
        ("2026-11-20", 2, 50.0), ("2026-11-23", 1, 100.0)]
    # a report that ends on the observed day has it, though it was entered after that day
    data = json.loads(run_cli("report", "K.B.", "--goal", "coins", "--format", "json", "--to", "2026-11-20",
                              data=room_dir, env=AT, check=True).stdout)
    assert [s["date"] for s in data["goals"][0]["sessions"]] == ["2026-11-20"]
    rows = csv_rows(room_dir, "--goal", "coins")
    assert [(r["date"], r["time"]) for r in rows] == [("2026-11-20", "10:05:00"), ("2026-11-20", "10:06:00"),
                                                     ("2026-11-23", "14:30:00")]
    assert [bool(r["entered"]) for r in rows] == [True, True, False]
    assert datetime.fromisoformat(rows[0]["entered"]).replace(tzinfo=None) == datetime(2026, 11, 23, 14, 30)
    assert datetime.fromisoformat(rows[0]["observed_at"]).replace(tzinfo=None) == datetime(2026, 11, 20, 10, 5)


def test_a_late_entry_of_today_is_no_data_due_and_an_earlier_day_still_is(room_dir: Path) -> None:
    def due() -> set[tuple[str, str]]:
        board = json.loads(run_cli("board", "--json", data=room_dir, env=AT, check=True).stdout)
        return {(d["student"], d["goal"]) for d in board["data_due"]}

    assert ("S02", "greet") in due()
    late(room_dir, "log", "K.B.", "greet", "2", "--at", "2026-11-20 10:05")  # Friday's: today's is still due
    assert ("S02", "greet") in due()
    late(room_dir, "log", "K.B.", "greet", "1", "--at", "2026-11-23 09:10")  # this morning's, from paper
    assert ("S02", "greet") not in due()


def test_history_shows_both_times(room_dir: Path) -> None:
    late(room_dir, "log", "K.B.", "greet", "3", "--at", "2026-11-20 10:05")
    late(room_dir, "abc", "R.N.", "--behavior", "1", "--antecedent", "1", "--at", "2026-11-20 09:40")
    text = run_cli("history", data=room_dir, env=AT, check=True).stdout
    assert "K.B. · greet: +3 (observed 2026-11-20 10:05, entered 2026-11-23 14:30 by Mr. T)" in text
    assert "(observed 2026-11-20 09:40, entered 2026-11-23 14:30 by Mr. T)" in text
    # the history of the observed day is the day it was entered on: the audit trail is by entry
    assert run_cli("history", "--date", "2026-11-23", data=room_dir, env=AT, check=True).stdout.count(
        "observed") == 2


def test_a_late_abc_record_counts_on_its_day(room_dir: Path) -> None:
    late(room_dir, "abc", "R.N.", "--behavior", "1", "--antecedent", "1", "--at", "2026-11-20 09:40")
    out = run_cli("report", "R.N.", "--format", "csv", "--from", "2026-11-20", "--to", "2026-11-20",
                  data=room_dir, env=AT, check=True).stdout
    [row] = [r for r in csv.DictReader(io.StringIO(out)) if r["kind"] == "abc"]
    assert row["time"] == "09:40:00" and row["entered"]


def test_bad_times_are_refused_naming_the_field(room_dir: Path) -> None:
    for at, why in (("2026-11-23 15:00", "in the future"), ("2025-11-20 10:05", "more than a year back"),
                    ("20/11/2026 10:05", "not a time like"), ("2026-11-20", "not a time like"),
                    ("2026-13-01 10:00", "not a time like")):
        for cmd in (("log", "K.B.", "greet"), ("abc", "R.N.", "--behavior", "1")):
            out = run_cli(*cmd, "--at", at, "--as", "JT", data=room_dir, env=AT)
            assert out.returncode == 2 and "at: " in out.stderr and why in out.stderr, (at, out.stderr)
    assert entries(room_dir, "data") == [] and entries(room_dir, "abc") == []


def test_the_student_screen_reads_the_observation_time(room_dir: Path) -> None:
    from paratui.app.student_screen import build_view
    from paratui.store.room import Room

    late(room_dir, "log", "K.B.", "coins", "+", "--at", "2026-11-20 10:05")
    late(room_dir, "abc", "R.N.", "--behavior", "1", "--at", "2026-11-20 11:40")  # entered 14:30: afternoon
    snap = Room(room_dir).folder.load(datetime(2026, 11, 23).date(), whole_journal=True)
    kb = snap.classroom.student_by_id()["S02"]
    view = build_view(snap.classroom, kb, snap.events, datetime(2026, 11, 23).date())
    coins = next(g for g in view.goals if g.goal.id == "coins")
    assert [s.day.isoformat() for s in coins.sessions] == ["2026-11-20"]
    rn = next(s for s in snap.classroom.students if s.initials == "R.N.")
    view = build_view(snap.classroom, rn, snap.events, datetime(2026, 11, 23).date())
    assert view.patterns[view.abc[0].payload["behavior"]].by_time == (("midday", 1),)


def test_the_meeting_counts_a_late_entry_in_the_week_it_was_observed(room_dir: Path) -> None:
    late(room_dir, "log", "K.B.", "greet", "3", "--at", "2026-11-20 10:05")
    late(room_dir, "abc", "R.N.", "--behavior", "1", "--at", "2026-11-20 09:40")
    last_week = run_cli("meeting", "--week", "2026-11-20", data=room_dir, env=AT, check=True).stdout
    assert "Greets a peer or adult by name: 1 session this week, last 3" in last_week
    assert "behavior: 1 ABC record" in last_week
    this_week = run_cli("meeting", data=room_dir, env=AT, check=True).stdout  # entered this week: not in it
    assert "ABC record" not in this_week and "Greets a peer" not in this_week


def test_an_observed_time_from_another_zone_or_a_bad_one(room_dir: Path) -> None:
    from paratui.model.datalog import observed_at
    from paratui.model.events import Event

    t = datetime(2026, 11, 23, 14, 30)
    utc = Event("a", "data", t, 0, "JT", "", "", {"observed": "2026-11-20T15:05:00+00:00"})
    assert observed_at(utc) == datetime(2026, 11, 20, 15, 5, tzinfo=__import__("datetime").timezone.utc
                                        ).astimezone().replace(tzinfo=None)  # read in this board's zone
    bad = Event("b", "data", t, 0, "JT", "", "", {"observed": "last Friday"})
    assert observed_at(bad) == t  # a hand-edited journal: the entry time stands
