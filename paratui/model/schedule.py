"""The base week from schedule.toml's data: blocks per weekday and who is with whom in each."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time
from typing import Any

from paratui.model.classroom import Classroom, _find_student
from paratui.model.errors import ConfigError
from paratui.model.fields import Checker

# What a mistyped time may look like and still be safe to repeat in a message.
_TIMEISH = re.compile(r"[0-9:. -]{1,20}")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Duty:
    """What one adult does in one block: with these students, at this place, doing this."""

    students: tuple[str, ...]
    at: str | None = None  # None: the block's place
    activity: str | None = None  # None: the block's activity
    # the students named one by one (an id or initials, not "all" or a group): for a one-to-one student
    # whose para is on a break in this block, being named is being covered in their place
    named: tuple[str, ...] = ()


@dataclass(frozen=True)
class Block:
    start: time
    end: time
    activity: str
    at: str
    duties: dict[str, Duty] = field(default_factory=dict)  # staff id → duty
    where: dict[str, str] = field(default_factory=dict)  # student id → location id

    def label(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M} {self.activity}"


@dataclass(frozen=True)
class Service:
    """A related service in the base week ([[services]]: speech, OT…): these students are pulled out
    to `at` from `start` to `end` on `days`, with the visiting adult `staff` (None: the place's own)."""

    students: tuple[str, ...]
    days: tuple[str, ...]
    start: time
    end: time
    at: str
    activity: str
    staff: str | None = None

    def label(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M} {self.activity}"


@dataclass(frozen=True)
class Schedule:
    days: dict[str, tuple[Block, ...]]  # weekday name → blocks in time order
    services: tuple[Service, ...] = ()  # pull-outs, any weekday, in time order

    def blocks(self, weekday: str) -> tuple[Block, ...]:
        return self.days.get(weekday, ())

    def services_on(self, weekday: str) -> tuple[Service, ...]:
        return tuple(s for s in self.services if weekday in s.days)


def parse_hhmm(text: str) -> time:
    hh, mm = text.strip().split(":")
    return time(int(hh), int(mm))


def parse_schedule(data: dict, classroom: Classroom) -> Schedule:
    c = Checker()
    c.keys(data, {*WEEKDAYS, "services"}, "")
    days: dict[str, tuple[Block, ...]] = {}
    for day in WEEKDAYS:
        raw_blocks = data.get(day, [])
        if not isinstance(raw_blocks, list):
            c.add(day, "expected [[" + day + "]] blocks")
            continue
        blocks = sorted((b for i, raw in enumerate(raw_blocks)
                         if (b := _block(c, classroom, c.table(raw, f"{day}[{i}]"), f"{day}[{i}]"))),
                        key=lambda b: b.start)
        for a, b in zip(blocks, blocks[1:]):
            if b.start < a.end:
                c.add(day, f"blocks {a.label()!r} and {b.label()!r} overlap")
        days[day] = tuple(blocks)
    services = _services(c, classroom, data)
    if c.problems:
        raise ConfigError(c.problems)
    return Schedule(days, services)


def _block(c: Checker, classroom: Classroom, raw: dict, where: str) -> Block | None:
    c.keys(raw, {"time", "activity", "at", "with", "where"}, where)
    got = span_of(c, raw.get("time"), f"{where}.time")
    if got is None:
        return None
    activity = c.text(raw, "activity", where) or "?"
    home = classroom.home.id
    at = _place(c, classroom, raw.get("at", home), f"{where}.at") or home
    duties = _duties(c, classroom, c.table(raw.get("with", {}), f"{where}.with"), f"{where}.with")
    where_map: dict[str, str] = {}
    for ref, loc in c.table(raw.get("where", {}), f"{where}.where").items():
        s = _find_student(classroom.students, ref)
        if s is None:
            c.add(f"{where}.where", "a student id or initials here is not in classroom.toml",
                  hint=f"{where}.where.{ref}")
        elif (lid := _place(c, classroom, loc, f"{where}.where.{ref}")) is not None:
            where_map[s.id] = lid
    return Block(got[0], got[1], activity, at, duties, where_map)


def _duties(c: Checker, classroom: Classroom, raw: dict, where: str) -> dict[str, Duty]:
    """A block's `with`: staff id → their students, or a table of with / at / activity."""
    staff_ids = {s.id for s in classroom.staff}
    duties: dict[str, Duty] = {}
    for staff_id, value in raw.items():
        fw = f"{where}.{staff_id}"
        if staff_id not in staff_ids:
            c.add(where, "a staff id here is not in classroom.toml", hint=fw)
        elif isinstance(value, dict):
            c.keys(value, {"with", "at", "activity"}, fw)
            ids = _students(c, classroom, value["with"], f"{fw}.with") if "with" in value else []
            activity = value.get("activity")
            if activity is not None and (not isinstance(activity, str) or not activity.strip()):
                c.add(f"{fw}.activity", "expected non-empty text")
                activity = None
            duties[staff_id] = Duty(tuple(ids), _place(c, classroom, value.get("at"), f"{fw}.at"), activity,
                                    _named(classroom, value.get("with")))
        else:
            duties[staff_id] = Duty(tuple(_students(c, classroom, value, fw)), named=_named(classroom, value))
    return duties


def _students(c: Checker, classroom: Classroom, ref: Any, where: str) -> list[str]:
    """'all', a group name, a student id/initials, or a list of those → student ids.
    An unknown one is named by its place (field and line), never by what was typed: it may be
    a student's full name."""
    refs = [(f"{where}[{j}]", r) for j, r in enumerate(ref)] if isinstance(ref, list) else [(where, ref)]
    students = classroom.students
    ids: list[str] = []
    for where_r, r in refs:
        if r == "all":
            ids.extend(s.id for s in students)
        elif isinstance(r, str) and r in classroom.groups:
            ids.extend(classroom.groups[r])
        elif (s := _find_student(students, r)) is not None:
            ids.append(s.id)
        else:
            c.add(where_r, "not a student id or initials, a group or \"all\" from classroom.toml")
    return list(dict.fromkeys(ids))


def _named(classroom: Classroom, ref: Any) -> tuple[str, ...]:
    """The students a `with` names one by one (not through "all" or a group)."""
    refs = ref if isinstance(ref, list) else [ref]
    return tuple(s.id for r in refs if r != "all" and not (isinstance(r, str) and r in classroom.groups)
                 and (s := _find_student(classroom.students, r)) is not None)


def _place(c: Checker, classroom: Classroom, value: Any, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value not in classroom.location_by_id():
        c.add(where, "not a location id from classroom.toml")
        return None
    return value


def span_of(c: Checker, span: Any, where: str) -> tuple[time, time] | None:
    """ "09:15-10:00" → (start, end); a problem naming `where` otherwise."""
    try:
        start_s, end_s = str(span).split("-")
        start, end = parse_hhmm(start_s), parse_hhmm(end_s)
        if end <= start:
            raise ValueError
    except (ValueError, AttributeError):
        if isinstance(span, str) and _TIMEISH.fullmatch(span):
            c.add(where, f"{span!r} is not a span like \"09:15-10:00\"")
        else:
            c.add(where, "expected a span like \"09:15-10:00\"")
        return None
    return start, end


def _services(c: Checker, classroom: Classroom, data: dict) -> tuple[Service, ...]:
    """[[services]]: speech, OT… pull-outs of the base week (strict like the blocks)."""
    found: list[Service] = []
    for i, raw in c.tables(data, "services"):
        where = f"services[{i}]"
        c.keys(raw, {"staff", "students", "days", "time", "at", "activity"}, where)
        staff = c.ref(raw, "staff", where, classroom.staff_by_id(), "not a staff id from classroom.toml")
        if "students" not in raw:
            c.add(f"{where}.students", "missing (student ids, initials or a group)")
        ids = _students(c, classroom, raw.get("students", []), f"{where}.students")
        days = raw.get("days")
        if not isinstance(days, list) or not days or not all(d in WEEKDAYS for d in days):
            c.add(f"{where}.days", f"expected a list of weekdays ({', '.join(WEEKDAYS[:5])})")
            days = []
        span = span_of(c, raw.get("time"), f"{where}.time")
        if "at" not in raw:
            c.add(f"{where}.at", "missing (a location id from classroom.toml, e.g. \"speech\")")
        at = _place(c, classroom, raw.get("at"), f"{where}.at")
        activity = c.text(raw, "activity", where)
        if span and at and activity and ids and days:
            found.append(Service(tuple(ids), tuple(days), span[0], span[1], at, activity, staff))
    found.sort(key=lambda s: s.start)
    return tuple(found)
