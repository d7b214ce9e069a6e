"""Today's changes to the base week, and the service schedule, as one plan for the day.

A `day.change` event (written by paratui.model.commands.change_*) is one of:

- `drill` / `assembly`: start–end is replaced for everyone (the blocks it overlaps are cut around
  it); the adults keep their students, at the event's place (`at`, default the block's);
- `block`: the base block that starts at `block` ("10:15") gets a new start, end, place or activity
  (its neighbours are cut to make room);
- `student-out`: a student goes to `at` from start to end (speech, OT, a meeting), with the adults in
  `with` (may be empty: a supervised place);
- `student-absent`: a student is not in school today (as a move to the room's `away` place);
- `lend`: an adult is lent to another room (`room`, text) until `end` (as an absence, no sub).

`day_plan` turns today's events into a `DayPlan`: the effective schedule of today (the base week with
drills and modified blocks), the pull-outs (the base week's [[services]] plus today's student-outs),
today's events with lends and student absences in the shapes the board already folds, which blocks
changed, and the change list itself. Pure: no I/O.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from paratui.model.classroom import Classroom
from paratui.model.events import Event
from paratui.model.schedule import WEEKDAYS, Block, Duty, Schedule
from paratui.model.text import clean

CHANGE = "day.change"
KINDS = ("drill", "assembly", "block", "student-out", "student-absent", "lend")
ROOM_WIDE = ("drill", "assembly", "block")  # permission `change.room`; the others `change.student` / `change.lend`
EVENT_TITLES = {"drill": "Fire drill", "assembly": "Assembly"}
# What a kind needs in its payload (besides `kind`), checked when the board folds it.
NEEDS = {"drill": ("start", "end"), "assembly": ("start", "end"), "block": ("block",),
         "student-out": ("student", "start", "end", "at"), "student-absent": ("student",),
         "lend": ("staff", "room", "end")}


def action_for(kind: str) -> str:
    """The permission hook's action name for a change kind."""
    if kind in ROOM_WIDE:
        return "change.room"
    return "change.lend" if kind == "lend" else "change.student"


@dataclass(frozen=True)
class DayChange:
    """One of today's changes, as the board lists it."""

    id: str
    kind: str
    start: datetime | None
    end: datetime | None
    by: str | None
    made: datetime
    payload: dict[str, Any]


@dataclass(frozen=True)
class PullOut:
    """Students out of their block from start to end: a base-week service or today's student-out."""

    students: tuple[str, ...]
    start: datetime
    end: datetime
    at: str
    activity: str
    staff: tuple[str, ...]
    source: str  # "service" | "change"


@dataclass(frozen=True)
class DayPlan:
    schedule: Schedule  # the base week with today's weekday replaced by today's effective blocks
    events: list[Event]  # today's events; lends as `absent`, student absences as `move` (same ids)
    pullouts: tuple[PullOut, ...]
    changed: dict[time, tuple[str, ...]]  # effective block start → ids of the changes that touch it
    event_blocks: frozenset[time]  # starts of drill / assembly blocks (no pull-outs during them)
    changes: tuple[DayChange, ...]
    lent: dict[str, str]  # lend event id → the room (the lend is folded as an `absent` of that id)
    warnings: tuple[str, ...] = field(default=())

    def pulled_at(self, t: datetime) -> list[PullOut]:
        return [p for p in self.pullouts if p.start <= t < p.end]


def _clock(raw: Any, day: date) -> datetime | None:
    if not isinstance(raw, str) or not raw:
        return None
    try:
        when = datetime.fromisoformat(raw).replace(tzinfo=None)
    except ValueError:
        return None
    return when if when.date() == day else None


def _hhmm(raw: Any) -> time | None:
    if isinstance(raw, str) and (m := re.fullmatch(r"(\d{1,2}):(\d{2})", raw.strip())):
        try:
            return time(int(m.group(1)), int(m.group(2)))
        except ValueError:
            return None
    return None


def day_plan(classroom: Classroom, schedule: Schedule, todays: list[Event], now: datetime) -> DayPlan:
    """Today's plan from the base week and today's events (oldest first, as the board folds them)."""
    today = now.date()
    weekday = WEEKDAYS[now.weekday()]
    blocks = list(schedule.blocks(weekday))
    changed: dict[time, list[str]] = {}
    event_blocks: set[time] = set()
    warnings: list[str] = []
    changes: list[DayChange] = []
    pullouts = [PullOut(s.students, datetime.combine(today, s.start), datetime.combine(today, s.end), s.at,
                        s.activity, (s.staff,) if s.staff else (), "service")
                for s in schedule.services_on(weekday)]
    lent: dict[str, str] = {}
    away = next((loc.id for loc in classroom.locations if loc.kind == "away"), None)
    staff_ids = {s.id for s in classroom.staff}
    student_ids = {s.id for s in classroom.students}
    location_ids = {loc.id for loc in classroom.locations}
    events: list[Event] = []
    for e in todays:
        if e.type != CHANGE:
            events.append(e)
            continue
        p = e.payload
        kind = p.get("kind")
        start, end = _clock(p.get("start"), today), _clock(p.get("end"), today)
        missing = [k for k in NEEDS.get(str(kind), ()) if not p.get(k)]
        bad = (kind not in KINDS or missing or (start and end and end <= start)
               or (p.get("student") and p["student"] not in student_ids)
               or (p.get("staff") and p["staff"] not in staff_ids)
               or (p.get("at") and p["at"] not in location_ids)
               or (kind in ("drill", "assembly", "student-out") and not (start and end)))
        if bad:
            what = f"needs {', '.join(missing)}" if missing else "does not fit this room or day"
            warnings.append(f"change {clean(e.id[:6])} ({clean(str(kind), limit=20)}): {what}; ignored")
            continue
        changes.append(DayChange(e.id, str(kind), start, end, e.staff, e.time, p))
        if kind in ("drill", "assembly"):
            assert start is not None and end is not None
            blocks = _replace_span(blocks, start.time(), end.time(), kind, p, classroom, e.id, changed)
            event_blocks.add(start.time())
        elif kind == "block":
            blocks = _modify_block(blocks, p, e.id, changed, warnings, today)
        elif kind == "student-out":
            assert start is not None and end is not None
            with_ = tuple(x for x in p.get("with") or [] if x in staff_ids)
            activity = p.get("service") or p.get("activity") or "Out for services"
            pullouts.append(PullOut((p["student"],), start, end, p["at"], str(activity), with_, "change"))
            for b in blocks:
                if b.start < end.time() and start.time() < b.end:
                    changed.setdefault(b.start, []).append(e.id)
        elif kind == "student-absent":
            if away is None:
                warnings.append(f"change {clean(e.id[:6])} (student-absent): classroom.toml has no location "
                                f"of kind \"away\"; ignored")
                continue
            events.append(Event(e.id, "move", e.time, e.written, e.staff, e.login, e.host,
                                {"student": p["student"], "to": away, "with": []}))
        elif kind == "lend":
            lent[e.id] = str(p["room"])
            events.append(Event(e.id, "absent", e.time, e.written, e.staff, e.login, e.host,
                                {"staff": p["staff"], "sub": None, "until": p["end"]}))
    plan_schedule = schedule
    if changed or event_blocks:
        plan_schedule = dataclasses.replace(schedule, days={**schedule.days, weekday: tuple(blocks)})
    pullouts.sort(key=lambda x: x.start)
    return DayPlan(plan_schedule, events, tuple(pullouts), {k: tuple(v) for k, v in changed.items()},
                   frozenset(event_blocks), tuple(changes), lent, tuple(warnings))


def _replace_span(blocks: list[Block], start: time, end: time, kind: str, p: dict, classroom: Classroom,
                  change_id: str, changed: dict[time, list[str]]) -> list[Block]:
    """Cut [start, end) out of the blocks and put the drill / assembly there. The adults on duty with
    students at its start keep them, at the event's place."""
    hit = [b for b in blocks if b.start < end and start < b.end]
    at = p.get("at") or (hit[0].at if hit else classroom.home.id)
    title = EVENT_TITLES.get(kind, kind)
    activity = f"{title}: {p['note']}" if p.get("note") else title
    first = next((b for b in hit if b.start <= start < b.end), hit[0] if hit else None)
    duties = {sid: (Duty(d.students) if d.students else d) for sid, d in (first.duties if first else {}).items()}
    out: list[Block] = []
    for b in blocks:
        if b not in hit:
            out.append(b)
            continue
        if b.start < start:
            piece = dataclasses.replace(b, end=start)
            out.append(piece)
            changed.setdefault(piece.start, []).append(change_id)
        if end < b.end:
            piece = dataclasses.replace(b, start=end)
            out.append(piece)
            changed.setdefault(piece.start, []).append(change_id)
    out.append(Block(start, end, activity, at, duties, dict(first.where) if first else {}))
    changed.setdefault(start, []).append(change_id)
    out.sort(key=lambda b: b.start)
    return out


def _modify_block(blocks: list[Block], p: dict, change_id: str, changed: dict[time, list[str]],
                  warnings: list[str], today: date) -> list[Block]:
    """The block starting at p['block'] with a new start / end / place / activity; neighbours cut."""
    which = _hhmm(p.get("block"))
    target = next((b for b in blocks if b.start == which), None)
    if target is None:
        warnings.append(f"change {clean(change_id[:6])} (block): no block starts at "
                        f"{clean(str(p.get('block')), limit=8)} today; ignored")
        return blocks
    start = _clock(p.get("start"), today)
    end = _clock(p.get("end"), today)
    new = dataclasses.replace(
        target, start=start.time() if start else target.start, end=end.time() if end else target.end,
        at=p.get("at") or target.at, activity=p.get("activity") or target.activity)
    if new.end <= new.start:
        warnings.append(f"change {clean(change_id[:6])} (block): ends before it starts; ignored")
        return blocks
    out: list[Block] = [new]
    for b in blocks:
        if b is target:
            continue
        if b.end == target.start and new.start > target.start:  # a late start: the block before runs on
            b = dataclasses.replace(b, end=new.start)
            changed.setdefault(b.start, []).append(change_id)
        elif b.start == target.end and new.end < target.end:  # an early end: the next block starts sooner
            b = dataclasses.replace(b, start=new.end)
            changed.setdefault(b.start, []).append(change_id)
        if b.end <= new.start or b.start >= new.end:
            out.append(b)
            continue
        if b.start < new.start:  # cut to end where the changed block now starts
            piece = dataclasses.replace(b, end=new.start)
        elif b.end > new.end:
            piece = dataclasses.replace(b, start=new.end)
        else:
            continue  # wholly inside the changed block: gone today
        out.append(piece)
        changed.setdefault(piece.start, []).append(change_id)
    changed.setdefault(new.start, []).append(change_id)
    out.sort(key=lambda b: b.start)
    return out


def overlay(block: Block | None, pulled: list[PullOut], plan: DayPlan) -> Block | None:
    """The block as it stands at a moment: pulled-out students with their service adults, at the
    service's place, and no longer with whoever the block gave them to. Not during a drill."""
    if block is None or not pulled or block.start in plan.event_blocks:
        return block
    taken = {s for p in pulled for s in p.students}
    duties = {sid: dataclasses.replace(d, students=tuple(s for s in d.students if s not in taken))
              for sid, d in block.duties.items()}
    where = dict(block.where)
    for p in pulled:
        for staff in p.staff:
            duties[staff] = Duty(tuple(p.students), p.at, p.activity)
        for s in p.students:
            where[s] = p.at
    return dataclasses.replace(block, duties=duties, where=where)


# -- the teacher-absence procedure ----------------------------------------------------------------

_TEACHER_OUT = re.compile(r"teacher[\s-]*(absen|out|away)", re.IGNORECASE)
_HEADING = re.compile(r"^(#{1,6})\s+(.*\S)\s*$")


def teacher_procedure(binder: dict[str, str]) -> tuple[str | None, str | None]:
    """Where the binder says what to do when the teacher is out: (page, section heading) — a page
    named like teacher-absence, else the first heading that says so (procedures.md "## Teacher
    absent"); (None, None) when the binder has none."""
    for name in sorted(binder):
        if _TEACHER_OUT.search(name):
            return name, None
    for name in sorted(binder, key=lambda n: (n != "procedures", n)):
        for line in binder[name].splitlines():
            m = _HEADING.match(line)
            if m and _TEACHER_OUT.search(m.group(2)):
                return name, clean(m.group(2), limit=80)
    return None, None


# -- in words --------------------------------------------------------------------------------------

def describe_change(kind: Any, p: dict[str, Any], staff: dict[str, str], kids: dict[str, str],
                    places: dict[str, str]) -> str:
    """A day change as a short sentence (every name through `clean`): the command's read-back and
    the board's list of today's changes."""
    def clock(raw: Any) -> str:
        return clean(str(raw)[11:16]) if raw else "?"

    def who(x: Any, names: dict[str, str]) -> str:
        return clean(names.get(x, x) if isinstance(x, str) else "?", limit=40)

    at = f" at {who(p['at'], places)}" if p.get("at") else ""
    note = f" ({clean(p['note'], limit=80)})" if p.get("note") else ""
    if kind in ("drill", "assembly"):
        return f"{EVENT_TITLES[kind]} {clock(p.get('start'))}-{clock(p.get('end'))} for everyone{at}{note}"
    if kind == "block":
        bits = []
        if p.get("start") and p.get("end"):
            bits.append(f"now {clock(p['start'])}-{clock(p['end'])}")
        elif p.get("start") or p.get("end"):
            bits.append(f"now starts {clock(p['start'])}" if p.get("start") else f"now ends {clock(p['end'])}")
        if p.get("at"):
            bits.append(f"at {who(p['at'], places)}")
        if p.get("activity"):
            bits.append(clean(p["activity"], limit=60))
        return f"block {clean(str(p.get('block')), limit=8)} changed: {', '.join(bits) or 'as planned'}{note}"
    if kind == "student-out":
        with_ = [who(x, staff) for x in p.get("with") or []]
        service = f" for {clean(p['service'], limit=40)}" if p.get("service") else ""
        return (f"{who(p.get('student'), kids)} out{service}{at} {clock(p.get('start'))}-{clock(p.get('end'))}"
                + (f" with {' and '.join(with_)}" if with_ else "") + note)
    if kind == "student-absent":
        return f"{who(p.get('student'), kids)} absent today{note}"
    if kind == "lend":
        room = clean(str(p.get("room")), limit=40)
        return f"{who(p.get('staff'), staff)} lent to {room} until {clock(p.get('end'))}{note}"
    return f"change ({clean(str(kind), limit=20)})"


def procedure_text(markdown: str, section: str | None) -> str:
    """The part of a binder page to put in front of everyone: the `section` (its heading up to the
    next heading of the same or a higher level), or the whole page."""
    if not section:
        return markdown
    lines = markdown.splitlines()
    for i, line in enumerate(lines):
        m = _HEADING.match(line)
        if m and clean(m.group(2), limit=80) == section:
            level = len(m.group(1))
            end = next((j for j in range(i + 1, len(lines))
                        if (h := _HEADING.match(lines[j])) and len(h.group(1)) <= level), len(lines))
            return "\n".join(lines[i:end]) + "\n"
    return markdown
