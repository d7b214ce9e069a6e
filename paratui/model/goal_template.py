"""A goal from a template (issue 22): a kind picked, a short form filled, the goal added to the text of
`students/ID.toml` with tomlkit, keeping every comment and the layout of what it does not touch.

Pure: text in, text out. `add_goal` checks the new file with the same parser as a hand edit
(paratui.model.goals.parse_student_plan) before handing it back, so a goal that would not parse is
never written; writing it (atomically, and only if the file did not change meanwhile) is the store's.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

import tomlkit

from paratui.model.classroom import Classroom
from paratui.model.errors import ConfigError
from paratui.model.goals import AREAS, FUNCTIONS, KINDS, StudentPlan, parse_student_plan
from paratui.model.text import clean

# What each kind is, in a teacher's words, and its usual mastery (the form's default).
KIND_WORDS: dict[str, str] = {
    "tally": "a count: how many times (requests, hand raises)",
    "trials": "trials: correct or not, with the prompt level (+/-)",
    "duration": "duration: how long (minutes on task, a tantrum's length)",
    "latency": "latency: how long until they start (after an instruction)",
    "task_analysis": "task analysis: the steps of a routine, each scored",
    "interval": "interval recording: partial or whole intervals",
    "mts": "momentary time sampling: on task at the end of each interval",
    "abc": "ABC behaviour: antecedent, behaviour, consequence; counted a day",
}
DEFAULT_MASTERY = {"tally": "at_least 10", "trials": "80% I", "duration": "at_least 600", "latency": "at_most 30",
                   "task_analysis": "80% I", "interval": "80%", "mts": "80%", "abc": "at_most 3"}
_MASTERY = re.compile(r"\s*(?:(?P<percent>\d{1,3})\s*%\s*(?P<level>[A-Za-z+-]{1,4})?|"
                      r"(?P<bound>at_most|at_least|≤|<=|≥|>=)\s*(?P<value>\d+(?:\.\d+)?))\s*"
                      r"(?:(?:over|x|×)\s*(?P<sessions>\d{1,2})\s*(?:sessions?|days?)?)?\s*")
_GOAL_ID = re.compile(r"[a-z][a-z0-9-]{0,23}")


@dataclass(frozen=True)
class GoalForm:
    """What the form asked. Lists are one item a line (steps) or comma-separated (collect_by, days)."""

    kind: str
    id: str
    title: str
    area: str = ""
    baseline: str = ""
    mastery: str = ""  # "80% I over 3", "at_most 3 over 5", "at_least 600"
    mastery_text: str = ""
    collect_by: tuple[str, ...] = ()
    when: str = ""
    steps: tuple[str, ...] = ()  # task_analysis
    interval_seconds: str = ""  # interval, mts
    interval_type: str = ""  # interval: partial | whole
    behavior_name: str = ""  # abc: the behaviour it counts
    definition: str = ""
    function: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


class GoalProblem(Exception):
    """The form cannot make a goal: every reason, each naming the field."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def suggest_id(title: str, taken: set[str]) -> str:
    """A goal id from its title (`Counts coins to $1` → `counts-coins`), not one already used."""
    words = [w for w in re.split(r"[^a-z0-9]+", title.casefold()) if w][:2]
    base = "-".join(words)[:20] or "goal"
    if not base[0].isalpha():
        base = "g-" + base
    gid, n = base, 2
    while gid.casefold() in {t.casefold() for t in taken}:
        gid, n = f"{base}-{n}", n + 1
    return gid


def mastery_table(kind: str, text: str, prompts: tuple[str, ...]) -> tuple[dict[str, Any] | None, str | None]:
    """("80% I over 3" → {percent = 80, level = "I", sessions = 3}, None) or (None, why not)."""
    text = text.strip() or DEFAULT_MASTERY[kind]
    m = _MASTERY.fullmatch(text)
    if not m:
        return None, ("mastery: e.g. \"80% I over 3\" (percent, prompt level, sessions) or \"at_most 3 over 5\" "
                      "(a count or seconds)")
    out: dict[str, Any] = {}
    if m.group("percent"):
        if kind in ("tally", "duration", "latency", "abc"):
            return None, f"mastery: a {kind} goal is met by a count or seconds (at_most N or at_least N), not a %"
        percent = int(m.group("percent"))
        if percent > 100:
            return None, "mastery: a percent from 0 to 100"
        out["percent"] = percent
        if m.group("level"):
            if m.group("level") not in prompts:
                return None, f"mastery: the level is one of the room's prompt codes ({', '.join(prompts)})"
            out["level"] = m.group("level")
    else:
        if kind in ("trials", "task_analysis", "interval", "mts"):
            return None, f"mastery: a {kind.replace('_', ' ')} goal is met by a percent (e.g. 80% I over 3)"
        bound = "at_most" if m.group("bound") in ("at_most", "≤", "<=") else "at_least"
        value = float(m.group("value"))
        out[bound] = int(value) if value.is_integer() else value
    out["sessions"] = int(m.group("sessions") or (5 if kind == "abc" else 3))
    if not 1 <= out["sessions"] <= 50:
        return None, "mastery: 1 to 50 sessions"
    return out, None


def goal_tables(form: GoalForm, classroom: Classroom, taken: set[str]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The [[goals]] table (and, for an ABC goal, its [[behaviors]] table), or GoalProblem."""
    problems: list[str] = []
    if form.kind not in KINDS:
        problems.append(f"kind: one of {', '.join(KINDS)}")
    title = clean(form.title).strip()
    if not title or len(title) > 120:
        problems.append("title: 1 to 120 characters (e.g. Counts coins to $1)")
    gid = form.id.strip() or suggest_id(title, taken)
    if not _GOAL_ID.fullmatch(gid):
        problems.append("id: lower-case letters, digits and -, starting with a letter (e.g. coins): what "
                        "`paratui log` takes")
    elif gid.casefold() in {t.casefold() for t in taken}:
        problems.append(f"id: {gid} is already one of this student's goals or behaviours")
    area = form.area.strip().casefold() or ("behavior" if form.kind == "abc" else "academic")
    if area not in AREAS:
        problems.append(f"area: one of {', '.join(AREAS)}")
    staff = {s.id for s in classroom.staff}
    by_name = {k.casefold(): s.id for s in classroom.staff for k in (s.id, s.short)}
    collect = [by_name.get(x.strip().casefold(), x.strip()) for x in form.collect_by if x.strip()]
    for x in collect:
        if x not in staff:
            problems.append(f"collected by: {clean(x, limit=20)!r} is not a staff id or short name "
                            f"({', '.join(sorted(staff))})")
    mastery, why = mastery_table(form.kind, form.mastery, classroom.prompts) if form.kind in KINDS else (None, None)
    if why:
        problems.append(why)
    goal: dict[str, Any] = {"id": gid, "title": title, "area": area, "kind": form.kind}
    behavior = _kind_fields(form, goal, problems)
    if problems:
        raise GoalProblem(problems)
    for key, value in (("baseline", form.baseline), ("mastery_text", form.mastery_text), ("when", form.when)):
        if clean(value).strip():
            goal[key] = clean(value).strip()
    if mastery:
        goal["mastery"] = mastery
    if collect:
        goal["collect_by"] = collect
    return goal, behavior


def _kind_fields(form: GoalForm, goal: dict[str, Any], problems: list[str]) -> dict[str, Any] | None:
    """The fields of the goal's own kind put in `goal` (problems added); an ABC goal's behaviour."""
    behavior: dict[str, Any] | None = None
    gid, title = goal["id"], goal["title"]
    if form.kind == "task_analysis":
        steps = [clean(s).strip() for s in form.steps if clean(s).strip()]
        if len(steps) < 2:
            problems.append("steps: a task analysis needs its steps, at least 2 (one a line)")
        goal["steps"] = steps
    if form.kind in ("interval", "mts"):
        if not form.interval_seconds.strip().isdigit() or not 1 <= int(form.interval_seconds) <= 3600:
            problems.append("interval: whole seconds, 1 to 3600 (e.g. 10)")
        else:
            goal["interval_seconds"] = int(form.interval_seconds)
    if form.kind == "interval":
        itype = form.interval_type.strip().casefold() or "partial"
        if itype not in ("partial", "whole"):
            problems.append("interval type: partial or whole")
        goal["interval_type"] = itype
    if form.kind == "abc":
        name, definition = clean(form.behavior_name).strip() or title, clean(form.definition).strip()
        function = form.function.strip().casefold()
        if not definition:
            problems.append("definition: what the behaviour looks like, so two adults would count the same")
        if function not in FUNCTIONS:
            problems.append(f"function: one of {', '.join(FUNCTIONS)}")
        behavior = {"id": gid, "name": name, "definition": definition, "function": function}
        goal["behavior"] = gid
    return behavior


def taken_ids(data: dict[str, Any]) -> set[str]:
    """The goal and behaviour ids a student file has already."""
    out = set()
    for key in ("goals", "behaviors"):
        for t in data.get(key, []) if isinstance(data.get(key), list) else []:
            if isinstance(t, dict) and isinstance(t.get("id"), str):
                out.add(t["id"])
    return out


def add_goal(text: str, form: GoalForm, classroom: Classroom, student_id: str) -> tuple[str, StudentPlan]:
    """The file's text with the goal added (comments and layout of the rest kept), and the plan it
    parses to; GoalProblem when the form or the resulting file would not be a good goal file."""
    try:
        doc = tomlkit.parse(text)
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, tomlkit.exceptions.ParseError) as e:
        raise GoalProblem([f"students/{student_id}.toml cannot be read as TOML ({clean(str(e), limit=120)}): "
                           "fix it by hand first"]) from None
    goal, behavior = goal_tables(form, classroom, taken_ids(data))
    if behavior is not None:
        _append(doc, "behaviors", behavior, None)
    _append(doc, "goals", goal, f"{goal['title']} — added by `paratui setup goal`")
    new = doc.as_string()
    try:
        plan = parse_student_plan(tomllib.loads(new), student_id, classroom, classroom.prompts)
    except ConfigError as e:
        raise GoalProblem([f"students/{student_id}.toml:{f' {p.field}:' if p.field else ''} {clean(p.message)}"
                           for p in e.problems]) from None
    return new, plan


def _append(doc: tomlkit.TOMLDocument, key: str, values: dict[str, Any], comment: str | None) -> None:
    table = tomlkit.table()
    for k, v in values.items():
        if isinstance(v, dict):
            inline = tomlkit.inline_table()
            inline.update(v)
            table.add(k, inline)
        else:
            table.add(k, v)
    existing = doc.get(key)
    if existing is None:
        doc.add(tomlkit.nl())
        if comment:
            doc.add(tomlkit.comment(clean(comment, limit=100)))
        aot = tomlkit.aot()
        aot.append(table)
        doc.add(key, aot)
    else:
        last = existing[-1] if len(existing) else None
        if last is not None and not last.as_string().endswith("\n\n"):
            last.add(tomlkit.nl())  # a blank line between it and the new one, as the files are laid out
        table.add(tomlkit.nl())
        existing.append(table)
