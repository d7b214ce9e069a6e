"""Writing a room from answers: the files `paratui model.room_setup` makes pass `paratui check`, keep
their comments through a tomlkit edit, and keep every typed value data."""

from __future__ import annotations

import json
import tomllib
from datetime import time
from pathlib import Path

import pytest
import tomlkit

from paratui.model.classroom import parse_classroom
from paratui.model.room_setup import (
    DEFAULT_PLACES,
    Place,
    RoomAnswers,
    SchoolDay,
    SetupError,
    blocks,
    room_files,
)
from paratui.model.roster import RosterStaff, RosterStudent, parse_staff, parse_students, with_teacher
from paratui.model.schedule import parse_schedule
from paratui.store.new_room import write_new_room
from tests.helpers import run_cli

STAFF = (b"Name,Short,Role,Login\nMaria Rivera,Ms. R,teacher,mrivera\nJordan Thomas,Mr. T,para,jthomas\n"
         b"Ana Lopez,Ms. L,para,alopez\nDana Patel,Ms. P,1:1,dpatel\nSara Kowalski,Ms. K,speech,skowalski\n"
         b"Substitute,Sub,sub,room12sub\n")


def seeds_like() -> RoomAnswers:
    """A room like the seeds': 8 students (two E.M.), a teacher, 3 paras (one one-to-one), a speech
    therapist and a sub."""
    staff = parse_staff(STAFF, "staff.csv").staff
    students = parse_students(("Last;First;Grade;Para\nMoonbeam;Evander;3;\nBloom;Kai;2;\nSaltmarsh;Lark;2;\n"
                               "Wren;Odette;3;\nNettlefield;Rowan;1;Ms. P\nHale;Tam;2;\nMorales;Emma;3;\n"
                               "Fern;\u202eIvy 🌿;=1+1;\n").encode(), "students.csv", staff).students
    staff_list, _ = with_teacher(staff, "mrivera")
    return RoomAnswers("Room 12", "America/Chicago", tuple(staff_list), students)


def write(tmp_path: Path, answers: RoomAnswers) -> Path:
    room = tmp_path / "room"
    write_new_room(room, room_files(answers))
    return room


def test_the_written_room_passes_paratui_check(tmp_path):
    room = write(tmp_path, seeds_like())
    out = run_cli("check", data=room)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no problems (classroom.toml, schedule.toml, 8 goal files, 5 binder pages, journal)" in out.stdout


def test_the_written_room_shows_a_board(tmp_path):
    room = write(tmp_path, seeds_like())
    data = json.loads(run_cli("board", "--json", data=room, env={"PARATUI_NOW": "2026-11-23T10:15"},
                              check=True).stdout)
    assert data["room"] == "Room 12"
    assert sorted(s["initials"] for s in data["students"]) == sorted(
        ["E.M.", "K.B.", "L.S.", "O.W.", "R.N.", "T.H.", "E.Mo.", "I.F."])
    assert all(s["covered"] for s in data["students"]) and data["warnings"] == [] and data["ahead"] == []
    assert data["block"]["activity"] == "Period 5"
    assert next(s for s in data["students"] if s["initials"] == "R.N.")["with"][-1] == "DP"
    text = run_cli("board", "--plain", data=room, env={"PARATUI_NOW": "2026-11-23T10:15"}, check=True).stdout
    assert "Period 5" in text and "Evander" not in text  # 10:00-10:30, and never a full name


def test_what_was_answered_is_what_is_read_back():
    a = seeds_like()
    files = room_files(a)
    room = parse_classroom(tomllib.loads(files["classroom.toml"]))
    assert [(s.id, s.role, s.logins) for s in room.staff] == [
        ("MR", "teacher", ("mrivera",)), ("JT", "para", ("jthomas",)), ("AL", "para", ("alopez",)),
        ("DP", "one-to-one", ("dpatel",)), ("SK", "related-service", ("skowalski",)), ("SUB", "sub", ("room12sub",))]
    assert [s.initials for s in room.students] == ["E.M.", "K.B.", "L.S.", "O.W.", "R.N.", "T.H.", "E.Mo.", "I.F."]
    assert room.student_by_id()["S05"].one_to_one == "DP"
    assert room.student_by_id()["S08"].name == "Ivy 🌿 Fern"  # emoji kept, the RTL override gone
    assert [loc.id for loc in room.locations] == ["room", "bathroom", "nurse", "office", "library", "gened", "absent"]
    assert room.warnings == ()
    week = parse_schedule(tomllib.loads(files["schedule.toml"]), room)
    monday = week.blocks("monday")
    assert [b.label() for b in monday][:2] == ["08:00-08:30 Period 1", "08:30-09:00 Period 2"]
    assert len(monday) == 14 and set(week.days) >= {"monday", "friday"} and week.blocks("saturday") == ()
    assert set(monday[0].duties) == {"MR", "JT", "AL"}  # DP follows R.N.; SK and the sub are not in the base week
    assert sorted(files) == ["binder/friday.md", "binder/monday.md", "binder/thursday.md", "binder/tuesday.md",
                             "binder/wednesday.md", "classroom.toml", "schedule.toml",
                             *[f"students/S0{n}.toml" for n in range(1, 9)]]


def test_comments_survive_a_tomlkit_edit():
    text = room_files(seeds_like())["classroom.toml"]

    def comments_of(toml: str) -> list[str]:
        return [line[line.index("#"):] for line in toml.splitlines() if "#" in line]

    comments = comments_of(text)
    assert len(comments) > 20
    doc = tomlkit.parse(text)
    assert doc.as_string() == text  # read and written again: byte for byte
    doc["students"][1]["initials"] = "K.Bl."  # type: ignore[index]
    again = doc.as_string()
    assert comments_of(again) == comments and again != text
    assert tomllib.loads(again)["students"][1]["initials"] == "K.Bl."
    schedule = room_files(seeds_like())["schedule.toml"]
    assert tomlkit.parse(schedule).as_string() == schedule


def test_typed_text_stays_data_in_the_toml():
    hostile = RosterStudent("S01", 'A."B', 'Zoë "Z" \\ O\'Neil', grade="3\"]\nx = 1", line=2)
    staff = [RosterStaff("MR", 'Ma"ria\\', 'Ms. "R"', "teacher", ("mrivera",))]
    files = room_files(RoomAnswers('Room "12" \\ #1', "Europe/Paris", staff, [hostile]))
    data = tomllib.loads(files["classroom.toml"])
    assert data["room"] == 'Room "12" \\ #1' and data["staff"][0]["name"] == 'Ma"ria\\'
    assert data["students"][0]["name"] == 'Zoë "Z" \\ O\'Neil' and set(data["students"][0]) == {
        "id", "initials", "name"}
    assert "x = 1" not in tomllib.loads(files["classroom.toml"])


def test_a_formula_is_never_written_into_a_comment():
    files = room_files(seeds_like())
    assert "=1+1" not in files["classroom.toml"]
    assert "# grade 3" in files["classroom.toml"]


def test_full_names_can_be_left_out():
    a = seeds_like()
    text = room_files(RoomAnswers(a.room, a.time_zone, a.staff, a.students, full_names=False))["classroom.toml"]
    assert "Evander" not in text and all("name" not in s for s in tomllib.loads(text)["students"])


def test_the_school_day_is_cut_into_periods():
    assert blocks(SchoolDay(time(8, 0), time(9, 40), 45)) == [(time(8, 0), time(8, 45)), (time(8, 45), time(9, 30)),
                                                             (time(9, 30), time(9, 40))]


@pytest.mark.parametrize("change,message", [
    ({"day": SchoolDay(time(15, 0), time(8, 0), 30)}, "school day: the end is not after the start"),
    ({"day": SchoolDay(time(8, 0), time(15, 0), 2)}, "school day: a period is 5 to 240 minutes"),
    ({"day": SchoolDay(days=("monday", "funday"))}, "school day: days are monday … friday"),
    ({"students": ()}, "students: none: a room needs at least one"),
    ({"room": "  "}, "room: a name of 1 to 60 characters"),
    ({"time_zone": "Mars Base"}, "time zone: a name like America/Chicago"),
    ({"places": (*DEFAULT_PLACES, Place("bath2", "Bathroom 2", key="b"))}, "place key: 1 used twice"),
    ({"places": (Place("Bad Id", "x"),)}, "ids are lower-case letters"),
    ({"staff": (RosterStaff("JT", "Jo", "Jo", "para"),)}, "staff: no teacher"),
    ({"shared_logins": ("jthomas",)}, "shared login 'jthomas': also someone's own login"),
    ({"shared_logins": ("bad login",)}, "not a computer user name"),
])
def test_answers_that_cannot_make_a_room(change, message):
    a = seeds_like()
    fields = {"room": a.room, "time_zone": a.time_zone, "staff": a.staff, "students": a.students, **change}
    assert room_files(RoomAnswers(a.room, a.time_zone, a.staff, a.students, shared_logins=("room12",)))
    with pytest.raises(SetupError) as e:
        room_files(RoomAnswers(**fields))
    assert any(message in p for p in e.value.problems), e.value.problems


def test_nothing_is_half_written(tmp_path):
    room = tmp_path / "room"
    room.mkdir()
    (room / "binder").mkdir()
    with pytest.raises(FileExistsError):
        write_new_room(room, room_files(seeds_like()))
    assert [p.name for p in room.iterdir()] == ["binder"] and list(tmp_path.iterdir()) == [room]
    with pytest.raises(ValueError):
        write_new_room(tmp_path / "other", {"../escape.toml": "x"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["room"]


def test_an_empty_folder_is_filled(tmp_path):
    room = tmp_path / "room"
    room.mkdir()
    write_new_room(room, room_files(seeds_like()))
    assert (room / "classroom.toml").is_file() and (room / "journal").is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["room"]
