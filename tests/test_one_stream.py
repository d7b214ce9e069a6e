"""One screened event stream: an event its writer's role did not allow is not applied on the board,
in reports, on the student screen or in history (where it shows as NOT APPLIED), and the CLI's
authorization holes stay shut (move --with, --as LOGIN, PARATUI_HOST)."""

from __future__ import annotations

import csv
import io
import json
import socket
from datetime import datetime
from pathlib import Path

from paratui.store.journal import new_event
from tests.helpers import NOW, run_cli

WHEN = datetime.fromisoformat(NOW)


def _ok(*args: str, data: Path) -> str:
    r = run_cli(*args, data=data)
    assert r.returncode == 0, r.stderr
    return r.stdout


def _history(data: Path, *more: str) -> list[dict]:
    return json.loads(_ok("history", "--format", "json", *more, data=data))


def _file_of(data: Path, eid: str) -> Path:
    return next(p for p in (data / "journal").rglob("*.json") if eid in p.read_text())


def _forge(beside: Path, type_: str, staff: str | None, payload: dict, login: str = "alopez") -> str:
    """A document appended by hand to a colleague's own journal file, as they could."""
    e = new_event(type_, staff, payload, WHEN, login, "ws2")
    path = beside.parent / f"ws2--{login}.json"
    docs = json.loads(path.read_text())["_default"] if path.exists() else {}
    docs[str(len(docs) + 1)] = e.to_doc()
    path.write_text(json.dumps({"_default": docs}))
    return e.id


def _teacher_entry(data: Path) -> dict:
    _ok("log", "S01", "read", "--as", "MR", data=data)
    return next(r for r in _history(data) if r["type"] != "retract" and r["staff"] == "MR" and "E.M." in r["students"])


def _report_rows(data: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(_ok("report", "S01", "--format", "csv", data=data))))


def _warnings(data: Path) -> str:
    return "\n".join(json.loads(_ok("board", "--json", data=data))["warnings"])


def test_a_forged_retract_is_not_applied_anywhere_and_a_later_real_one_is_credited(room_dir):
    entry = _teacher_entry(room_dir)
    counted = len(_report_rows(room_dir))
    forged = _forge(_file_of(room_dir, entry["id"]), "retract", "AL", {"target": entry["id"]})

    assert f"retract event {forged[:6]} by AL" in _warnings(room_dir)
    assert len(_report_rows(room_dir)) == counted  # still counted
    for rows in (_history(room_dir), _history(room_dir, "--date", NOW[:10])):
        shown = {r["id"]: r for r in rows}
        assert "retract only their own" in shown[forged]["not_applied"]
        assert shown[entry["id"]]["retracted_by"] is None
    text = _ok("history", data=room_dir)
    assert "NOT APPLIED" in text and "retracted by" not in text
    table = list(csv.DictReader(io.StringIO(_ok("history", "--format", "csv", data=room_dir))))
    assert next(r for r in table if r["id"] == entry["id"])["retracted_by"] == ""

    _ok("retract", entry["id"][:8], "--as", "MR", data=room_dir)  # the real one, after the forgery
    shown = {r["id"]: r for r in _history(room_dir)}
    assert shown[entry["id"]]["retracted_by"].startswith("Ms. R at")
    assert "(retracted by Ms. R" in _ok("history", "--date", NOW[:10], data=room_dir)
    assert len(_report_rows(room_dir)) == counted - 1


def test_a_forged_retract_does_not_mark_the_entry_retracted_on_the_student_screen(room_dir):
    from paratui.app.student_screen import build_view
    from paratui.store.room import Room

    entry = _teacher_entry(room_dir)
    _forge(_file_of(room_dir, entry["id"]), "retract", "AL", {"target": entry["id"]})
    snap = Room(room_dir, lambda: WHEN).snapshot()
    student = snap.classroom.student_by_id()["S01"]
    view = build_view(snap.classroom, student, snap.screened().events, WHEN.date())
    assert dict((e.id, r) for e, r in view.entries)[entry["id"]] is None  # listed, not "RETRACTED by"
    assert not any(e.type == "retract" for e in snap.screened().events)


def test_a_service_colleagues_entry_for_a_student_not_theirs_is_not_counted(room_dir):
    entry = _teacher_entry(room_dir)
    counted = len(_report_rows(room_dir))
    forged = _forge(_file_of(room_dir, entry["id"]), "data",
                    "SK", {"student": "S01", "goal": "read", "count": 1}, login="skowalski")
    assert f"{forged[:6]} by SK" in _warnings(room_dir)
    assert len(_report_rows(room_dir)) == counted


def test_an_event_with_no_staff_is_not_applied(room_dir):
    entry = _teacher_entry(room_dir)
    forged = _forge(_file_of(room_dir, entry["id"]), "absent", None, {"staff": "MR", "sub": "SUB"})
    said = _warnings(room_dir)
    assert f"absent event {forged[:6]}" in said and "writer cannot be established" in said


def test_related_service_staff_log_for_their_own_service_students(room_dir):
    assert run_cli("log", "S05", "aac", "+", "--as", "SK", data=room_dir).returncode == 0  # [[services]]
    assert run_cli("log", "S01", "read", "--as", "SK", data=room_dir).returncode == 3  # not theirs


def test_moving_with_other_adults_needs_the_right_to_assign_others(room_dir):
    r = run_cli("move", "E.M.", "--to", "walk", "--with", "MR", "AL", "DP", "--as", "SUB", data=room_dir)
    assert r.returncode == 3 and "may not put another adult" in r.stderr
    assert run_cli("move", "E.M.", "--to", "walk", "--with", "SUB", "--as", "SUB", data=room_dir).returncode == 0
    assert run_cli("move", "K.B.", "--to", "walk", "--with", "AL", "DP", "--as", "MR",
                   data=room_dir).returncode == 0


def test_as_takes_a_login_as_help_says(room_dir):
    r = run_cli("move", "E.M.", "--to", "bathroom", "--as", "mrivera", data=room_dir)
    assert r.returncode == 0, r.stderr
    assert _history(room_dir)[-1]["staff"] == "MR"


def test_paratui_host_names_the_file_but_never_the_recorded_host(room_dir):
    r = run_cli("move", "E.M.", "--to", "bathroom", "--as", "MR", data=room_dir, env={"PARATUI_HOST": "forged"})
    assert r.returncode == 0, r.stderr
    last = _history(room_dir)[-1]
    assert last["host"] == socket.gethostname().split(".")[0]
    assert _file_of(room_dir, last["id"]).name.startswith("forged--")
