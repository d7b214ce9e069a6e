"""Every change a person can make to the room, defined once.

The CLI and the board's keys both call these functions with what the person typed or picked (ids,
initials, labels, "14:30"). Each one resolves the names, checks the request against the classroom,
the journal and the clock, asks the permission hook, and returns a `Change`: the event's type and
payload (shaped as `paratui.model.events.PAYLOADS` says) plus how it reads back ("Mr. T took K.B. to
Bathroom"). `paratui.store.room.Room.apply` writes it. Anything wrong raises `Refused` (the CLI exits
2, the board keeps the form open); nothing is written.

Adding an event type: its payload in `model/events.py`, its command and read-back here, its effect
on the board in `model/board.py`; then a CLI sub-command (`cli.py`) and a key (an entry in
`app/actions.py`'s ACTIONS and its `action_<name>` on `app/board_screen.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from functools import cached_property
from typing import Any, Callable, Iterable, Sequence

from paratui.model.board import FAR_DUE, BoardState, build_board
from paratui.model.classroom import Classroom, Location, Staff, Student
from paratui.model.datalog import running_timers
from paratui.model.events import TASK_TYPES, Event, last_undoable, live_events
from paratui.model.goals import TIMED, Goal, StudentPlan
from paratui.model.resolve import NotFound, find_location, find_staff, find_student
from paratui.model.schedule import Schedule
from paratui.model.text import clean

TEXT_LIMIT = 500  # a task or activity longer than this is a paste gone wrong
FAR = FAR_DUE  # dates further than this from today are typos (year 1, 9999…); the board warns too
END_OF_SCHOOL_DAY = time(15, 0)


class Refused(Exception):
    """The request cannot be recorded as asked. `field` names the form field or option at fault."""

    exit_code = 2

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(Refused):
    """The person's role may not do this (the permission hook said no). The CLI exits 3."""

    exit_code = 3


# The permission hook: (action, context, payload) → a reason to refuse, or None to allow.
Permit = Callable[[str, "Context", dict], "str | None"]


def allow_everything(action: str, ctx: "Context", payload: dict) -> str | None:
    return None


class Context:
    """What a command is checked against: the room, the journal as read, the clock, who is acting."""

    def __init__(self, classroom: Classroom, schedule: Schedule, events: Sequence[Event], now: datetime,
                 actor: str, permit: Permit = allow_everything):
        self.classroom = classroom
        self.schedule = schedule
        self.events = events
        self.now = now
        self.actor = actor
        self.permit = permit

    @cached_property
    def board(self) -> BoardState:
        return build_board(self.classroom, self.schedule, self.events, self.now)

    @cached_property
    def me(self) -> Staff:
        return self.classroom.staff_by_id()[self.actor]


@dataclass(frozen=True)
class Change:
    """One event to write, and how it reads back to the person who asked for it."""

    type: str
    payload: dict[str, Any]
    text: str
    task_stream: bool = False  # tasks (and undoing them) live in the month's task files


# -- names and times ------------------------------------------------------------------------------

def _one(find: Callable[[Classroom, str], Any], ctx: Context, query: str | None, field: str) -> Any:
    if query is None or not str(query).strip():
        raise Refused(f"{field}: missing", field)
    try:
        return find(ctx.classroom, str(query))
    except NotFound as e:
        raise Refused(clean(str(e)), field) from None


def _student(ctx: Context, query: str | None, field: str = "student") -> Student:
    return _one(find_student, ctx, query, field)


def _staff(ctx: Context, query: str | None, field: str = "staff") -> Staff:
    return _one(find_staff, ctx, query, field)


def _place(ctx: Context, query: str | None, field: str = "to") -> Location:
    return _one(find_location, ctx, query, field)


def students_from(ctx: Context, refs: Iterable[str] | str, field: str = "students") -> list[str]:
    """Student ids from ids, initials, group names and `all`, like schedule.toml; order kept, no repeats."""
    if isinstance(refs, str):
        refs = refs.replace(",", " ").split()
    ids: list[str] = []
    for ref in refs:
        if ref.casefold() == "all":
            ids.extend(s.id for s in ctx.classroom.students)
        elif ref in ctx.classroom.groups:
            ids.extend(ctx.classroom.groups[ref])
        else:
            ids.append(_student(ctx, ref, field).id)
    return list(dict.fromkeys(ids))


_HHMM = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


def parse_time(text: str, now: datetime, field: str) -> datetime:
    """A time a person typed: HH:MM (today), YYYY-MM-DD (that day at the end of school) or
    YYYY-MM-DDTHH:MM. Anything else, or a date years away, is refused naming the field."""
    raw = text.strip()
    hint = f"{field}: {clean(raw, limit=40)!r} is not a time like 14:30 or a date like 2026-11-25"
    if m := _HHMM.fullmatch(raw):
        return datetime.combine(now.date(), time(int(m.group(1)), int(m.group(2))))
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            when = datetime.combine(datetime.fromisoformat(raw).date(), END_OF_SCHOOL_DAY)
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?", raw):
            when = datetime.fromisoformat(raw)
        else:
            raise ValueError
    except ValueError:
        raise Refused(hint, field) from None
    if abs(when - now) > FAR:
        raise Refused(f"{field}: {when:%Y-%m-%d} is years away from today; check the date", field)
    return when


def _until(ctx: Context, text: str | None, field: str = "until") -> str | None:
    """An end time that is still ahead: one already over when recorded would change nothing."""
    if text is None or not text.strip():
        return None
    when = parse_time(text, ctx.now, field)
    if when <= ctx.now:
        raise Refused(f"{field}: {when:%H:%M} is already over (it is {ctx.now:%H:%M} now)", field)
    return when.isoformat(timespec="minutes")


def _text(value: str | None, field: str, required: bool) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise Refused(f"{field}: cannot be empty", field)
        return None
    if len(value) > TEXT_LIMIT:
        raise Refused(f"{field}: {len(value)} characters; at most {TEXT_LIMIT}", field)
    return value


def _allowed(ctx: Context, action: str, payload: dict) -> None:
    reason = ctx.permit(action, ctx, payload)
    if reason:
        raise NotAllowed(reason)


def _change(ctx: Context, type_: str, payload: dict, action: str | None = None,
            task_stream: bool = False) -> Change:
    _allowed(ctx, action or type_, payload)
    event = Event("", type_, ctx.now, 0, ctx.actor, "", "", payload)
    return Change(type_, payload, describe(event, ctx.classroom, ctx.events),
                  task_stream or type_ in TASK_TYPES)


# -- the commands ---------------------------------------------------------------------------------

def move(ctx: Context, student: str, to: str, with_: Sequence[str] | None = None) -> Change:
    """A student goes somewhere. Out of the room, the acting adult goes along unless `with_` names
    others (an empty list: nobody). To a place in the room or an `away` place, no adult goes."""
    st = _student(ctx, student)
    place = _place(ctx, to)
    row = next(r for r in ctx.board.students if r.id == st.id)
    if row.location == place.id:
        raise Refused(f"{clean(st.initials)} is already at {clean(place.label)}", "to")
    if place.kind != "out":
        escorts: list[str] = []
    elif with_ is None:
        escorts = [ctx.actor]
    else:
        escorts = list(dict.fromkeys(_staff(ctx, w, "with").id for w in with_))
    return _change(ctx, "move", {"student": st.id, "to": place.id, "with": escorts})


def back(ctx: Context, student: str) -> Change:
    """A student is back in the classroom (until the next block says otherwise)."""
    st = _student(ctx, student)
    row = next(r for r in ctx.board.students if r.id == st.id)
    if row.location == ctx.classroom.home.id and not row.out:
        raise Refused(f"{clean(st.initials)} is not out: already in {clean(ctx.classroom.home.label)}", "student")
    return _change(ctx, "back", {"student": st.id})


def assign(ctx: Context, staff: str, students: Iterable[str] | str = (), at: str | None = None,
           activity: str | None = None, until: str | None = None) -> Change:
    """Today's change: an adult with these students, there, doing this, until then (default: the end
    of the current block)."""
    who = _staff(ctx, staff)
    ids = students_from(ctx, students)
    place = _place(ctx, at, "at").id if at and at.strip() else None
    payload = {"staff": who.id, "students": ids, "at": place,
               "activity": _text(activity, "activity", required=False), "until": _until(ctx, until)}
    action = "assign.self" if who.id == ctx.actor else "assign.other"
    return _change(ctx, "assign", payload, action)


def absent(ctx: Context, staff: str, sub: str | None = None, until: str | None = None) -> Change:
    """An adult is out today (or until a time); the sub, if any, takes their place in the schedule."""
    who = _staff(ctx, staff)
    cover = _staff(ctx, sub, "sub") if sub and sub.strip() else None
    if cover is not None and cover.id == who.id:
        raise Refused(f"sub: {clean(who.short)} cannot sub for themselves", "sub")
    if cover is not None:
        card = next((c for c in ctx.board.staff if c.id == cover.id), None)
        if card is not None and card.source == "absent":
            raise Refused(f"sub: {clean(cover.short)} is out today too", "sub")
    payload = {"staff": who.id, "sub": cover.id if cover else None, "until": _until(ctx, until)}
    return _change(ctx, "absent", payload)


def task_add(ctx: Context, text: str, for_: str | None = None, due: str | None = None) -> Change:
    body = _text(text, "text", required=True)
    owner = _staff(ctx, for_, "for").id if for_ and for_.strip() else None
    when = parse_time(due, ctx.now, "due").isoformat(timespec="minutes") if due and due.strip() else None
    return _change(ctx, "task.add", {"text": body, "for": owner, "due": when})


def find_task(events: Iterable[Event], query: str) -> Event:
    """An open or done task by the first letters of its id (as the board shows them)."""
    tasks = [e for e in live_events(events) if e.type == "task.add"]
    q = query.strip().lower()
    hits = [e for e in tasks if e.id.startswith(q)] if q else []
    if len(hits) == 1:
        return hits[0]
    listing = "; ".join(f"{e.id[:6]} {clean(e.payload['text'], limit=40)}" for e in (hits or tasks)[:20])
    what = "matches more than one task" if hits else "matches no task"
    raise Refused(f"{clean(query, limit=20)!r} {what}: {listing or 'there are no tasks'}", "task")


def task_done(ctx: Context, task: str) -> Change:
    added = find_task(ctx.events, task)
    done = next((e for e in live_events(ctx.events)
                 if e.type == "task.done" and e.payload.get("task") == added.id), None)
    if done is not None:
        by = ctx.classroom.staff_by_id().get(done.staff or "")
        raise Refused(f"task {added.id[:6]} is already done"
                      f" (by {clean(by.short) if by else 'someone'} at {done.time:%H:%M})", "task")
    return _change(ctx, "task.done", {"task": added.id})


def undo(ctx: Context) -> Change | None:
    """Retract the acting person's newest change still in force; None when there is none."""
    target = last_undoable(ctx.events, ctx.actor)
    if target is None:
        return None
    payload = {"target": target.id}
    _allowed(ctx, "undo", payload)
    event = Event("", "retract", ctx.now, 0, ctx.actor, "", "", payload)
    return Change("retract", payload, describe(event, ctx.classroom, ctx.events),
                  target.type in TASK_TYPES)


# -- quick logging (students/<id>.toml goals) -------------------------------------------------------

def _goal(ctx: Context, student: str, goal: str | None) -> tuple[Student, StudentPlan, Goal]:
    st = _student(ctx, student)
    plan = ctx.classroom.plans.get(st.id)
    if plan is None or not plan.goals:
        raise Refused(f"{clean(st.initials)} has no goals (students/{st.id}.toml)", "goal")
    g = plan.goal(goal) if goal and goal.strip() else None
    if g is None:
        choices = ", ".join(f"{x.id} ({x.kind})" for x in plan.goals)
        what = "missing" if not (goal and goal.strip()) else "not one of their goals"
        raise Refused(f"goal: {what}; {clean(st.initials)}'s goals: {clean(choices)}", "goal")
    return st, plan, g


def _prompt(ctx: Context, prompt: str | None) -> str | None:
    if prompt is None or not prompt.strip():
        return None
    hit = next((p for p in ctx.classroom.prompts if p.casefold() == prompt.strip().casefold()), None)
    if hit is None:
        raise Refused(f"prompt: {clean(prompt, limit=10)!r} is not one of the room's prompt codes: "
                      f"{', '.join(ctx.classroom.prompts)} (most to least intrusive)", "prompt")
    return hit


_SECONDS = re.compile(r"(?:(\d{1,3}):([0-5]\d)|(\d+(?:\.\d+)?)\s*(s|sec|m|min)?)")


def parse_seconds(text: str, field: str = "value") -> float:
    """"90", "90s", "1:30", "2m" → seconds (above 0, under a day)."""
    m = _SECONDS.fullmatch(text.strip().lower())
    if not m:
        raise Refused(f"{field}: {clean(text, limit=20)!r} is not a time: seconds (90), m:ss (1:30) or "
                      "minutes (2m)", field)
    if m.group(1):
        secs = float(int(m.group(1)) * 60 + int(m.group(2)))
    else:
        secs = float(m.group(3)) * (60 if m.group(4) in ("m", "min") else 1)
    if not 0 <= secs < 86400:
        raise Refused(f"{field}: {secs:g} seconds is more than a day", field)
    return secs


def log(ctx: Context, student: str, goal: str, value: str | None = None, prompt: str | None = None,
        note: str | None = None, step: str | None = None) -> Change:
    """One observation for a goal: `+`/`-` (trials, interval, mts; `missed` for an interval
    prompt nobody answered), a count (tally, default 1), seconds (duration, latency), or a step's
    prompt level (task analysis: `step` is its number or name; default the step after today's last)."""
    st, plan, g = _goal(ctx, student, goal)
    raw = (value or "").strip()
    level = _prompt(ctx, prompt)
    payload: dict[str, Any] = {"student": st.id, "goal": g.id}
    kind = g.kind
    if kind == "abc":
        raise Refused(f"goal {clean(g.id)} is an ABC goal: record it with `abc` "
                      f"(behavior {clean(g.behavior or '?')})", "goal")
    if level is not None and kind not in ("trials", "task_analysis"):
        raise Refused(f"prompt: {kind} goals take no prompt level", "prompt")
    if step and kind != "task_analysis":
        raise Refused(f"step: only task analysis goals have steps ({clean(g.id)} is {kind})", "step")
    if kind == "tally":
        if raw and not (raw.isdigit() and 0 < int(raw) <= 1000):
            raise Refused(f"value: a tally takes a count from 1 to 1000 (default 1), not {clean(raw, limit=20)!r}",
                          "value")
        payload["count"] = int(raw) if raw else 1
    elif kind == "trials":
        if raw not in ("+", "-"):
            raise Refused(f"value: a trial is + (correct) or - (incorrect), with --prompt "
                          f"{'/'.join(ctx.classroom.prompts)}", "value")
        payload["value"] = raw
        payload["prompt"] = level or (ctx.classroom.independent if raw == "+" else None)
    elif kind in ("interval", "mts"):
        if raw not in ("+", "-", "missed"):
            raise Refused("value: an interval is + (it happened), - (it did not) or missed", "value")
        payload["value"] = raw
    elif kind in TIMED:
        if not raw:
            raise Refused(f"value: a {kind} takes seconds (90, 1:30, 2m), or use the timer", "value")
        payload["seconds"] = parse_seconds(raw)
    elif kind == "task_analysis":
        if raw == "-":
            if level is not None:
                raise Refused("prompt: a step not done (-) takes no prompt level", "prompt")
        else:
            shown = _prompt(ctx, raw) if raw else level
            if raw and level is not None and shown != level:
                raise Refused("value and --prompt disagree: give the step's level once", "prompt")
            if shown is None:
                raise Refused(f"value: a step's prompt level ({', '.join(ctx.classroom.prompts)}) or - "
                              "(not done)", "value")
            level = shown
        payload["step"] = _step(ctx, st.id, g, step)
        payload["value"] = "-" if raw == "-" else "+"
        payload["prompt"] = None if raw == "-" else level
    payload["note"] = _text(note, "note", required=False)
    return _change(ctx, "data", {k: v for k, v in payload.items() if v is not None})


def _step(ctx: Context, student: str, g: Goal, step: str | None) -> int:
    n = len(g.steps)
    listing = "; ".join(f"{i} {clean(x, limit=30)}" for i, x in enumerate(g.steps, 1))
    if step and step.strip():
        ref = step.strip()
        if ref.isdigit() and 1 <= int(ref) <= n:
            return int(ref)
        hit = [i for i, x in enumerate(g.steps, 1) if x.casefold().startswith(ref.casefold())]
        if len(hit) == 1:
            return hit[0]
        raise Refused(f"step: not one of the steps: {listing}", "step")
    last = 0
    for e in live_events(ctx.events):
        if (e.type == "data" and e.time.date() == ctx.now.date() and e.payload.get("student") == student
                and e.payload.get("goal") == g.id and isinstance(e.payload.get("step"), int)):
            last = e.payload["step"]
    return last % n + 1


def _timer_goal(ctx: Context, student: str, goal: str) -> tuple[Student, Goal]:
    st, _, g = _goal(ctx, student, goal)
    if g.kind not in TIMED:
        raise Refused(f"goal {clean(g.id)} is {g.kind}: timers are for duration and latency goals", "goal")
    return st, g


def _running(ctx: Context, student: str, goal: str):
    today = [e for e in live_events(ctx.events) if e.time.date() == ctx.now.date()]
    return next((t for t in running_timers(today) if t.student == student and t.goal == goal), None)


def timer_start(ctx: Context, student: str, goal: str) -> Change:
    st, g = _timer_goal(ctx, student, goal)
    running = _running(ctx, st.id, g.id)
    if running is not None:
        raise Refused(f"the timer for {clean(st.initials)} · {clean(g.id)} is already running "
                      f"(since {running.started:%H:%M:%S}); stop it first", "goal")
    return _change(ctx, "timer.start", {"student": st.id, "goal": g.id})


def timer_stop(ctx: Context, student: str, goal: str) -> Change:
    st, g = _timer_goal(ctx, student, goal)
    running = _running(ctx, st.id, g.id)
    if running is None:
        others = [t for t in running_timers([e for e in live_events(ctx.events)
                                             if e.time.date() == ctx.now.date()])]
        listing = ", ".join(f"{t.student} {t.goal}" for t in others) or "none"
        raise Refused(f"no timer is running for {clean(st.initials)} · {clean(g.id)} "
                      f"(running: {clean(listing)})", "goal")
    seconds = max(0.0, round((ctx.now - running.started).total_seconds(), 1))
    return _change(ctx, "timer.stop", {"student": st.id, "goal": g.id, "start": running.start,
                                       "seconds": seconds})


def _pick(value: str | None, choices: tuple[str, ...], field: str) -> str | None:
    """A pick-list entry by its number (1-based) or its text; other text is kept as typed."""
    text = _text(value, field, required=False)
    if text is None:
        return None
    if text.isdigit():
        if 1 <= int(text) <= len(choices):
            return choices[int(text) - 1]
        raise Refused(f"{field}: no entry {text} in the list: "
                      + "; ".join(f"{i} {clean(c, limit=30)}" for i, c in enumerate(choices, 1)), field)
    return next((c for c in choices if c.casefold() == text.casefold()), text)


def abc(ctx: Context, student: str, behavior: str | None, antecedent: str | None = None,
        consequence: str | None = None, setting: str | None = None, note: str | None = None) -> Change:
    """An ABC record: the behavior (one of the student's, by id, name or number), and the
    antecedent, consequence and setting from its pick lists (by number or text; other text kept)."""
    st = _student(ctx, student)
    plan = ctx.classroom.plans.get(st.id)
    behaviors = plan.behaviors if plan else ()
    if not behaviors:
        raise Refused(f"{clean(st.initials)} has no behaviors defined (students/{st.id}.toml)", "behavior")
    ref = (behavior or "").strip()
    b = behaviors[int(ref) - 1] if ref.isdigit() and 1 <= int(ref) <= len(behaviors) else \
        (plan.behavior(ref) if plan and ref else None)
    if b is None:
        listing = ", ".join(f"{x.id} ({x.name})" for x in behaviors)
        raise Refused(f"behavior: {'missing' if not ref else 'not one of theirs'}; {clean(st.initials)}'s "
                      f"behaviors: {clean(listing)}", "behavior")
    payload = {"student": st.id, "behavior": b.id,
               "antecedent": _pick(antecedent, b.antecedents, "antecedent"),
               "consequence": _pick(consequence, b.consequences, "consequence"),
               "setting": _pick(setting, b.settings, "setting"),
               "note": _text(note, "note", required=False)}
    return _change(ctx, "abc", {k: v for k, v in payload.items() if v is not None})


# -- reading back -----------------------------------------------------------------------------------

def describe(event: Event, classroom: Classroom, events: Iterable[Event] = ()) -> str:
    """One event as a short sentence, safe to show anywhere (every name passes through `clean`)."""
    staff = {s.id: s.short for s in classroom.staff}
    kids = {s.id: s.initials for s in classroom.students}
    places = {loc.id: loc for loc in classroom.locations}

    def adult(x: Any) -> str:
        return clean(staff.get(x, x) if isinstance(x, str) else "someone", limit=40)

    def kid(x: Any) -> str:
        return clean(kids.get(x, x) if isinstance(x, str) else "?", limit=20)

    def place(x: Any) -> str:
        loc = places.get(x) if isinstance(x, str) else None
        return clean(loc.label if loc else x, limit=40)

    def clock(raw: Any) -> str:
        return str(raw)[11:16] if raw else ""

    p = event.payload
    t = event.type
    if t == "move":
        to = places.get(str(p.get("to")))
        escorts = [adult(x) for x in p.get("with") or []]
        if to is not None and to.kind == "away":
            return f"{kid(p.get('student'))} is at {place(p.get('to'))}"
        if to is not None and to.kind == "room":
            return f"{kid(p.get('student'))} moved to {place(p.get('to'))}"
        if escorts:
            return f"{' and '.join(escorts)} took {kid(p.get('student'))} to {place(p.get('to'))}"
        return f"{kid(p.get('student'))} went to {place(p.get('to'))} alone"
    if t == "back":
        return f"{kid(p.get('student'))} is back in the room"
    if t == "assign":
        names = ", ".join(kid(s) for s in p.get("students") or []) or "no students"
        at = f" at {place(p['at'])}" if p.get("at") else ""
        doing = f" ({clean(p['activity'], limit=60)})" if p.get("activity") else ""
        until = f" until {clock(p['until'])}" if p.get("until") else " until the end of the block"
        return f"{adult(p.get('staff'))} is with {names}{at}{doing}{until}"
    if t == "absent":
        until = f" until {clock(p['until'])}" if p.get("until") else " today"
        sub = f"; {adult(p['sub'])} covers" if p.get("sub") else "; no sub"
        return f"{adult(p.get('staff'))} is out{until}{sub}"
    if t == "task.add":
        for_ = f" for {adult(p['for'])}" if p.get("for") else " for anyone"
        same_day = str(p.get("due"))[:10] == event.time.date().isoformat()
        due = f" (due {clock(p['due']) if same_day else str(p['due'])[:10]})" if p.get("due") else ""
        return f"task{for_}: {clean(p.get('text', ''), limit=80)}{due}"
    if t == "task.done":
        added = _event_by_id(events, p.get("task"))
        what = clean(added.payload.get("text", ""), limit=80) if added else str(p.get("task"))[:6]
        return f"task done: {what}"
    if t == "data":
        what = clean(p.get("goal", "?"), limit=40)
        if p.get("step") is not None:
            plan = classroom.plans.get(str(p.get("student")))
            g = plan.goal(str(p.get("goal"))) if plan else None
            n = p["step"]
            name = f" ({clean(g.steps[n - 1], limit=40)})" if g and isinstance(n, int) and 0 < n <= len(g.steps) else ""
            what += f" step {n}{name}"
        if p.get("count") is not None:
            said = f"+{p['count']:g}"
        elif p.get("seconds") is not None:
            said = seconds_text(p["seconds"])
        else:
            said = clean(p.get("value") or "", limit=10)
        if p.get("step") is not None:
            said = clean(p.get("prompt") or said, limit=10)
        elif p.get("prompt"):
            said = f"{said} at {clean(p['prompt'], limit=10)}"
        note = f" ({clean(p['note'], limit=60)})" if p.get("note") else ""
        return f"{kid(p.get('student'))} · {what}: {said}{note}"
    if t == "abc":
        bits = [f"{k[0].upper()}: {clean(p[k], limit=40)}" for k in ("antecedent", "consequence") if p.get(k)]
        if p.get("setting"):
            bits.insert(0, f"in {clean(p['setting'], limit=40)}")
        plan = classroom.plans.get(str(p.get("student")))
        b = plan.behavior(str(p.get("behavior"))) if plan else None
        name = clean(b.name if b else p.get("behavior", "?"), limit=40)
        return f"ABC for {kid(p.get('student'))}: {name}" + (f" ({'; '.join(bits)})" if bits else "")
    if t == "timer.start":
        return f"timer started: {kid(p.get('student'))} · {clean(p.get('goal', '?'), limit=40)}"
    if t == "timer.stop":
        return (f"timer stopped: {kid(p.get('student'))} · {clean(p.get('goal', '?'), limit=40)}, "
                f"{seconds_text(p.get('seconds'))}")
    if t == "retract":
        target = _event_by_id(events, p.get("target"))
        return f"undone: {describe(target, classroom, events)}" if target else \
            f"undone: {clean(str(p.get('target'))[:6])}"
    return f"{clean(t, limit=30)} by {adult(event.staff)}"


def seconds_text(value: Any) -> str:
    """Seconds as people say them: 45 s, 4 min 12 s, 1 h 5 min."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return "?"
    secs = int(round(value))
    if secs < 60:
        return f"{secs} s"
    if secs < 3600:
        return f"{secs // 60} min {secs % 60} s" if secs % 60 else f"{secs // 60} min"
    return f"{secs // 3600} h {secs % 3600 // 60} min"


def _event_by_id(events: Iterable[Event], eid: Any) -> Event | None:
    return next((e for e in events if e.id == eid), None) if isinstance(eid, str) else None
