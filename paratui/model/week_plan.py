"""The week's plan per student: the collaboration planning template (priority goals this week, the
strategies and accommodations to use, the data collection plan — what, how, when, who — and the
communication method and frequency), one file per week, `plans/2026-W48.toml` (the ISO week).

Made at the Friday meeting for the week after (prefilled from the newest earlier week's file) or by
hand; checked as strictly as the goal files (every problem with its file, line and field); shown on
the student screen and the logging sheet ("priority this week"), used by Data due (priority goals
first) and printed by `paratui plan STUDENT`. Pure: the store reads the file and passes its data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Mapping

from paratui.model.errors import ConfigError
from paratui.model.fields import Checker

WEEK = re.compile(r"(\d{4})-W(\d{2})")
_STUDENT_KEYS = {"priority", "strategies", "accommodations", "data", "communication", "frequency"}
_DATA_KEYS = {"goal", "what", "how", "when", "who"}


@dataclass(frozen=True)
class DataPlan:
    """One line of the data collection plan: what is collected (a goal, or words), how, when, by whom."""

    what: str
    how: str = ""
    when: str = ""
    who: tuple[str, ...] = ()
    goal: str | None = None


@dataclass(frozen=True)
class StudentWeek:
    student: str
    priority: tuple[str, ...] = ()  # goal ids, most important first
    strategies: tuple[str, ...] = ()
    accommodations: tuple[str, ...] = ()
    data: tuple[DataPlan, ...] = ()
    communication: str = ""
    frequency: str = ""


@dataclass(frozen=True)
class WeekPlan:
    week: str  # "2026-W48"
    students: Mapping[str, StudentWeek]

    def of(self, student_id: str) -> StudentWeek | None:
        return self.students.get(student_id)


def week_of(day: date) -> str:
    """The ISO week a day is in: 2026-11-23 → "2026-W48"."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def monday_of(week: str) -> date:
    """The Monday of an ISO week ("2026-W48" → 2026-11-23); ValueError when it is not one."""
    m = WEEK.fullmatch(week)
    if not m:
        raise ValueError(f"{week!r} is not a week (YYYY-Www, e.g. 2026-W48)")
    return date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)


def next_week(week: str) -> str:
    return week_of(monday_of(week) + timedelta(days=7))


def parse_week_plan(data: dict, week: str, classroom: Any) -> WeekPlan:
    """A week's file → WeekPlan, checked against the room (student ids, goal ids of each student's
    goal file, staff ids); ConfigError with every problem otherwise."""
    c = Checker()
    students = {s.id for s in classroom.students}
    staff = {s.id for s in classroom.staff}
    found: dict[str, StudentWeek] = {}
    for sid, raw in data.items():
        if sid not in students:
            c.add(str(sid) if re.fullmatch(r"[A-Za-z0-9_-]{1,40}", str(sid)) else "",
                  "not the id of a student in classroom.toml (one table per student id: [S01])")
            continue
        found[sid] = _student(c, c.table(raw, sid), sid, classroom.plans.get(sid), staff)
    if c.problems:
        raise ConfigError(c.problems)
    return WeekPlan(week, dict(sorted(found.items())))


def _student(c: Checker, raw: dict, sid: str, goals: Any, staff: set[str]) -> StudentWeek:
    c.keys(raw, _STUDENT_KEYS, sid)
    priority = c.texts(raw, "priority", sid)
    for i, gid in enumerate(priority):
        if goals is None or goals.goal(gid) is None:
            c.add(f"{sid}.priority[{i}]", f"not a goal id in students/{sid}.toml")
    data = []
    for i, item in enumerate(c.array(raw.get("data"), f"{sid}.data", f"{sid}.data")):
        where = f"{sid}.data[{i}]"
        row = c.table(item, where)
        c.keys(row, _DATA_KEYS, where)
        goal = c.text(row, "goal", where, missing=None)
        if goal is not None and (goals is None or goals.goal(goal) is None):
            c.add(f"{where}.goal", f"not a goal id in students/{sid}.toml")
        what = c.text(row, "what", where, missing=None) or ""
        if not what and goal is None:
            c.add(where, "say what is collected: `goal = \"ID\"` or `what = \"...\"`")
        who = c.texts(row, "who", where)
        for j, s in enumerate(who):
            if s not in staff:
                c.add(f"{where}.who[{j}]", "not the id of a [[staff]] in classroom.toml")
        data.append(DataPlan(what, c.text(row, "how", where, missing=None) or "",
                             c.text(row, "when", where, missing=None) or "", who, goal))
    return StudentWeek(sid, priority, c.texts(raw, "strategies", sid), c.texts(raw, "accommodations", sid),
                       tuple(data), c.text(raw, "communication", sid, missing=None) or "",
                       c.text(raw, "frequency", sid, missing=None) or "")


def goal_title(goals: Any, gid: str) -> str:
    goal = goals.goal(gid) if goals is not None else None
    return goal.title if goal is not None else gid


def describe(plan: StudentWeek, goals: Any) -> list[str]:
    """The week's plan for one student as lines of plain text (the CLI, the student screen)."""
    lines = []
    if plan.priority:
        lines.append("Priority goals: " + " · ".join(goal_title(goals, g) for g in plan.priority))
    if plan.strategies:
        lines.append("Strategies: " + " · ".join(plan.strategies))
    if plan.accommodations:
        lines.append("Accommodations: " + " · ".join(plan.accommodations))
    for d in plan.data:
        what = goal_title(goals, d.goal) if d.goal else d.what
        if d.goal and d.what:
            what += f" ({d.what})"
        bits = [b for b in (d.how, d.when, ", ".join(d.who)) if b]
        lines.append(f"Data: {what}" + (f" — {' · '.join(bits)}" if bits else ""))
    if plan.communication or plan.frequency:
        lines.append("Communication: " + " · ".join(b for b in (plan.communication, plan.frequency) if b))
    return lines or ["(nothing planned)"]


def header(week: str) -> str:
    monday = monday_of(week)
    return (f"# The week's plan per student — week {week} (Monday {monday.day} {monday:%B %Y}).\n"
            "# One table per student id: priority goals (goal ids from students/ID.toml, most important\n"
            "# first), strategies, accommodations, the data collection plan ([[ID.data]]: goal or what,\n"
            "# how, when, who) and communication (method, frequency). Initials and codes only.\n"
            "# `paratui check` checks this file; `paratui plan STUDENT --week WEEK` prints it.\n")


def new_file(week: str, classroom: Any, previous: str | None) -> str:
    """The text of a new week's file: the newest earlier week's plans with this week's header (a plan
    carries over until the team changes it), or one commented table per student to fill in."""
    if previous is not None:
        lines = previous.splitlines()
        while lines and (lines[0].startswith("#") or not lines[0].strip()):
            lines.pop(0)  # the earlier week's header: the teacher's own comments below it stay
        return header(week) + "\n" + "\n".join(lines).rstrip() + "\n"
    parts = [header(week)]
    for st in classroom.students:
        goals = classroom.plans.get(st.id)
        ids = ", ".join(f'"{g.id}"' for g in goals.goals) if goals is not None else ""
        parts.append(f"\n[{st.id}]  # {st.initials}\n"
                     f"# priority = [{ids}]\n# strategies = []\n# accommodations = []\n"
                     f"# communication = \"\"\n# frequency = \"\"\n")
    return "".join(parts)
