"""Who is with whom, where, doing what, until when: the board state, computed from nothing but
the classroom, the schedule, the journal's events and the clock.

This is the one place that answers "who is with whom". Order of precedence for an adult, newest wins:
  1. escorting a student somewhere (a `move` that names them) or a `assign` override of today;
  2. their duty in the schedule's current block — or, while they are `absent`, their sub's;
  3. a one-to-one para (or their sub) with no duty of their own follows their student.
A student is where their latest `move` put them (until `back`), else where the block puts them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Iterable

from paratui.model.classroom import Classroom, Location
from paratui.model.events import Event, live_events
from paratui.model.schedule import WEEKDAYS, Block, Schedule

WEEKDAY_TABS = WEEKDAYS[:5]
# Another machine's clock may run a little ahead; its events still count. Events further in the
# future (a demo clock set back with PARATUI_NOW) do not.
CLOCK_SKEW = timedelta(minutes=2)


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


@dataclass(frozen=True)
class TaskRow:
    id: str
    text: str
    for_: str | None
    due: datetime | None
    done: bool
    overdue: bool
    added_by: str | None
    added: datetime


@dataclass(frozen=True)
class BinderTab:
    tab: str | None  # "monday"… or None at the weekend
    title: str | None


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
    stamp: datetime = datetime.min  # when it was decided, for "newest wins"


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
) -> BoardState:
    today = now.date()
    weekday = WEEKDAYS[now.weekday()]
    block = current_block(schedule, now)
    live = live_events(events)
    todays = [e for e in live if e.time.date() == today and e.time <= now + CLOCK_SKEW]
    student_ids = {s.id for s in classroom.students}

    doing = _scheduled(block, today)                          # 1. the schedule's current block
    stand_in = _absences(todays, doing, now)                  # 1b. adults out today, and their subs
    _assignments(todays, doing, schedule, block, classroom.home.id, student_ids, now)  # 2. today's changes
    moved = _movements(todays, doing, classroom, student_ids)  # 3. who took whom where
    where = _whereabouts(classroom, block, doing, moved)
    for st in classroom.students:                             # 4. one-to-ones follow their student
        para = stand_in.get(st.one_to_one, st.one_to_one)
        if para and para not in doing:
            doing[para] = _Doing([st.id], where[st.id], "One-to-one", None, None, "one-to-one")

    staff_cards = tuple(
        _staff_card(s, doing.get(s.id), schedule, block, now, classroom.home.id) for s in classroom.staff)
    students = _student_rows(classroom, block, doing, moved, where, stand_in, now)
    return BoardState(
        room=classroom.room, now=now, weekday=weekday, block=block, staff=staff_cards,
        students=students, tasks=_tasks(live, now), binder=_binder(weekday, binder_titles or {}),
        locations=classroom.location_by_id(), warnings=tuple(warnings))


def _scheduled(block: Block | None, today: date) -> dict[str, _Doing]:
    """Each adult's duty in the current block, as the schedule has it."""
    if block is None:
        return {}
    return {staff_id: _Doing(list(duty.students), duty.at or block.at, duty.activity or block.activity,
                             _at(today, block.start), _at(today, block.end), "schedule")
            for staff_id, duty in block.duties.items()}


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
            e.time, until, "assign", e.time)


def _movements(todays: list[Event], doing: dict[str, _Doing], classroom: Classroom,
               student_ids: set[str]) -> dict[str, Event]:
    """Each student's latest `move` not followed by `back`; escorts go with them. Returns the moves."""
    locations = classroom.location_by_id()
    moved: dict[str, Event] = {}
    for e in todays:
        if e.type == "move" and e.payload["student"] in student_ids:
            moved[e.payload["student"]] = e
        elif e.type == "back":
            moved.pop(e.payload["student"], None)
    escorting: dict[str, list[Event]] = {}
    for e in moved.values():
        escorts = list(e.payload.get("with") or [])
        to = locations.get(e.payload["to"])
        if escorts or to is None or not to.in_room:  # sent alone to a corner of the room: keeps their adults
            for d in doing.values():
                d.students = [s for s in d.students if s != e.payload["student"]]
        for staff_id in escorts:
            escorting.setdefault(staff_id, []).append(e)
    for staff_id, moves in escorting.items():
        latest = max(moves, key=lambda e: e.sort_key)
        current = doing.get(staff_id)
        if current is not None and current.source == "assign" and current.stamp > latest.time:
            continue  # reassigned after the walk began
        to = latest.payload["to"]
        label = locations[to].label if to in locations else to
        doing[staff_id] = _Doing([m.payload["student"] for m in moves if m.payload["to"] == to],
                                 to, f"Taking to {label}", latest.time, None, "move", latest.time)
    return moved


def _whereabouts(classroom: Classroom, block: Block | None, doing: dict[str, _Doing],
                 moved: dict[str, Event]) -> dict[str, str]:
    """Where each student is: where a move took them, else where the block puts them or their adult."""
    fallback = block.at if block else classroom.home.id
    where: dict[str, str] = {}
    for st in classroom.students:
        if st.id in moved:
            where[st.id] = moved[st.id].payload["to"]
        elif block is not None and st.id in block.where:
            where[st.id] = block.where[st.id]
        else:
            holder = next((d for d in doing.values() if st.id in d.students), None)
            where[st.id] = (holder.at if holder else None) or fallback
    return where


def _student_rows(classroom: Classroom, block: Block | None, doing: dict[str, _Doing],
                  moved: dict[str, Event], where: dict[str, str], stand_in: dict[str, str],
                  now: datetime) -> tuple[StudentRow, ...]:
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
        if kind != "away" and (block is not None or mv is not None):
            supervised = bool(loc and loc.supervised)
            if st.one_to_one:  # needs their own para (or sub), an explicit cover, or a supervised place
                para = stand_in.get(st.one_to_one, st.one_to_one)
                if not (para in with_ or supervised or st.id in explicit):
                    covered = False
                    d = doing.get(para)
                    why = f"1:1 {shorts.get(para, para)} is away" + (f": {d.activity}" if d else "")
            elif not (with_ or supervised):
                covered, why = False, "no adult"
        rows.append(StudentRow(
            st.id, st.initials, where[st.id], out, minutes, expected, over, with_, covered, why, since))
    return tuple(rows)


def _absences(todays: list[Event], doing: dict[str, _Doing], now: datetime) -> dict[str, str]:
    """Apply today's `absent` events to the schedule's duties; returns absent staff id → sub id."""
    stand_in: dict[str, str] = {}
    for e in (e for e in todays if e.type == "absent"):
        until = _parse_due(e.payload.get("until"))  # None: the rest of the day
        if until is not None and until <= now:
            continue
        absent, sub = e.payload["staff"], e.payload.get("sub")
        duty = doing.pop(absent, None)
        if sub:
            stand_in[absent] = sub
            if duty is not None:
                doing[sub] = _Doing(duty.students, duty.at, f"{duty.activity} (for {absent})",
                                    duty.since, duty.until, "cover", e.time)
        doing[absent] = _Doing([], None, "Out today" + (f", {sub} covers" if sub else ", no sub"),
                               e.time, until, "absent", e.time)
    return stand_in


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


def _staff_card(staff, d: _Doing | None, schedule: Schedule, block: Block | None, now: datetime,
                home: str) -> StaffCard:
    nxt = _next_block(staff.id, schedule, now, home)
    if d is None:
        activity = "Not scheduled" if block is not None else "No block now"
        return StaffCard(staff.id, staff.name, staff.short, staff.role, (), None, activity,
                         None, None, "off", nxt)
    return StaffCard(staff.id, staff.name, staff.short, staff.role, tuple(d.students), d.at,
                     d.activity, d.since, d.until, d.source, nxt)


def _next_block(staff_id: str, schedule: Schedule, now: datetime, home: str) -> NextBlock | None:
    for b in schedule.blocks(WEEKDAYS[now.weekday()]):
        if b.start > now.time() and staff_id in b.duties:
            duty = b.duties[staff_id]
            return NextBlock(_at(now.date(), b.start), duty.activity or b.activity, duty.at or b.at or home)
    return None


def _tasks(live: list[Event], now: datetime) -> tuple[TaskRow, ...]:
    done_at: dict[str, datetime] = {}
    added: list[Event] = []
    for e in live:  # one pass: a year holds thousands of task events
        if e.type == "task.done":
            done_at[e.payload["task"]] = e.time
        elif e.type == "task.add":
            added.append(e)
    rows = []
    for e in added:
        finished = done_at.get(e.id)
        if finished is not None and finished.date() != now.date():
            continue  # done on an earlier day: off the board (most of a year's tasks)
        due = _parse_due(e.payload.get("due"))
        rows.append(TaskRow(
            e.id, str(e.payload["text"]), e.payload.get("for"), due, finished is not None,
            finished is None and due is not None and due < now, e.staff, e.time))
    rows.sort(key=lambda t: (t.done, not t.overdue, t.due or datetime.max, t.added))
    return tuple(rows)


def _parse_due(raw) -> datetime | None:
    if not raw:
        return None
    try:
        return datetime.fromisoformat(str(raw)).replace(tzinfo=None)
    except ValueError:
        return None


def _binder(weekday: str, titles: dict[str, str]) -> BinderTab:
    if weekday not in WEEKDAY_TABS:
        return BinderTab(None, None)
    return BinderTab(weekday, titles.get(weekday))

