"""Editing `schedule.toml`'s week from a screen (issue 22), first part: one day's blocks split, merged
or copied to other days, with what the edited week implies — a student with no adult, a one-to-one
student without their para, an adult in two places — worked out live by the board's own coverage
model (paratui.model.coverage) before anything is saved.

Pure: text in, text out, with tomlkit, so every comment and every block not edited stays as it was.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import tomlkit

from paratui.model.changes import day_plan
from paratui.model.classroom import Classroom, _find_student
from paratui.model.coverage import coverage_ahead
from paratui.model.errors import ConfigError
from paratui.model.schedule import WEEKDAYS, parse_schedule
from paratui.model.text import clean

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
        who = ", ".join(f"{k}={_spec(v).short()}" for k, v in with_.items())
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


# -- who is with whom, and where (issue 22, second part) --------------------------------------------
LUNCH, BREAK = "Lunch break", "Break"
_GROUP_NAME = re.compile(r"[a-z][a-z0-9_]{0,30}")
_BREAKISH = re.compile(r"lunch|break", re.IGNORECASE)
DAY_WORDS = {d[:3]: d for d in WEEKDAYS[:5]}


@dataclass(frozen=True)
class DutySpec:
    """One adult's entry in a block's `with`, as written: `who` is "all", a group name, a list of
    student ids, or None (no students: a break, planning); `at` and `activity` None: the block's."""

    who: str | tuple[str, ...] | None
    at: str | None = None
    activity: str | None = None

    @property
    def on_break(self) -> bool:
        return self.who is None and self.activity is not None

    def short(self) -> str:
        """As the day's listing says it: "all", "S01+S05@library", "lunch"."""
        if self.who is None:
            return (self.activity or "-").split()[0].lower() if self.activity and _BREAKISH.search(self.activity) \
                else (self.activity or "-")[:12].strip()
        who = self.who if isinstance(self.who, str) else "+".join(self.who)
        return who + (f"@{self.at}" if self.at else "")

    def describe(self) -> str:
        """As the screens say it: "readers_a", "S01+S05 @library", "Lunch break @lounge"."""
        if self.who is None:
            out = self.activity or "no students"
        else:
            out = self.who if isinstance(self.who, str) else "+".join(self.who)
            if self.activity:
                out += f" ({self.activity})"
        return out + (f" @{self.at}" if self.at else "")


def _spec(value: Any) -> DutySpec:
    if isinstance(value, dict):
        who = value.get("with")
        return DutySpec(who if isinstance(who, str) else tuple(str(x) for x in who) if isinstance(who, list) else None,
                        value.get("at") if isinstance(value.get("at"), str) else None,
                        value.get("activity") if isinstance(value.get("activity"), str) else None)
    if isinstance(value, list):
        return DutySpec(tuple(str(x) for x in value))
    return DutySpec(str(value))


def block_duties(text: str, day: str, index: int) -> dict[str, DutySpec]:
    """Each adult named in the day's block `index`, with what the file says they do."""
    blocks = tomllib.loads(text).get(day, [])
    if not 0 <= index < len(blocks):
        return {}
    with_ = blocks[index].get("with", {})
    return {k: _spec(v) for k, v in with_.items()} if isinstance(with_, dict) else {}


def _value(spec: DutySpec) -> Any:
    who: Any = spec.who
    if isinstance(who, tuple):
        arr = tomlkit.array()
        arr.extend(list(who))
        who = arr
    if spec.at is None and spec.activity is None:
        return who
    inline = tomlkit.inline_table()
    if spec.who is not None:
        inline["with"] = who
    if spec.at is not None:
        inline["at"] = spec.at
    if spec.activity is not None:
        inline["activity"] = spec.activity
    return inline


def set_duty(text: str, day: str, index: int, staff_id: str, spec: DutySpec | None) -> str:
    """The adult's entry in the day's block `index` made `spec` (None: not in this block)."""
    doc = tomlkit.parse(text)
    blocks = _blocks(doc, day)
    if not 0 <= index < len(blocks):
        raise WeekEditError(f"{day}: no block {index + 1}")
    block = blocks[index]
    if spec is None or (spec.who is None and spec.activity is None):
        if "with" in block and staff_id in block["with"]:
            del block["with"][staff_id]
        return doc.as_string()
    if spec.who == ():
        raise WeekEditError("no students ticked: Esc to leave them as they were, or x for not in this block")
    if "with" not in block:
        block.add("with", tomlkit.table())
    block["with"][staff_id] = _value(spec)
    return doc.as_string()


def break_place(classroom: Classroom) -> str | None:
    """Where a lunch or break is spent: the staff lounge when classroom.toml has one."""
    ids = classroom.location_by_id()
    return next((p for p in ("lounge", "staff-lounge", "staffroom") if p in ids), None)


# -- groups (classroom.toml's [groups]) -------------------------------------------------------------
def group_rows(room_text: str) -> list[tuple[str, tuple[str, ...]]]:
    groups = tomllib.loads(room_text).get("groups", {})
    return [(k, tuple(str(x) for x in v) if isinstance(v, list) else ()) for k, v in groups.items()]


def student_refs(classroom: Classroom, typed: str, *, groups: bool = True, what: str = "students") -> list[str]:
    """Typed ids, initials, group names or "all" (spaces or commas between) → what schedule.toml
    keeps: a group's name or "all" as typed, students as their ids."""
    out: list[str] = []
    for n, word in enumerate(w for w in re.split(r"[\s,;]+", typed.strip()) if w):
        if groups and (word.lower() == "all" or word in classroom.groups):
            out.append(word.lower() if word.lower() == "all" else word)
            continue
        s = _find_student(classroom.students, word)
        if s is None:
            # said by its place, never repeated: what was typed may be a student's full name
            raise WeekEditError(f"{what}: the {_nth(n + 1)} one is not a student's id or initials"
                                + (", a group or \"all\"" if groups else "") + " from classroom.toml")
        out.append(s.id)
    if not out:
        raise WeekEditError(f"{what}: at least one (ids or initials, e.g. S01 K.B.)")
    return list(dict.fromkeys(out))


def _nth(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def set_group(room_text: str, classroom: Classroom, old: str | None, name: str, members: str) -> str:
    """classroom.toml's [groups] with the group `old` (None: a new one) as `name` = these students;
    the file's comments and every other line kept."""
    name = name.strip()
    if not _GROUP_NAME.fullmatch(name):
        raise WeekEditError("name: lowercase letters, digits and _ (e.g. readers_a), up to 31")
    ids = student_refs(classroom, members, groups=False)
    doc = tomlkit.parse(room_text)
    if "groups" not in doc:
        doc.add(tomlkit.nl())
        doc.add("groups", tomlkit.table())
    groups = doc["groups"]
    if name != old and name in groups:
        raise WeekEditError(f"name: there is already a group {name}")
    arr = tomlkit.array()
    arr.extend(ids)
    if old is not None and old in groups:
        if old == name:
            groups[name] = arr
            return doc.as_string()
        _insert_after(groups, old, name, arr)
        del groups[old]
    elif len(groups):
        _insert_after(groups, list(groups)[-1], name, arr)  # under the last group, not the comments after it
    else:
        groups[name] = arr
    return doc.as_string()


def _insert_after(table: Any, after: str, key: str, value: Any) -> None:
    """`key` written on the line under `after` (tomlkit's own insert; at the end if it cannot)."""
    body = table.value
    try:
        at = body._map[after]
        at = at if isinstance(at, int) else max(at)
        if at + 1 < len(body._body):
            body._insert_at(at + 1, key, value)
            return
    except (AttributeError, KeyError, TypeError, ValueError):
        pass
    table[key] = value


def delete_group(room_text: str, name: str) -> str:
    doc = tomlkit.parse(room_text)
    if "groups" in doc and name in doc["groups"]:
        del doc["groups"][name]
    return doc.as_string()


# -- [[services]]: speech, OT -----------------------------------------------------------------------
@dataclass(frozen=True)
class ServiceRow:
    activity: str
    staff: str  # "" when the place has its own adult
    students: str
    days: str
    time: str
    at: str


def service_rows(text: str) -> list[ServiceRow]:
    def words(v: Any) -> str:
        return " ".join(str(x) for x in v) if isinstance(v, list) else str(v or "")

    return [ServiceRow(str(s.get("activity", "")), str(s.get("staff", "")), words(s.get("students")),
                       " ".join(str(d)[:3] for d in s.get("days", [])), str(s.get("time", "")), str(s.get("at", "")))
            for s in tomllib.loads(text).get("services", [])]


def _days(typed: str) -> list[str]:
    t = typed.strip().lower()
    if t in ("all", "every day", "mon-fri", "weekdays"):
        return list(WEEKDAYS[:5])
    days = []
    for word in re.split(r"[\s,;]+", t):
        if word and (d := DAY_WORDS.get(word[:3])) is not None:
            days.append(d)
        elif word:
            raise WeekEditError(f"days: {clean(word, limit=12)!r} is not a school day (mon tue wed thu fri, or all)")
    if not days:
        raise WeekEditError("days: at least one (e.g. tue thu, or all)")
    return sorted(set(days), key=WEEKDAYS.index)


def set_service(text: str, classroom: Classroom, index: int | None, row: ServiceRow) -> str:
    """[[services]] entry `index` (None: a new one at the end) made `row`, checked field by field."""
    activity = clean(row.activity).strip()  # typed or pasted: no control characters or bidi overrides
    if not activity or len(activity) > 60:
        raise WeekEditError("activity: 1 to 60 characters (e.g. Speech: AAC session)")
    staff = None
    if row.staff.strip():
        key = row.staff.strip().lower()
        found = [s for s in classroom.staff if key in (s.id.lower(), s.short.lower())]
        if not found:
            raise WeekEditError("provider: not a staff id or short name from classroom.toml "
                                "(leave it empty when the place has its own adult)")
        staff = found[0].id
    students = student_refs(classroom, row.students)
    days = _days(row.days)
    try:
        start_s, end_s = row.time.split("-")
        start, end = time.fromisoformat(start_s.strip()), time.fromisoformat(end_s.strip())
    except ValueError:
        raise WeekEditError("time: HH:MM-HH:MM, e.g. 10:30-11:00 (24-hour clock)") from None
    if end <= start:
        raise WeekEditError(f"time: the service ends ({end:%H:%M}) before it starts ({start:%H:%M})")
    at = row.at.strip()
    if at not in classroom.location_by_id():
        raise WeekEditError(f"place: one of {', '.join(loc.id for loc in classroom.locations)}")
    doc = tomlkit.parse(text)
    t = tomlkit.table()
    if staff:
        t.add("staff", staff)
    arr, dys = tomlkit.array(), tomlkit.array()
    arr.extend(students)
    dys.extend(days)
    t.add("students", arr)
    t.add("days", dys)
    t.add("time", f"{start:%H:%M}-{end:%H:%M}")
    t.add("at", at)
    t.add("activity", activity)
    services = doc.get("services")
    if index is None:
        if services is None:
            aot = tomlkit.aot()
            aot.append(t)
            doc.add("services", aot)
        else:
            services.append(t)
        return _spaced(doc.as_string())
    else:
        if services is None or not 0 <= index < len(services):
            raise WeekEditError(f"no service {index + 1}")
        old = services[index]
        for key in [k for k in old if k not in t]:
            del old[key]
        for key, value in t.items():
            old[key] = value
    return doc.as_string()


def _spaced(text: str) -> str:
    """A blank line before the [[services]] just added at the end, when it came right under a line."""
    i = text.rfind("\n[[services]]\n")
    return text[:i] + "\n" + text[i:] if i > 0 and text[i - 1] != "\n" else text


def delete_service(text: str, index: int) -> str:
    doc = tomlkit.parse(text)
    services = doc.get("services")
    if services is None or not 0 <= index < len(services):
        raise WeekEditError(f"no service {index + 1}")
    del services[index]
    if not len(services):
        del doc["services"]
    return doc.as_string()


def day_notes(text: str, classroom: Classroom, day: str) -> list[str]:
    """What the board's coverage does not flag but a week editor must see: a gap between two blocks
    (no block: the board shows the room as out of session) and who is on a lunch or break when."""
    try:
        schedule = parse_schedule(tomllib.loads(text), classroom)
    except (tomllib.TOMLDecodeError, ConfigError):
        return []
    blocks = schedule.blocks(day)
    notes = [f"{a.end:%H:%M} gap: no block from {a.end:%H:%M} to {b.start:%H:%M}"
             for a, b in zip(blocks, blocks[1:]) if b.start > a.end]
    shorts = {s.id: s.short for s in classroom.staff}
    for b in blocks:
        out = [f"{shorts.get(sid, sid)} ({d.activity.lower()})" for sid, d in b.duties.items()
               if not d.students and d.activity and _BREAKISH.search(d.activity)]
        if out:
            notes.append(f"{b.start:%H:%M} on a break: {', '.join(out)}")
    return sorted(notes)
