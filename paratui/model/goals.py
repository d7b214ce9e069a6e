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
    mastery = { percent = 80, level = "I", sessions = 3 }
    mastery_text = "80% independent over 3 consecutive sessions"
    collect_by = ["JT", "AL"]            # staff ids
    when = "daily in math groups"
    days = ["monday", "wednesday"]       # optional: default every school day

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

import re
from dataclasses import dataclass
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
_ID = re.compile(r"[A-Za-z0-9_-]{1,40}")


@dataclass(frozen=True)
class Mastery:
    """Met in a session when: `percent` of the trials (or steps, or intervals) are correct at
    `level` or more independent (None: any correct), or a session's total is `at_most` /
    `at_least` (counts, seconds); over `sessions` consecutive sessions."""

    sessions: int = 3
    percent: int | None = None
    level: str | None = None
    at_most: float | None = None
    at_least: float | None = None


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

    def behavior(self, ref: str) -> Behavior | None:
        key = ref.casefold()
        return next((b for b in self.behaviors if b.id.casefold() == key or b.name.casefold() == key), None)


_GOAL_KEYS = {"id", "title", "kind", "area", "baseline", "mastery", "mastery_text", "collect_by", "when",
              "days", "steps", "interval_seconds", "interval_type", "behavior"}
_BEHAVIOR_KEYS = {"id", "name", "definition", "function", "settings", "antecedents", "consequences"}
_MASTERY_KEYS = {"percent", "level", "sessions", "at_most", "at_least"}


def _texts(c: Checker, data: dict, key: str, where: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(x, str) and x.strip() for x in value):
        c.add(f"{where}.{key}", "expected a list of non-empty texts")
        return ()
    return tuple(x.strip() for x in value)


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

    behaviors: list[Behavior] = []
    for i, raw in enumerate(c.array(data.get("behaviors"), "behaviors", "behaviors")):
        where = f"behaviors[{i}]"
        raw = c.table(raw, where)
        c.keys(raw, _BEHAVIOR_KEYS, where)
        bid, name = c.text(raw, "id", where), c.text(raw, "name", where)
        if bid and not _ID.fullmatch(bid):
            c.add(f"{where}.id", "letters, digits, - and _ only (at most 40)")
            bid = None
        definition = c.text(raw, "definition", where)
        function = raw.get("function")
        if function not in FUNCTIONS:
            c.add(f"{where}.function", ("missing" if function is None else f"{quoted(function)} is not")
                  + f" one of {', '.join(FUNCTIONS)}")
        lists = [_texts(c, raw, k, where) for k in ("settings", "antecedents", "consequences")]
        if bid and name and definition and function in FUNCTIONS:
            behaviors.append(Behavior(bid, name, definition, function, *lists))

    behavior_ids = {b.id for b in behaviors}
    goals: list[Goal] = []
    for i, raw in enumerate(c.array(data.get("goals"), "goals", "goals")):
        where = f"goals[{i}]"
        raw = c.table(raw, where)
        c.keys(raw, _GOAL_KEYS, where)
        gid, title = c.text(raw, "id", where), c.text(raw, "title", where)
        if gid and not _ID.fullmatch(gid):
            c.add(f"{where}.id", "letters, digits, - and _ only (at most 40)")
            gid = None
        kind = raw.get("kind")
        if kind not in KINDS:
            c.add(f"{where}.kind", ("missing" if kind is None else f"{quoted(kind)} is not")
                  + f" one of {', '.join(KINDS)}")
        area = raw.get("area", "other")
        if area not in AREAS:
            c.add(f"{where}.area", f"{quoted(area)} is not one of {', '.join(AREAS)}")
        baseline = c.text(raw, "baseline", where, missing=None) or ""
        mastery_text = c.text(raw, "mastery_text", where, missing=None) or ""
        when = c.text(raw, "when", where, missing=None) or ""
        mastery = _mastery(c, raw.get("mastery"), f"{where}.mastery", prompts)
        collect_by = _texts(c, raw, "collect_by", where)
        for j, s in enumerate(collect_by):
            if s not in staff_ids:
                c.add(f"{where}.collect_by[{j}]", "not the id of a [[staff]] in classroom.toml")
        days = _texts(c, raw, "days", where)
        for j, d in enumerate(days):
            if d.casefold() not in WEEKDAYS:
                c.add(f"{where}.days[{j}]", f"{quoted(d)} is not a weekday (monday … friday)")
        steps = _texts(c, raw, "steps", where)
        if kind == "task_analysis" and not steps:
            c.add(f"{where}.steps", "a task analysis needs its steps (a list of texts)")
        if steps and kind != "task_analysis":
            c.add(f"{where}.steps", "only for kind = \"task_analysis\"")
        seconds = raw.get("interval_seconds")
        if kind in ("interval", "mts"):
            if not (isinstance(seconds, int) and not isinstance(seconds, bool) and 0 < seconds <= 3600):
                c.add(f"{where}.interval_seconds", "expected a whole number of seconds, 1 to 3600")
                seconds = None
        elif seconds is not None:
            c.add(f"{where}.interval_seconds", "only for kind = \"interval\" or \"mts\"")
            seconds = None
        itype = raw.get("interval_type")
        if kind == "interval" and itype not in INTERVAL_TYPES:
            c.add(f"{where}.interval_type", ("missing" if itype is None else f"{quoted(itype)} is not")
                  + f" one of {', '.join(INTERVAL_TYPES)}")
        elif kind != "interval" and itype is not None:
            c.add(f"{where}.interval_type", "only for kind = \"interval\"")
        behavior = raw.get("behavior")
        if kind == "abc":
            if behavior not in behavior_ids:
                c.add(f"{where}.behavior", "not the id of a [[behaviors]] in this file")
        elif behavior is not None:
            c.add(f"{where}.behavior", "only for kind = \"abc\"")
        if gid and title and kind in KINDS and area in AREAS:
            goals.append(Goal(gid, title, kind, area, baseline, mastery, mastery_text, collect_by,
                              when, tuple(d.casefold() for d in days), steps,
                              seconds if isinstance(seconds, int) else None,
                              itype if kind == "interval" else None,
                              behavior if kind == "abc" else None))

    seen: dict[str, int] = {}
    for i, g in enumerate(goals):
        if g.id.casefold() in seen:
            c.add(f"goals[{i}].id", f"also the id of goals[{seen[g.id.casefold()]}]")
        seen.setdefault(g.id.casefold(), i)
    if c.problems:
        raise ConfigError(c.problems)
    return StudentPlan(student_id, tuple(goals), tuple(behaviors))


def _mastery(c: Checker, raw: Any, where: str, prompts: tuple[str, ...]) -> Mastery | None:
    if raw is None:
        return None
    raw = c.table(raw, where)
    c.keys(raw, _MASTERY_KEYS, where)
    sessions = raw.get("sessions", 3)
    if not (isinstance(sessions, int) and not isinstance(sessions, bool) and 1 <= sessions <= 50):
        c.add(f"{where}.sessions", "expected a whole number of sessions, 1 to 50")
        sessions = 3
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
    return Mastery(sessions, int(percent) if percent is not None else None, level, *bounds)
