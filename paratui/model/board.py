"""Who is with whom, where, doing what, until when: the board state, computed from nothing but
the classroom, the schedule, the journal's events and the clock.

This is the one place that answers "who is with whom". For an adult, the newest instruction wins:
  1. their duty in the schedule's current block — or, while they are `absent`, their sub's;
  2. a `assign` override of today, or escorting a student somewhere (a `move` that names them to a
     place out of the room), whichever is newer;
  3. a one-to-one para (or their sub) with no duty of their own follows their student.
A student is where their latest `move` put them (until `back`, or an `assign` newer than the move,
that names them), else where an `assign` puts them, else where the block puts them. After `back` a
student is in the classroom until the next block starts. A move to an `away` place (absent) or to a
place inside the room takes no adult along.

Times: an event of today stamped a little ahead of this board's clock (another machine's clock runs
fast) counts at once, as if made now, with a warning naming the host. A move still open at midnight
carries over to the new day until `back`, another move, or the day's first block.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from operator import attrgetter
from typing import Iterable

from paratui.model.changes import DayChange, DayPlan, day_plan, overlay, teacher_procedure
from paratui.model.classroom import Classroom, Location
from paratui.model.datalog import DataDue, Timer, data_due, running_timers
from paratui.model.events import Event, live_events
from paratui.model.notes import NoteRow, fold_notes
from paratui.model.schedule import WEEKDAYS, Block, Schedule
from paratui.model.tasks import FAR_DUE, TaskRow, fold_tasks
from paratui.model.text import clean

__all__ = ["FAR_DUE", "BoardState", "NoteRow", "TaskRow", "build_board"]

WEEKDAY_TABS = WEEKDAYS[:5]
# Another machine's clock may run a little ahead: within CLOCK_SKEW that is normal and not warned
# about. Events of today up to CLOCK_AHEAD_LIMIT ahead still count, as if made now, with a warning
# naming the host; further ahead (or on a later day) they do not count (a demo clock set back).
CLOCK_SKEW = timedelta(minutes=2)
CLOCK_AHEAD_LIMIT = timedelta(hours=12)
_NEVER = (datetime.min, 0, "")  # a sort key older than every event
_ORDER = attrgetter("time", "written", "id")  # Event.sort_key, sorting in C


@dataclass(frozen=True)
class NextBlock:
    start: datetime
    activity: str
    location: str


@dataclass(frozen=True)
class StaffCard:
    id: str
    name: str
    short: str
    role: str
    with_: tuple[str, ...]  # student ids
    location: str | None  # location id; None when not scheduled
    activity: str
    since: datetime | None
    until: datetime | None
    source: str  # "move" | "assign" | "schedule" | "one-to-one" | "absent" | "cover" | "off"
    next: NextBlock | None = None


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


@dataclass(frozen=True)
class BinderTab:
    tab: str | None  # "monday"… or None at the weekend
    title: str | None


@dataclass(frozen=True)
class DayBlock:
    """One of today's blocks as changed today; `changes`: ids of the changes that touch it."""

    start: time
    end: time
    activity: str
    at: str
    changes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TeacherOut:
    """The teacher is marked out: the board puts this binder page (and section) in front of everyone."""

    staff: str
    sub: str | None
    until: datetime | None
    page: str | None
    section: str | None


@dataclass(frozen=True)
class Ahead:
    """A coverage problem later today (paratui.model.coverage), from `time` on."""

    time: datetime
    kind: str  # "uncovered" | "one-to-one" | "two-places" | "min-adults"
    who: str  # a student id, a staff id, or "room"
    detail: str


@dataclass(frozen=True)
class BoardState:
    room: str
    now: datetime
    weekday: str
    block: Block | None
    staff: tuple[StaffCard, ...]
    students: tuple[StudentRow, ...]
    tasks: tuple[TaskRow, ...]
    binder: BinderTab
    locations: dict[str, Location] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    # False outside school hours (before the day's first block, after its last, at the weekend) when
    # no student is still out of the room: nobody is "uncovered" and nobody is "with no adult".
    in_session: bool = True
    # Quick logging: duration/latency timers running now (oldest first; they are events, so they
    # survive a restart) and, per adult, the goals of today's data plans with no data yet.
    timers: tuple[Timer, ...] = ()
    data_due: tuple[DataDue, ...] = ()
    # Today's changes to the base week (paratui.model.changes), today's blocks marked where they
    # changed, whether the current block changed, the teacher being out, and coverage ahead.
    changes: tuple[DayChange, ...] = ()
    day: tuple[DayBlock, ...] = ()
    block_changed: bool = False
    teacher_out: TeacherOut | None = None
    ahead: tuple[Ahead, ...] = ()
    # Team routines: today's notes and every urgent note still waiting for an acknowledgement
    # (paratui.model.notes). Tasks (above) include today's recurring ones (paratui.model.tasks).
    notes: tuple[NoteRow, ...] = ()

    @property
    def out_of_room(self) -> tuple[StudentRow, ...]:
        return tuple(s for s in self.students if s.out)

    @property
    def uncovered(self) -> tuple[StudentRow, ...]:
        return tuple(s for s in self.students if not s.covered)

    @property
    def pending_tasks(self) -> tuple[TaskRow, ...]:
        return tuple(t for t in self.tasks if not t.done)


@dataclass
class _Doing:
    """An adult's current situation while it is being worked out."""

    students: list[str]
    at: str | None
    activity: str
    since: datetime | None
    until: datetime | None
    source: str
    stamp: tuple = _NEVER  # the sort key of the instruction that decided it, for "newest wins"


@dataclass(frozen=True)
class _Absence:
    sub: str | None
    until: datetime | None  # None: the rest of the day


def current_block(schedule: Schedule, now: datetime) -> Block | None:
    for b in schedule.blocks(WEEKDAYS[now.weekday()]):
        if b.start <= now.time() < b.end:
            return b
    return None


def _at(day: date, t: time) -> datetime:
    return datetime.combine(day, t)


def build_board(
    classroom: Classroom,
    schedule: Schedule,
    events: Iterable[Event],
    now: datetime,
    binder_titles: dict[str, str] | None = None,
    warnings: Iterable[str] = (),
    binder: dict[str, str] | None = None,
    ahead: bool = True,
) -> BoardState:
    """The board at `now`. `binder` (page → Markdown) lets it name the teacher-absence procedure;
    `ahead=False` leaves out coverage ahead (paratui.model.coverage; benchmarks compare)."""
    today = now.date()
    weekday = WEEKDAYS[now.weekday()]
    day_blocks = schedule.blocks(weekday)
    live = live_events(events)
    todays, clock_warnings = _todays(live, now, started=bool(day_blocks) and day_blocks[0].start <= now.time())
    plan = day_plan(classroom, schedule, todays, now)
    f = fold_at(classroom, plan, plan.events, now)
    staff_cards = tuple(
        _staff_card(s, f.doing.get(s.id), _next_for(s.id, f.absences, plan, now, f.home), f.block)
        for s in classroom.staff)
    task_events, note_events = _routines(live)
    tasks, task_warnings = fold_tasks(task_events, now, classroom.recurring,
                                      day_blocks[-1].end if day_blocks else None)
    teacher_out, procedure_warnings = _teacher_out(classroom, f, binder)
    problems: tuple = ()
    if ahead:
        from paratui.model.coverage import coverage_ahead  # coverage folds with fold_at: imported late

        problems = tuple(coverage_ahead(classroom, plan, now))
    block = f.block
    return BoardState(
        room=classroom.room, now=now, weekday=weekday, block=block, staff=staff_cards,
        students=f.students, tasks=tasks, binder=_binder(weekday, binder_titles or {}),
        locations=f.locations,
        warnings=(*warnings, *clock_warnings, *task_warnings, *plan.warnings, *procedure_warnings),
        in_session=f.in_session,
        timers=tuple(running_timers(todays)), data_due=tuple(data_due(classroom, todays, today, bool(day_blocks))),
        changes=plan.changes,
        day=tuple(DayBlock(b.start, b.end, b.activity, b.at, plan.changed.get(b.start, ()))
                  for b in plan.schedule.blocks(weekday)),
        block_changed=block is not None and block.start in plan.changed,
        teacher_out=teacher_out, ahead=problems, notes=fold_notes(note_events, now))


@dataclass
class Fold:
    """Who is with whom at one moment (the board's now, or a moment ahead for coverage)."""

    block: Block | None
    doing: dict[str, _Doing]
    absences: dict[str, _Absence]
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
    absences = _absences(todays, doing, now)                  # 1b. adults out today, and their subs
    for d in doing.values():                                  # …or lent to another room
        if d.source == "absent" and d.stamp[2] in plan.lent:
            d.activity, d.source = f"Lent to {plan.lent[d.stamp[2]]}", "lent"
    stand_in = {a: x.sub for a, x in absences.items() if x.sub}
    _assignments(todays, doing, schedule, block, home, student_ids, now)  # 2. today's changes
    moved, back_now = _movements(todays, doing, locations, student_ids,    # 3. who took whom where
                                 _at(today, block.start) if block else None)
    out_now = any(locations.get(e.payload["to"]) is None or locations[e.payload["to"]].kind == "out"
                  for e in moved.values())
    in_session = out_now or (bool(day_blocks) and day_blocks[0].start <= now.time() < day_blocks[-1].end)
    where = _whereabouts(classroom, block, doing, moved, back_now)
    for st in classroom.students:                             # 4. one-to-ones follow their student
        para = stand_in.get(st.one_to_one, st.one_to_one) if st.one_to_one else None
        if not para or para in doing or not in_session:
            continue
        loc = locations.get(where[st.id])
        if loc is not None and loc.kind == "away":  # their student is not in school: the para is free
            doing[para] = _Doing([], home, "1:1 student away", None, None, "one-to-one")
        else:
            doing[para] = _Doing([st.id], where[st.id], "One-to-one", None, None, "one-to-one")
    students = _student_rows(classroom, block, doing, moved, where, stand_in, now, in_session)
    pulls = plan.pulled_at(now)
    pulled = {sid: (p.start, p.at) for p in pulls for sid in p.students}
    if pulled:  # out for a service since it started, not since the block did
        students = tuple(
            dataclasses.replace(r, since=pulled[r.id][0],
                                minutes_out=int((now - pulled[r.id][0]).total_seconds() // 60))
            if r.id in pulled and r.placed and r.location == pulled[r.id][1] else r
            for r in students)
    return Fold(block, doing, absences, where, students, in_session, locations, home)


def _routines(live: list[Event]) -> tuple[list[Event], list[Event]]:
    """Task events and note events, in order, in one pass (a year holds thousands of each)."""
    task_events: list[Event] = []
    note_events: list[Event] = []
    lists = {"task.add": task_events, "task.claim": task_events, "task.done": task_events,
             "task.reopen": task_events, "note": note_events, "ack": note_events}
    for e in live:
        found = lists.get(e.type)
        if found is not None:
            found.append(e)
    return task_events, note_events


def _todays(live: list[Event], now: datetime, started: bool) -> tuple[list[Event], list[str]]:
    """Today's events that count, oldest first, and a warning per host whose clock runs ahead.

    An event stamped after `now` (up to CLOCK_AHEAD_LIMIT, still today) counts as made now. Before
    the day's first block has started, moves still open at the end of yesterday come first."""
    day_start = _at(now.date(), time())
    day_end, yesterday = day_start + timedelta(days=1), day_start - timedelta(days=1)
    todays: list[Event] = []
    open_moves: dict[str, Event] = {}  # yesterday: student → move not followed by back
    ahead: dict[str, tuple[timedelta, str]] = {}  # host → (largest lead, login)
    clamped = False
    for e in live:
        t = e.time
        if day_start <= t < day_end:
            if t > now:
                lead = t - now
                if lead > CLOCK_AHEAD_LIMIT:
                    continue
                if lead > CLOCK_SKEW and lead > ahead.get(e.host, (timedelta(0), ""))[0]:
                    ahead[e.host] = (lead, e.login)
                e = Event(e.id, e.type, now, e.written, e.staff, e.login, e.host, e.payload)
                clamped = True
            todays.append(e)
        elif not started and yesterday <= t < day_start:
            if e.type == "move":
                open_moves[e.payload["student"]] = e
            elif e.type == "back":
                open_moves.pop(e.payload["student"], None)
    if clamped:
        todays.sort(key=_ORDER)
    warnings = [f'clock on host "{clean(host or "?", limit=40)}" (login {clean(login or "?", limit=40)}) '
                f"is about {_duration(lead)} ahead of this board's"
                for host, (lead, login) in sorted(ahead.items())]
    if open_moves:
        todays = sorted(open_moves.values(), key=_ORDER) + todays
    return todays, warnings


def _duration(d: timedelta) -> str:
    minutes = round(d.total_seconds() / 60)
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h {minutes % 60} min"


def _scheduled(block: Block | None, today: date) -> dict[str, _Doing]:
    """Each adult's duty in the current block, as the schedule has it."""
    if block is None:
        return {}
    return {staff_id: _Doing(list(duty.students), duty.at or block.at, duty.activity or block.activity,
                             _at(today, block.start), _at(today, block.end), "schedule")
            for staff_id, duty in block.duties.items()}


def _absences(todays: list[Event], doing: dict[str, _Doing], now: datetime) -> dict[str, _Absence]:
    """Apply today's `absent` events to the schedule's duties; returns the adults out now.

    The newest `absent` for an adult wins (recording the same one twice changes nothing). The sub
    takes the absent adult's scheduled duty, unless the sub is out too."""
    latest: dict[str, Event] = {}
    for e in todays:
        if e.type == "absent":
            latest[e.payload["staff"]] = e
    scheduled = dict(doing)
    out: dict[str, tuple[Event, _Absence]] = {}
    for staff_id, e in latest.items():
        until = _parse_due(e.payload.get("until"))  # None: the rest of the day
        if until is not None and until <= now:
            continue
        sub = e.payload.get("sub")
        out[staff_id] = (e, _Absence(sub if sub and sub != staff_id else None, until))
    for staff_id, (e, absence) in sorted(out.items(), key=lambda kv: kv[1][0].sort_key):
        duty = scheduled.get(staff_id)
        doing.pop(staff_id, None)
        if absence.sub and absence.sub not in out and duty is not None:
            doing[absence.sub] = _Doing(list(duty.students), duty.at, f"{duty.activity} (for {staff_id})",
                                        duty.since, duty.until, "cover", e.sort_key)
    for staff_id, (e, absence) in out.items():
        doing[staff_id] = _Doing([], None, "Out today" + (f", {absence.sub} covers" if absence.sub else ", no sub"),
                                 e.time, absence.until, "absent", e.sort_key)
    return {staff_id: absence for staff_id, (_, absence) in out.items()}


def _assignments(todays: list[Event], doing: dict[str, _Doing], schedule: Schedule, block: Block | None,
                 home: str, student_ids: set[str], now: datetime) -> None:
    """Today's `assign` overrides still in force, oldest first: a newer one takes students from an
    older one (and from the schedule)."""
    for e in (e for e in todays if e.type == "assign"):
        until = _until_of(e, schedule, now.date())
        if until is not None and until <= now:
            continue
        taken = [s for s in e.payload.get("students", []) if s in student_ids]
        for d in doing.values():
            d.students = [s for s in d.students if s not in taken]
        doing[e.payload["staff"]] = _Doing(
            taken, e.payload.get("at") or (block.at if block else home),
            e.payload.get("activity") or (block.activity if block else "Assigned"),
            e.time, until, "assign", e.sort_key)


def _movements(todays: list[Event], doing: dict[str, _Doing], locations: dict[str, Location],
               student_ids: set[str], block_start: datetime | None) -> tuple[dict[str, Event], dict[str, Event]]:
    """Each student's latest `move` not followed by `back` (nor by a newer `assign` naming them);
    escorts go with them out of the room. Returns those moves, and the `back`s of this block."""
    latest: dict[str, Event] = {}
    for e in todays:
        if e.type in ("move", "back") and e.payload["student"] in student_ids:
            latest[e.payload["student"]] = e
    moved: dict[str, Event] = {}
    back_now: dict[str, Event] = {}
    for sid, e in latest.items():
        if e.type == "back":
            if block_start is not None and e.time >= block_start:
                back_now[sid] = e
        elif not any(d.source == "assign" and d.stamp > e.sort_key and sid in d.students for d in doing.values()):
            moved[sid] = e
    for sid, e in back_now.items():  # back in the room: no longer with an adult who is elsewhere
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
        newest = max(moves, key=_ORDER)
        current = doing.get(staff_id)
        if current is not None and current.stamp > newest.sort_key:
            continue  # a newer instruction for this adult (an assign, an absence) ended the walk
        to = newest.payload["to"]
        label = locations[to].label if to in locations else to
        doing[staff_id] = _Doing([m.payload["student"] for m in moves if m.payload["to"] == to],
                                 to, f"Taking to {label}", newest.time, None, "move", newest.sort_key)
    return moved, back_now


def _in_room(locations: dict[str, Location], location_id: str | None) -> bool:
    loc = locations.get(location_id) if location_id else None
    return loc is not None and loc.in_room


def _whereabouts(classroom: Classroom, block: Block | None, doing: dict[str, _Doing],
                 moved: dict[str, Event], back_now: dict[str, Event]) -> dict[str, str]:
    """Where each student is: where a move took them, else with the adult an assign gave them to,
    else in the room if they came back during this block, else where the block puts them or their
    adult."""
    fallback = block.at if block else classroom.home.id
    holders: dict[str, _Doing] = {}
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
        elif st.id in back_now:
            where[st.id] = classroom.home.id
        elif block is not None and st.id in block.where:
            where[st.id] = block.where[st.id]
        else:
            where[st.id] = (holder.at if holder else None) or fallback
    return where


def _student_rows(classroom: Classroom, block: Block | None, doing: dict[str, _Doing],
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
    rows = []
    for st in classroom.students:
        loc = locations.get(where[st.id])
        kind = loc.kind if loc else "room"
        mv = moved.get(st.id)
        out = kind == "out"
        since = mv.time if (mv and out) else (_at(now.date(), block.start) if (out and block) else None)
        minutes = max(0, int((now - since).total_seconds() // 60)) if since else None
        expected = loc.expected_minutes if (loc and mv and out) else None
        over = bool(expected is not None and minutes is not None and minutes > expected)
        with_ = tuple(with_map[st.id])
        covered, why = True, ""
        if in_session and kind != "away" and (block is not None or (mv is not None and out)):
            supervised = bool(loc and loc.supervised)
            if st.one_to_one:  # needs their own para (or sub), an explicit cover, or a supervised place
                para = stand_in.get(st.one_to_one, st.one_to_one)
                if not (para in with_ or supervised or st.id in explicit):
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
            placed=out and mv is None))
    return tuple(rows)


def _until_of(e: Event, schedule: Schedule, today: date) -> datetime | None:
    """An override lasts until its `until`, else to the end of the block it was made in."""
    raw = e.payload.get("until")
    if raw:
        try:
            return datetime.fromisoformat(raw).replace(tzinfo=None)
        except (TypeError, ValueError):
            pass
    block = current_block(schedule, e.time)
    return _at(today, block.end) if block else None


def _staff_card(staff, d: _Doing | None, nxt: NextBlock | None, block: Block | None) -> StaffCard:
    if d is None:
        activity = "Not scheduled" if block is not None else "No block now"
        return StaffCard(staff.id, staff.name, staff.short, staff.role, (), None, activity,
                         None, None, "off", nxt)
    return StaffCard(staff.id, staff.name, staff.short, staff.role, tuple(d.students), d.at,
                     d.activity, d.since, d.until, d.source, nxt)


def _next_for(staff_id: str, absences: dict[str, _Absence], plan: DayPlan, now: datetime,
              home: str) -> NextBlock | None:
    """An adult's next block: none while they are out (unless they are back before it); a sub also
    gets the next block of whoever they cover, whichever comes first; a service (speech, OT…) that
    starts sooner is their next block too."""
    own = _next_duty(staff_id, absences, plan.schedule, now, home)
    absence = absences.get(staff_id)
    for p in plan.pullouts:
        if staff_id in p.staff and p.start > now and (own is None or p.start < own.start) and (
                absence is None or (absence.until is not None and p.start >= absence.until)):
            return NextBlock(p.start, p.activity, p.at)
    return own


def _next_duty(staff_id: str, absences: dict[str, _Absence], schedule: Schedule, now: datetime,
               home: str) -> NextBlock | None:
    absence = absences.get(staff_id)
    if absence is not None:
        if absence.until is None:
            return None
        own = _next_block(staff_id, schedule, now, home, not_before=absence.until)
    else:
        own = _next_block(staff_id, schedule, now, home)
    for absent_id, a in absences.items():
        if a.sub != staff_id or absence is not None:
            continue
        theirs = _next_block(absent_id, schedule, now, home)
        if theirs is None or (a.until is not None and theirs.start >= a.until):
            continue
        if own is None or theirs.start <= own.start:
            own = NextBlock(theirs.start, f"{theirs.activity} (for {absent_id})", theirs.location)
    return own


def _next_block(staff_id: str, schedule: Schedule, now: datetime, home: str,
                not_before: datetime | None = None) -> NextBlock | None:
    for b in schedule.blocks(WEEKDAYS[now.weekday()]):
        start = _at(now.date(), b.start)
        if start > now and (not_before is None or start >= not_before) and staff_id in b.duties:
            duty = b.duties[staff_id]
            return NextBlock(start, duty.activity or b.activity, duty.at or b.at or home)
    return None


def _parse_due(raw) -> datetime | None:
    if not raw:
        return None
    try:
        return datetime.fromisoformat(str(raw)).replace(tzinfo=None)
    except ValueError:
        return None


def _teacher_out(classroom: Classroom, f: Fold, binder: dict[str, str] | None
                 ) -> tuple[TeacherOut | None, list[str]]:
    """The teacher marked out (not lent to another room): which binder page says what to do."""
    absences = f.absences
    teachers = [s for s in classroom.staff if s.role == "teacher" and s.id in absences
                and (d := f.doing.get(s.id)) is not None and d.source == "absent"]
    if not teachers:
        return None, []
    t = teachers[0]
    page, section = teacher_procedure(binder or {})
    warnings = [] if page or binder is None else [
        "the teacher is out and binder/ has no teacher-absence procedure (a \"## Teacher absent\" "
        "section in procedures.md)"]
    return TeacherOut(t.id, absences[t.id].sub, absences[t.id].until, page, section), warnings


def _binder(weekday: str, titles: dict[str, str]) -> BinderTab:
    if weekday not in WEEKDAY_TABS:
        return BinderTab(None, None)
    return BinderTab(weekday, titles.get(weekday))
