"""A new room's files from a few answers: pure (text in, text out), so the CLI and the setup screens
write the same folder.

From the room's name and time zone, its staff, its students, its places and its school day, this
makes a commented `classroom.toml` and `schedule.toml`, one `students/ID.toml` per student and the
five weekday binder tabs: a folder `paratui check` passes, for the teacher to go on editing by hand.
The TOML is built with tomlkit (which keeps comments when a file is read and written again, so a
later edit from a screen can change one value and leave the teacher's comments), and every value a
person typed goes into a TOML string, never into a comment but cleaned one-line grades.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Sequence

import tomlkit
from tomlkit.items import Table

from paratui.model.classroom import DEFAULT_PROMPTS
from paratui.model.roster import FORMULA_START, LOGIN, STAFF_LIMIT, STUDENT_LIMIT, RosterStaff, RosterStudent
from paratui.model.text import clean

WEEK = ("monday", "tuesday", "wednesday", "thursday", "friday")
# Who is with the students in the base week: the teacher and the classroom paras. A one-to-one para
# follows their student without being named; visiting staff and subs come through [[services]] and
# the board.
WITH_EVERYONE = ("teacher", "para")
_TZ = re.compile(r"[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}")
_PLACE_ID = re.compile(r"[a-z][a-z0-9-]{0,30}")


@dataclass(frozen=True)
class Place:
    """A place students go, as classroom.toml's [[locations]] has it."""

    id: str
    label: str
    kind: str = "out"  # room | out | away
    expected_minutes: int | None = None
    supervised: bool = False
    key: str | None = None
    note: str = ""  # the comment above it


# The places to tick (the default list); the room itself and "absent" are always written.
DEFAULT_PLACES = (
    Place("bathroom", "Bathroom", "out", 10, False, "b", "an adult from the room goes along"),
    Place("nurse", "Nurse", "out", 20, True, "n", "the nurse has them: supervised"),
    Place("office", "Office", "out", 15, True, "o"),
    Place("library", "Library", "out", 45, True, "l"),
    Place("gened", "Gen-ed class", "out", 50, True, "g", "inclusion in a general-education class (add one per "
          "room, e.g. gened-3 \"3rd grade (Rm 8)\")"),
)


@dataclass(frozen=True)
class SchoolDay:
    start: time = time(8, 0)
    end: time = time(15, 0)
    period_minutes: int = 30
    days: tuple[str, ...] = WEEK


@dataclass(frozen=True)
class RoomAnswers:
    room: str
    time_zone: str
    staff: Sequence[RosterStaff]
    students: Sequence[RosterStudent]
    places: Sequence[Place] = DEFAULT_PLACES
    day: SchoolDay = field(default_factory=SchoolDay)
    shared_logins: Sequence[str] = ()  # the classroom workstation's account(s), if known
    full_names: bool = True  # write each student's full name (optional in classroom.toml; never on the board)


class SetupError(Exception):
    """The answers cannot make a room; carries every reason, each naming what to change."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def blocks(day: SchoolDay) -> list[tuple[time, time]]:
    """The day cut into periods from start to end (the last one shorter if the day does not divide)."""
    at = datetime.combine(datetime.min.date(), day.start)
    end = datetime.combine(datetime.min.date(), day.end)
    out = []
    while at < end:
        nxt = min(at + timedelta(minutes=day.period_minutes), end)
        out.append((at.time(), nxt.time()))
        at = nxt
    return out


def check_answers(a: RoomAnswers) -> list[str]:
    """Every reason the answers cannot make a room (empty: they can)."""
    problems = []
    if not clean(a.room).strip() or len(a.room) > 60:
        problems.append("room: a name of 1 to 60 characters (e.g. Room 12)")
    if not _TZ.fullmatch(a.time_zone):
        problems.append("time zone: a name like America/Chicago or Europe/Paris")
    if not a.students:
        problems.append("students: none: a room needs at least one")
    if len(a.students) > STUDENT_LIMIT:
        problems.append(f"students: more than {STUDENT_LIMIT}")
    if len(a.staff) > STAFF_LIMIT + 1:  # the teacher may have been added to a full list
        problems.append(f"staff: more than {STAFF_LIMIT}")
    if not any(s.role == "teacher" for s in a.staff):
        problems.append("staff: no teacher")
    problems += _unique("staff id", [s.id for s in a.staff])
    problems += _unique("staff login", [x for s in a.staff for x in s.logins])
    problems += _unique("student id", [s.id.upper() for s in a.students])
    problems += _unique("student initials", ["".join(ch for ch in s.initials.casefold() if ch.isalnum())
                                             for s in a.students])
    personal = {x for s in a.staff for x in s.logins}
    problems += [f"shared login {clean(x, limit=32)!r}: also someone's own login (a shared login is the classroom "
                 "computer's account, used by everyone)" for x in a.shared_logins if x in personal]
    problems += [f"shared login {clean(x, limit=32)!r}: not a computer user name" for x in a.shared_logins
                 if not LOGIN.fullmatch(x)]
    ids = {s.id for s in a.staff}
    problems += [f"student {s.id}: one_to_one is not a staff id" for s in a.students
                 if s.one_to_one and s.one_to_one not in ids]
    problems += _unique("place id", ["room", "absent", *(p.id for p in a.places)])
    problems += _unique("place key", ["r", "a", *(p.key for p in a.places if p.key)])
    problems += [f"place {clean(p.id, limit=30)!r}: ids are lower-case letters, digits and -" for p in a.places
                 if not _PLACE_ID.fullmatch(p.id)]
    d = a.day
    if d.end <= d.start:
        problems.append("school day: the end is not after the start")
    if not 5 <= d.period_minutes <= 240:
        problems.append("school day: a period is 5 to 240 minutes")
    if not d.days or any(x not in WEEK for x in d.days):
        problems.append("school day: days are monday … friday")
    if not problems and len(blocks(d)) > 48:
        problems.append("school day: more than 48 periods; make them longer")
    return problems


def _unique(what: str, values: Sequence[str]) -> list[str]:
    twice = [v for v, n in Counter(values).items() if n > 1]
    return [f"{what}: {len(twice)} used twice"] if twice else []


def _string(value: str, comment: str | None = None) -> tomlkit.items.String:
    item = tomlkit.string(value)
    if comment:
        item.comment(comment)
    return item


def _comments(doc: tomlkit.TOMLDocument | Table, *lines: str) -> None:
    for line in lines:
        doc.add(tomlkit.comment(line) if line else tomlkit.nl())


def classroom_toml(a: RoomAnswers) -> str:
    room = clean(a.room).strip()
    doc = tomlkit.document()
    _comments(doc, f"{room} — who is in the room, which students and places.",
              "Written by `paratui init`. This file is yours: edit it in any text editor; every open board",
              "picks the change up. A mistake is shown with the file and the line, and the board keeps the",
              "last good version. The fields: docs/data-folder.md in paratui.",
              "Privacy: the board only ever shows staff short names and student INITIALS. A student's full",
              "name is optional and never shown on the board. Never put passwords or ID numbers here.", "")
    doc.add("room", _string(room, "shown in the board header"))
    doc.add("timezone", _string(a.time_zone, "the room's local time: the board, logging and reports use it"))
    doc.add(tomlkit.nl())
    _comments(doc, "─── Staff ───",
              "id      short code, used in schedule.toml and on the command line",
              "short   what the wall board shows",
              "role    teacher | para | one-to-one | related-service | sub",
              "logins  the computer user names that act as this person (several allowed)")
    staff = tomlkit.aot()
    for s in a.staff:
        t = tomlkit.table()
        t.add("id", s.id)
        t.add("name", clean(s.name))
        t.add("short", clean(s.short))
        t.add("role", s.role)
        t.add("logins", list(s.logins))
        staff.append(t)
    doc.add("staff", staff)
    doc.add(tomlkit.nl())
    _comments(doc, "─── Students ───",
              "id          code, unique: used everywhere instead of a name (students/ID.toml holds the goals)",
              "initials    what the board shows (unique in the room)",
              "name        optional, NEVER shown on the board",
              "one_to_one  optional: staff id of the student's one-to-one para")
    pupils = tomlkit.aot()
    for p in a.students:
        t = tomlkit.table()
        t.add("id", p.id)
        # the grade only as a comment, and never a cell that looked like a formula (see model.roster)
        grade = p.grade if p.grade and not p.grade.startswith(FORMULA_START) else None
        t.add("initials", _string(clean(p.initials), f"grade {clean(grade, limit=20)}" if grade else None))
        if a.full_names and p.name:
            t.add("name", clean(p.name))
        if p.one_to_one:
            t.add("one_to_one", p.one_to_one)
        pupils.append(t)
    doc.add("students", pupils)
    doc.add(tomlkit.nl())
    _comments(doc, "─── Groups (optional) ───",
              "Named groups of students (ids or initials), used in schedule.toml: JT = \"readers_a\".",
              "[groups]", "readers_a = [\"S01\", \"S02\"]", "")
    _comments(doc, "─── Places ───",
              "kind  room = inside the classroom · out = out of the room, timed, flagged after expected_minutes",
              "      away = absent / gone home",
              "supervised  true if other adults are there (a student there alone still counts as covered)",
              "key   the one-letter key in the board's pickers (each used once; q and ? are the board's)",
              "The FIRST place of kind room is the classroom itself.")
    places = tomlkit.aot()
    for pl in (Place("room", room, "room", key="r"), *a.places, Place("absent", "Absent / home", "away", key="a")):
        t = tomlkit.table()
        if pl.note:
            t.add(tomlkit.comment(pl.note))
        t.add("id", pl.id)
        t.add("label", clean(pl.label))
        t.add("kind", pl.kind)
        if pl.expected_minutes is not None:
            t.add("expected_minutes", pl.expected_minutes)
        if pl.kind == "out":
            t.add("supervised", pl.supervised)
        if pl.key:
            t.add("key", pl.key)
        places.append(t)
    doc.add("locations", places)
    doc.add(tomlkit.nl())
    _comments(doc, "─── Data collection ───",
              "prompts  prompt codes, MOST intrusive first, the LAST one means independent")
    data = tomlkit.table()
    data.add("prompts", list(DEFAULT_PROMPTS))
    data.add("full_names", False)
    doc.add("data", data)
    doc.add(tomlkit.nl())
    _comments(doc, "─── Who is acting ───",
              "A login under someone's `logins` is that person. The classroom workstation's shared account",
              "goes in shared_logins (people pick who they are with `i`); any other login reads only.",
              "pins: at the shared login, the teacher acts as the teacher only after their PIN",
              "(`paratui pin set`).")
    access = tomlkit.table()
    shared = tomlkit.array()
    shared.extend(list(a.shared_logins))
    access.add("shared_logins", shared)
    if not a.shared_logins:
        access["shared_logins"].comment("the classroom computer's account, e.g. [\"room12\"]")
    access.add("idle_minutes", 10)
    access.add("pins", True)
    doc.add("access", access)
    return doc.as_string()


def schedule_toml(a: RoomAnswers) -> str:
    room = clean(a.room).strip()
    with_all = [s.id for s in a.staff if s.role in WITH_EVERYONE]
    spans = blocks(a.day)
    doc = tomlkit.document()
    _comments(doc, f"{room} — the base week. Written by `paratui init`: one block per period, "
              f"{a.day.start:%H:%M}–{a.day.end:%H:%M}.",
              "Rename the activities, merge periods, stagger the staff lunches. Each block:",
              "  time     = \"HH:MM-HH:MM\" (24-hour clock; blocks never overlap)",
              "  activity = what the class is doing;  at = where (a place id from classroom.toml)",
              "  [DAY.with]  staff id = whom they are with: \"all\", a group, [\"S01\", \"S02\"], or",
              "              { at = \"lounge\", activity = \"Lunch break\" } (no students)",
              "  [DAY.where] student id = place id, for a student somewhere else this block",
              "A one-to-one para is not listed: they are with their student wherever the student is.",
              "Speech, OT… go in [[services]] (docs/data-folder.md); a change for one day goes on the board.", "")
    for day in a.day.days:
        _comments(doc, f"═══ {day.upper()} ═══")
        aot = tomlkit.aot()
        for n, (start, end) in enumerate(spans, 1):
            t = tomlkit.table()
            t.add("time", f"{start:%H:%M}-{end:%H:%M}")
            t.add("activity", f"Period {n}")
            t.add("at", "room")
            w = tomlkit.table()
            for sid in with_all:
                w.add(sid, "all")
            t.add("with", w)
            aot.append(t)
        doc.add(day, aot)
        doc.add(tomlkit.nl())
    return doc.as_string()


def student_toml(p: RosterStudent, collector: str) -> str:
    doc = tomlkit.document()
    _comments(doc, f"{clean(p.initials)} — IEP goals and behaviors (the file name is the student id).",
              "Hand-editable: the board re-reads this file when it changes. The fields: docs/data-folder.md.",
              "")
    doc.add("student", p.id)
    doc.add(tomlkit.nl())
    _comments(doc, "A goal, for example:",
              "[[goals]]",
              "id = \"help\"                         # what you type: paratui log " + clean(p.initials) + " help +",
              "title = \"Asks for help with the help card\"",
              "area = \"communication\"              # academic | communication | behavior | self-care | other",
              "kind = \"trials\"                     # tally | trials | duration | latency | task_analysis | interval"
              " | mts | abc",
              "baseline = \"1 of 10 opportunities\"",
              "mastery = { percent = 80, level = \"I\", sessions = 3 }",
              f"collect_by = [\"{collector}\"]               # staff ids: who collects it",
              "when = \"daily in reading groups\"")
    return doc.as_string()


def binder_page(day: str) -> str:
    return (f"# {day.capitalize()}\n\nWhat is different on {day.capitalize()}s: specials, pick-ups, who comes in, "
            "what to prepare. The board shows this tab on the day.\n")


def room_files(a: RoomAnswers) -> dict[str, str]:
    """Every file of the new room (path inside the folder → text), or SetupError."""
    problems = check_answers(a)
    if problems:
        raise SetupError(problems)
    files = {"classroom.toml": classroom_toml(a), "schedule.toml": schedule_toml(a)}
    teacher = next(s.id for s in a.staff if s.role == "teacher")
    for p in a.students:
        files[f"students/{p.id}.toml"] = student_toml(p, teacher)
    for day in WEEK:
        files[f"binder/{day}.md"] = binder_page(day)
    return files
