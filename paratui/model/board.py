"""Who is with whom, where, doing what, until when: the board state, computed from nothing but
the classroom, the schedule, the journal's events and the clock.

Who is with whom is the fold's (paratui.model.fold); the board adds to it each adult's card and
next block, today's tasks and notes, running timers and data due, today's changes, the teacher's
absence procedure and coverage ahead (paratui.model.coverage).

Times: an event of today stamped a little ahead of this board's clock (another machine's clock runs
fast) counts at once, as if made now, with a warning naming the host. A move still open at midnight
carries over to the new day until `back`, another move, or the day's first block.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from operator import attrgetter
from typing import Iterable

from paratui.model.changes import DayChange, DayPlan, day_plan, teacher_procedure
from paratui.model.classroom import Classroom, Location, Staff
from paratui.model.coverage import Ahead, coverage_ahead
from paratui.model.datalog import TIMER_TYPES, DataDue, Timer, data_due, running_timers
from paratui.model.event_types import ROUTINES, TASK_FOLD
from paratui.model.events import Event, live_events
from paratui.model.fold import Absence, Doing, Fold, StudentRow, fold_at
from paratui.model.notes import NoteRow, fold_notes
from paratui.model.schedule import WEEKDAYS, Block, Schedule
from paratui.model.tasks import FAR_DUE, TaskRow, fold_tasks
from paratui.model.text import clean

__all__ = ["FAR_DUE", "BoardState", "NoteRow", "StudentRow", "TaskRow", "build_board"]

WEEKDAY_TABS = WEEKDAYS[:5]
# Another machine's clock may run a little ahead: within CLOCK_SKEW that is normal and not warned
# about. Events of today up to CLOCK_AHEAD_LIMIT ahead still count, as if made now, with a warning
# naming the host; further ahead (or on a later day) they do not count (a demo clock set back).
CLOCK_SKEW = timedelta(minutes=2)
CLOCK_AHEAD_LIMIT = timedelta(hours=12)
# The demo room's sample events (data/journal/: host "seed", login "demo") are stamped through the
# demo's Monday morning: on a demo clock set earlier, one still ahead has not happened yet. It does not
# count yet, and it is no other machine's clock running fast (no warning).
SAMPLE_WRITER = ("seed", "demo")
_ORDER = attrgetter("at", "written", "id")  # Event.sort_key (by the instant), sorting in C


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
    sub: str | None = None  # source "absent": who covers for them (None: nobody)


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
    shorts = {s.id: s.short for s in classroom.staff}
    staff_cards = tuple(
        _staff_card(s, f.doing.get(s.id), _next_for(s.id, f.absences, plan, now, f.home, shorts), f.block,
                    f.absences.get(s.id))
        for s in classroom.staff)
    task_events, note_events = _routines(live, now)
    tasks, task_warnings = fold_tasks(task_events, now, classroom.recurring,
                                      day_blocks[-1].end if day_blocks else None)
    teacher_out, procedure_warnings = _teacher_out(classroom, f, binder)
    problems: tuple = ()
    if ahead:
        problems = tuple(coverage_ahead(classroom, plan, now))
    block = f.block
    return BoardState(
        room=classroom.room, now=now, weekday=weekday, block=block, staff=staff_cards,
        students=f.students, tasks=tasks, binder=_binder(weekday, binder_titles or {}),
        locations=f.locations,
        warnings=(*warnings, *clock_warnings, *task_warnings, *plan.warnings, *procedure_warnings),
        in_session=f.in_session,
        # a timer left running since an earlier day is kept (today's as `todays` counts them)
        timers=tuple(running_timers([e for e in live if e.type in TIMER_TYPES and e.time.date() < today]
                                    + [e for e in todays if e.type in TIMER_TYPES])),
        data_due=tuple(data_due(classroom, todays, today, bool(day_blocks))),
        changes=plan.changes,
        day=tuple(DayBlock(b.start, b.end, b.activity, b.at, plan.changed.get(b.start, ()))
                  for b in plan.schedule.blocks(weekday)),
        block_changed=block is not None and block.start in plan.changed,
        teacher_out=teacher_out, ahead=problems, notes=fold_notes(note_events, now))


def _routines(live: list[Event], now: datetime) -> tuple[list[Event], list[Event]]:
    """Task events and note events, in order, in one pass (a year holds thousands of each); the demo's
    sample events still ahead of its clock have not happened yet."""
    task_events: list[Event] = []
    note_events: list[Event] = []
    lists = {t.name: task_events if t.folded_by == TASK_FOLD else note_events for t in ROUTINES}
    for e in live:
        found = lists.get(e.type)
        if found is not None and not (e.time > now and (e.host, e.login) == SAMPLE_WRITER):
            found.append(e)
    return task_events, note_events


def _todays(live: list[Event], now: datetime, started: bool) -> tuple[list[Event], list[str]]:
    """Today's events that count, oldest first, and a warning per host whose clock runs ahead.

    An event stamped after `now` (up to CLOCK_AHEAD_LIMIT, still today) counts as made now. Before
    the day's first block has started, moves still open at the end of yesterday come first."""
    day_start = datetime.combine(now.date(), time())
    day_end, yesterday = day_start + timedelta(days=1), day_start - timedelta(days=1)
    todays: list[Event] = []
    open_moves: dict[str, Event] = {}  # yesterday: student → move not followed by back
    ahead: dict[str, tuple[timedelta, str]] = {}  # host → (largest lead, login)
    clamped = False
    now_at = now.timestamp()  # ahead or not by the instant: 01:30 CDT is before 01:20 CST
    for e in live:
        t = e.time
        if day_start <= t < day_end:
            if e.at > now_at:
                lead = timedelta(seconds=e.at - now_at)
                if lead > CLOCK_AHEAD_LIMIT or (e.host, e.login) == SAMPLE_WRITER:
                    continue
                if lead > CLOCK_SKEW and lead > ahead.get(e.host, (timedelta(0), ""))[0]:
                    ahead[e.host] = (lead, e.login)
                e = Event(e.id, e.type, now, e.written, e.staff, e.login, e.host, e.payload, None, now_at)
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


def _staff_card(staff: Staff, d: Doing | None, nxt: NextBlock | None, block: Block | None,
                absence: Absence | None = None) -> StaffCard:
    if d is None:
        activity = "Not scheduled" if block is not None else "No block now"
        return StaffCard(staff.id, staff.name, staff.short, staff.role, (), None, activity,
                         None, None, "off", nxt)
    return StaffCard(staff.id, staff.name, staff.short, staff.role, tuple(d.students), d.at,
                     d.activity, d.since, d.until, d.source, nxt,
                     absence.sub if absence is not None and d.source == "absent" else None)


def _next_for(staff_id: str, absences: dict[str, Absence], plan: DayPlan, now: datetime,
              home: str, shorts: dict[str, str]) -> NextBlock | None:
    """An adult's next block: none while they are out (unless they are back before it); a sub also
    gets the next block of whoever they cover, whichever comes first; a service (speech, OT…) that
    starts sooner is their next block too."""
    own = _next_duty(staff_id, absences, plan.schedule, now, home, shorts)
    absence = absences.get(staff_id)
    for p in plan.pullouts:
        if staff_id in p.staff and p.start > now and (own is None or p.start < own.start) and (
                absence is None or (absence.until is not None and p.start >= absence.until)):
            return NextBlock(p.start, p.activity, p.at)
    return own


def _next_duty(staff_id: str, absences: dict[str, Absence], schedule: Schedule, now: datetime,
               home: str, shorts: dict[str, str]) -> NextBlock | None:
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
            own = NextBlock(theirs.start, f"{theirs.activity} (for {shorts.get(absent_id, absent_id)})",
                        theirs.location)
    return own


def _next_block(staff_id: str, schedule: Schedule, now: datetime, home: str,
                not_before: datetime | None = None) -> NextBlock | None:
    for b in schedule.blocks(WEEKDAYS[now.weekday()]):
        start = datetime.combine(now.date(), b.start)
        if start > now and (not_before is None or start >= not_before) and staff_id in b.duties:
            duty = b.duties[staff_id]
            return NextBlock(start, duty.activity or b.activity, duty.at or b.at or home)
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
