"""Recurring tasks: `recurring.toml` in the data folder, parsed from its data (already loaded).

    [[task]]
    id = "lunch-count"                 # stable: claims and "done" refer to it (change the text freely)
    text = "Lunch count to the office"
    every = "weekday"                  # day | weekday | monday … sunday | a list of weekdays
    at = "08:40"                       # optional: due at this time (default: the end of the day's blocks)
    for = "AL"                         # optional staff id (default: anyone)
    about = "S05"                      # optional student id

A rule's tasks are DERIVED, never written: on each day the rule fires, the board shows a task whose
id is made from the rule's id and the date (`instance_id`). Claiming it, marking it done or reopening
it writes the usual task.claim / task.done / task.reopen events about that id. So the file stays the
one source of truth for which tasks exist (edit or delete a rule and every board follows at once), the
journal for what people did; no process has to "create today's tasks" (which several boards on synced
machines would all do, and which would leave stale copies after the file changes). A day's instance is
on the board that day only: tomorrow has its own.

Strict like classroom.toml: unknown keys and bad values are errors naming the field (`task[2].every`),
never echoing a value that could be a name. A rule that can never fire (a weekday with no blocks in
schedule.toml, e.g. "sunday") is a warning.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from paratui.model.classroom import Classroom
from paratui.model.errors import ConfigError, Problem
from paratui.model.fields import Checker, quoted
from paratui.model.schedule import WEEKDAYS, Schedule
from paratui.model.text import TEXT_LIMIT, visible

EVERY = ("day", "weekday")  # besides the weekday names
SCHOOL_WEEK = WEEKDAYS[:5]
_HHMM = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_KEYS = {"id", "text", "every", "at", "for", "about"}


@dataclass(frozen=True)
class Rule:
    id: str
    text: str
    days: tuple[str, ...]  # weekday names it fires on
    at: time | None = None
    for_: str | None = None
    about: str | None = None

    def fires_on(self, day: date) -> bool:
        return WEEKDAYS[day.weekday()] in self.days


@dataclass(frozen=True)
class Recurring:
    """The rules in use and what is wrong with them (warnings: rules that never fire)."""

    rules: tuple[Rule, ...] = ()
    warnings: tuple[Problem, ...] = ()


def instance_id(rule_id: str, day: date) -> str:
    """The id of a rule's task on `day`: the same on every machine, hex like an event id."""
    return hashlib.sha256(f"recurring/{rule_id}/{day.isoformat()}".encode()).hexdigest()[:32]


def school_days(schedule: Schedule | None) -> tuple[str, ...]:
    """The weekdays that have blocks in the schedule (Monday–Friday when none is known)."""
    if schedule is None:
        return SCHOOL_WEEK
    days = tuple(d for d in WEEKDAYS if schedule.blocks(d))
    return days or SCHOOL_WEEK


def parse_recurring(data: dict, classroom: Classroom, schedule: Schedule | None = None) -> Recurring:
    """recurring.toml's data → Recurring, or ConfigError with every problem."""
    c = Checker()
    c.keys(data, {"task"}, "")
    staff_ids = {s.id for s in classroom.staff}
    student_ids = {s.id for s in classroom.students}
    open_days = school_days(schedule)
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for i, raw in c.tables(data, "task"):
        where = f"task[{i}]"
        c.keys(raw, _KEYS, where)
        rid, text = c.text(raw, "id", where), c.text(raw, "text", where)
        rid = c.code(rid, f"{where}.id")
        if rid and rid.casefold() in seen:
            c.add(f"{where}.id", f"also the id of task[{seen[rid.casefold()]}]")
        elif rid:
            seen[rid.casefold()] = i
        if text and len(text) > TEXT_LIMIT:
            c.add(f"{where}.text", f"{len(text)} characters; at most {TEXT_LIMIT}")
            text = None
        elif text and not visible(text):
            c.add(f"{where}.text", "only invisible characters (zero-width spaces, format marks): nothing would show")
            text = None
        days = _fires(c, raw.get("every"), f"{where}.every", open_days)
        at = _at(c, raw.get("at"), f"{where}.at")
        for_ = c.ref(raw, "for", where, staff_ids,
                     "not the id of a [[staff]] in classroom.toml (leave it out for anyone)")
        about = c.ref(raw, "about", where, student_ids, "not the id of a [[students]] in classroom.toml")
        if rid and text and days is not None:
            rules.append(Rule(rid, text, days, at, for_, about))
    if c.problems:
        raise ConfigError(c.problems)
    return Recurring(tuple(rules), tuple(c.warnings))


def _fires(c: Checker, every: Any, where: str, open_days: tuple[str, ...]) -> tuple[str, ...] | None:
    """The school days a rule's `every` names; a day without blocks is a warning, and left out."""
    if isinstance(every, str) and every.strip().casefold() in ("day", "daily"):
        return open_days
    days = _days(c, every, where)
    if days is None:
        return None
    never = [d for d in days if d not in open_days]
    if days and len(never) == len(days):
        c.warn(where, f"never fires: {', '.join(never)} has no blocks in schedule.toml "
                      f"(school days: {', '.join(open_days)})")
    elif never:
        c.warn(where, f"{', '.join(never)} has no blocks in schedule.toml: not on those days")
    return tuple(d for d in days if d in open_days)


def _at(c: Checker, value: Any, where: str) -> time | None:
    if value is None:
        return None
    m = _HHMM.fullmatch(value.strip()) if isinstance(value, str) else None
    if m is None:
        c.add(where, "expected a time like \"08:40\" (24-hour clock)")
        return None
    return time(int(m.group(1)), int(m.group(2)))


def _days(c: Checker, value: Any, where: str) -> tuple[str, ...] | None:
    choices = f"one of {', '.join(EVERY)}, {', '.join(WEEKDAYS)}, or a list of weekdays"
    if value is None:
        c.add(where, f"missing ({choices})")
        return None
    if isinstance(value, str):
        key = value.strip().casefold()
        if key in ("weekday", "weekdays"):
            return SCHOOL_WEEK
        if key in WEEKDAYS:
            return (key,)
        c.add(where, f"{quoted(value, 20)} is not {choices}")
        return None
    if isinstance(value, list) and value:
        days: list[str] = []
        for j, d in enumerate(value):
            key = d.strip().casefold() if isinstance(d, str) else ""
            if key not in WEEKDAYS:
                c.add(f"{where}[{j}]", f"{quoted(d, 20)} is not a weekday ({', '.join(WEEKDAYS)})")
                return None
            days.append(key)
        return tuple(dict.fromkeys(days))
    c.add(where, f"expected {choices}")
    return None


def due_of(rule: Rule, day: date, day_end: time) -> datetime:
    return datetime.combine(day, rule.at or day_end)
