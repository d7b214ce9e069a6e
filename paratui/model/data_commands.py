"""Quick logging: the changes a para makes while collecting data on a student's IEP goals.

Built on the command layer (paratui.model.commands: resolving names, refusals, the permission hook,
`Change`); the goals come from `students/<id>.toml` (paratui.model.goals). `describe` in
paratui.model.commands reads these events back like every other.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from paratui.model.classroom import Student
from paratui.model.commands import Change, Context, Refused, _change, _student, _text
from paratui.model.datalog import (
    PHASE_KINDS,
    SESSION_TYPES,
    TIMER_TYPES,
    SessionMark,
    Timer,
    is_ioa,
    observed_at,
    open_sessions,
    running_timers,
    session_marks,
)
from paratui.model.events import Event, elapsed, live_events
from paratui.model.goals import TIMED, Goal, StudentPlan
from paratui.model.ioa import SITTING_GAP
from paratui.model.text import COMMENT_LIMIT, clean


def _goal(ctx: Context, student: str, goal: str | None) -> tuple[Student, StudentPlan, Goal]:
    st = _student(ctx, student)
    plan = ctx.classroom.plans.get(st.id)
    if plan is None or not plan.goals:
        raise Refused(f"{clean(st.initials)} has no goals (students/{st.id}.toml)", "goal")
    g = plan.goal(goal) if goal and goal.strip() else None
    today = ctx.now.date()
    if g is not None and g.retired_by(today) and g.retired is not None:
        raise Refused(f"goal: {clean(g.id)} was retired on {g.retired.isoformat()} (students/{st.id}.toml): no "
                      "more data is taken for it; its data stays in the reports", "goal")
    if g is None:
        choices = ", ".join(f"{x.id} ({x.kind})" for x in plan.current(today))
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


LATE_LIMIT = timedelta(days=365)  # paper data older than a year is refused: a typo, or for the archive
_AT = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")


def observed(ctx: Context, at: str | None, field: str = "at") -> datetime | None:
    """A late entry's observation time, "YYYY-MM-DD HH:MM" (paper data typed in later), or None (now).
    Refused, naming the field: malformed, in the future, or more than a year back."""
    if at is None or not at.strip():
        return None
    raw = at.strip()
    try:
        if not _AT.fullmatch(raw):
            raise ValueError
        when = datetime.fromisoformat(raw)
    except ValueError:
        raise Refused(f"{field}: {clean(raw, limit=30)!r} is not a time like 2026-11-20 10:05 "
                      "(when the observation was made)", field) from None
    if when > ctx.now:
        raise Refused(f"{field}: {when:%Y-%m-%d %H:%M} is in the future (now {ctx.now:%Y-%m-%d %H:%M}); "
                      "a late entry is of an observation already made", field)
    if ctx.now - when > LATE_LIMIT:
        raise Refused(f"{field}: {when:%Y-%m-%d %H:%M} is more than a year back; check the date", field)
    return when


def _stamp(when: datetime | None) -> str | None:
    """The observation time as stored: ISO 8601 with this machine's UTC offset (as the event's own)."""
    return None if when is None else when.astimezone().isoformat(timespec="seconds")


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


def _session_of(ctx: Context, student: str, goal: Goal, session: str | None, when: datetime | None) -> str | None:
    """The session an entry goes to: `session` as given (a session.start id of this student and
    goal, by its id or its first characters; or, from the board, a run's own id, "run-…"), else the
    acting adult's declared session of this goal still open (an entry of now, not a late one), else
    none: the implied session (docs/reports.md)."""
    if session is None or not session.strip():
        if when is not None:
            return None
        mine = open_sessions(ctx.events, student, goal.id, ctx.actor, ctx.now.date())
        return mine[-1].id if mine else None
    ref = session.strip()
    if ref.startswith("run-") and re.fullmatch(r"run-[0-9a-zA-Z]{4,40}", ref):
        return ref
    marks = session_marks([e for e in ctx.events if e.type in SESSION_TYPES or e.type == "retract"], student)
    hits = [m for m in marks.values() if m.id == ref] or \
        ([m for m in marks.values() if m.id.startswith(ref)] if len(ref) >= 6 else [])
    if len(hits) != 1 or hits[0].goal != goal.id:
        known = ", ".join(f"{m.id[:8]} ({m.goal} {m.start:%m-%d %H:%M})" for m in marks.values()) or "none"
        raise Refused(f"session: {clean(ref, limit=40)!r} is not a session of {clean(goal.id)} "
                      f"(this student's sessions read: {clean(known, limit=300)})", "session")
    return hits[0].id


def log(ctx: Context, student: str, goal: str, value: str | None = None, prompt: str | None = None,
        note: str | None = None, step: str | None = None, at: str | None = None,
        session: str | None = None, ioa: bool = False) -> Change:
    """One observation for a goal: `+`/`-` (trials, interval, mts; `missed` for an interval
    prompt nobody answered), a count (tally, default 1; 0 is a day observed with none), seconds
    (duration, latency), or a step's prompt level (task analysis: `step` is its number or name;
    default the step after that day's last). `at`: a late entry's observation time ("YYYY-MM-DD
    HH:MM", paper data typed in later): stored as the payload's `observed`, the event's own time
    staying the time it was entered. `ioa`: an inter-observer agreement observation (a second adult's
    record of the session, paratui.model.ioa): payload `ioa: true`, never in the goal's data;
    refused when the writer is the session's primary observer."""
    st, plan, g = _goal(ctx, student, goal)
    when = observed(ctx, at)
    if ioa:
        _second_observer(ctx, st, g, when or ctx.now)
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
        if raw and not (raw.isdigit() and int(raw) <= 1000):  # 0: observed, none (a reduction goal's best day)
            raise Refused(f"value: a tally takes a count from 0 to 1000 (default 1), not {clean(raw, limit=20)!r}",
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
        payload["step"] = _step(ctx, st.id, g, step, (when or ctx.now).date(), ioa)
        payload["value"] = "-" if raw == "-" else "+"
        payload["prompt"] = None if raw == "-" else level
    payload["note"] = _text(note, "note", required=False)
    payload["observed"] = _stamp(when)
    payload["session"] = _session_of(ctx, st.id, g, session, when)
    payload["ioa"] = True if ioa else None
    return _change(ctx, "data", {k: v for k, v in payload.items() if v is not None})


def _second_observer(ctx: Context, st: Student, g: Goal, when: datetime) -> None:
    """An IOA observation is a second adult's: refused when the writer recorded this goal's data
    (not as IOA) in the same sitting (within paratui.model.ioa.SITTING_GAP of `when`)."""
    if g.kind == "abc":
        return  # refused below: ABC goals are recorded with `abc`
    for e in live_events(ctx.events):
        if (e.type in ("data", "timer.stop") and e.staff == ctx.actor and not is_ioa(e)
                and e.payload.get("student") == st.id and e.payload.get("goal") == g.id
                and abs(observed_at(e) - when) <= SITTING_GAP):
            raise Refused(f"ioa: you recorded {clean(st.initials)} · {clean(g.id)} yourself at "
                          f"{observed_at(e):%H:%M}: an IOA observation is a second adult's record of the "
                          "session; the primary observer cannot check their own data", "ioa")


def _step(ctx: Context, student: str, g: Goal, step: str | None, day: date | None = None,
          ioa: bool = False) -> int:
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
    day = day or ctx.now.date()
    for e in live_events(ctx.events):
        if (e.type == "data" and observed_at(e).date() == day and e.payload.get("student") == student
                and e.payload.get("goal") == g.id and isinstance(e.payload.get("step"), int)
                and is_ioa(e) == ioa):  # an IOA observer's steps follow their own
            last = e.payload["step"]
    return last % n + 1


def next_step(ctx: Context, student: str, goal: str, ioa: bool = False) -> int:
    """The step a task analysis entry goes to by default: the one after today's last (1 to start;
    an IOA observer's: after their own IOA steps)."""
    st, _, g = _goal(ctx, student, goal)
    if g.kind != "task_analysis":
        raise Refused(f"step: only task analysis goals have steps ({clean(g.id)} is {g.kind})", "step")
    return _step(ctx, st.id, g, None, ioa=ioa)


def _timer_goal(ctx: Context, student: str, goal: str) -> tuple[Student, Goal]:
    st, _, g = _goal(ctx, student, goal)
    if g.kind not in TIMED:
        raise Refused(f"goal {clean(g.id)} is {g.kind}: timers are for duration and latency goals", "goal")
    return st, g


def _running(ctx: Context, student: str, goal: str) -> Timer | None:
    """The goal's timer still running, of any day read (a timer left running overnight is kept)."""
    return next((t for t in running_timers(live_events(_timers(ctx))) if t.student == student and t.goal == goal),
                None)


def _timers(ctx: Context) -> list[Event]:
    """The timer events read (and retracts, which may undo one): a few of the day's."""
    return [e for e in ctx.events if e.type in TIMER_TYPES or e.type == "retract"]


def _since(t: Timer, now: datetime) -> str:
    """"since 14:02", "since yesterday 14:02", "since Friday 2026-11-20 14:02"."""
    days = (now.date() - t.started.date()).days
    if days <= 0:
        return f"since {t.started:%H:%M:%S}"
    if days == 1:
        return f"since yesterday {t.started:%H:%M}"
    return f"since {t.started:%A %Y-%m-%d %H:%M}"


def timer_start(ctx: Context, student: str, goal: str, session: str | None = None) -> Change:
    st, g = _timer_goal(ctx, student, goal)
    running = _running(ctx, st.id, g.id)
    if running is not None:
        raise Refused(f"the timer for {clean(st.initials)} · {clean(g.id)} is already running "
                      f"({_since(running, ctx.now)}); stop it first"
                      + (" with --end HH:MM (when it really stopped)" if running.started.date() < ctx.now.date()
                         else ""), "goal")
    sid = _session_of(ctx, st.id, g, session, None)
    return _change(ctx, "timer.start", {"student": st.id, "goal": g.id, **({"session": sid} if sid else {})})


_END = re.compile(r"(?:(\d{4}-\d{2}-\d{2})[ T])?(\d{1,2}):(\d{2})")


def _end(ctx: Context, running: Timer, end: str) -> datetime:
    """A corrected end: "HH:MM" (on the day the timer started) or "YYYY-MM-DD HH:MM"; after the
    start, not in the future."""
    m = _END.fullmatch(end.strip())
    try:
        if not m:
            raise ValueError
        day = date.fromisoformat(m.group(1)) if m.group(1) else running.started.date()
        when = datetime.combine(day, datetime.min.time()).replace(hour=int(m.group(2)), minute=int(m.group(3)))
    except ValueError:
        raise Refused(f"end: {clean(end, limit=30)!r} is not a time like 15:10 or 2026-11-20 15:10 "
                      "(when the timer should have stopped)", "end") from None
    if when < running.started:
        raise Refused(f"end: {when:%Y-%m-%d %H:%M} is before the timer started "
                      f"({running.started:%Y-%m-%d %H:%M})", "end")
    if when > ctx.now:
        raise Refused(f"end: {when:%Y-%m-%d %H:%M} is in the future (now {ctx.now:%Y-%m-%d %H:%M})", "end")
    return when


def timer_stop(ctx: Context, student: str, goal: str, end: str | None = None) -> Change:
    """Stop the goal's running timer now, or at a corrected `end` (stored as the payload's
    `observed`: the episode is of then). A timer running since an earlier day is not stopped
    without an end (its episode would run overnight): refused, saying since when."""
    st, g = _timer_goal(ctx, student, goal)
    running = _running(ctx, st.id, g.id)
    if running is None:
        others = running_timers(live_events(_timers(ctx)))
        listing = ", ".join(f"{t.student} {t.goal} {_since(t, ctx.now)}" for t in others) or "none"
        raise Refused(f"no timer is running for {clean(st.initials)} · {clean(g.id)} "
                      f"(running: {clean(listing)})", "goal")
    when = _end(ctx, running, end) if end is not None and end.strip() else None
    if when is None and running.started.date() < ctx.now.date():
        raise Refused(f"the timer for {clean(st.initials)} · {clean(g.id)} is running {_since(running, ctx.now)}: "
                      f"stop it with --end HH:MM (when it really stopped, on {running.started:%Y-%m-%d}) "
                      "or --end 'YYYY-MM-DD HH:MM'", "end")
    seconds = max(0.0, round(elapsed(running.started, when or ctx.now), 1))  # by the instant (DST)
    payload: dict[str, Any] = {"student": st.id, "goal": g.id, "start": running.start, "seconds": seconds}
    if when is not None:
        payload["observed"] = _stamp(when)
    start_ev = next((e for e in ctx.events if e.id == running.start), None)
    if start_ev is not None and start_ev.payload.get("session"):
        payload["session"] = start_ev.payload["session"]
    return _change(ctx, "timer.stop", payload)


def session_start(ctx: Context, student: str, goal: str, setting: str | None = None,
                  at: str | None = None) -> Change:
    """Begin an observation session of a goal (its id is this event's): entries of this goal the
    same adult makes until `session_end` go to it. One open session per adult and goal."""
    st, _, g = _goal(ctx, student, goal)
    when = observed(ctx, at)
    mine = open_sessions(ctx.events, st.id, g.id, ctx.actor, ctx.now.date())  # an earlier day's: not open
    if mine and when is None:
        raise Refused(f"a session of {clean(st.initials)} · {clean(g.id)} is already open "
                      f"(since {mine[-1].start:%Y-%m-%d %H:%M}, id {mine[-1].id[:8]}): end it first", "goal")
    payload = {"student": st.id, "goal": g.id, "setting": _text(setting, "setting", required=False, limit=60),
               "observed": _stamp(when)}
    return _change(ctx, "session.start", {k: v for k, v in payload.items() if v is not None})


def session_end(ctx: Context, student: str, goal: str, session: str | None = None,
                at: str | None = None) -> Change:
    """End the acting adult's open session of the goal (or the one `session` names)."""
    st, _, g = _goal(ctx, student, goal)
    when = observed(ctx, at)
    if session and session.strip():
        sid = _session_of(ctx, st.id, g, session, None)
        mark: SessionMark | None = session_marks(ctx.events, st.id).get(sid or "")
        if mark is None or mark.end is not None:
            raise Refused(f"session: {clean(session, limit=40)!r} is not open", "session")
    else:
        day = (when or ctx.now).date()  # a session typed in later (--at): that day's
        mine = open_sessions(ctx.events, st.id, g.id, ctx.actor, day)
        if not mine:
            others = open_sessions(ctx.events, st.id, g.id, day=day)
            listing = ", ".join(f"{m.id[:8]} by {m.staff} since {m.start:%H:%M}" for m in others) or "none"
            raise Refused(f"no session of {clean(st.initials)} · {clean(g.id)} is open for you "
                          f"(open: {clean(listing)}; --session ID ends another's)", "session")
        mark = mine[-1]
    if when is not None and when < mark.start:
        raise Refused(f"at: {when:%Y-%m-%d %H:%M} is before the session began ({mark.start:%Y-%m-%d %H:%M})", "at")
    payload = {"student": st.id, "goal": g.id, "session": mark.id, "observed": _stamp(when)}
    return _change(ctx, "session.end", {k: v for k, v in payload.items() if v is not None})


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
        consequence: str | None = None, setting: str | None = None, note: str | None = None,
        at: str | None = None) -> Change:
    """An ABC record: the behavior (one of the student's, by id, name or number), and the
    antecedent, consequence and setting from its pick lists (by number or text; other text kept).
    `at`: a late entry's observation time, as for `log`."""
    st = _student(ctx, student)
    when = observed(ctx, at)
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
               "note": _text(note, "note", required=False), "observed": _stamp(when)}
    return _change(ctx, "abc", {k: v for k, v in payload.items() if v is not None})


def phase(ctx: Context, student: str, goal: str, name: str | None, kind: str | None = None) -> Change:
    """A new phase on a goal (a condition line, Cooper et al.): its sessions from today on are in
    this phase, until the next one. `kind`: baseline, intervention (the default), maintenance or
    generalisation (British spelling; "generalization" is taken too). The teacher's change."""
    st, _, g = _goal(ctx, student, goal)
    raw = (kind or "intervention").strip().casefold().replace("generalization", "generalisation")
    if raw not in PHASE_KINDS:
        raise Refused(f"kind: {clean(kind or '', limit=20)!r} is not a phase kind: {', '.join(PHASE_KINDS)}", "kind")
    text = _text(name, "name", required=True, limit=60)
    return _change(ctx, "phase", {"student": st.id, "goal": g.id, "name": text, "kind": raw})


def progress(ctx: Context, student: str, goal: str, period: str | None, status: str | None,
             comment: str | None = None) -> Change:
    """The teacher's progress statement on a goal for a reporting period (`[[periods]]`), one of the
    room's `[data] progress_scale`, with an optional free comment: the IEP progress report prints
    the newest one. The teacher's change (rule `progress`)."""
    st, _, g = _goal(ctx, student, goal)
    periods = ctx.classroom.periods
    hit = ctx.classroom.period(period) if period and period.strip() else None
    if hit is None:
        listed = ", ".join(p.name for p in periods) or "none: add [[periods]] to classroom.toml"
        what = "missing" if not (period and period.strip()) else f"{clean(period, limit=20)!r} is not a period"
        raise Refused(f"period: {what}; the room's periods: {clean(listed)}", "period")
    scale = ctx.classroom.progress_scale
    said = next((x for x in scale if status and x.casefold() == status.strip().casefold()), None)
    if said is None:
        raise Refused(f"status: {'missing' if not (status and status.strip()) else 'not on the scale'}; one of: "
                      + "; ".join(clean(x, limit=60) for x in scale), "status")
    payload = {"student": st.id, "goal": g.id, "period": hit.name, "status": said,
               "comment": _text(comment, "comment", required=False, limit=COMMENT_LIMIT)}
    return _change(ctx, "progress", {k: v for k, v in payload.items() if v is not None})
