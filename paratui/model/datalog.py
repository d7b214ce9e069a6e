"""Quick-logging data folded into what people read: per-goal sessions, mastery, trends, running
timers, data still due today, and ABC patterns. Pure: events and goal plans in, values out.

A session is one observation of one goal (Cooper et al.): a start, an end (so an observation time,
and a rate), an observer and a setting. An entry belongs to the session its payload's `session`
names (a `session.start` event's id, or a board run's own id); an entry with none (every entry
written before sessions existed) belongs to the **implied session** of its student, goal, observer,
day and setting: an AM session by one adult and a PM session by another are two sessions. An abc
goal's session is still the day (a day the student was observed without an incident is a 0). A
session's headline number (`Session.level`, what the charts draw and the mastery criterion
compares) is:
  trials, task analysis: percent at the mastery level or less intrusive, of all trials (no level:
    independent, the room's last prompt code; % independent = unprompted correct ÷ all trials);
    a task analysis over the steps in the chain (times the runs in the session: the most entries
    of any one step), so a run stopped after step 5 of 7 counts steps 6 and 7 as not independent;
  interval, mts: percent of observed intervals marked `+` (missed ones are left out and counted);
  tally: the session's total count (its rate per minute when the observation time is known);
  abc: the day's number of ABC records for the goal's behavior;
  duration, latency: the mean of the session's times per episode, in seconds (`total_seconds`
    beside it).
A goal's trend is the least-squares slope of those levels over the sessions' dates, per week, over
the sessions of its current phase only (a `phase` event starts one: baseline, intervention…; each
session is in the newest phase begun on or before its day; before any, the goal is in baseline).
A timer never stopped is an **open timer**, and an episode stopped on a later day than it started
(with no corrected end) is flagged `overnight`: both are listed, neither is in the figures.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Iterable, Iterator

from paratui.model.classroom import Classroom
from paratui.model.events import DATA_TYPES, Event, live_events
from paratui.model.goals import Goal, Mastery, StudentPlan
from paratui.model.schedule import WEEKDAYS
from paratui.model.text import clean

OBSERVED_TYPES = ("data", "abc", "timer.stop", "session.start", "session.end")  # may carry `observed`
TIMER_TYPES = ("timer.start", "timer.stop")
SESSION_TYPES = ("session.start", "session.end")
PERCENT_KINDS = ("trials", "task_analysis", "interval", "mts")
PHASE_KINDS = ("baseline", "intervention", "maintenance", "generalisation")


@dataclass(frozen=True)
class Phase:
    """One phase of a goal (Cooper et al.: the sessions between two condition lines)."""

    name: str
    kind: str  # one of PHASE_KINDS
    start: date | None = None  # the day it began; None: the goal's implicit first phase (baseline)
    id: str = ""  # the phase event's id ("" for the implicit first phase)

    @property
    def label(self) -> str:
        """"baseline", or "intervention “Token board”"."""
        if self.start is None or self.name.casefold() == self.kind:
            return self.kind if self.start is None else self.name
        return f"{self.kind} “{self.name}”"


BASELINE = Phase("baseline", "baseline")  # before any phase event


@dataclass(frozen=True, slots=True)  # a year of one student is thousands: no __dict__ each
class Entry:
    """One observation, flat (a CSV row): from a `data`, `timer.stop` or `abc` event."""

    id: str
    time: datetime
    staff: str | None
    student: str
    goal: str  # for abc records: the abc goal tracking the behavior, else ""
    kind: str  # the goal's kind ("" for a goal no longer in the file)
    value: str | None = None
    count: float | None = None
    seconds: float | None = None
    prompt: str | None = None
    step: int | None = None
    note: str | None = None
    behavior: str | None = None
    antecedent: str | None = None
    consequence: str | None = None
    setting: str | None = None
    host: str | None = None  # the machine it was entered on
    entered: datetime | None = None  # a late entry (paper data typed in later): when it was entered; `time`
    # is then the observation's own time (the payload's `observed`)
    session: str | None = None  # the payload's `session` (None: the implied session, `session_key`)
    flag: str | None = None  # "overnight": a timer stopped on a later day than it started, uncorrected


def keyed(items: Iterable[Entry]) -> Iterator[tuple[str, Entry]]:
    """Each entry with its session's id (`session_key`), in order. A task analysis's implied
    session is one run of the chain: a step at or before the last one's starts the next run
    ("2026-11-20/wash/AL/2"), so two runs a day are two sessions."""
    last: dict[str, tuple[int, int]] = {}  # implied key → (the last step, the run number)
    for x in items:
        key = session_key(x)
        if x.kind == "task_analysis" and not x.session and x.step is not None:
            step, run = last.get(key, (0, 1))
            run += x.step <= step
            last[key] = (x.step, run)
            if run > 1:
                key = f"{key}/{run}"
        yield key, x


@dataclass(frozen=True)
class SessionMark:
    """A `session.start` (and its `session.end`): an observation declared with its start and end."""

    id: str
    student: str
    goal: str
    start: datetime
    staff: str | None
    setting: str | None = None
    end: datetime | None = None  # None: not ended (yet)


def session_key(x: Entry) -> str:
    """The id of the session an entry belongs to: its own `session`, else its implied session's,
    "2026-11-20/coins/JT" (the day, goal, observer and, for an ABC record, the setting); an abc
    goal's session is the day ("2026-11-20/behavior")."""
    if x.session:
        return x.session
    if x.kind == "abc":
        return f"{x.time.date().isoformat()}/{x.goal or x.behavior or '-'}"
    return "/".join([x.time.date().isoformat(), x.goal, x.staff or "-", *([x.setting] if x.setting else [])])


@dataclass(frozen=True)
class Session:
    day: date
    entries: int
    trials: int = 0  # trials, steps in the chain (task analysis) or observed intervals
    correct: int = 0
    at_level: int = 0  # correct at the mastery level or more independent
    missed: int = 0
    count: float = 0.0
    seconds: tuple[float, ...] = ()
    prompts: dict[str, int] = field(default_factory=dict)
    level: float | None = None
    met: bool | None = None
    errors: dict[str, int] = field(default_factory=dict)  # of `prompts`, the trials scored - at that level
    phase: Phase = BASELINE  # the newest phase begun on or before this day
    after_gap: bool = False  # a school day with no session lies between the previous session and this one
    # trials: the day's first trial, the cold probe (by observation time): its value, prompt, and
    # whether it was correct and unprompted (the binder's Friday probes: first trial only, no prompt)
    probe: Entry | None = None
    probe_independent: bool | None = None  # the cold probe was correct and unprompted (None: no probe)
    id: str = ""  # the session's id (`session_key`)
    start: datetime | None = None  # a declared session's start, else its first entry's time
    end: datetime | None = None  # a declared session's end, else its last entry's time
    minutes: float | None = None  # observation time: a declared session's end - start, an interval
    # session's intervals × their length; None: not known (no rate then)
    observer: str | None = None  # staff id: who started the session (an implied one's observer)
    setting: str | None = None
    declared: bool = False  # from a session.start event (else implied, or a board run's id)
    not_closed: bool = False  # declared, and its session.end never written (a board killed mid-session):
    # for the figures it ends at its last entry (`end`, `minutes`), flagged "not closed"

    @property
    def total_seconds(self) -> float | None:
        """Duration, latency: the session's total time (Cooper et al.'s total duration)."""
        return sum(self.seconds) if self.seconds else None

    @property
    def rate_per_minute(self) -> float | None:
        """Tally: count ÷ observation time (Cooper et al.'s rate); None without an observation time."""
        return self.count / self.minutes if self.minutes else None

    @property
    def rate_per_hour(self) -> float | None:
        r = self.rate_per_minute
        return None if r is None else r * 60

    @property
    def correct_prompts(self) -> dict[str, int]:
        """The prompt tally of the correct trials (or steps done), apart from the errors."""
        return {p: n - self.errors.get(p, 0) for p, n in self.prompts.items() if n > self.errors.get(p, 0)}

    @property
    def percent_correct(self) -> float | None:
        return 100.0 * self.correct / self.trials if self.trials else None

    @property
    def percent_at_level(self) -> float | None:
        return 100.0 * self.at_level / self.trials if self.trials else None


@dataclass(frozen=True)
class MasteryStatus:
    run: int  # consecutive sessions meeting the criterion, newest back (capped at `needed`)
    needed: int
    mastered: bool
    text: str  # "2 of 3 sessions at or above 80% independent"


@dataclass(frozen=True)
class GoalSummary:
    goal: Goal
    sessions: tuple[Session, ...]
    entries: tuple[Entry, ...]
    status: MasteryStatus | None
    line: Trend  # over the current phase's sessions only
    phases: tuple[Phase, ...] = (BASELINE,)  # every phase begun by the report's end, oldest first
    phase: Phase = BASELINE  # the current one (the newest)
    aim: AimLine | None = None
    decisions: tuple[str, ...] = ()  # the decision rules that fire: "consider a change" (RULES)

    @property
    def trend(self) -> str:
        """"rising" | "falling" | "flat" | "" (too few sessions)."""
        return self.line.direction

    @property
    def current(self) -> float | None:
        return self.sessions[-1].level if self.sessions else None


@dataclass(frozen=True)
class Timer:
    student: str
    goal: str
    start: str  # the timer.start event's id
    started: datetime
    staff: str | None


@dataclass(frozen=True)
class DataDue:
    staff: str
    student: str
    goal: str
    kind: str
    when: str
    priority: int | None = None  # its place among this week's priority goals (0 first); None: not one


@dataclass(frozen=True)
class AbcPatterns:
    total: int
    antecedents: tuple[tuple[str, int], ...]  # most common first
    consequences: tuple[tuple[str, int], ...]
    settings: tuple[tuple[str, int], ...]
    by_time: tuple[tuple[str, int], ...]  # ("morning", n), ("midday", n), ("afternoon", n)
    by_behavior: tuple[tuple[str, int], ...]


# -- entries --------------------------------------------------------------------------------------

def _num(v: object) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def observed_at(event: Event) -> datetime:
    """When an observation was made: a late entry's `observed` (paper data typed in later, stored
    with its UTC offset, read in this board's local time), else the event's own time (entered as
    it happened). Every reader of data uses this, never the entry time."""
    raw = event.payload.get("observed") if event.type in OBSERVED_TYPES else None
    if isinstance(raw, str) and raw:
        try:
            when = datetime.fromisoformat(raw)
            return when.astimezone().replace(tzinfo=None) if when.tzinfo is not None else when
        except (ValueError, OverflowError, OSError):
            pass  # a hand-edited journal: the entry time stands
    return event.time


def is_late(event: Event) -> bool:
    """A late entry: its observation time is not its entry time."""
    return observed_at(event) != event.time


def is_ioa(event: Event) -> bool:
    """An inter-observer agreement observation (`paratui log --ioa`): a second adult's record of a
    session, compared with the primary observer's (paratui.model.ioa), never counted in the goal's data."""
    return event.type == "data" and event.payload.get("ioa") is True


def entries(events: Iterable[Event], plan: StudentPlan | None, student: str, live: bool = False,
            with_ioa: bool = False) -> list[Entry]:
    """A student's observations in order of observation (retracted ones left out unless `live`
    says the events are already live; IOA observations left out unless `with_ioa`)."""
    return list(_entries(events, plan, student, live, with_ioa))


def _entries(events: Iterable[Event], plan: StudentPlan | None, student: str, live: bool = False,
             with_ioa: bool = False) -> Iterator[Entry]:
    """`entries`, one at a time, in order of observation: the journal's order, with late entries
    (few) merged in at their observation time. Every figure of a goal reads its data here: IOA
    observations are left out here (unless `with_ioa`), so they never count twice."""
    events = events if isinstance(events, (list, tuple)) else list(events)
    if not with_ioa:
        events = [e for e in events if not is_ioa(e)]
    if not any("observed" in e.payload for e in events if e.type in ("data", "abc", "timer.stop")):
        yield from _entries_as_written(events, plan, student, live, None)
        return
    late: list[Entry] = []
    on_time = list(_entries_as_written(events, plan, student, live, late))
    late.sort(key=lambda x: x.time)
    yield from heapq.merge(on_time, late, key=lambda x: x.time)


def _entries_as_written(events: Iterable[Event], plan: StudentPlan | None, student: str, live: bool,
                        late: list[Entry] | None) -> Iterator[Entry]:
    """The on-time entries in the journal's order; late ones go into `late` (None: there are none)."""
    kinds = {g.id: g.kind for g in plan.goals} if plan else {}
    abc_goal = {g.behavior: g.id for g in plan.goals if g.kind == "abc"} if plan else {}
    started: dict[str, datetime] = {}  # timer.start id → its time (an episode across midnight is flagged)
    for e in (events if live else live_events(events)):
        p = e.payload
        if e.type == "timer.start" and p.get("student") == student:
            started[e.id] = e.time
        if e.type not in ("data", "timer.stop", "abc") or p.get("student") != student:
            continue
        if e.type == "abc":
            b = str(p.get("behavior"))
            x = Entry(e.id, e.time, e.staff, student, abc_goal.get(b, ""), "abc", note=p.get("note"),
                      behavior=b, antecedent=p.get("antecedent"), consequence=p.get("consequence"),
                      setting=p.get("setting"), host=e.host or None)
        else:
            goal = str(p.get("goal"))
            step = _num(p.get("step"))
            since = started.get(str(p.get("start"))) if e.type == "timer.stop" else None
            flag = "overnight" if since is not None and since.date() != e.time.date() and not p.get("observed") \
                else None
            sid = p.get("session")
            x = Entry(e.id, e.time, e.staff, student, goal, kinds.get(goal, ""), p.get("value"),
                      _num(p.get("count")), _num(p.get("seconds")), p.get("prompt"),
                      int(step) if step is not None else None, p.get("note"), host=e.host or None,
                      session=sid if isinstance(sid, str) and sid else None, flag=flag)
        when = observed_at(e) if late is not None and "observed" in p else e.time
        if late is not None and when != e.time:
            late.append(replace(x, time=when, entered=e.time))
        else:
            yield x


def session_marks(events: Iterable[Event], student: str, live: bool = False) -> dict[str, SessionMark]:
    """The student's declared sessions by id (`session.start`, ended by its `session.end`), at
    their observation times."""
    out: dict[str, SessionMark] = {}
    for e in (events if live else live_events(events)):
        p = e.payload
        if p.get("student") != student:
            continue
        if e.type == "session.start":
            setting = p.get("setting")
            out[e.id] = SessionMark(e.id, student, str(p.get("goal")), observed_at(e), e.staff,
                                    clean(setting, limit=60) if isinstance(setting, str) and setting else None)
        elif e.type == "session.end" and str(p.get("session")) in out:
            m = out[str(p.get("session"))]
            out[m.id] = replace(m, end=max(observed_at(e), m.start))
    return out


def open_sessions(events: Iterable[Event], student: str | None = None, goal: str | None = None,
                  staff: str | None = None, day: date | None = None) -> list[SessionMark]:
    """Declared sessions not ended, oldest first (of one student, goal, observer when given; begun
    on `day` when given: one begun on an earlier day and never ended, a board killed mid-session, is
    open no more: nothing joins it, and its figures end at its last entry, flagged "not closed")."""
    marks = [e for e in events if e.type in SESSION_TYPES or e.type == "retract"]  # a few of the day's
    if not any(e.type == "session.start" and (student is None or e.payload.get("student") == student)
               for e in marks):
        return []
    live = live_events(marks)
    students = {str(e.payload.get("student")) for e in live if e.type == "session.start"} \
        if student is None else {student}
    out = [m for st in students for m in session_marks(live, st, live=True).values() if m.end is None
           and (goal is None or m.goal == goal) and (staff is None or m.staff == staff)
           and (day is None or m.start.date() == day)]
    return sorted(out, key=lambda m: m.start)


def cold_probes(items: Iterable[Entry]) -> set[str]:
    """The ids of the cold probes among a student's entries (in order of observation): the first
    trial of each day of each trials goal."""
    seen: set[tuple[str, date]] = set()
    out: set[str] = set()
    for x in items:
        if x.kind == "trials" and x.value in ("+", "-") and (x.goal, x.time.date()) not in seen:
            seen.add((x.goal, x.time.date()))
            out.add(x.id)
    return out


# -- sessions and mastery ---------------------------------------------------------------------------

def _at_or_above(prompt: str | None, level: str, prompts: tuple[str, ...]) -> bool:
    """`prompt` is `level` or less intrusive (further right in the room's list)."""
    if prompt not in prompts or level not in prompts:
        return False
    return prompts.index(prompt) >= prompts.index(level)


def _tally(used: Counter[str], prompts: tuple[str, ...]) -> dict[str, int]:
    """Prompt codes and their counts, in the room's order (unknown codes last)."""
    return {p: used[p] for p in prompts if used[p]} | {p: n for p, n in used.items() if p not in prompts}


def _session(goal: Goal, day: date, items: list[Entry], prompts: tuple[str, ...],
             phase: Phase = BASELINE, first_of_day: bool = True, observation: dict | None = None) -> Session:
    m = goal.mastery
    # with no level in the criterion, a correct response counts toward mastery only unprompted
    # (% independent, Cooper et al.): 30 correct at full physical is not 100%
    level = (m.level if m else None) or (prompts[-1] if prompts else "")
    trials = correct = at_level = missed = 0
    count = 0.0
    seconds: list[float] = []
    used: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    for x in items:
        if x.prompt:
            used[x.prompt] += 1
            if x.value == "-":
                errors[x.prompt] += 1
        if goal.kind in ("trials", "interval", "mts"):
            if x.value == "missed":
                missed += 1
                continue
            trials += 1
            ok = x.value == "+"
            correct += ok
            at_level += ok and (goal.kind != "trials" or x.prompt is None  # a bare + is independent
                                or _at_or_above(x.prompt, level, prompts))
        elif goal.kind == "task_analysis":
            ok = x.value != "-" and x.prompt is not None
            correct += ok
            at_level += ok and _at_or_above(x.prompt, level, prompts)
        elif goal.kind == "tally":
            count += x.count if x.count is not None else 1
        elif goal.kind == "abc":
            count += 1
        elif x.seconds is not None:
            seconds.append(x.seconds)
    if goal.kind == "task_analysis":  # over the chain: a step not tried is a step not independent
        runs = max(Counter(x.step for x in items).values(), default=0)
        trials = max(runs * len(goal.steps), len(items))
    if goal.kind in PERCENT_KINDS:
        value = 100.0 * at_level / trials if trials else None
    elif goal.kind in ("tally", "abc"):
        value = count
    else:
        value = sum(seconds) / len(seconds) if seconds else None
    probe = next((x for x in items if x.value in ("+", "-")), None) \
        if goal.kind == "trials" and first_of_day else None
    return Session(day, len(items), trials, correct, at_level, missed, count, tuple(seconds),
                   _tally(used, prompts), value, _met(m, value), _tally(errors, prompts), phase,
                   probe=probe, probe_independent=None if probe is None else probe.value == "+" and (
                       probe.prompt is None or (bool(prompts) and probe.prompt == prompts[-1])),
                   **(observation or {}))


def day_of(sessions: Iterable[Session], day: date) -> tuple[Session | None, int]:
    """A day's sessions pooled into one, for a line of the day's data (the student screen's
    "Today: …"), and how many sessions there were; (None, 0) for a day with none. Never a figure:
    trends and mastery count the sessions themselves."""
    mine = [s for s in sessions if s.day == day]
    if len(mine) <= 1:
        return (mine[0] if mine else None), len(mine)
    first = mine[0]
    seconds = tuple(v for s in mine for v in s.seconds)
    prompts: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    for s in mine:
        prompts.update(s.prompts)
        errors.update(s.errors)
    probe = next((s for s in mine if s.probe is not None), None)
    return replace(first, entries=sum(s.entries for s in mine), trials=sum(s.trials for s in mine),
                   correct=sum(s.correct for s in mine), at_level=sum(s.at_level for s in mine),
                   missed=sum(s.missed for s in mine), count=sum(s.count for s in mine), seconds=seconds,
                   prompts=dict(prompts), errors=dict(errors),
                   level=sum(seconds) / len(seconds) if seconds else first.level,
                   probe=probe.probe if probe else None,
                   probe_independent=probe.probe_independent if probe else None,
                   end=mine[-1].end, minutes=None), len(mine)


def _met(m: Mastery | None, value: float | None) -> bool | None:
    if m is None or value is None:
        return None
    if m.percent is not None and value < m.percent:
        return False
    if m.at_most is not None and value > m.at_most:
        return False
    if m.at_least is not None and value < m.at_least:
        return False
    return True


def per_day(goal: Goal) -> bool:
    """The goal's criterion bounds each day's total (`mastery.per = "day"`: "at most 2 a day")."""
    return goal.mastery is not None and goal.mastery.per == "day"


def day_totals(sessions: Iterable[Session]) -> list[tuple[date, float]]:
    """Each day's total count, the sum over that day's sessions, in order (days with a session only)."""
    out: dict[date, float] = {}
    for s in sessions:
        out[s.day] = out.get(s.day, 0.0) + s.count
    return list(out.items())


def _by_day(goal: Goal, sessions: list[Session]) -> list[Session]:
    """A per-day criterion: each session's `met` is its day's (the day's total against the bound)."""
    met = {d: _met(goal.mastery, total) for d, total in day_totals(sessions)}
    return [replace(s, met=met[s.day]) for s in sessions]


def mastery_status(goal: Goal, sessions: Iterable[Session], independent: str = "I") -> MasteryStatus | None:
    """Consecutive sessions meeting the criterion, newest back; a per-day criterion: consecutive
    days (with a session), each day's total against the bound."""
    m = goal.mastery
    if m is None:
        return None
    mine = list(sessions)
    met = [_met(m, total) for _, total in day_totals(mine)] if per_day(goal) else [s.met for s in mine]
    run = 0
    for ok in reversed(met):
        if not ok:
            break
        run += 1
    run = min(run, m.sessions)
    return MasteryStatus(run, m.sessions, run >= m.sessions,
                         f"{run} of {m.sessions} {'days' if per_day(goal) else 'sessions'} "
                         f"{criterion_text(goal, independent)}")


def criterion_text(goal: Goal, independent: str = "I") -> str:
    m = goal.mastery
    if m is None:
        return ""
    unit = " s" if goal.kind in ("duration", "latency") else ""
    parts = []
    if m.percent is not None:
        level = m.level or independent  # no level: unprompted correct only
        how = ("of intervals" if goal.kind in ("interval", "mts") else "independent" if level == independent
               else f"at {level} or better")
        steps = len(goal.steps)
        of_chain = f" ({math.ceil(m.percent * steps / 100 - 1e-9)} of {steps} steps)" \
            if goal.kind == "task_analysis" and steps else ""
        parts.append(f"at or above {m.percent}% {how}{of_chain}")
    a_day = " a day" if m.per == "day" else ""
    if m.at_most is not None:
        parts.append(f"at or below {m.at_most:g}{unit}{a_day}")
    if m.at_least is not None:
        parts.append(f"at or above {m.at_least:g}{unit}{a_day}")
    return " and ".join(parts)


TREND_SESSIONS = 3  # fewer sessions than this: no trend line
# Flat within this many units a week: percent goals ±2 points; counts and seconds ±5% of the mean level.
FLAT_POINTS = 2.0
FLAT_SHARE = 0.05


@dataclass(frozen=True)
class Trend:
    """An ordinary least-squares line through the sessions' levels against their dates."""

    direction: str  # "rising" | "falling" | "flat" | "" (fewer than TREND_SESSIONS sessions)
    per_week: float | None  # the line's slope, in the goal's unit per 7 calendar days
    sessions: int  # the sessions the line is fitted to
    unit: str  # "%" | "s" | "count"
    phase: Phase = BASELINE  # the phase whose sessions they are (the current one)

    @property
    def text(self) -> str:
        """"rising, +12.1 points/week (least squares over 9 sessions in intervention “Token board”)"."""
        return self.said(self.phase.label)

    @property
    def plain(self) -> str:
        """The text without the phase: "rising, +12.1 points/week (least squares over 9 sessions)"."""
        return self.said(None)

    def said(self, phase: str | None) -> str:
        if self.per_week is None:
            return "too few sessions for a trend" + (f" in {phase}" if phase else "")
        unit = {"%": " points", "s": " s"}.get(self.unit, "")
        return (f"{self.direction}, {self.per_week:+.1f}{unit}/week "
                f"(least squares over {self.sessions} sessions{f' in {phase}' if phase else ''})")


def trend(sessions: Iterable[Session], unit: str, phase: Phase = BASELINE) -> Trend:
    """The least-squares slope of the sessions' levels over their dates (x: days since the first
    session, so a gap of days weighs as the time it was), per week; flat within the dead band. The
    caller gives one phase's sessions (`phase`): a trend never runs across a condition line."""
    pts = [(s.day.toordinal(), s.level) for s in sessions if s.level is not None]
    if len(pts) < TREND_SESSIONS or len({x for x, _ in pts}) < 2:
        return Trend("", None, len(pts), unit, phase)
    n = len(pts)
    mx, my = sum(x for x, _ in pts) / n, sum(y for _, y in pts) / n
    slope = sum((x - mx) * (y - my) for x, y in pts) / sum((x - mx) ** 2 for x, _ in pts)
    per_week = round(slope * 7, 1)
    band = FLAT_POINTS if unit == "%" else abs(my) * FLAT_SHARE
    direction = "flat" if abs(per_week) <= band else "rising" if per_week > 0 else "falling"
    return Trend(direction, per_week, n, unit, phase)


@dataclass(frozen=True)
class AimLine:
    """From the baseline's level (the mean of the baseline sessions) on `start` to the mastery
    criterion on `target`, straight (Cooper et al.)."""

    start: date
    level: float  # the baseline's mean level
    target: date
    criterion: float  # the mastery criterion's level
    reduce: bool = False  # a goal to bring down (its criterion is at_most only): lower is better

    def at(self, day: date) -> float:
        """The aim on `day` (before start: the baseline's level; after target: the criterion)."""
        span = (self.target - self.start).days
        done = min(max((day - self.start).days / span, 0.0), 1.0) if span > 0 else 1.0
        return self.level + (self.criterion - self.level) * done

    def behind(self, s: Session) -> bool:
        """The session is on the wrong side of the line: below it (above it, for a goal to reduce)."""
        if s.level is None:
            return False
        aim = self.at(s.day)
        return s.level > aim if self.reduce else s.level < aim


# The decision rules (Cooper et al.'s data-based decisions), each naming itself when it fires.
BELOW_AIM = 3  # this many consecutive sessions on the wrong side of the aim line
FLAT_OVER = 6  # a flat or falling trend (rising, for a goal to reduce) over this many sessions
RULE_BELOW = f"{BELOW_AIM} consecutive sessions below the aim line"
RULE_FLAT = f"flat or falling trend over {FLAT_OVER}+ sessions in the current phase"
# a goal to bring down (a criterion of at_most only): the wrong side is above, the wrong way up
RULE_ABOVE = f"{BELOW_AIM} consecutive sessions above the aim line (a goal to reduce)"
RULE_FLAT_UP = f"flat or rising trend over {FLAT_OVER}+ sessions in the current phase (a goal to reduce)"
RULES = (RULE_BELOW, RULE_FLAT, RULE_ABOVE, RULE_FLAT_UP)


def _criterion(goal: Goal) -> tuple[float, bool] | None:
    """(the mastery criterion's level, whether the goal is to bring the level down)."""
    m = goal.mastery
    if m is None:
        return None
    if m.percent is not None:
        return float(m.percent), False
    if m.at_least is not None:
        return float(m.at_least), False
    if m.at_most is not None:
        return float(m.at_most), True
    return None


def aim_line(goal: Goal, sessions: Iterable[Session]) -> AimLine | None:
    """The goal's aim line: it needs a `target` date, a mastery criterion and baseline sessions;
    it starts on the goal's `start`, or else on the first session after baseline."""
    crit = _criterion(goal)
    if goal.target is None or crit is None:
        return None
    done = [s for s in sessions if s.level is not None]
    base = [s.level for s in done if s.phase.kind == "baseline" and s.level is not None]
    if not base:
        return None
    start = goal.start or next((s.day for s in done if s.phase.kind != "baseline"), None)
    if start is None or goal.target <= start:
        return None
    return AimLine(start, sum(base) / len(base), goal.target, crit[0], crit[1])


def decisions(goal: Goal, sessions: tuple[Session, ...], line: Trend, aim: AimLine | None) -> tuple[str, ...]:
    """The decision rules that fire for the current phase (none in baseline: it is being measured)."""
    if line.phase.kind == "baseline":
        return ()
    mine = [s for s in sessions if s.phase == line.phase and s.level is not None]
    reduce = (_criterion(goal) or (0.0, False))[1]
    out = []
    last = mine[-BELOW_AIM:]
    if aim is not None and len(last) == BELOW_AIM and all(s.day >= aim.start and aim.behind(s) for s in last):
        out.append(RULE_ABOVE if reduce else RULE_BELOW)
    if line.sessions >= FLAT_OVER and line.direction in ("flat", "rising" if reduce else "falling"):
        out.append(RULE_FLAT_UP if reduce else RULE_FLAT)
    return tuple(out)


def phases_of(events: Iterable[Event], student: str, goal: str, end: date | None = None) -> tuple[Phase, ...]:
    """The goal's phases begun by `end` (None: all), oldest first: the implicit baseline, then one
    per live `phase` event (two on one day: the later one stands)."""
    mine = live_events(e for e in events if e.type == "retract" or (
        e.type == "phase" and e.payload.get("student") == student and e.payload.get("goal") == goal))
    out = [BASELINE]
    for e in mine:
        d = e.time.date()
        if end is not None and d > end:
            break
        # a hand-written journal may hold anything: the name is shown in reports, charts and the TUI
        ph = Phase(clean(e.payload.get("name") or "?", limit=60), clean(e.payload.get("kind") or "intervention",
                                                                        limit=20), d, e.id)
        if out[-1].start == d:
            out[-1] = ph
        else:
            out.append(ph)
    return tuple(out)


def gap_between(goal: Goal, a: date, b: date) -> bool:
    """A school day for the goal (Monday to Friday, or its `days`) strictly between `a` and `b`: a
    day it had no session, which a chart's data path is not drawn across. (paratui knows no school
    calendar: a holiday is a gap too.)"""
    d = a + timedelta(days=1)
    while d < b:
        if d.weekday() < 5 and (not goal.days or WEEKDAYS[d.weekday()] in goal.days):
            return True
        d += timedelta(days=1)
    return False


def phase_on(phases: tuple[Phase, ...], day: date) -> Phase:
    """The newest phase begun on or before `day`."""
    return next((p for p in reversed(phases) if p.start is None or p.start <= day), BASELINE)


def _observation(goal: Goal, key: str, items: list[Entry], mark: SessionMark | None) -> dict:
    """A session's id, start, end, observation time, observer and setting (`Session`'s fields): a
    declared session's from its events; else from its entries (the first's and last's times; no
    observation time but an interval session's, its intervals times their length). Given to
    `_session`, which makes the session with them at once (a year is a thousand sessions: making
    each twice, with `replace`, was a third of the fold)."""
    start = mark.start if mark else (items[0].time if items else None)
    end = mark.end if mark else (items[-1].time if items else None)
    minutes = None
    not_closed = mark is not None and mark.end is None
    if mark is not None and mark.end is not None:
        minutes = round((mark.end - mark.start).total_seconds() / 60, 2)
    elif mark is not None:  # its end never written (not closed): it ends at its last entry
        end = max(items[-1].time, mark.start) if items else mark.start
        minutes = round((end - mark.start).total_seconds() / 60, 2) if items else None
    elif goal.kind in ("interval", "mts") and goal.interval_seconds:  # every entry is an interval, scored or missed
        minutes = round(len(items) * goal.interval_seconds / 60, 2)
    observer = mark.staff if mark else (items[0].staff if items and goal.kind != "abc" else None)
    setting = mark.setting if mark else (items[0].setting if items and items[0].setting and goal.kind != "abc"
                                         else None)
    return {"id": key, "start": start, "end": end, "minutes": minutes, "observer": observer, "setting": setting,
            "declared": mark is not None, "not_closed": not_closed}


def _day_sessions(g: Goal, d: date, items: list[Entry], prompts: tuple[str, ...], phase: Phase,
                  marks: dict[str, SessionMark]) -> list[Session]:
    """A goal's sessions of one day, in order of their start. A day the student was observed at
    all is an abc goal's session (a day without an incident is a good one); any other goal's
    sessions are its observations that day (a declared tally session with nothing tallied: a 0)."""
    groups: dict[str, list[Entry]] = {}
    for key, x in keyed(items):
        groups.setdefault(f"{d.isoformat()}/{g.id}" if g.kind == "abc" else key, []).append(x)
    if g.kind == "abc" and not groups:
        groups[f"{d.isoformat()}/{g.id}"] = []
    if g.kind == "tally":
        for m in marks.values():
            if m.goal == g.id and m.end is not None and m.start.date() == d and m.id not in groups:
                groups[m.id] = []
    first = next((x.id for x in items if x.value in ("+", "-")), None)
    made = []
    for key, mine in groups.items():
        made.append(_session(g, d, mine, prompts, phase, first is not None and any(y.id == first for y in mine),
                             _observation(g, key, mine, marks.get(key))))
    return sorted(made, key=lambda x: x.start or datetime.combine(d, datetime.min.time()))


def summarize(plan: StudentPlan, events: Iterable[Event], prompts: tuple[str, ...],
              start: date | None = None, end: date | None = None, goal: str | None = None,
              keep_entries: bool = True) -> list[GoalSummary]:
    """Every goal of the plan (or one), its sessions between `start` and `end` (inclusive), several
    a day (one per observation: `session_key`), in order of their start.
    `keep_entries=False`: each summary's `entries` is empty (the student screen shows sessions
    only), and the observations are folded one day at a time, never all held at once (a year of one
    student is thousands). Flagged entries (an overnight timer) are kept but not in the figures."""
    goals = [g for g in plan.goals if goal is None or g.id.casefold() == goal.casefold()]
    events = events if isinstance(events, list) else list(events)
    marks_ev = [e for e in events if e.type in ("phase", "retract", "session.start", "session.end")]  # a few
    phases = [phases_of(marks_ev, plan.student, g.id, end) for g in goals]
    marks = session_marks(marks_ev, plan.student)
    sessions: list[list[Session]] = [[] for _ in goals]
    kept: list[list[Entry]] = [[] for _ in goals]
    todays: list[list[Entry]] = [[] for _ in goals]
    # a declared session of a tally goal with nothing tallied is a 0 for its observation time
    empty_days = sorted({m.start.date() for m in marks.values() if m.end is not None
                         and any(g.id == m.goal and g.kind == "tally" for g in goals)
                         and (start is None or m.start.date() >= start) and (end is None or m.start.date() <= end)})
    day: date | None = None  # the day being folded (entries come in time order)

    def close_day(d: date) -> None:
        for i, g in enumerate(goals):
            for x in _day_sessions(g, d, todays[i], prompts, phase_on(phases[i], d), marks):
                if sessions[i] and gap_between(g, sessions[i][-1].day, d):
                    x = replace(x, after_gap=True)
                sessions[i].append(x)
            todays[i] = []

    def close_empty(before: date | None) -> None:
        while empty_days and (before is None or empty_days[0] < before):
            d = empty_days.pop(0)
            if d != day:
                close_day(d)

    for x in _entries(events, plan, plan.student):
        d = x.time.date()
        if (start is not None and d < start) or (end is not None and d > end):
            continue
        if d != day:
            if day is not None:
                close_day(day)
            close_empty(d)
            day = d
        for i, g in enumerate(goals):
            if x.goal == g.id and x.kind == g.kind:
                if keep_entries:
                    kept[i].append(x)
                if x.flag is None:
                    todays[i].append(x)
    if day is not None:
        close_day(day)
    close_empty(None)
    out = []
    for g, ss, mine, ph in zip(goals, sessions, kept, phases):
        done = tuple(_by_day(g, ss) if per_day(g) else ss)
        now = ph[-1]
        line = trend([x for x in done if x.phase == now], unit_of(g.kind), now)
        aim = aim_line(g, done)
        out.append(GoalSummary(g, done, tuple(mine), mastery_status(g, done, prompts[-1]), line, ph, now, aim,
                               decisions(g, done, line, aim)))
    return out


# -- today: timers and data due -------------------------------------------------------------------

def open_timers(events: Iterable[Event], student: str | None = None) -> list[Timer]:
    """Timers started and never stopped, of any day (a timer left running overnight is kept), oldest
    first: listed by `timer stop` and flagged in the report, in no figure until stopped."""
    live = live_events(events)
    return [t for t in running_timers(live) if student is None or t.student == student]


def running_timers(todays: Iterable[Event], live: bool = True) -> list[Timer]:
    """Timers started and not stopped, oldest first, from today's events (already live, in order,
    unless `live` is False)."""
    running: dict[str, Timer] = {}
    for e in (todays if live else live_events(todays)):
        if e.type == "timer.start":
            running[e.id] = Timer(e.payload["student"], e.payload["goal"], e.id, e.time, e.staff)
        elif e.type == "timer.stop":
            running.pop(str(e.payload.get("start")), None)
    return list(running.values())


def data_due(classroom: Classroom, todays: Iterable[Event], today: date, school_day: bool) -> list[DataDue]:
    """Per adult in each goal's data plan: the goals with no data yet today (abc goals are recorded
    as things happen, so they are never due). This week's plan (plans/2026-W48.toml), when there is
    one, decides who collects a goal it names (`who`), and its priority goals come first."""
    if not school_day or not classroom.plans:
        return []
    weekday = WEEKDAYS[today.weekday()]
    done = {(e.payload.get("student"), e.payload.get("goal")) for e in todays
            if e.type in ("data", "timer.stop") and observed_at(e).date() == today and not is_ioa(e)}
    week = classroom.week_plan
    due: list[DataDue] = []
    for st in classroom.students:
        plan = classroom.plans.get(st.id)
        if plan is None:
            continue
        mine = week.of(st.id) if week is not None else None
        rank = {g: i for i, g in enumerate(mine.priority)} if mine else {}
        planned = {d.goal: d for d in mine.data if d.goal} if mine else {}
        for g in sorted(plan.current(today), key=lambda g: rank.get(g.id, len(rank))):  # retired: never due
            this_week = planned.get(g.id)
            collectors = (this_week.who if this_week and this_week.who else g.collect_by)
            if g.kind == "abc" or not collectors or (g.days and weekday not in g.days):
                continue
            if (st.id, g.id) in done:
                continue
            due.extend(DataDue(staff, st.id, g.id, g.kind, g.when, rank.get(g.id)) for staff in collectors)
    # priority goals first for each adult (the pane groups by adult; the order within is kept)
    return sorted(due, key=lambda d: d.priority is None)


# -- ABC ------------------------------------------------------------------------------------------

def time_of_day(t: datetime) -> str:
    return "morning" if t.hour < 11 else "midday" if t.hour < 13 else "afternoon"


def abc_patterns(records: Iterable[Entry], behavior: str | None = None) -> AbcPatterns:
    rs = [r for r in records if r.kind == "abc" and (behavior is None or r.behavior == behavior)]

    def top(values: Iterable[str | None]) -> tuple[tuple[str, int], ...]:
        return tuple(Counter(v for v in values if v).most_common())

    times = Counter(time_of_day(r.time) for r in rs)
    return AbcPatterns(len(rs), top(r.antecedent for r in rs), top(r.consequence for r in rs),
                       top(r.setting for r in rs),
                       tuple((k, times[k]) for k in ("morning", "midday", "afternoon") if times[k]),
                       top(r.behavior for r in rs))


def unit_of(kind: str) -> str:
    return "%" if kind in PERCENT_KINDS else "s" if kind in ("duration", "latency") else "count"


def students_events(events: Iterable[Event], student: str) -> list[Event]:
    """Only what a report or the student screen of one student reads (their data, ABC and timer
    events, and retracts): a year's journal is mostly moves and tasks."""
    return [e for e in events if e.type == "retract"
            or (e.type in DATA_TYPES and e.payload.get("student") == student)]
