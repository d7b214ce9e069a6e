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
from paratui.model.datalog import PHASE_KINDS, Timer, observed_at, running_timers
from paratui.model.events import live_events
from paratui.model.goals import TIMED, Goal, StudentPlan
from paratui.model.text import clean


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


def log(ctx: Context, student: str, goal: str, value: str | None = None, prompt: str | None = None,
        note: str | None = None, step: str | None = None, at: str | None = None) -> Change:
    """One observation for a goal: `+`/`-` (trials, interval, mts; `missed` for an interval
    prompt nobody answered), a count (tally, default 1; 0 is a day observed with none), seconds
    (duration, latency), or a step's prompt level (task analysis: `step` is its number or name;
    default the step after that day's last). `at`: a late entry's observation time ("YYYY-MM-DD
    HH:MM", paper data typed in later): stored as the payload's `observed`, the event's own time
    staying the time it was entered."""
    st, plan, g = _goal(ctx, student, goal)
    when = observed(ctx, at)
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
        payload["step"] = _step(ctx, st.id, g, step, (when or ctx.now).date())
        payload["value"] = "-" if raw == "-" else "+"
        payload["prompt"] = None if raw == "-" else level
    payload["note"] = _text(note, "note", required=False)
    payload["observed"] = _stamp(when)
    return _change(ctx, "data", {k: v for k, v in payload.items() if v is not None})


def _step(ctx: Context, student: str, g: Goal, step: str | None, day: date | None = None) -> int:
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
                and e.payload.get("goal") == g.id and isinstance(e.payload.get("step"), int)):
            last = e.payload["step"]
    return last % n + 1


def next_step(ctx: Context, student: str, goal: str) -> int:
    """The step a task analysis entry goes to by default: the one after today's last (1 to start)."""
    st, _, g = _goal(ctx, student, goal)
    if g.kind != "task_analysis":
        raise Refused(f"step: only task analysis goals have steps ({clean(g.id)} is {g.kind})", "step")
    return _step(ctx, st.id, g, None)


def _timer_goal(ctx: Context, student: str, goal: str) -> tuple[Student, Goal]:
    st, _, g = _goal(ctx, student, goal)
    if g.kind not in TIMED:
        raise Refused(f"goal {clean(g.id)} is {g.kind}: timers are for duration and latency goals", "goal")
    return st, g


def _running(ctx: Context, student: str, goal: str) -> Timer | None:
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
               "comment": _text(comment, "comment", required=False, limit=1000)}
    return _change(ctx, "progress", {k: v for k, v in payload.items() if v is not None})
