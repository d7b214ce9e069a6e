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

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Iterable, Sequence

from paratui.model.events import Event
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


def fold_tasks(live: Sequence[Event], now: datetime, rules: Iterable[Rule] = (),
               day_end: time | None = None, every: bool = False) -> tuple[tuple[TaskRow, ...], list[str]]:
    """The board's tasks: every open one (any day), those done today, and today's recurring ones;
    overdue first, then by due time. Also a warning for each open task whose due date is a typo.
    `every`: tasks done on earlier days too (what a command may reopen)."""
    added, about = histories(live)
    today = now.date()
    rows: list[TaskRow] = []
    warnings: list[str] = []
    for e in added:
        state = lifecycle(about.get(e.id, ()))
        if state.done_at is not None and state.done_at.date() != today and not every:
            continue  # done on an earlier day: off the board (most of a year's tasks)
        raw_due = e.payload.get("due")
        due = parse_due(raw_due)
        if not state.done and raw_due:
            short = clean(e.id[:6])  # the id as the board shows it; never the task's text
            if due is None:
                warnings.append(f"task {short}: due date is not a date; shown without one")
            elif abs(due - now) > FAR_DUE:
                warnings.append(f"task {short}: due date {due.date().isoformat()} is years away; check it")
        rows.append(_row(e.id, str(e.payload["text"]), e.payload.get("for"), due, e.staff, e.time,
                         e.payload.get("about"), state, now))
    for r in recurring_today(rules, today, day_end or DAY_END):
        state = lifecycle(about.get(r.id, ()))
        rows.append(_row(r.id, r.text, r.for_, r.due, None, r.added, r.about, state, now, r.recurring))
    rows.sort(key=lambda t: (t.done, not t.overdue, t.due or datetime.max, t.added))
    return tuple(rows), warnings


def _row(tid: str, text: str, for_: str | None, due: datetime | None, by: str | None, added: datetime,
         about: str | None, state: TaskState, now: datetime, recurring: str | None = None) -> TaskRow:
    return TaskRow(tid, text, for_, due, state.done, not state.done and due is not None and due < now,
                   by, added, about, state.claimed_by, state.claimed_at, state.done_by, state.done_at,
                   recurring)


def parse_due(raw) -> datetime | None:
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
