"""The base week from schedule.toml's data: blocks per weekday and who is with whom in each."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time
from typing import Any

from paratui.model.classroom import Classroom, _Checker, _find_student
from paratui.model.errors import ConfigError

# What a mistyped time may look like and still be safe to repeat in a message.
_TIMEISH = re.compile(r"[0-9:. -]{1,20}")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Duty:
    """What one adult does in one block: with these students, at this place, doing this."""

    students: tuple[str, ...]
    at: str | None = None  # None: the block's place
    activity: str | None = None  # None: the block's activity


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
class Schedule:
    days: dict[str, tuple[Block, ...]]  # weekday name → blocks in time order

    def blocks(self, weekday: str) -> tuple[Block, ...]:
        return self.days.get(weekday, ())


def parse_hhmm(text: str) -> time:
    hh, mm = text.strip().split(":")
    return time(int(hh), int(mm))


def parse_schedule(data: dict, classroom: Classroom) -> Schedule:
    c = _Checker()
    c.keys(data, set(WEEKDAYS), "")
    staff_ids = {s.id for s in classroom.staff}
    location_ids = {loc.id for loc in classroom.locations}
    students = list(classroom.students)
    days: dict[str, tuple[Block, ...]] = {}

    def resolve(ref: Any, where: str) -> list[str]:
        """'all', a group name, a student id/initials, or a list of those → student ids.
        An unknown one is named by its place (field and line), never by what was typed: it may be
        a student's full name."""
        refs = [(f"{where}[{j}]", r) for j, r in enumerate(ref)] if isinstance(ref, list) else [(where, ref)]
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

    def place(value: Any, where: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or value not in location_ids:
            c.add(where, "not a location id from classroom.toml")
            return None
        return value

    for day in WEEKDAYS:
        raw_blocks = data.get(day, [])
        if not isinstance(raw_blocks, list):
            c.add(day, "expected [[" + day + "]] blocks")
            continue
        blocks: list[Block] = []
        for i, raw in enumerate(raw_blocks):
            where = f"{day}[{i}]"
            raw = c.table(raw, where)
            c.keys(raw, {"time", "activity", "at", "with", "where"}, where)
            span = raw.get("time")
            try:
                start_s, end_s = str(span).split("-")
                start, end = parse_hhmm(start_s), parse_hhmm(end_s)
                if end <= start:
                    raise ValueError
            except (ValueError, AttributeError):
                if isinstance(span, str) and _TIMEISH.fullmatch(span):
                    c.add(f"{where}.time", f"{span!r} is not a span like \"09:15-10:00\"")
                else:
                    c.add(f"{where}.time", "expected a span like \"09:15-10:00\"")
                continue
            activity = c.text(raw, "activity", where) or "?"
            at = place(raw.get("at", classroom.home.id), f"{where}.at") or classroom.home.id
            duties: dict[str, Duty] = {}
            for staff_id, value in c.table(raw.get("with", {}), f"{where}.with").items():
                fw = f"{where}.with.{staff_id}"
                if staff_id not in staff_ids:
                    c.add(f"{where}.with", "a staff id here is not in classroom.toml", hint=fw)
                    continue
                if isinstance(value, dict):
                    c.keys(value, {"with", "at", "activity"}, fw)
                    ids = resolve(value["with"], f"{fw}.with") if "with" in value else []
                    duty_activity = value.get("activity")
                    if duty_activity is not None and (not isinstance(duty_activity, str) or not duty_activity.strip()):
                        c.add(f"{fw}.activity", "expected non-empty text")
                        duty_activity = None
                    duties[staff_id] = Duty(tuple(ids), place(value.get("at"), f"{fw}.at"), duty_activity)
                else:
                    duties[staff_id] = Duty(tuple(resolve(value, fw)))
            where_map: dict[str, str] = {}
            for ref, loc in c.table(raw.get("where", {}), f"{where}.where").items():
                s = _find_student(students, ref)
                if s is None:
                    c.add(f"{where}.where", "a student id or initials here is not in classroom.toml",
                          hint=f"{where}.where.{ref}")
                elif (lid := place(loc, f"{where}.where.{ref}")) is not None:
                    where_map[s.id] = lid
            blocks.append(Block(start, end, activity, at, duties, where_map))
        blocks.sort(key=lambda b: b.start)
        for a, b in zip(blocks, blocks[1:]):
            if b.start < a.end:
                c.add(day, f"blocks {a.label()!r} and {b.label()!r} overlap")
        days[day] = tuple(blocks)

    if c.problems:
        raise ConfigError(c.problems)
    return Schedule(days)
