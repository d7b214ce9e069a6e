"""A student's IEP goals and behaviors, parsed from `students/SXX.toml`'s data (already loaded).

Strict like classroom.toml: unknown keys and bad values are problems naming the field
(`goals[1].kind`), never repeating a value that could be a name. The teacher writes:

    student = "S05"                      # optional; the file name (S05.toml) says it too

    [[goals]]
    id = "G1"
    title = "Counts coins to $1"
    area = "academic"                    # academic | communication | behavior | self-care | other
    kind = "trials"                      # see KINDS
    baseline = "20% independent (Sept)"
    mastery = { percent = 80, level = "I", sessions = 3 }   # a tally: { at_most = 2, per = "day", sessions = 5 }
    mastery_text = "80% independent over 3 consecutive sessions"
    collect_by = ["JT", "AL"]            # staff ids
    when = "daily in math groups"
    days = ["monday", "wednesday"]       # optional: default every school day
    start = 2026-11-02                   # optional: where the aim line starts (default: the first
    target = 2027-01-29                  #   intervention session); where it reaches the criterion
    retired = 2026-12-07                 # optional: no longer worked on from that day (`paratui setup`):
                                         #   kept in reports and history with its data, never due again

    [[behaviors]]
    id = "elopement"
    name = "Leaving the area"
    definition = "Moves more than 3 m from the group without permission"
    function = "escape"
    settings = ["Math groups", "Hallway"]
    antecedents = ["Task demand", "Transition"]
    consequences = ["Redirected", "Break given"]
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from paratui.model.classroom import DEFAULT_PROMPTS, Classroom
from paratui.model.errors import ConfigError
from paratui.model.fields import Checker, quoted
from paratui.model.schedule import WEEKDAYS

KINDS = ("tally", "trials", "duration", "latency", "task_analysis", "interval", "mts", "abc")
AREAS = ("academic", "communication", "behavior", "self-care", "other")
FUNCTIONS = ("escape", "attention", "tangible", "sensory", "other")
INTERVAL_TYPES = ("partial", "whole")
TIMED = ("duration", "latency")
PER = ("session", "day")  # mastery.per
PER_DAY_KINDS = ("tally", "abc")  # the kinds whose criterion may be per day (an abc goal's session is the day)


@dataclass(frozen=True)
class Mastery:
    """Met in a session when: `percent` of the trials (or steps, or intervals) are correct at
    `level` or more independent (None: any correct), or a session's total is `at_most` /
    `at_least` (counts, seconds); over `sessions` consecutive sessions. `per = "day"` (a tally's "at
    most 2 a day"): the bound is on each day's total, the sum of that day's sessions, and `sessions`
    counts consecutive days observed."""

    sessions: int = 3
    percent: int | None = None
    level: str | None = None
    at_most: float | None = None
    at_least: float | None = None
    per: str = "session"  # one of PER: what at_most / at_least bound, a session's count or a day's total


@dataclass(frozen=True)
class Goal:
    id: str
    title: str
    kind: str
    area: str = "other"
    baseline: str = ""
    mastery: Mastery | None = None
    mastery_text: str = ""
    collect_by: tuple[str, ...] = ()
    when: str = ""
    days: tuple[str, ...] = ()  # empty: every school day
    steps: tuple[str, ...] = ()  # task_analysis
    interval_seconds: int | None = None  # interval, mts
    interval_type: str | None = None  # interval: partial | whole
    behavior: str | None = None  # abc: the behavior id this goal tracks
    start: date | None = None  # the aim line's start (None: the first intervention session's day)
    target: date | None = None  # the day the aim line reaches the mastery criterion (None: no aim line)
    retired: date | None = None  # from this day on no longer worked on: not due, not offered for logging

    def retired_by(self, day: date) -> bool:
        """Whether the goal is retired on `day` (its data and reports stay)."""
        return self.retired is not None and self.retired <= day


@dataclass(frozen=True)
class Behavior:
    id: str
    name: str
    definition: str
    function: str
    settings: tuple[str, ...] = ()
    antecedents: tuple[str, ...] = ()
    consequences: tuple[str, ...] = ()


@dataclass(frozen=True)
class StudentPlan:
    student: str
    goals: tuple[Goal, ...] = ()
    behaviors: tuple[Behavior, ...] = ()

    def goal(self, goal_id: str) -> Goal | None:
        key = goal_id.casefold()
        return next((g for g in self.goals if g.id.casefold() == key), None)

    def current(self, day: date) -> tuple[Goal, ...]:
        """The goals still worked on on `day` (a retired goal is left out: what data due, the logging
        sheet and `paratui log` offer; reports keep every goal)."""
        return tuple(g for g in self.goals if not g.retired_by(day))

    def behavior(self, ref: str) -> Behavior | None:
        key = ref.casefold()
        return next((b for b in self.behaviors if b.id.casefold() == key or b.name.casefold() == key), None)


_GOAL_KEYS = {"id", "title", "kind", "area", "baseline", "mastery", "mastery_text", "collect_by", "when",
              "days", "steps", "interval_seconds", "interval_type", "behavior", "start", "target", "retired"}
_BEHAVIOR_KEYS = {"id", "name", "definition", "function", "settings", "antecedents", "consequences"}
_MASTERY_KEYS = {"percent", "level", "sessions", "at_most", "at_least", "per"}


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0


def parse_student_plan(data: dict, student_id: str, classroom: Classroom,
                       prompts: tuple[str, ...] = DEFAULT_PROMPTS) -> StudentPlan:
    """`students/<student_id>.toml` → a StudentPlan, or ConfigError with every problem."""
    c = Checker()
    c.keys(data, {"student", "goals", "behaviors"}, "")
    if "student" in data and data["student"] != student_id:
        c.add("student", "does not match the file name (students/<id>.toml)")
    if student_id not in classroom.student_by_id():
        c.add("", "no student with this id in classroom.toml (the file name is the student id)")
    staff_ids = {s.id for s in classroom.staff}
    behaviors = [b for i, raw in c.tables(data, "behaviors") if (b := _behavior(c, raw, f"behaviors[{i}]"))]
    behavior_ids = {b.id for b in behaviors}
    goals = [g for i, raw in c.tables(data, "goals")
             if (g := _goal(c, raw, f"goals[{i}]", staff_ids, behavior_ids, prompts))]
    seen: dict[str, int] = {}
    for i, g in enumerate(goals):
        if g.id.casefold() in seen:
            c.add(f"goals[{i}].id", f"also the id of goals[{seen[g.id.casefold()]}]")
        seen.setdefault(g.id.casefold(), i)
    if c.problems:
        raise ConfigError(c.problems)
    return StudentPlan(student_id, tuple(goals), tuple(behaviors))


def _behavior(c: Checker, raw: dict, where: str) -> Behavior | None:
    c.keys(raw, _BEHAVIOR_KEYS, where)
    bid, name = c.text(raw, "id", where), c.text(raw, "name", where)
    bid = c.code(bid, f"{where}.id")
    definition = c.text(raw, "definition", where)
    function = c.choice(raw, "function", where, FUNCTIONS)
    lists = [c.texts(raw, k, where) for k in ("settings", "antecedents", "consequences")]
    return Behavior(bid, name, definition, function, *lists) if bid and name and definition and function else None


def _goal(c: Checker, raw: dict, where: str, staff_ids: set[str], behavior_ids: set[str],
          prompts: tuple[str, ...]) -> Goal | None:
    c.keys(raw, _GOAL_KEYS, where)
    gid, title = c.text(raw, "id", where), c.text(raw, "title", where)
    gid = c.code(gid, f"{where}.id")
    kind = c.choice(raw, "kind", where, KINDS)
    area = c.choice(raw, "area", where, AREAS, default="other")
    baseline = c.text(raw, "baseline", where, missing=None) or ""
    mastery_text = c.text(raw, "mastery_text", where, missing=None) or ""
    when = c.text(raw, "when", where, missing=None) or ""
    mastery = _mastery(c, raw.get("mastery"), f"{where}.mastery", prompts)
    collect_by = c.texts(raw, "collect_by", where)
    for j, s in enumerate(collect_by):
        if s not in staff_ids:
            c.add(f"{where}.collect_by[{j}]", "not the id of a [[staff]] in classroom.toml")
    days = c.texts(raw, "days", where)
    for j, d in enumerate(days):
        if d.casefold() not in WEEKDAYS:
            c.add(f"{where}.days[{j}]", f"{quoted(d)} is not a weekday (monday … friday)")
    steps, seconds, itype, behavior = _by_kind(c, raw, where, kind, behavior_ids)
    start, target = c.day(raw, "start", where), c.day(raw, "target", where)
    retired = c.day(raw, "retired", where)
    if start and target and target <= start:
        c.add(f"{where}.target", "is not after start (the aim line runs from start to target)")
        target = None
    if mastery is not None and mastery.per == "day" and kind not in PER_DAY_KINDS:
        c.add(f"{where}.mastery.per", f"\"day\" is for a count's criterion (kind {' or '.join(PER_DAY_KINDS)}): "
              "a day's total")
    if target is not None and mastery is None:
        c.add(f"{where}.target", "needs a mastery criterion: the aim line runs to it")
    if gid and title and kind and area:
        return Goal(gid, title, kind, area, baseline, mastery, mastery_text, collect_by, when,
                    tuple(d.casefold() for d in days), steps, seconds, itype, behavior, start, target, retired)
    return None


def _by_kind(c: Checker, raw: dict, where: str, kind: str | None, behavior_ids: set[str]
             ) -> tuple[tuple[str, ...], int | None, str | None, str | None]:
    """The fields only some kinds have: (steps, interval_seconds, interval_type, behavior), each
    None (or no steps) where the kind has none."""
    steps = c.texts(raw, "steps", where)
    if kind == "task_analysis" and not steps:
        c.add(f"{where}.steps", "a task analysis needs its steps (a list of texts)")
    if steps and kind != "task_analysis":
        c.add(f"{where}.steps", "only for kind = \"task_analysis\"")
    seconds = None
    if kind in ("interval", "mts"):
        seconds = c.count(raw, "interval_seconds", where, 1, 3600, "expected a whole number of seconds, 1 to 3600",
                          required=True)
    elif raw.get("interval_seconds") is not None:
        c.add(f"{where}.interval_seconds", "only for kind = \"interval\" or \"mts\"")
    itype = None
    if kind == "interval":
        itype = c.choice(raw, "interval_type", where, INTERVAL_TYPES)
    elif raw.get("interval_type") is not None:
        c.add(f"{where}.interval_type", "only for kind = \"interval\"")
    behavior = raw.get("behavior")
    if kind == "abc":
        if behavior not in behavior_ids:
            c.add(f"{where}.behavior", "not the id of a [[behaviors]] in this file")
    elif behavior is not None:
        c.add(f"{where}.behavior", "only for kind = \"abc\"")
    return steps, seconds, itype, behavior if kind == "abc" else None


def _mastery(c: Checker, raw: Any, where: str, prompts: tuple[str, ...]) -> Mastery | None:
    if raw is None:
        return None
    raw = c.table(raw, where)
    c.keys(raw, _MASTERY_KEYS, where)
    sessions = c.count(raw, "sessions", where, 1, 50, "expected a whole number of sessions, 1 to 50") or 3
    percent = raw.get("percent")
    if percent is not None and not (_number(percent) and percent <= 100):
        c.add(f"{where}.percent", "expected a number from 0 to 100")
        percent = None
    level = raw.get("level")
    if level is not None and level not in prompts:
        c.add(f"{where}.level", f"not one of the room's prompt codes ({', '.join(prompts)})")
        level = None
    bounds = []
    for key in ("at_most", "at_least"):
        v = raw.get(key)
        if v is not None and not _number(v):
            c.add(f"{where}.{key}", "expected a number (a count, or seconds)")
            v = None
        bounds.append(v)
    if percent is None and bounds == [None, None]:
        c.add(where, "needs percent, at_most or at_least")
        return None
    per = raw.get("per", "session")
    if per not in PER:
        c.add(f"{where}.per", "expected \"session\" (each session's count, the default) or \"day\" (each day's total)")
        per = "session"
    elif per == "day" and percent is not None:
        c.add(f"{where}.per", "\"day\" bounds a day's total (at_most, at_least), not a percent")
        per = "session"
    return Mastery(sessions, int(percent) if percent is not None else None, level, bounds[0], bounds[1], per)
