"""Who is with whom at one moment: the fold of today's plan and events that the board shows for
now and that coverage ahead (paratui.model.coverage) repeats for moments later today.

This is the one place that answers "who is with whom". For an adult, the newest instruction wins:
  1. their duty in the schedule's current block — or, while they are `absent`, their sub's;
  2. a `assign` override of today, or escorting a student somewhere (a `move` that names them to a
     place out of the room), whichever is newer;
  3. a one-to-one para (or their sub) with no duty of their own follows their student.
A student is where their latest `move` put them (until `back`, or an `assign` newer than the move,
that names them), else where an `assign` puts them, else where the block puts them. After `back` a
student is in the classroom until the next block starts. A move to an `away` place (absent) or to a
place inside the room takes no adult along.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, time
from operator import attrgetter

from paratui.model.changes import DayPlan, overlay
from paratui.model.classroom import Classroom, Location
from paratui.model.events import Event, elapsed
from paratui.model.schedule import WEEKDAYS, Block, Schedule
from paratui.model.tasks import parse_due

_NEVER = (float("-inf"), 0, "")  # a sort key (Event.sort_key) older than every event


@dataclass(frozen=True)
class StudentRow:
    id: str
    initials: str
    location: str
    out: bool
    minutes_out: int | None
    expected_minutes: int | None
    over: bool
    with_: tuple[str, ...]  # staff ids
    covered: bool
    why_uncovered: str = ""
    since: datetime | None = None  # when they left, for students out of the room
    # out of the room because the schedule (or an assign) has them there, not because they left:
    # a gen-ed class, not a bathroom trip. Not timed on the board.
    placed: bool = False
    # what put them out of the room when `placed`: "schedule" (the base week, today's plan, a
    # service) or "assign" (today's `assign`, with an adult: timed from it, not "by the schedule")
    placed_by: str = ""
    # a `move` took them where they are (out of the room, or a corner of it): `back` is for them
    moved: bool = False


@dataclass
class Doing:
    """An adult's current situation while it is being worked out."""

    students: list[str]
    at: str | None
    activity: str
    since: datetime | None
    until: datetime | None
    source: str
    stamp: tuple = _NEVER  # the sort key of the instruction that decided it, for "newest wins"


@dataclass(frozen=True)
class Absence:
    """An adult out today: who covers for them, and until when."""

    sub: str | None
    until: datetime | None  # None: the rest of the day


def current_block(schedule: Schedule, now: datetime) -> Block | None:
    for b in schedule.blocks(WEEKDAYS[now.weekday()]):
        if b.start <= now.time() < b.end:
            return b
    return None


def _at(day: date, t: time) -> datetime:
    return datetime.combine(day, t)


@dataclass
class Fold:
    """Who is with whom at one moment (the board's now, or a moment ahead for coverage)."""

    block: Block | None
    doing: dict[str, Doing]
    absences: dict[str, Absence]
    where: dict[str, str]
    students: tuple[StudentRow, ...]
    in_session: bool
    locations: dict[str, Location]
    home: str


def fold_at(classroom: Classroom, plan: DayPlan, todays: list[Event], now: datetime) -> Fold:
    """The fold itself: today's plan and events (oldest first) at `now`."""
    today = now.date()
    schedule = plan.schedule
    block = overlay(current_block(schedule, now), plan.pulled_at(now), plan)
    day_blocks = schedule.blocks(WEEKDAYS[now.weekday()])
    student_ids = {s.id for s in classroom.students}
    home = classroom.home.id
    locations = classroom.location_by_id()

    doing = _scheduled(block, today)                          # 1. the schedule's current block
    for p in plan.pulled_at(now):                             # …and the services going on now
        for staff_id in p.staff:
            if staff_id in doing:
                doing[staff_id].since, doing[staff_id].until = p.start, p.end
    shorts = {s.id: s.short for s in classroom.staff}  # adults named as the board names them (not "SUB")
    absences = _absences(todays, doing, now, shorts)          # 1b. adults out today, and their subs
    for d in doing.values():                                  # …or lent to another room
        if d.source == "absent" and d.stamp[2] in plan.lent:
            d.activity, d.source = f"Lent to {plan.lent[d.stamp[2]]}", "lent"
    stand_in = {a: x.sub for a, x in absences.items() if x.sub}
    _assignments(todays, doing, schedule, block, home, student_ids, now)  # 2. today's changes
    moved, back_now, returned = _movements(todays, doing, locations, student_ids,    # 3. who took whom where
                                 _at(today, block.start) if block else None)
    out_now = any(locations.get(e.payload["to"]) is None or locations[e.payload["to"]].kind == "out"
                  for e in moved.values())
    in_session = out_now or (bool(day_blocks) and day_blocks[0].start <= now.time() < day_blocks[-1].end)
    where = _whereabouts(classroom, block, doing, moved, back_now, returned)
    for st in classroom.students:                             # 4. one-to-ones follow their student
        para = stand_in.get(st.one_to_one, st.one_to_one) if st.one_to_one else None
        if not para or para in doing or not in_session:
            continue
        loc = locations.get(where[st.id])
        if loc is not None and loc.kind == "away":  # their student is not in school: the para is free
            doing[para] = Doing([], home, "1:1 student away", None, None, "one-to-one")
        else:
            doing[para] = Doing([st.id], where[st.id], "One-to-one", None, None, "one-to-one")
    students = _student_rows(classroom, block, doing, moved, where, stand_in, now, in_session)
    pulls = plan.pulled_at(now)
    pulled = {sid: (p.start, p.at) for p in pulls for sid in p.students}
    if pulled:  # out for a service since it started, not since the block did
        students = tuple(
            dataclasses.replace(r, since=pulled[r.id][0],
                                minutes_out=int(elapsed(pulled[r.id][0], now) // 60))
            if r.id in pulled and r.placed and r.location == pulled[r.id][1] else r
            for r in students)
    return Fold(block, doing, absences, where, students, in_session, locations, home)


def _scheduled(block: Block | None, today: date) -> dict[str, Doing]:
    """Each adult's duty in the current block, as the schedule has it."""
    if block is None:
        return {}
    return {staff_id: Doing(list(duty.students), duty.at or block.at, duty.activity or block.activity,
                             _at(today, block.start), _at(today, block.end), "schedule")
            for staff_id, duty in block.duties.items()}


def _absences(todays: list[Event], doing: dict[str, Doing], now: datetime,
              shorts: dict[str, str]) -> dict[str, Absence]:
    """Apply today's `absent` events to the schedule's duties; returns the adults out now.

    The newest `absent` for an adult wins (recording the same one twice changes nothing). The sub
    takes the absent adult's scheduled duty, unless the sub is out too."""
    latest: dict[str, Event] = {}
    for e in todays:
        if e.type == "absent":
            latest[e.payload["staff"]] = e
    scheduled = dict(doing)
    out: dict[str, tuple[Event, Absence]] = {}
    for staff_id, e in latest.items():
        until = parse_due(e.payload.get("until"))  # None: the rest of the day
        if until is not None and until <= now:
            continue
        sub = e.payload.get("sub")
        out[staff_id] = (e, Absence(sub if sub and sub != staff_id else None, until))
    for staff_id, (e, absence) in sorted(out.items(), key=lambda kv: kv[1][0].sort_key):
        duty = scheduled.get(staff_id)
        doing.pop(staff_id, None)
        if absence.sub and absence.sub not in out and duty is not None:
            doing[absence.sub] = Doing(list(duty.students), duty.at,
                                        f"{duty.activity} (for {shorts.get(staff_id, staff_id)})",
                                        duty.since, duty.until, "cover", e.sort_key)
    for staff_id, (e, absence) in out.items():
        sub = shorts.get(absence.sub, absence.sub) if absence.sub else None
        doing[staff_id] = Doing([], None, "Out today" + (f", {sub} covers" if sub else ", no sub"),
                                 e.time, absence.until, "absent", e.sort_key)
    return {staff_id: absence for staff_id, (_, absence) in out.items()}


def _assignments(todays: list[Event], doing: dict[str, Doing], schedule: Schedule, block: Block | None,
                 home: str, student_ids: set[str], now: datetime) -> None:
    """Today's `assign` overrides still in force, oldest first: a newer one takes students from an
    older one (and from the schedule)."""
    for e in (e for e in todays if e.type == "assign"):
        until = until_of(e, schedule, now.date())
        if until is not None and until <= now:
            continue
        taken = [s for s in e.payload.get("students", []) if s in student_ids]
        for d in doing.values():
            d.students = [s for s in d.students if s not in taken]
        doing[e.payload["staff"]] = Doing(
            taken, e.payload.get("at") or (block.at if block else home),
            e.payload.get("activity") or (block.activity if block else "Assigned"),
            e.time, until, "assign", e.sort_key)


def _movements(todays: list[Event], doing: dict[str, Doing], locations: dict[str, Location],
               student_ids: set[str], block_start: datetime | None
               ) -> tuple[dict[str, Event], dict[str, Event], set[str]]:
    """Each student's latest `move` not followed by `back` (nor by a newer `assign` naming them);
    escorts go with them out of the room. Returns those moves, the `back`s of this block, and the
    students whose `back` ended a move (they go where the schedule places them now)."""
    latest, returned = _latest_movements(todays, student_ids)
    moved: dict[str, Event] = {}
    back_now: dict[str, Event] = {}
    for sid, e in latest.items():
        if e.type == "back":
            if block_start is not None and e.time >= block_start:
                back_now[sid] = e
        elif not any(d.source == "assign" and d.stamp > e.sort_key and sid in d.students for d in doing.values()):
            moved[sid] = e
    for sid, e in back_now.items():  # back in the room: no longer with an adult who is elsewhere
        if sid in returned:
            continue  # back from a move: where the schedule places them, with whoever is there
        for d in doing.values():
            if sid in d.students and d.stamp < e.sort_key and not _in_room(locations, d.at):
                d.students.remove(sid)
    escorting: dict[str, list[Event]] = {}
    for sid, e in moved.items():
        to = locations.get(e.payload["to"])
        if to is not None and to.kind == "room":
            continue  # a corner of the room: the student stays with their adults, nobody goes along
        for d in doing.values():
            if sid in d.students:
                d.students.remove(sid)
        if to is None or to.kind == "out":  # an `away` place (absent, gone home) takes nobody along
            for staff_id in dict.fromkeys(e.payload.get("with") or []):
                escorting.setdefault(staff_id, []).append(e)
    for staff_id, moves in escorting.items():
        newest = max(moves, key=attrgetter("sort_key"))
        current = doing.get(staff_id)
        if current is not None and current.stamp > newest.sort_key:
            continue  # a newer instruction for this adult (an assign, an absence) ended the walk
        to = newest.payload["to"]
        label = locations[to].label if to in locations else to
        doing[staff_id] = Doing([m.payload["student"] for m in moves if m.payload["to"] == to],
                                 to, f"Taking to {label}", newest.time, None, "move", newest.sort_key)
    return moved, back_now, returned


def _latest_movements(todays: list[Event], student_ids: set[str]) -> tuple[dict[str, Event], set[str]]:
    """Each student's latest `move` or `back`, and the students whose latest `back` ended a move
    (not a gen-ed class left early)."""
    latest: dict[str, Event] = {}
    returned: set[str] = set()
    for e in todays:
        if e.type in ("move", "back") and e.payload["student"] in student_ids:
            sid = e.payload["student"]
            if e.type == "back":
                before = latest.get(sid)
                returned.discard(sid)
                if before is not None and before.type == "move":
                    returned.add(sid)
            latest[sid] = e
    return latest, returned


def _in_room(locations: dict[str, Location], location_id: str | None) -> bool:
    loc = locations.get(location_id) if location_id else None
    return loc is not None and loc.in_room


def _whereabouts(classroom: Classroom, block: Block | None, doing: dict[str, Doing],
                 moved: dict[str, Event], back_now: dict[str, Event], returned: set[str]) -> dict[str, str]:
    """Where each student is: where a move took them, else with the adult an assign gave them to,
    else in the room if they came back during this block, else where the block puts them or their
    adult."""
    fallback = block.at if block else classroom.home.id
    holders: dict[str, Doing] = {}
    for d in doing.values():
        for sid in d.students:
            current = holders.get(sid)
            if current is None or (d.source == "assign" and current.source != "assign"):
                holders[sid] = d
    where: dict[str, str] = {}
    for st in classroom.students:
        holder = holders.get(st.id)
        if st.id in moved:
            where[st.id] = moved[st.id].payload["to"]
        elif holder is not None and holder.source == "assign" and holder.at:
            where[st.id] = holder.at
        elif st.id in back_now and not (st.id in returned and block is not None and st.id in block.where):
            # back: in the room, unless they came back from a move in a block that places them
            # elsewhere (a gen-ed class): then where the schedule has them now
            where[st.id] = classroom.home.id
        elif block is not None and st.id in block.where:
            where[st.id] = block.where[st.id]
        else:
            where[st.id] = (holder.at if holder else None) or fallback
    return where


def _student_rows(classroom: Classroom, block: Block | None, doing: dict[str, Doing],
                  moved: dict[str, Event], where: dict[str, str], stand_in: dict[str, str],
                  now: datetime, in_session: bool) -> tuple[StudentRow, ...]:
    """Who is with each student, for how long they have been out, and whether they are covered."""
    locations = classroom.location_by_id()
    shorts = {s.id: s.short for s in classroom.staff}
    with_map: dict[str, list[str]] = {s.id: [] for s in classroom.students}
    for staff_id, d in doing.items():
        for sid in d.students:
            if sid in with_map:
                with_map[sid].append(staff_id)
    explicit = {sid for d in doing.values() if d.source in ("assign", "move") for sid in d.students}
    # a one-to-one para the schedule itself sends on a break (lunch) in this block, and someone named one
    # by one with their student in it: that adult is with the student in the para's place
    planned_cover: set[str] = set()
    if block is not None:
        on_break = {staff_id for staff_id, duty in block.duties.items() if not duty.students}
        planned_cover = {sid for staff_id, duty in block.duties.items() for sid in duty.named
                         if staff_id in doing and doing[staff_id].source == "schedule"
                         and sid in doing[staff_id].students
                         and next((s.one_to_one for s in classroom.students if s.id == sid), None) in on_break}
    assigned = {sid: d for d in doing.values() if d.source == "assign" for sid in d.students}
    rows = []
    for st in classroom.students:
        loc = locations.get(where[st.id])
        kind = loc.kind if loc else "room"
        mv = moved.get(st.id)
        out = kind == "out"
        by = ("assign" if st.id in assigned and assigned[st.id].at == where[st.id] else "schedule") \
            if (out and mv is None) else ""
        if mv and out:
            since: datetime | None = mv.time
        elif by == "assign":
            since = assigned[st.id].since
        else:
            since = _at(now.date(), block.start) if (out and block) else None
        minutes = max(0, int(elapsed(since, now) // 60)) if since else None  # by the instant (DST)
        expected = loc.expected_minutes if (loc and mv and out) else None
        over = bool(expected is not None and minutes is not None and minutes > expected)
        with_ = tuple(with_map[st.id])
        covered, why = True, ""
        if in_session and kind != "away" and (block is not None or (mv is not None and out)):
            supervised = bool(loc and loc.supervised)
            if st.one_to_one:  # needs their own para (or sub), an explicit cover, or a supervised place
                para = stand_in.get(st.one_to_one, st.one_to_one)
                if not (para in with_ or supervised or st.id in explicit or st.id in planned_cover):
                    covered = False
                    away = doing.get(para)
                    why = f"1:1 {shorts.get(para, para)} is away" + (f": {away.activity}" if away else "")
            elif not (with_ or supervised):
                covered, why = False, "no adult"
                escorts = [shorts.get(x, x) for x in (mv.payload.get("with") or [])] if (mv and out) else []
                if escorts:  # whoever took them went on to something newer
                    why = f"left at {loc.label if loc else where[st.id]} by {' and '.join(escorts)}"
        rows.append(StudentRow(
            st.id, st.initials, where[st.id], out, minutes, expected, over, with_, covered, why, since,
            placed=out and mv is None, placed_by=by, moved=mv is not None))
    return tuple(rows)


def until_of(e: Event, schedule: Schedule, today: date) -> datetime | None:
    """An override lasts until its `until`, else to the end of the block it was made in."""
    until = parse_due(e.payload.get("until"))
    if until is not None:
        return until
    block = current_block(schedule, e.time)
    return _at(today, block.end) if block else None
