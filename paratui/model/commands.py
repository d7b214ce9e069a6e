"""Every change a person can make to the room, defined once.

The CLI and the board's keys both call these functions with what the person typed or picked (ids,
initials, labels, "14:30"). Each one resolves the names, checks the request against the classroom,
the journal and the clock, asks the permission hook, and returns a `Change`: the event's type and
payload (shaped as its declaration in `paratui.model.event_types` says) plus how it reads back
("Mr. T took K.B. to Bathroom"). `paratui.store.room.Room.apply` writes it. Anything wrong raises
`Refused` (the CLI exits 2, the board keeps the form open); nothing is written.

Adding an event type: its declaration (payload, stream, rule, read-back) in `model/event_types.py`,
its command here, its fold (`model/fold.py`, `model/tasks.py`…); then a CLI sub-command and a key
(an entry in `app/actions.py`'s ACTIONS and its `action_<name>` on `app/board_screen.py`).
Quick-logging entries (data, ABC, timers) are built in paratui.model.data_commands on the helpers here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cached_property
from typing import Any, Callable, Iterable, Mapping, Sequence

from paratui.model.board import FAR_DUE, BoardState, build_board
from paratui.model.changes import describe_change
from paratui.model.classroom import Classroom, Location, Staff, Student
from paratui.model.event_types import BY_NAME
from paratui.model.event_types import seconds_text as seconds_text  # where the screens import it
from paratui.model.events import TASK_TYPES, Event, last_undoable, live_events
from paratui.model.notes import DEFAULT_KIND, KINDS, NoteRow, all_notes, kind_of
from paratui.model.recurring import instance_id
from paratui.model.resolve import NotFound, find_location, find_staff, find_student
from paratui.model.schedule import WEEKDAYS, Schedule
from paratui.model.tasks import TaskRow, fold_tasks
from paratui.model.text import NOTE_LIMIT, TEXT_LIMIT, clean, visible

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
                 actor: str, permit: Permit = allow_everything, login: str | None = None, host: str | None = None):
        self.classroom = classroom
        self.schedule = schedule
        self.events = events
        self.now = now
        self.actor = actor
        self.permit = permit
        self.login, self.host = login, host  # the writer: `undo` takes back what this writer wrote last

    @cached_property
    def board(self) -> BoardState:
        return build_board(self.classroom, self.schedule, self.events, self.now, ahead=False)  # not needed here

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


def _text(value: str | None, field: str, required: bool, limit: int = TEXT_LIMIT) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise Refused(f"{field}: cannot be empty", field)
        return None
    if len(value) > limit:
        raise Refused(f"{field}: {len(value)} characters; at most {limit}", field)
    if not visible(value):
        raise Refused(f"{field}: only invisible characters (zero-width spaces, joiners, format marks): "
                      "nothing would show; type the text", field)
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
    return _change(ctx, "assign", payload, BY_NAME["assign"].needs(ctx.actor, payload))


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


class PastDue(Refused):
    """A task due at a time already past: it would be overdue the moment it is added. Refused
    unless the person says so (`past=True`: the CLI's --past, or yes when asked)."""


def task_add(ctx: Context, text: str, for_: str | None = None, due: str | None = None,
             about: str | None = None, past: bool = False) -> Change:
    """A task for one adult (`for_`) or anyone (None, "anyone"), maybe about a student, due a time or
    a day (one already past: PastDue, unless `past`)."""
    body = _text(text, "text", required=True)
    anyone = not (for_ and for_.strip()) or for_.strip().casefold() in ("anyone", "any")
    owner = None if anyone else _staff(ctx, for_, "for").id
    when = None
    if due and due.strip():
        at = parse_time(due, ctx.now, "due")
        if at < ctx.now and not past:
            said = f"{at:%H:%M}" if at.date() == ctx.now.date() else f"{at:%a %Y-%m-%d %H:%M}"
            raise PastDue(f"due: {said} is already past (it is {ctx.now:%H:%M} now): the task would be overdue "
                          "at once; give a later time", "due")
        when = at.isoformat(timespec="minutes")
    payload: dict[str, Any] = {"text": body, "for": owner, "due": when}
    if about and about.strip():
        payload["about"] = _student(ctx, about, "about").id
    return _change(ctx, "task.add", payload)


def _day_end(ctx: Context) -> time | None:
    blocks = ctx.schedule.blocks(WEEKDAYS[ctx.now.weekday()])
    return blocks[-1].end if blocks else None


def every_task(ctx: Context) -> tuple[TaskRow, ...]:
    """Every task a command may act on: the board's (today's recurring ones too) and those done on
    earlier days (which may be reopened)."""
    rows, _ = fold_tasks(live_events(ctx.events), ctx.now, ctx.classroom.recurring, _day_end(ctx), every=True)
    return rows


def _listing(rows: Iterable[TaskRow]) -> str:
    return "; ".join(f"{t.id[:6]} {clean(t.text, limit=40)}" for t in list(rows)[:20])


def _task(ctx: Context, query: str | None, choices: Iterable[TaskRow] | None = None) -> TaskRow:
    """A task by the first letters of its id (as the board shows them); refused naming `choices`
    (default: the open tasks) when none or several match."""
    rows = every_task(ctx)
    q = (query or "").strip().lower()
    hits = [t for t in rows if t.id.startswith(q)] if q else []
    if len(hits) == 1:
        return hits[0]
    shown = hits or list(choices if choices is not None else (t for t in rows if not t.done))
    what = "matches more than one task" if hits else "matches no task"
    raise Refused(f"{clean(query or '', limit=20)!r} {what}; choose one of: {_listing(shown) or 'none'}", "task")


def find_task(events: Iterable[Event], query: str) -> Event:
    """A task.add event by the first letters of its id (kept for callers that only have events)."""
    tasks = [e for e in live_events(events) if e.type == "task.add"]
    q = query.strip().lower()
    hits = [e for e in tasks if e.id.startswith(q)] if q else []
    if len(hits) == 1:
        return hits[0]
    listing = "; ".join(f"{e.id[:6]} {clean(e.payload['text'], limit=40)}" for e in (hits or tasks)[:20])
    what = "matches more than one task" if hits else "matches no task"
    raise Refused(f"{clean(query, limit=20)!r} {what}: {listing or 'there are no tasks'}", "task")


def _who(ctx: Context, staff_id: str | None) -> str:
    s = ctx.classroom.staff_by_id().get(staff_id or "")
    return clean(s.short) if s else "someone"


def task_claim(ctx: Context, task: str) -> Change:
    """"I've got it": the acting adult takes an open task, so nobody else does it too."""
    row = _task(ctx, task)
    tid = row.id[:6]
    if row.done:
        raise Refused(f"task {tid} is already done (by {_who(ctx, row.done_by)} at {row.done_at:%H:%M}); "
                      f"to do it again, reopen it first: paratui task reopen {tid}", "task")
    if row.claimed_by == ctx.actor:
        raise Refused(f"task {tid}: you already have it (since {row.claimed_at:%H:%M})", "task")
    if row.claimed_by is not None:
        free = [t for t in every_task(ctx) if not t.done and t.claimed_by is None]
        raise Refused(f"task {tid} is already claimed by {_who(ctx, row.claimed_by)} (since "
                      f"{row.claimed_at:%H:%M}); ask them, or claim an open one: "
                      f"{_listing(free) or 'no other open task'}", "task")
    return _change(ctx, "task.claim", {"task": row.id})


def task_done(ctx: Context, task: str) -> Change:
    row = _task(ctx, task)
    if row.done:
        when = (f"{row.done_at:%H:%M}" if row.done_at is None or row.done_at.date() == ctx.now.date()
                else f"{row.done_at:%Y-%m-%d %H:%M}")
        raise Refused(f"task {row.id[:6]} is already done (by {_who(ctx, row.done_by)} at {when})", "task")
    return _change(ctx, "task.done", {"task": row.id})


def task_reopen(ctx: Context, task: str) -> Change:
    """A task marked done is not: open again, and nobody has it."""
    rows = every_task(ctx)
    done_today = [t for t in rows if t.done and t.done_at and t.done_at.date() == ctx.now.date()]
    row = _task(ctx, task, done_today)
    if not row.done:
        raise Refused(f"task {row.id[:6]} is not done: nothing to reopen (done today: "
                      f"{_listing(done_today) or 'none'})", "task")
    return _change(ctx, "task.reopen", {"task": row.id})


def everyone(ctx: Context) -> list[str]:
    """A note to everyone goes to every adult in classroom.toml but the writer; a sub only on a day
    they are working (covering, assigned), so an urgent note never waits for a sub who is not in."""
    cards = {c.id: c for c in ctx.board.staff}
    return [s.id for s in ctx.classroom.staff if s.id != ctx.actor
            and (s.role != "sub" or (s.id in cards and cards[s.id].source != "off"))]


def note(ctx: Context, text: str, to: Sequence[str] | None = None, about: str | None = None,
         kind: str | None = None, urgent: bool = False) -> Change:
    """A note to one adult, several, or everyone (no `to`, or "everyone"), maybe about a student."""
    body = _text(text, "text", required=True, limit=NOTE_LIMIT)
    names = [x for ref in (to or ()) for x in str(ref).replace(",", " ").split()]
    all_ = not names or any(x.casefold() in ("all", "everyone") for x in names)
    if all_:
        ids = everyone(ctx)
        if not ids:
            raise Refused("to: there is nobody else in classroom.toml to send it to", "to")
    else:
        ids = list(dict.fromkeys(_staff(ctx, x, "to").id for x in names))
    the_kind = DEFAULT_KIND
    if kind is not None:
        found = kind_of(kind)
        if found is None:
            raise Refused(f"kind: {clean(kind, limit=20)!r} is not one of {', '.join(KINDS)}", "kind")
        the_kind = found
    payload: dict[str, Any] = {"text": body, "to": ids, "everyone": all_, "kind": the_kind,
                               "urgent": bool(urgent)}
    if about and about.strip():
        payload["about"] = _student(ctx, about, "about").id
    return _change(ctx, "note", payload)


def _notes_listing(rows: Iterable[NoteRow]) -> str:
    return "; ".join(f"{n.id[:6]} {clean(n.text, limit=40)}" for n in list(rows)[:20])


def ack(ctx: Context, note_id: str) -> Change:
    """The acting adult has read a note addressed to them (an urgent one leaves the boards once every
    addressee has)."""
    rows = all_notes(live_events(ctx.events))
    waiting = [n for n in rows if n.for_(ctx.actor) and ctx.actor not in n.acked_by]
    waiting.sort(key=lambda n: (not n.urgent, n.at))
    q = (note_id or "").strip().lower()
    hits = [n for n in rows if n.id.startswith(q)] if q else []
    if len(hits) != 1:
        what = "matches more than one note" if hits else "matches no note"
        raise Refused(f"{clean(note_id or '', limit=20)!r} {what}: notes for you to acknowledge: "
                      f"{_notes_listing(hits or waiting) or 'none'}", "note")
    n = hits[0]
    if not n.for_(ctx.actor):
        to = ", ".join(_who(ctx, s) for s in n.to) or "nobody"
        raise Refused(f"note {n.id[:6]} is to {to}, not to {_who(ctx, ctx.actor)}; notes for you to "
                      f"acknowledge: {_notes_listing(waiting) or 'none'}", "note")
    when = dict(n.acked).get(ctx.actor)
    if when is not None:
        raise Refused(f"note {n.id[:6]}: {_who(ctx, ctx.actor)} already acknowledged it at "
                      f"{when:%H:%M}; still to acknowledge: {_notes_listing(waiting) or 'none'}", "note")
    return _change(ctx, "ack", {"note": n.id})


def undo(ctx: Context) -> Change | None:
    """Retract the acting person's newest change still in force; None when there is none."""
    target = last_undoable(ctx.events, ctx.actor, ctx.login, ctx.host)
    if target is None:
        return None
    payload = {"target": target.id}
    _allowed(ctx, "undo", payload)
    event = Event("", "retract", ctx.now, 0, ctx.actor, "", "", payload)
    return Change("retract", payload, describe(event, ctx.classroom, ctx.events),
                  target.type in TASK_TYPES)


def find_event(events: Iterable[Event], query: str) -> Event:
    """An event by its id or its first letters (at least 4; the CLI and the student screen show 6)."""
    q = (query or "").strip().lower()
    if len(q) < 4:
        raise Refused(f"id: {clean(query, limit=20)!r} is too short: give at least 4 characters of the "
                      "event id (the CLI prints 6 in brackets after each entry)", "id")
    hits = {e.id: e for e in events if e.id.lower().startswith(q)}
    if len(hits) == 1:
        return next(iter(hits.values()))
    if hits:
        listing = "; ".join(f"{e.id[:10]} {e.type}" for e in list(hits.values())[:10])
        raise Refused(f"id: {clean(q, limit=20)!r} matches more than one event: {clean(listing)}; "
                      "give more characters", "id")
    raise Refused(f"id: {clean(q, limit=20)!r} matches no event in the journal", "id")


def retract(ctx: Context, event_id: str) -> Change:
    """Retract one event, anyone's, of any day (a data entry logged by mistake): a `retract` event
    naming it; nothing is deleted. Refused for an unknown id, a retract, or one already retracted.
    `ctx.events` must hold the target's day (the student screen and the CLI pass the history)."""
    target = find_event(ctx.events, event_id)
    if target.type == "retract":
        raise Refused(f"id: {target.id[:6]} is itself a retraction; it cannot be retracted", "id")
    earlier = next((e for e in ctx.events if e.type == "retract" and e.payload.get("target") == target.id), None)
    if earlier is not None:
        by = ctx.classroom.staff_by_id().get(earlier.staff or "")
        raise Refused(f"id: {target.id[:6]} is already retracted (by {clean(by.short) if by else 'someone'} "
                      f"on {earlier.time:%Y-%m-%d at %H:%M})", "id")
    payload = {"target": target.id}
    _allowed(ctx, "retract", payload)
    return Change("retract", payload, f"retracted: {describe(target, ctx.classroom, ctx.events)}",
                  target.type in TASK_TYPES)


# -- reading back -----------------------------------------------------------------------------------

_SHA256 = re.compile(r"[0-9a-f]{64}")


def setup_saved(ctx: Context, file: str, what: str, before: str, after: str) -> Change:
    """A setup screen saved `file` (relative to the folder): the audit trail's record of it (who is
    the actor the system established; when is the context's clock). The file is already written."""
    if not file or file.startswith("/") or ".." in file.split("/"):
        raise Refused("file: a file inside the folder", "file")
    for name, digest in (("before", before), ("after", after)):
        if (digest or name == "after") and not _SHA256.fullmatch(digest):
            raise Refused(f"{name}: a sha256 (64 hex digits)", name)
    payload = {"file": clean(file, limit=120), "what": _text(what, "what", required=True), "before": before or None,
               "after": after}
    return _change(ctx, "setup.save", payload, "setup")


def describe(event: Event, classroom: Classroom, events: Iterable[Event] | Mapping[str, Event] = ()) -> str:
    """One event as a short sentence, safe to show anywhere (every name passes through `clean`):
    its declaration's read-back (paratui.model.event_types). `events`: the journal, for what a
    retract or a task event refers to (a dict id → event is looked up directly: the audit trail
    describes a whole year)."""
    words = _Words(event, classroom, events)
    kind = BY_NAME.get(event.type)
    if kind is None:
        return f"{clean(event.type, limit=30)} by {words.by}"
    return kind.reads(event.payload, words)


class _Words:
    """The names a read-back uses (paratui.model.event_types.Words), over a classroom and a journal."""

    def __init__(self, event: Event, classroom: Classroom, events: Iterable[Event] | Mapping[str, Event]):
        self._event, self._classroom, self._events = event, classroom, events
        self._staff, self._kids, self._places = _lookups(classroom)

    @property
    def by(self) -> str:
        return self.adult(self._event.staff)

    @property
    def day(self) -> date:
        return self._event.time.date()

    def adult(self, x: Any) -> str:
        return clean(self._staff.get(x, x) if isinstance(x, str) else "someone", limit=40)

    def kid(self, x: Any) -> str:
        return clean(self._kids.get(x, x) if isinstance(x, str) else "?", limit=20)

    def place(self, x: Any) -> str:
        loc = self._places.get(x) if isinstance(x, str) else None
        return clean(loc.label if loc else x, limit=40)

    def place_kind(self, x: Any) -> str | None:
        loc = self._places.get(str(x))
        return loc.kind if loc is not None else None

    def task(self, tid: Any) -> str:
        return _task_text(tid, self._event, self._classroom, self._events)

    def event(self, eid: Any) -> Event | None:
        return _event_by_id(self._events, eid)

    def said(self, eid: Any) -> str | None:
        target = _event_by_id(self._events, eid)
        return describe(target, self._classroom, self._events) if target is not None else None

    def step(self, student: Any, goal: Any, n: Any) -> str | None:
        plan = self._classroom.plans.get(str(student))
        g = plan.goal(str(goal)) if plan else None
        return g.steps[n - 1] if g and isinstance(n, int) and 0 < n <= len(g.steps) else None

    def behavior(self, student: Any, behavior: Any) -> str | None:
        plan = self._classroom.plans.get(str(student))
        b = plan.behavior(str(behavior)) if plan else None
        return b.name if b else None

    def change(self, payload: Mapping[str, Any]) -> str:
        return describe_change(payload.get("kind"), dict(payload), self._staff, self._kids,
                               {k: v.label for k, v in self._places.items()})


def _task_text(tid: Any, event: Event, classroom: Classroom,
               events: Iterable[Event] | Mapping[str, Event]) -> str:
    """A task's text by its id: a task.add's, or a recurring task's of the event's day."""
    added = _event_by_id(events, tid)
    if added is not None:
        return clean(added.payload.get("text", ""), limit=80)
    for rule in classroom.recurring:
        if isinstance(tid, str) and instance_id(rule.id, event.time.date()) == tid:
            return clean(rule.text, limit=80) + " (recurring)"
    return clean(str(tid)[:6])


def _event_by_id(events: Iterable[Event] | Mapping[str, Event], eid: Any) -> Event | None:
    if not isinstance(eid, str):
        return None
    if isinstance(events, Mapping):
        return events.get(eid)
    return next((e for e in events if e.id == eid), None)


_LOOKUPS: tuple[Classroom, tuple[dict, dict, dict]] | None = None


def _lookups(classroom: Classroom) -> tuple[dict[str, str], dict[str, str], dict[str, Location]]:
    """Staff short names, initials and places by id: built once per classroom, not per sentence."""
    global _LOOKUPS
    if _LOOKUPS is None or _LOOKUPS[0] is not classroom:
        _LOOKUPS = (classroom, ({s.id: s.short for s in classroom.staff},
                                {s.id: s.initials for s in classroom.students},
                                {loc.id: loc for loc in classroom.locations}))
    return _LOOKUPS[1]
