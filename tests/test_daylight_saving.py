"""issue 21: on the days the clocks change (America/Chicago: spring forward 2026-03-08 02:00 CST →
03:00 CDT, fall back 2026-11-01 02:00 CDT → 01:00 CST) events are ordered and minutes measured by the
instant, not by the naive local time. Real processes in that time zone, the clock given with its UTC
offset (as a board's clock knows it)."""

from __future__ import annotations

import json
import time
from datetime import date, datetime
from typing import Iterator

import pytest

from paratui.app.student_screen import build_view
from paratui.store.history import HistoryCache
from paratui.store.room import Room
from tests.helpers import run_cli

CHICAGO = {"TZ": "America/Chicago"}


def at(when: str) -> dict[str, str]:
    return {**CHICAGO, "PARATUI_NOW": when}


def em(room_dir, when: str) -> dict:
    out = run_cli("board", "--json", data=room_dir, env=at(when), check=True)
    return next(s for s in json.loads(out.stdout)["students"] if s["id"] == "S01")


def stored_times(room_dir, type_: str) -> list[str]:
    return [doc["time"] for path in (room_dir / "journal").rglob("*.json")
            for doc in json.loads(path.read_text(encoding="utf-8"))["_default"].values() if doc["type"] == type_]


def test_fall_back_a_back_at_0120_cst_comes_after_a_move_at_0130_cdt(room_dir):
    run_cli("move", "E.M.", "--to", "bathroom", "--as", "JT", data=room_dir, env=at("2026-11-01T01:30-05:00"),
            check=True)
    out = em(room_dir, "2026-11-01T01:10-06:00")  # 40 minutes later, by the clock on the wall 20 earlier
    assert out["out"] and out["location"] == "bathroom" and out["minutes_out"] == 40
    run_cli("back", "E.M.", "--as", "JT", data=room_dir, env=at("2026-11-01T01:20-06:00"), check=True)
    assert stored_times(room_dir, "move") == ["2026-11-01T01:30:00-05:00"]
    assert stored_times(room_dir, "back") == ["2026-11-01T01:20:00-06:00"]  # the second 01:20, as it was
    back = em(room_dir, "2026-11-01T01:25-06:00")
    assert not back["out"] and back["location"] != "bathroom"
    history = run_cli("history", "--date", "2026-11-01", data=room_dir, env=at("2026-11-01T01:25-06:00"),
                      check=True).stdout
    assert history.index("to Bathroom") < history.index("back"), history


def test_fall_back_minutes_out_across_the_repeated_hour(room_dir):
    run_cli("move", "E.M.", "--to", "nurse", "--as", "JT", data=room_dir, env=at("2026-11-01T00:50-05:00"),
            check=True)
    assert em(room_dir, "2026-11-01T01:10-05:00")["minutes_out"] == 20
    assert em(room_dir, "2026-11-01T01:10-06:00")["minutes_out"] == 80  # the hour between counts


def test_spring_forward_minutes_out_skip_the_hour_that_never_was(room_dir):
    run_cli("move", "E.M.", "--to", "nurse", "--as", "JT", data=room_dir, env=at("2026-03-08T01:50-06:00"),
            check=True)
    assert stored_times(room_dir, "move") == ["2026-03-08T01:50:00-06:00"]
    assert em(room_dir, "2026-03-08T03:10-05:00")["minutes_out"] == 20  # not 80


def test_a_timer_across_the_fall_back_hour_measures_the_real_seconds(room_dir):
    run_cli("timer", "start", "R.N.", "tantrum", "--as", "DP", data=room_dir, env=at("2026-11-01T01:50-05:00"),
            check=True)
    out = run_cli("board", "--json", data=room_dir, env=at("2026-11-01T01:05-06:00"), check=True)
    [timer] = json.loads(out.stdout)["timers"]
    assert timer["seconds"] == 15 * 60
    run_cli("timer", "stop", "R.N.", "tantrum", "--as", "DP", data=room_dir, env=at("2026-11-01T01:10-06:00"),
            check=True)
    [stop] = [doc for path in (room_dir / "journal").rglob("*.json")
              for doc in json.loads(path.read_text(encoding="utf-8"))["_default"].values()
              if doc["type"] == "timer.stop"]
    assert stop["payload"]["seconds"] == 20 * 60


def test_events_without_an_offset_are_still_read_in_local_time(room_dir):
    """Older journals, and hand-written entries, carry no UTC offset: local time, as before."""
    day = room_dir / "journal" / "2026-11-23"
    day.mkdir(parents=True, exist_ok=True)
    docs = {"1": {"id": "a" * 32, "type": "move", "time": "2026-11-23T10:00:00", "written": 1, "staff": "JT",
                  "login": "tester", "host": "testhost",
                  "payload": {"student": "S01", "to": "bathroom", "with": ["JT"]}}}
    (day / "testhost--tester.json").write_text(json.dumps({"_default": docs}), encoding="utf-8")
    out = em(room_dir, "2026-11-23T10:15")
    assert out["location"] == "bathroom" and out["minutes_out"] == 15


def test_fall_back_the_whole_history_is_in_the_instants_order_cached_or_not(room_dir, tmp_path):
    """`paratui history` without dates reads this machine's cache of rows (paratui.store.history_cache):
    ordered by the instant too, on the first run (rows worked out) and the next (rows read back)."""
    env = {**at("2026-11-01T01:25-06:00"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    run_cli("move", "E.M.", "--to", "bathroom", "--as", "JT", data=room_dir, env=at("2026-11-01T01:30-05:00"),
            check=True)
    run_cli("back", "E.M.", "--as", "JT", data=room_dir, env=at("2026-11-01T01:20-06:00"), check=True)
    for run in ("worked out", "from the cache"):
        history = run_cli("history", data=room_dir, env=env, check=True).stdout
        mine = [line for line in history.splitlines() if line.startswith("2026-11-01 01:")]
        assert [line[:16] for line in mine] == ["2026-11-01 01:30", "2026-11-01 01:20"], (run, history)
        assert "to Bathroom" in mine[0] and "back" in mine[1], run
        alone = run_cli("history", "--student", "E.M.", "--format", "json", data=room_dir, env=env,
                        check=True).stdout
        assert [r["type"] for r in json.loads(alone) if r["at"].startswith("2026-11-01 01:")] == ["move", "back"]
    assert len(list((tmp_path / "cache").rglob("2026-11.rows"))) == 1  # the second run read it


@pytest.fixture
def chicago(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process in America/Chicago (the student screen's history is read in the board's process)."""
    monkeypatch.setenv("TZ", "America/Chicago")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_fall_back_the_student_screens_year_keeps_the_instant(room_dir, chicago):
    """The student screen's year is kept packed (paratui.store.history): unpacked, an entry of the second
    01:20 is still the later one, and the screen lists the newest first."""
    day = room_dir / "journal" / "log" / "2026-11" / "01"
    day.mkdir(parents=True)
    doc = {"type": "data", "staff": "JT", "login": "jthomas", "host": "ws"}
    docs = {"1": {**doc, "id": "a" * 32, "time": "2026-11-01T01:30:00-05:00", "written": 1,
                  "payload": {"student": "S05", "goal": "aac", "value": "+", "prompt": "I"}},
            "2": {**doc, "id": "b" * 32, "time": "2026-11-01T01:20:00-06:00", "written": 2,
                  "payload": {"student": "S05", "goal": "aac", "value": "-", "prompt": "I"}}}
    (day / "ws--jthomas.json").write_text(json.dumps({"_default": docs}), encoding="utf-8")
    history = HistoryCache(room_dir)
    history.load_now()
    got = {e.id: e for e in history.student_events("S05") or []}
    cdt, cst = got["a" * 32], got["b" * 32]
    assert cst.at - cdt.at == 50 * 60 and cst.sort_key > cdt.sort_key
    assert (cdt.time, cst.time) == (datetime(2026, 11, 1, 1, 30), datetime(2026, 11, 1, 1, 20))
    assert cst.time.fold == 1 and cst.time.timestamp() == cst.at  # the second 01:20, as it was read
    snap = Room(room_dir, clock=lambda: datetime(2026, 11, 2, 9, 0)).snapshot()
    student = snap.classroom.student_by_id()["S05"]
    view = build_view(snap.classroom, student, list(got.values()), date(2026, 11, 2))
    assert [e.id for e, _undo in view.entries][:2] == ["b" * 32, "a" * 32]  # newest first: the 01:20 CST one
