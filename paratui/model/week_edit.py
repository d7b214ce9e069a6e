"""Editing `schedule.toml`'s week from a screen (issue 22), first part: one day's blocks split, merged
or copied to other days, with what the edited week implies — a student with no adult, a one-to-one
student without their para, an adult in two places — worked out live by the board's own coverage
model (paratui.model.coverage) before anything is saved.

Pure: text in, text out, with tomlkit, so every comment and every block not edited stays as it was.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime, time, timedelta
from typing import Any

import tomlkit

from paratui.model.changes import day_plan
from paratui.model.classroom import Classroom
from paratui.model.coverage import coverage_ahead
from paratui.model.errors import ConfigError
from paratui.model.schedule import WEEKDAYS, parse_schedule

_MONDAY = date(2026, 1, 5)  # any Monday: the base week's coverage is worked out on a day of that weekday


class WeekEditError(Exception):
    """The edit cannot be made (said in words, naming the block)."""


def _span(block: Any) -> tuple[time, time]:
    start, end = str(block["time"]).split("-")
    return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())


def _blocks(doc: tomlkit.TOMLDocument, day: str) -> Any:
    blocks = doc.get(day)
    if blocks is None or not len(blocks):
        raise WeekEditError(f"{day}: no blocks in schedule.toml")
    return blocks


def day_rows(text: str, day: str) -> list[tuple[str, str, str, str]]:
    """(time, activity, at, who with whom) of each block of the day, as written."""
    data = tomllib.loads(text)
    rows = []
    for b in data.get(day, []):
        with_ = b.get("with", {}) if isinstance(b.get("with"), dict) else {}
        who = ", ".join(f"{k}={v if isinstance(v, str) else '…'}" for k, v in with_.items())
        rows.append((str(b.get("time", "")), str(b.get("activity", "")), str(b.get("at", "")), who))
    return rows


def _copy(block: Any) -> Any:
    """A new block table with the same fields (its `with` and `where` as sub-tables, like the file's)."""
    new = tomlkit.table()
    for key, value in block.unwrap().items():
        if isinstance(value, dict):
            sub = tomlkit.table()
            for k, v in value.items():
                if isinstance(v, dict):
                    inline = tomlkit.inline_table()
                    inline.update(v)
                    sub.add(k, inline)
                else:
                    sub.add(k, v)
            new.add(key, sub)
        else:
            new.add(key, value)
    return new


def split_block(text: str, day: str, index: int, at: time | None = None) -> str:
    """The day's block `index` cut in two at `at` (default: its middle, to the 5 minutes)."""
    doc = tomlkit.parse(text)
    blocks = _blocks(doc, day)
    if not 0 <= index < len(blocks):
        raise WeekEditError(f"{day}: no block {index + 1}")
    block = blocks[index]
    start, end = _span(block)
    d = datetime.combine(_MONDAY, start)
    minutes = int((datetime.combine(_MONDAY, end) - d).total_seconds() // 60)
    if at is None:
        half = minutes // 2 // 5 * 5 or minutes // 2
        at = (d + timedelta(minutes=half)).time()
    if not start < at < end or minutes < 2:
        raise WeekEditError(f"{day} {block['time']}: too short to split" if minutes < 2 else
                            f"{day} {block['time']}: {at:%H:%M} is not inside the block")
    second = _copy(block)
    block["time"] = f"{start:%H:%M}-{at:%H:%M}"
    second["time"] = f"{at:%H:%M}-{end:%H:%M}"
    blocks.insert(index + 1, second)
    return doc.as_string()


def set_block(text: str, day: str, index: int, span: str, activity: str, at: str) -> str:
    """The day's block `index` given this time ("HH:MM-HH:MM"), activity and place (the rest kept)."""
    doc = tomlkit.parse(text)
    blocks = _blocks(doc, day)
    if not 0 <= index < len(blocks):
        raise WeekEditError(f"{day}: no block {index + 1}")
    try:
        start_s, end_s = span.split("-")
        start, end = time.fromisoformat(start_s.strip()), time.fromisoformat(end_s.strip())
    except ValueError:
        raise WeekEditError("time: HH:MM-HH:MM, e.g. 08:00-08:30 (24-hour clock)") from None
    if end <= start:
        raise WeekEditError(f"time: the block ends ({end:%H:%M}) before it starts ({start:%H:%M})")
    if not activity.strip() or len(activity) > 60:
        raise WeekEditError("activity: 1 to 60 characters (e.g. Reading groups)")
    block = blocks[index]
    block["time"] = f"{start:%H:%M}-{end:%H:%M}"
    block["activity"] = activity.strip()
    block["at"] = at.strip() or "room"
    return doc.as_string()


def merge_blocks(text: str, day: str, index: int) -> str:
    """The day's block `index` and the next one made one (the first one's activity, place and adults)."""
    doc = tomlkit.parse(text)
    blocks = _blocks(doc, day)
    if not 0 <= index < len(blocks) - 1:
        raise WeekEditError(f"{day}: block {index + 1} is the last one: nothing after it to merge with")
    first, second = blocks[index], blocks[index + 1]
    (start, end), (start2, end2) = _span(first), _span(second)
    if end != start2:
        raise WeekEditError(f"{day}: {first['time']} and {second['time']} do not meet: a gap between them")
    first["time"] = f"{start:%H:%M}-{end2:%H:%M}"
    del blocks[index + 1]
    return doc.as_string()


def copy_day(text: str, day: str, to: tuple[str, ...]) -> str:
    """The blocks of `day` written as the blocks of each day in `to` (their own blocks replaced)."""
    doc = tomlkit.parse(text)
    blocks = _blocks(doc, day)
    for other in to:
        if other == day:
            continue
        if other not in WEEKDAYS[:5]:
            raise WeekEditError(f"{other}: not a school day (monday … friday)")
        copy = tomlkit.aot()
        for block in blocks:
            copy.append(_copy(block))
        if other in doc:
            doc[other] = copy
        else:
            doc.add(other, copy)
    return doc.as_string()


def week_warnings(text: str, classroom: Classroom, day: str) -> list[str]:
    """What the week as written implies on `day`, as the board's coverage would say it: each problem
    with the time it starts; or the schedule's own problems when it does not parse."""
    try:
        schedule = parse_schedule(tomllib.loads(text), classroom)
    except tomllib.TOMLDecodeError as e:
        return [f"schedule.toml: not TOML ({e})"]
    except ConfigError as e:
        return [f"schedule.toml:{f' {p.field}:' if p.field else ''} {p.message}" for p in e.problems]
    when = datetime.combine(_MONDAY + timedelta(days=WEEKDAYS.index(day)), time(0, 0))
    plan = day_plan(classroom, schedule, [], when)
    return [f"{a.time:%H:%M} {a.kind}: {a.detail}" for a in coverage_ahead(classroom, plan, when)]


def schedule_problems(text: str, classroom: Classroom) -> list[str]:
    """Why the text is not a schedule.toml the board would take (empty: it is), as a hand edit is checked."""
    try:
        parse_schedule(tomllib.loads(text), classroom)
    except tomllib.TOMLDecodeError as e:
        return [f"schedule.toml: not TOML ({e})"]
    except ConfigError as e:
        return [f"schedule.toml:{f' {p.field}:' if p.field else ''} {p.message}" for p in e.problems]
    return []
