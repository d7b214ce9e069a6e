"""The room: staff, students, groups and locations, parsed from classroom.toml's data (already loaded).

Strict: unknown keys and bad values are errors naming the field, so a typo never silently
changes who is shown with whom.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Sequence

from paratui.model.access import Access, duplicate_logins, parse_access
from paratui.model.errors import ConfigError, Problem
from paratui.model.fields import PLAIN_KEY, Checker, normalize, quoted
from paratui.model.sync import SyncSettings, parse_sync

ROLES = ("teacher", "para", "one-to-one", "related-service", "sub")
LOCATION_KINDS = ("room", "out", "away")
DEFAULT_PROMPTS = ("FP", "PP", "M", "G", "V", "I")  # most intrusive first, independent last
# The statements a teacher chooses from for each goal of an IEP progress report (`[data] progress_scale`).
DEFAULT_SCALE = ("mastered", "sufficient progress", "insufficient progress", "not introduced")


@dataclass(frozen=True)
class Period:
    """A reporting period (`[[periods]]` in classroom.toml): the IEP progress report's days."""

    name: str
    start: date
    end: date


@dataclass(frozen=True)
class Staff:
    id: str
    name: str
    short: str
    role: str
    logins: tuple[str, ...] = ()


@dataclass(frozen=True)
class Student:
    id: str
    initials: str
    name: str | None = None  # never shown on the board
    one_to_one: str | None = None


@dataclass(frozen=True)
class Location:
    id: str
    label: str
    kind: str = "room"
    expected_minutes: int | None = None
    supervised: bool = False
    key: str | None = None

    @property
    def in_room(self) -> bool:
        return self.kind == "room"


@dataclass(frozen=True)
class Classroom:
    room: str
    staff: tuple[Staff, ...]
    students: tuple[Student, ...]
    locations: tuple[Location, ...]
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Mistakes that do not stop the room from working (a hotkey used twice, two students with the
    # same initials): shown as warnings. Not part of the room's identity.
    warnings: tuple[Problem, ...] = field(default=(), compare=False, repr=False)
    # [data]: prompt codes, most intrusive first, the last one "independent"; whether full names may
    # appear (student screen, reports with --names). Never on the wall board.
    prompts: tuple[str, ...] = DEFAULT_PROMPTS
    full_names: bool = False
    # students/*.toml as read by the store (student id → paratui.model.goals.StudentPlan); attached by
    # the data folder so every reader of the classroom sees the goals. Not part of the room's identity.
    plans: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    # `min_adults`: fewer adults than this with the students in a block is a coverage problem ahead
    # (paratui.model.coverage); None: not checked.
    min_adults: int | None = None
    # [access]: shared logins, idle time, what each role may do (paratui.model.access)
    access: Access = field(default_factory=Access, compare=False, repr=False)
    # recurring.toml's rules as read by the store (paratui.model.recurring.Rule), attached like `plans`:
    # every reader of the classroom (the board, the commands) sees the same recurring tasks.
    recurring: tuple[Any, ...] = field(default=(), compare=False, repr=False)
    # plans/<this week>.toml as read by the store (paratui.model.week_plan.WeekPlan), attached like
    # `plans`: the student screen, the logging sheet and Data due read this week's priorities from it.
    week_plan: Any = field(default=None, compare=False, repr=False)
    # keys.json as read by the store (paratui.model.access.KeyRing): whose each signing key is.
    keys: Any = field(default=None, compare=False, repr=False)
    # [[periods]]: the reporting periods (IEP progress reports), in the file's order
    periods: tuple[Period, ...] = ()
    # [data] progress_scale: the progress statements a teacher chooses from, per goal and period
    progress_scale: tuple[str, ...] = DEFAULT_SCALE
    # `timezone`: the room's time zone (IANA name); every clock and time of this room is its local time
    # (paratui.store.room_zone makes it the process's); None: this computer's
    timezone: str | None = None
    # [sync]: this room's Syncthing, for the sync health words (paratui.model.sync); None: not shown
    sync: SyncSettings | None = field(default=None, compare=False, repr=False)

    def period(self, name: str) -> Period | None:
        key = name.strip().casefold()
        return next((p for p in self.periods if p.name.casefold() == key), None)

    def staff_by_id(self) -> dict[str, Staff]:
        return {s.id: s for s in self.staff}

    def student_by_id(self) -> dict[str, Student]:
        return {s.id: s for s in self.students}

    def location_by_id(self) -> dict[str, Location]:
        return {loc.id: loc for loc in self.locations}

    @property
    def home(self) -> Location:
        """The classroom itself: the first location of kind `room`."""
        return next(loc for loc in self.locations if loc.kind == "room")

    @property
    def independent(self) -> str:
        """The prompt code that means "no prompt": the last one."""
        return self.prompts[-1]


def parse_classroom(data: dict) -> Classroom:
    c = Checker()
    c.keys(data, {"room", "staff", "students", "groups", "locations", "data", "min_adults", "access", "periods",
                  "sync", "timezone"}, "")
    room = c.text(data, "room", "", missing="missing (the room's name, e.g. room = \"Room 12\")") or "Classroom"
    staff = [(i, s) for i, raw in c.tables(data, "staff") if (s := _staff(c, raw, f"staff[{i}]"))]
    if not staff and "staff" not in data:
        c.add("staff", "missing: add at least one [[staff]]")
    locations = [(i, loc) for i, raw in c.tables(data, "locations")
                 if (loc := _location(c, raw, f"locations[{i}]"))]
    if not any(loc.kind == "room" for _, loc in locations):
        c.add("locations", "needs at least one location of kind \"room\" (the classroom itself)")
    staff_ids = {s.id for _, s in staff}
    students = [(i, pupil) for i, raw in c.tables(data, "students")
                if (pupil := _student(c, raw, f"students[{i}]", staff_ids))]

    _unique(c, "staff", "id", [(i, s.id) for i, s in staff], error=True)
    _unique(c, "students", "id", [(i, s.id) for i, s in students], error=True)
    _unique(c, "locations", "id", [(i, loc.id) for i, loc in locations], error=True)
    _unique(c, "students", "initials", [(i, normalize(s.initials)) for i, s in students], error=False)
    _unique(c, "locations", "key", [(i, loc.key) for i, loc in locations if loc.key], error=False)

    found = [s for _, s in students]
    groups = _groups(c, c.table(data.get("groups", {}), "groups"), found)
    most = max(1, len(staff))
    min_adults = c.count(data, "min_adults", "", 1, most,
                         f"expected a whole number from 1 to the number of staff ({most})")
    raw_data = data.get("data")
    scale: tuple[str, ...] = DEFAULT_SCALE
    if isinstance(raw_data, dict) and "progress_scale" in raw_data:
        raw_data = dict(raw_data)
        scale = _scale(c, raw_data.pop("progress_scale"))
    prompts, full_names, data_problems = parse_data_settings(raw_data)
    for where, message in data_problems:
        c.add(where, message)
    periods = _periods(c, data)
    staff_list = [s for _, s in staff]
    access = _access(c, data.get("access"), staff)
    sync, sync_problems = parse_sync(data.get("sync"))
    for where, message in sync_problems:
        c.warn(where, message)  # the room works without sync health; the reader says what is wrong
    zone = _zone(c, data.get("timezone"))
    if c.problems:
        raise ConfigError(c.problems)
    return Classroom(room, tuple(staff_list), tuple(found), tuple(loc for _, loc in locations),
                     groups, tuple(c.warnings), prompts, full_names, min_adults=min_adults, access=access,
                     periods=periods, progress_scale=scale, sync=sync, timezone=zone)


_ZONE = re.compile(r"[A-Za-z][A-Za-z0-9_+-]{0,30}(?:/[A-Za-z0-9][A-Za-z0-9_+-]{0,30}){0,2}")


def _zone(c: Checker, raw: Any) -> str | None:
    """`timezone = "America/Chicago"`: the room's local time (whether this computer knows the zone is
    the store's to check: paratui.store.room_zone). A bad one is a warning: the room still works, on
    this computer's clock."""
    if raw is None:
        return None
    if not isinstance(raw, str) or not _ZONE.fullmatch(raw.strip()):
        c.warn("timezone", "expected a time zone name like \"America/Chicago\" or \"Europe/Paris\"; the times "
               "are this computer's")
        return None
    return raw.strip()


def _scale(c: Checker, raw: Any) -> tuple[str, ...]:
    """`[data] progress_scale`: 2 to 10 short statements, each once."""
    ok = isinstance(raw, list) and 2 <= len(raw) <= 10 and all(
        isinstance(x, str) and x.strip() and len(x.strip()) <= 60 for x in raw)
    if not ok:
        c.add("data.progress_scale", "expected a list of 2 to 10 short texts (at most 60 characters each), e.g. "
              "[\"mastered\", \"sufficient progress\", \"insufficient progress\", \"not introduced\"]")
        return DEFAULT_SCALE
    out = tuple(x.strip() for x in raw)
    if len({x.casefold() for x in out}) != len(out):
        c.add("data.progress_scale", "a statement is listed twice")
        return DEFAULT_SCALE
    return out


def _periods(c: Checker, data: dict) -> tuple[Period, ...]:
    """`[[periods]]`: each a name (letters, digits, - and _), a start and an end on or after it;
    names unique; two periods never overlap."""
    out: list[tuple[int, Period]] = []
    for i, raw in c.tables(data, "periods"):
        where = f"periods[{i}]"
        c.keys(raw, {"name", "start", "end"}, where)
        name = c.code(c.text(raw, "name", where, missing="missing (e.g. name = \"Q2\")"), f"{where}.name")
        start, end = c.day(raw, "start", where, required=True), c.day(raw, "end", where, required=True)
        if start and end and end < start:
            c.add(f"{where}.end", "is before start")
            continue
        if name and start and end:
            out.append((i, Period(name, start, end)))
    _unique(c, "periods", "name", [(i, p.name.casefold()) for i, p in out], error=True)
    for k, (i, p) in enumerate(out):
        for j, q in out[:k]:
            if p.start <= q.end and q.start <= p.end:
                c.add(f"periods[{i}].start", f"overlaps periods[{j}] (each day is in one period at most)")
                break
    return tuple(p for _, p in out)


def _staff(c: Checker, raw: dict, where: str) -> Staff | None:
    c.keys(raw, {"id", "name", "short", "role", "logins"}, where)
    sid, name = c.text(raw, "id", where), c.text(raw, "name", where)
    short = c.text(raw, "short", where, missing=None) or (name or "")
    role = c.choice(raw, "role", where, ROLES, missing=f"missing (one of {', '.join(ROLES)})")
    logins = raw.get("logins", [])
    if not isinstance(logins, list) or not all(isinstance(x, str) for x in logins):
        c.add(f"{where}.logins", "expected a list of OS user names")
        logins = []
    return Staff(sid, name, short, role, tuple(logins)) if sid and name and role else None


def _location(c: Checker, raw: dict, where: str) -> Location | None:
    c.keys(raw, {"id", "label", "kind", "expected_minutes", "supervised", "key"}, where)
    lid, label = c.text(raw, "id", where), c.text(raw, "label", where)
    kind = c.choice(raw, "kind", where, LOCATION_KINDS, default="room")
    minutes = c.count(raw, "expected_minutes", where, 1, None, "expected a whole number of minutes above 0")
    supervised = c.flag(raw, "supervised", where)
    key = raw.get("key")
    if key is not None and (not isinstance(key, str) or len(key) != 1 or not key.isprintable()):
        c.add(f"{where}.key", "expected one character")
        key = None
    return Location(lid, label, kind, minutes, supervised, key) if lid and label and kind else None


def _student(c: Checker, raw: dict, where: str, staff_ids: set[str]) -> Student | None:
    c.keys(raw, {"id", "initials", "name", "one_to_one"}, where)
    sid, initials = c.text(raw, "id", where), c.text(raw, "initials", where)
    name = c.text(raw, "name", where, missing=None)
    one = c.ref(raw, "one_to_one", where, staff_ids, "not the id of a [[staff]] in this file")
    return Student(sid, initials, name, one) if sid and initials else None


def _groups(c: Checker, raw: dict, students: list[Student]) -> dict[str, tuple[str, ...]]:
    groups: dict[str, tuple[str, ...]] = {}
    for name, members in raw.items():
        if not isinstance(members, list):
            c.add(f"groups.{name}", "expected a list of student ids or initials")
            continue
        ids = []
        for j, m in enumerate(members):
            student = _find_student(students, m)
            if student is None:
                c.add(f"groups.{name}[{j}]", "not a student id or initials")
            else:
                ids.append(student.id)
        groups[name] = tuple(ids)
    return groups


def _access(c: Checker, raw: Any, staff: list[tuple[int, Staff]]) -> Access:
    """[access]: mistakes there are warnings read the safe way (less permission), never a broken file."""
    access = parse_access(raw, [s for _, s in staff], ROLES)
    c.warnings.extend(access.warnings)
    for login in sorted(duplicate_logins([s for _, s in staff])):
        for i, s in staff:
            if login in s.logins:
                c.warn(f"staff[{i}].logins", "a login here is also listed for another person: it acts as "
                       "nobody until fixed")
                break
    return access


def _unique(c: Checker, what: str, key: str, values: list[tuple[int, str]], error: bool) -> None:
    """Each value once; the second use names the first (ids: an error; initials, hotkeys: a warning).
    Only a one-letter hotkey is repeated in the message; an id or initials could be anything."""
    first: dict[str, int] = {}
    for i, x in values:
        if x in first:
            shown = f"{quoted(x)} is also" if key == "key" else "also"
            message = f"{shown} the {key} of {what}[{first[x]}]"
            (c.add if error else c.warn)(f"{what}[{i}].{key}", message)
        else:
            first[x] = i


def _find_student(students: Sequence[Student], ref: Any) -> Student | None:
    if not isinstance(ref, str):
        return None
    key = normalize(ref)
    for s in students:
        if normalize(s.id) == key or normalize(s.initials) == key:
            return s
    return None


def parse_data_settings(data: Any) -> tuple[tuple[str, ...], bool, list[tuple[str, str]]]:
    """classroom.toml's `[data]` table → (prompt codes most to least intrusive, full_names, problems).
    Used by parse_classroom."""
    problems: list[tuple[str, str]] = []
    if data is None:
        return DEFAULT_PROMPTS, False, problems
    if not isinstance(data, dict):
        return DEFAULT_PROMPTS, False, [("data", "expected a table")]
    for key in data:
        if key not in ("prompts", "full_names"):
            problems.append((f"data.{key}" if PLAIN_KEY.fullmatch(key) else "data",
                             "unknown key (allowed: full_names, progress_scale, prompts)"))
    prompts = data.get("prompts", list(DEFAULT_PROMPTS))
    ok = isinstance(prompts, list) and 2 <= len(prompts) <= 10 and all(
        isinstance(p, str) and re.fullmatch(r"[A-Za-z+-]{1,4}", p) for p in prompts)
    if not ok:
        problems.append(("data.prompts", "expected a list of 2 to 10 short codes (letters), most intrusive "
                                         "first, independent last, e.g. [\"FP\", \"PP\", \"M\", \"G\", \"V\", \"I\"]"))
        prompts = list(DEFAULT_PROMPTS)
    elif len({p.casefold() for p in prompts}) != len(prompts):
        problems.append(("data.prompts", "a code is listed twice"))
        prompts = list(DEFAULT_PROMPTS)
    full = data.get("full_names", False)
    if not isinstance(full, bool):
        problems.append(("data.full_names", "expected true or false"))
        full = False
    return tuple(prompts), full, problems
