"""`paratui init DIR --students roster.csv [--staff staff.csv]`: a room from the school's roster files,
as a person runs it; `--from-demo` (and no roster) keeps today's copy of the demo."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from paratui.store import identity
from tests.helpers import run_cli

STAFF = ("Name;Short name;Role;Login\nMaria Rivera;Ms. R;Teacher;mrivera\nJordan Thomas;Mr. T;Para;jthomas\n"
         "Ana Lopez;Ms. L;Para;alopez\nDana Patel;Ms. P;1:1;dpatel\nSara Kowalski;Ms. K;SLP;skowalski\n"
         "Substitute;Sub;Sub;\n")
STUDENTS = ("\ufeffStudent ID,Last Name,First Name,Grade,1:1\nS01,Moonbeam,Evander,3,\nS02,Bloom,Kai,2,\n"
            "S03,Saltmarsh,Lark,2,\nS04,Wren,Odette,3,\nS05,Nettlefield,Rowan,1,Ms. P\nS06,Hale,Tam,2,\n"
            "S07,Morales,Emma,3,\nS08,Fern,Ivy,=HYPERLINK(\"http://x.example\"),\n")


def files(tmp_path: Path, students: str = STUDENTS, staff: str = STAFF) -> tuple[Path, Path]:
    (tmp_path / "students.csv").write_text(students, encoding="utf-8")
    (tmp_path / "staff.csv").write_text(staff, encoding="cp1252")
    return tmp_path / "students.csv", tmp_path / "staff.csv"


def test_init_from_a_roster_writes_a_room_that_checks(tmp_path):
    students, staff = files(tmp_path)
    room = tmp_path / "room12"
    out = run_cli("init", str(room), "--students", str(students), "--staff", str(staff), "--name", "Room 12",
                  "--tz", "America/Chicago", "--shared-login", "room12")
    assert out.returncode == 0, out.stderr
    for line in ("S01  E.M.     students.csv line 2", "S07  E.Mo.    students.csv line 8",
                 "S05  R.N.     students.csv line 6  one-to-one: DP"):
        assert line in out.stdout
    for name in ("Evander", "Moonbeam", "Rowan", "HYPERLINK"):
        assert name not in out.stdout  # initials for confirmation, never a full name or a cell
    assert "students.csv:9: column 4 (Grade): starts like a spreadsheet formula" in out.stderr
    assert run_cli("check", data=room).returncode == 0
    data = tomllib.loads((room / "classroom.toml").read_text(encoding="utf-8"))
    teacher = next(s for s in data["staff"] if s["role"] == "teacher")
    assert identity.login() in teacher["logins"]  # the account that ran it is the teacher
    assert data["access"]["shared_logins"] == ["room12"] and data["room"] == "Room 12"
    assert data["timezone"] == "America/Chicago"  # a real field: the room's local time (paratui.store.room_zone)
    board = json.loads(run_cli("board", "--json", data=room, env={"PARATUI_NOW": "2026-11-23T10:15"},
                               check=True).stdout)
    assert len(board["students"]) == 8 and all(s["covered"] for s in board["students"])
    assert run_cli("init", str(room), "--students", str(students)).returncode == 2  # never overwrites


def test_a_refused_row_writes_nothing_unless_skipped(tmp_path):
    students, staff = files(tmp_path, students="name;para\nKai Bloom;yes\nLark Saltmarsh;\nOdette, Wren;\n")
    room = tmp_path / "room"
    out = run_cli("init", str(room), "--students", str(students), "--staff", str(staff))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "refused: students.csv:2: column 2 (para): says yes but names no one" in out.stderr
    assert "nothing was written" in out.stderr and not room.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["staff.csv", "students.csv"]
    out = run_cli("init", str(room), "--students", str(students), "--staff", str(staff), "--skip-bad-rows")
    assert out.returncode == 0, out.stderr
    assert ": 2 students, 6 staff" in out.stdout and run_cli("check", data=room).returncode == 0


def test_a_whole_school_export_and_an_empty_roster_are_refused(tmp_path):
    big = "id,first,last\n" + "".join(f"{n},First{n},Last{n}\n" for n in range(10_000))
    students, _ = files(tmp_path, students=big)
    out = run_cli("init", str(tmp_path / "room"), "--students", str(students))
    assert out.returncode == 2 and "students.csv:42: more than 40 students" in out.stderr
    students, _ = files(tmp_path, students="First,Last\n")
    out = run_cli("init", str(tmp_path / "room"), "--students", str(students))
    assert out.returncode == 2 and "students.csv: no students in it, only the header row" in out.stderr
    assert not (tmp_path / "room").exists()


def test_init_options_that_make_no_sense(tmp_path):
    students, staff = files(tmp_path)
    room = str(tmp_path / "room")
    for args, said in [(["--from-demo", "--students", str(students)], "choose one"),
                       (["--staff", str(staff)], "--staff needs --students"),
                       (["--students", str(students), "--tz", "Mars/Olympus"], "not a time zone"),
                       (["--students", str(students), "--day", "15:00-08:00"], "--day: the end is not after"),
                       (["--students", str(students), "--day", "8 to 3"], "--day: expected"),
                       (["--students", str(students), "--period", "1"], "--period"),
                       (["--students", str(tmp_path / "nope.csv")], "nope.csv: no such file")]:
        out = run_cli("init", room, *args)
        assert out.returncode == 2 and said in out.stderr and "Traceback" not in out.stderr, (args, out.stderr)
    assert not (tmp_path / "room").exists()


def test_from_demo_is_todays_copy(tmp_path):
    room = tmp_path / "demo"
    out = run_cli("init", str(room), "--from-demo", check=True)
    assert "wrote a starter classroom" in out.stdout
    assert json.loads(run_cli("board", "--json", data=room, check=True).stdout)["room"] == "Room 12"
    assert len(list((room / "students").glob("*.toml"))) == 8
