"""Later changes to a room, from the setup screens (issue 22): a student added mid-year, a goal retired.

Pure: the files' text in, the new text out, checked with the same parsers as a hand edit
(paratui.model.classroom.parse_classroom, paratui.model.goals.parse_student_plan) before it is handed
back, so a change the board would refuse is never written. Everything the change does not touch is
kept as it was, comments and layout included (the new `[[students]]` table is put as text right after
the last one; a goal's `retired = DATE` is set with tomlkit). Writing the files (atomically, under
their lock, only if they did not change meanwhile) is the store's (paratui.store.student_file).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date

import tomlkit

from paratui.model.classroom import Classroom, parse_classroom
from paratui.model.errors import ConfigError
from paratui.model.goals import Goal, StudentPlan, parse_student_plan
from paratui.model.text import clean

_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,11}")
_HEADER = re.compile(r"\s*\[")
_STUDENTS = re.compile(r"\s*\[\[\s*students\s*\]\]")
_CONTENT = re.compile(r"\s*[^\s#]")


class SetupRefused(Exception):
    """The change cannot be made as asked; `field` names the form field at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


@dataclass(frozen=True)
class NewStudent:
    id: str
    initials: str  # as the board will show them (told apart from the others')
    name: str | None
    one_to_one: str | None  # a staff id
    note: str | None  # said when the initials typed were told apart


def _norm(initials: str) -> str:
    return initials.replace(".", "").replace(" ", "").casefold()


def new_student(classroom: Classroom, sid: str, initials: str, name: str, para: str,
                files: frozenset[str] = frozenset()) -> NewStudent:
    """The student typed, checked against the room: an id not used (in classroom.toml nor as a
    students/ID.toml already there: `files`, their ids), initials told apart as the roster's are
    (E.M. → E.Mo. → Em.Mo. → E.M.2), the one-to-one para one of the staff. SetupRefused."""
    from paratui.model.roster import RosterStudent, first_last, initials_of, tell_apart  # the roster's own rules

    sid, initials, name = clean(sid).strip(), clean(initials).strip(), clean(name).strip()
    if not sid:
        raise SetupRefused("id: type the student's id (S09, KB)", "id")
    if not _ID.fullmatch(sid):
        raise SetupRefused("id: a short code (S09, KB): letters and digits, starting with a letter", "id")
    taken = {s.id.casefold(): s for s in classroom.students}
    if sid.casefold() in taken:
        raise SetupRefused(f"id: {sid} is already {clean(taken[sid.casefold()].initials, limit=12)}'s", "id")
    if sid.casefold() in {f.casefold() for f in files}:
        raise SetupRefused(f"id: students/{sid}.toml is already there (a student's file): choose another id", "id")
    if len(name) > 80:
        raise SetupRefused("name: at most 80 characters", "name")
    first, last = first_last(name)
    if not initials:
        initials = initials_of(first, last)
    if not initials:
        raise SetupRefused("initials: type them (E.M.), or the full name to work them out from", "initials")
    if len(initials) > 8:
        raise SetupRefused("initials: at most 8 characters", "initials")
    adult = None
    if para.strip():
        key = para.strip().casefold()
        found = [s for s in classroom.staff
                 if key in {s.id.casefold(), s.short.casefold(), (s.name or "").casefold(), *(x.casefold()
                                                                                               for x in s.logins)}]
        if len(found) != 1:
            raise SetupRefused("one-to-one: " + ("more than one adult is called that: type their id" if found
                                                 else "not someone on the staff list (their id or short name)"),
                               "para")
        adult = found[0].id
    others = [RosterStudent(s.id, s.initials) for s in classroom.students]
    told = tell_apart([*others, RosterStudent(sid, initials, first=first, last=last)])[-1].initials
    note = None if told == initials else (f"{initials} is already a student's initials: this one is {told} on "
                                          "the board")
    return NewStudent(sid, told, name or None, adult, note)


def _toml_string(value: str) -> str:
    return tomlkit.string(value).as_string()


def add_student(text: str, student: NewStudent) -> tuple[str, str, Classroom]:
    """classroom.toml's text with the student's `[[students]]` added after the last one (every other
    line kept as it was), the new students/ID.toml, and the classroom they parse to. SetupRefused."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    block = ["[[students]]\n", f"id = {_toml_string(student.id)}\n", f"initials = {_toml_string(student.initials)}\n"]
    if student.name:
        block.append(f"name = {_toml_string(student.name)}\n")
    if student.one_to_one:
        block.append(f"one_to_one = {_toml_string(student.one_to_one)}\n")
    heads = [i for i, line in enumerate(lines) if _STUDENTS.match(line)]
    if heads:
        nxt = next((i for i in range(heads[-1] + 1, len(lines)) if _HEADER.match(lines[i])), len(lines))
        end = max(i for i in range(heads[-1], nxt) if _CONTENT.match(lines[i])) + 1
        new_lines = lines[:end] + ["\n", *block] + lines[end:]
    else:
        new_lines = [*lines, "\n", *block]
    new = "".join(new_lines)
    try:
        classroom = parse_classroom(tomllib.loads(new))
    except tomllib.TOMLDecodeError as e:
        raise SetupRefused(f"classroom.toml cannot be read as TOML ({clean(str(e), limit=100)}): fix it by hand "
                           "first") from None
    except ConfigError as e:
        raise SetupRefused("classroom.toml would not be good: " + "; ".join(
            f"{p.field}: {clean(p.message)}" if p.field else clean(p.message) for p in e.problems[:2])) from None
    student_file = (f"# {student.id}'s goals and behaviors (docs/data-folder.md); add one with "
                    f"`paratui setup goal {student.id}`\n"
                    f'student = {_toml_string(student.id)}\n')
    return new, student_file, classroom


def retire_goal(text: str, goal_id: str, day: date, classroom: Classroom, student_id: str
                ) -> tuple[str, StudentPlan, Goal]:
    """students/ID.toml's text with `retired = DAY` set on the goal (every other line kept), the plan
    it parses to and the goal as retired. SetupRefused: no such goal, already retired, a file that
    does not parse."""
    where = f"students/{student_id}.toml"
    try:
        doc = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as e:
        raise SetupRefused(f"{where} cannot be read as TOML ({clean(str(e), limit=100)}): fix it by hand "
                           "first") from None
    goals = doc.get("goals")
    table = next((g for g in (goals or []) if str(g.get("id", "")).casefold() == goal_id.casefold()), None)
    if table is None:
        raise SetupRefused(f"goal: {clean(goal_id, limit=30)} is not one of {student_id}'s goals", "goal")
    if table.get("retired") is not None:
        raise SetupRefused(f"goal: {clean(goal_id, limit=30)} is already retired ({clean(str(table['retired']))})",
                           "goal")
    table["retired"] = day
    table["retired"].comment("retired with `paratui setup`: kept in reports, no longer due")
    new = doc.as_string()
    try:
        plan = parse_student_plan(tomllib.loads(new), student_id, classroom, classroom.prompts)
    except (tomllib.TOMLDecodeError, ConfigError) as e:
        problems = getattr(e, "problems", None)
        said = "; ".join(f"{p.field}: {clean(p.message)}" for p in problems[:2]) if problems else clean(str(e))
        raise SetupRefused(f"{where} would not be good: {said}") from None
    goal = plan.goal(goal_id)
    assert goal is not None
    return new, plan, goal


def goal_choices(plan: StudentPlan | None, day: date) -> tuple[Goal, ...]:
    """The goals that can still be retired on `day`."""
    return plan.current(day) if plan is not None else ()


__all__ = ["NewStudent", "SetupRefused", "add_student", "goal_choices", "new_student", "retire_goal"]
