"""Tasks on the board: who a task is for, who has it ("I've got it"), who did it and when.

A task is a `task.add` event (its id is the task's id) or a recurring task of today, derived from
recurring.toml (paratui.model.recurring; no event, its id made from the rule and the date). What
happens to it is a sequence of events about its id, folded in journal order (time, then the writer's
clock, then id: the same order on every machine):

  task.claim   the first claim of an open, unclaimed task wins; a later claim by someone else is
               kept in the journal but changes nothing (two paras claiming at once: both events merge,
               every board shows the earlier one as the owner, the other para's board too)
  task.done    done, by whom and when (a second "done" while done changes nothing)
  task.reopen  open again, and unclaimed (up for grabs)
  retract      (undo) removes any of these, as if never written

Pure: no I/O. Used by paratui.model.board (the board's tasks), paratui.model.commands (what may be
claimed, done or reopened) and paratui.store.journal_reader (which old tasks a board never needs).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Iterable, NamedTuple, Sequence

from paratui.model.events import Event
from paratui.model.memo import same_items
from paratui.model.recurring import Rule, due_of, instance_id
from paratui.model.text import clean

LIFECYCLE = ("task.claim", "task.done", "task.reopen")
# A task due further than this from today is a typo (year 1, 9999…): warned about.
FAR_DUE = timedelta(days=2 * 366)
DAY_END = time(15, 0)  # a recurring task with no `at` on a day without blocks


@dataclass(frozen=True)
class TaskState:
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    done_by: str | None = None
    done_at: datetime | None = None

    @property
    def done(self) -> bool:
        return self.done_at is not None


@dataclass(frozen=True)
class TaskRow:
    id: str
    text: str
    for_: str | None  # None: anyone
    due: datetime | None
    done: bool
    overdue: bool
    added_by: str | None  # None: a recurring task
    added: datetime
    about: str | None = None  # a student id
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    done_by: str | None = None
    done_at: datetime | None = None
    recurring: str | None = None  # the recurring.toml rule's id

    def mine(self, staff: str) -> bool:
        """For this adult, or claimed by them (the "mine" view)."""
        return self.for_ == staff or self.claimed_by == staff


def lifecycle(events: Iterable[Event]) -> TaskState:
    """The state after a task's claim / done / reopen events (live, in journal order)."""
    claimed_by = done_by = None
    claimed_at = done_at = None
    for e in events:
        if e.type == "task.claim":
            if done_at is None and claimed_by is None:
                claimed_by, claimed_at = e.staff, e.time
        elif e.type == "task.done":
            if done_at is None:
                done_by, done_at = e.staff, e.time
        elif e.type == "task.reopen":
            claimed_by = done_by = None
            claimed_at = done_at = None
    return TaskState(claimed_by, claimed_at, done_by, done_at)


def histories(live: Sequence[Event]) -> tuple[list[Event], dict[str, list[Event]]]:
    """One pass over live events (a year holds thousands of task events): the task.add events, and
    each task id's claim / done / reopen events in order."""
    added: list[Event] = []
    about: dict[str, list[Event]] = {}
    for e in live:
        t = e.type
        if t == "task.add":
            added.append(e)
        elif t in LIFECYCLE:
            about.setdefault(e.payload["task"], []).append(e)
    return added, about


def recurring_today(rules: Iterable[Rule], day: date, day_end: time) -> list[TaskRow]:
    """Today's tasks from recurring.toml, before anything happened to them."""
    start = datetime.combine(day, time())
    return [TaskRow(instance_id(r.id, day), r.text, r.for_, due_of(r, day, day_end), False, False, None,
                    start, r.about, recurring=r.id)
            for r in rules if r.fires_on(day)]


class _Pending(NamedTuple):
    """A task row before the clock is looked at (whether it is overdue)."""

    id: str
    text: str
    for_: str | None
    due: datetime | None
    by: str | None
    added: datetime
    about: str | None
    state: TaskState
    recurring: str | None
    bad_due: bool  # open, with a due date that is not a date


class _Day(NamedTuple):
    """What the tasks are on a day, whatever the time: the rows, and the open ones' due times sorted."""

    live: Sequence[Event]
    today: date
    rules: object
    day_end: time | None
    every: bool
    pending: list[_Pending]
    dues: list[datetime]


def fold_tasks(live: Sequence[Event], now: datetime, rules: Iterable[Rule] = (),
               day_end: time | None = None, every: bool = False) -> tuple[tuple[TaskRow, ...], list[str]]:
    """The board's tasks: every open one (any day), those done today, and today's recurring ones;
    overdue first, then by due time. Also a warning for each open task whose due date is a typo.
    `every`: tasks done on earlier days too (what a command may reopen).

    Folded once per day and set of events (`_day`); the clock only decides which open tasks are
    overdue (and which due dates are years away), and the rows are made again only when that changes."""
    day = _day(live, now.date(), rules, day_end, every)
    # which due times the clock is past (overdue), or further than FAR_DUE from (a typo)
    where = (bisect_left(day.dues, now), bisect_left(day.dues, now - FAR_DUE), bisect_right(day.dues, now + FAR_DUE))
    last_day, last_where, last = _ROWS[0]
    if last_day is day and last_where == where:
        return last[0], list(last[1])
    rows: list[TaskRow] = []
    warnings: list[str] = []
    for p in day.pending:
        if p.bad_due:
            warnings.append(f"task {clean(p.id[:6])}: due date is not a date; shown without one")
        elif p.due is not None and not p.state.done and p.recurring is None and abs(p.due - now) > FAR_DUE:
            warnings.append(f"task {clean(p.id[:6])}: due date {p.due.date().isoformat()} is years away; check it")
        rows.append(_row(p.id, p.text, p.for_, p.due, p.by, p.added, p.about, p.state, now, p.recurring))
    rows.sort(key=lambda t: (t.done, not t.overdue, t.due or datetime.max, t.added))
    shown = tuple(rows)
    _ROWS[0] = (day, where, (shown, tuple(warnings)))
    return shown, warnings


def _day(live: Sequence[Event], today: date, rules: Iterable[Rule], day_end: time | None, every: bool) -> _Day:
    last = _DAY[0]
    if (last is not None and last.today == today and last.rules is rules and last.day_end == day_end
            and last.every == every and same_items(last.live, live)):
        return last
    added, about = histories(live)
    pending: list[_Pending] = []
    for e in added:
        state = lifecycle(about.get(e.id, ()))
        if state.done_at is not None and state.done_at.date() != today and not every:
            continue  # done on an earlier day: off the board (most of a year's tasks)
        raw_due = e.payload.get("due")
        due = parse_due(raw_due)
        pending.append(_Pending(e.id, str(e.payload["text"]), e.payload.get("for"), due, e.staff, e.time,
                                e.payload.get("about"), state, None, bool(raw_due) and due is None and not state.done))
    for r in recurring_today(rules, today, day_end or DAY_END):
        state = lifecycle(about.get(r.id, ()))
        pending.append(_Pending(r.id, r.text, r.for_, r.due, None, r.added, r.about, state, r.recurring, False))
    dues = sorted(p.due for p in pending if p.due is not None and not p.state.done)
    day = _Day(list(live), today, rules, day_end, every, pending, dues)
    _DAY[0] = day  # replaced whole: threads never mix two folds
    return day


_DAY: list[_Day | None] = [None]
_ROWS: list[tuple[_Day | None, tuple[int, int, int], tuple[tuple[TaskRow, ...], tuple[str, ...]]]] = [
    (None, (0, 0, 0), ((), ()))]


def _row(tid: str, text: str, for_: str | None, due: datetime | None, by: str | None, added: datetime,
         about: str | None, state: TaskState, now: datetime, recurring: str | None = None) -> TaskRow:
    return TaskRow(tid, text, for_, due, state.done, not state.done and due is not None and due < now,
                   by, added, about, state.claimed_by, state.claimed_at, state.done_by, state.done_at,
                   recurring)


def parse_due(raw: object) -> datetime | None:
    if not raw:
        return None
    try:
        return datetime.fromisoformat(str(raw)).replace(tzinfo=None)
    except ValueError:
        return None


def closed_before(events: Sequence[Event], cutoff: date) -> set[str]:
    """The task ids a board of `cutoff` or later never shows, judged from `events` alone (older task
    months): added (or, for a recurring task or an orphan, last touched) before `cutoff`, done before
    it, and nothing about them on or after it. Retracts are taken into account; a task whose add was
    retracted is left alone (it stays, as before)."""
    start = datetime.combine(cutoff, time())
    retracted = {e.payload["target"] for e in events if e.type == "retract"}
    adds: dict[str, Event] = {}
    about: dict[str, list[Event]] = {}
    for e in events:
        if e.type == "task.add":
            adds[e.id] = e
        elif e.type in LIFECYCLE:
            about.setdefault(e.payload["task"], []).append(e)
    closed: set[str] = set()
    for tid, history in about.items():
        add = adds.get(tid)
        if add is not None and (tid in retracted or add.time >= start):
            continue
        if any(e.time >= start for e in history):
            continue
        live = sorted({e.id: e for e in history if e.id not in retracted}.values(),
                      key=lambda e: (e.time, e.written, e.id))
        state = lifecycle(live)
        if add is None:
            closed.add(tid)  # a recurring task of an earlier day (or an orphan): never shown again
        elif state.done_at is not None and state.done_at < start:
            closed.add(tid)
    return closed
