"""Who is acting and what each role may do: one rule for the board and the CLI.

Read from classroom.toml's `[access]` table (all optional):

    [access]
    shared_logins = ["room12"]   # the classroom workstation's account(s): people pick who they are
    sync_logins = ["syncthing"]  # accounts a sync tool runs as: their files come from other machines
    idle_minutes = 10            # a shared board asks "who are you?" again and hides details after this
    pins = true                  # at a shared login, a person whose role may do more than a para's
                                 # acts with their role only after typing their PIN (default true)
    signed_only = true           # once keys are enrolled, an unsigned entry not signed over is refused
    [access.roles]               # which actions a role may do (defaults below, from the roles table)
    para = ["move", "back", "assign.self", "log", "note", "ack", "task", "undo"]

A mistake here (an unknown role or action, a login listed for two people, a shared login that is also
someone's own) is a warning, and the reading is the safe one: less permission, never more.

The rules are checked twice: where a change is made (`permit`, the command layer's hook, so the CLI
exits 3 and the board says why) and where the journal is read (`screen_events`: an event its writer's
role did not allow is reported and not applied, so a hand-written or older client cannot bypass them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from hashlib import sha256
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Protocol, Sequence

from paratui.model.errors import Problem
from paratui.model.event_types import BY_NAME, TYPES
from paratui.model.fields import Checker, normalize
from paratui.model.text import clean

if TYPE_CHECKING:
    from paratui.model.events import Event

# Every action a rule can name. A rule may also name a family ("task" = every task.* action, "log" =
# every kind of data entry, "change" = every change to today's plan). Actions not listed here do not
# exist: naming one is a warning.
ACTIONS: dict[str, str] = {
    "move": "take or send a student out of the room",
    "back": "mark a student back in the room",
    "assign.self": "put yourself with students somewhere (today's change)",
    "assign.other": "put another adult with students (today's change)",
    "absent": "mark an adult out today and name the sub",
    "task.add": "add a task",
    "task.claim": "claim a task (\"I've got it\")",
    "task.done": "mark a task done",
    "task.reopen": "reopen a done task",
    "log": "record data: tallies, trials, durations, ABC records, timers",
    "note": "send a note",
    "ack": "acknowledge an urgent note",
    "change": "change today's plan for the room, a student or a lent adult",
    "phase": "start a new phase (baseline, intervention…) on a student's goal",
    "progress": "state a goal's progress for a reporting period (the IEP progress report)",
    "undo": "retract your own last entry",
    "retract.own": "retract one of your own entries",
    "retract.any": "retract anyone's entry",
    "setup": "change the room's files from the setup screens (students, goals, the week)",
}
FAMILIES: dict[str, tuple[str, ...]] = {
    "task": ("task.add", "task.claim", "task.done", "task.reopen"),
    "assign": ("assign.self", "assign.other"),
    "retract": ("retract.own", "retract.any"),
}
# What the command layer asks for (event type or action name) → the action a rule names: each
# type's from its declaration (one whose rule depends on whom it is about is asked by that rule),
# and the names the day-change and note commands ask by.
_ASKED_AS = {
    **{t.name: t.action for t in TYPES if t.action != t.name and t.other is None},
    "change.room": "change", "change.student": "change", "change.lend": "change",
    "note.add": "note", "note.ack": "ack",
}
# Actions a related-service provider may do only for their own students (schedule and one-to-one).
_OWN_STUDENTS_ONLY = {"move", "back", "log"}

# The seeds' roles table: the teacher plans and designs; paras implement and record; a visiting
# provider works with their own students; a sub keeps the day going.
_PARA = ("move", "back", "assign.self", "task", "log", "note", "ack", "undo", "retract.own")
DEFAULT_RULES: dict[str, frozenset[str]] = {
    "teacher": frozenset(ACTIONS),
    "para": frozenset(),  # filled below from _PARA
    "one-to-one": frozenset(),
    "related-service": frozenset({"move", "back", "log", "note", "ack", "undo", "retract.own"}),
    "sub": frozenset({"move", "back", "log", "note", "ack", "undo", "retract.own"}),
}


def expand(names: Iterable[str]) -> frozenset[str]:
    out: set[str] = set()
    for name in names:
        out.update(FAMILIES.get(name, (name,)))
    return frozenset(out)


DEFAULT_RULES["para"] = DEFAULT_RULES["one-to-one"] = expand(_PARA)


@dataclass(frozen=True)
class Access:
    shared_logins: tuple[str, ...] = ()  # "*": every login that is nobody's own is the shared account
    idle_minutes: int = 10
    rules: dict[str, frozenset[str]] = field(default_factory=lambda: dict(DEFAULT_RULES))
    warnings: tuple[Problem, ...] = field(default=(), compare=False)
    # Accounts of this machine a sync tool runs as (Syncthing's own account): a journal file they own
    # was written on another machine, so its owner says nothing of its writer (docs/trust.md).
    sync_logins: tuple[str, ...] = ()
    # At a shared login, a person whose role may do more than a para's acts with their own role only
    # after their PIN (paratui.store.pins); until then with a para's (`capped_permit`).
    pins: bool = True
    # `signed_only = true`: once keys are enrolled, an unsigned event is applied only when the teacher
    # signed it over (`paratui keys sign-over`), whatever its time says (docs/trust.md)
    signed_only: bool = False


# What the rules read of the room and its week (paratui.model.classroom's Classroom, which holds an
# Access, and paratui.model.schedule's Schedule): described here, not imported, so that those modules
# and this one do not import each other.
class _Adult(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def short(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def logins(self) -> tuple[str, ...]: ...


class _Student(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def one_to_one(self) -> str | None: ...


class _Room(Protocol):
    @property
    def staff(self) -> Sequence[_Adult]: ...
    @property
    def students(self) -> Sequence[_Student]: ...
    @property
    def access(self) -> Access: ...
    def staff_by_id(self) -> Mapping[str, _Adult]: ...


class _Duty(Protocol):
    @property
    def students(self) -> tuple[str, ...]: ...


class _Block(Protocol):
    @property
    def duties(self) -> Mapping[str, _Duty]: ...


class _Service(Protocol):
    @property
    def students(self) -> tuple[str, ...]: ...
    @property
    def staff(self) -> str | None: ...


class _Week(Protocol):
    @property
    def days(self) -> Mapping[str, Sequence[_Block]]: ...
    @property
    def services(self) -> Sequence[_Service]: ...


def parse_access(raw: Any, staff: Sequence[_Adult], roles: Sequence[str]) -> Access:
    """classroom.toml's `[access]` → Access. Never raises: every mistake is a warning and the safe
    reading (a login in doubt maps to nobody, an unknown action is dropped)."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        return Access(warnings=(Problem("access", "expected a table"),))
    c = Checker()
    for key in raw:
        if key not in ("shared_logins", "idle_minutes", "roles", "sync_logins", "pins", "signed_only"):
            c.warn("access", "unknown key (allowed: idle_minutes, pins, roles, shared_logins, signed_only, "
                   "sync_logins)",
                   hint=f"access.{clean(key, limit=20)}")
    shared = _shared_logins(c, raw.get("shared_logins", []), staff)
    sync = _sync_logins(c, raw.get("sync_logins", []), staff, shared)
    idle = raw.get("idle_minutes", 10)
    if isinstance(idle, bool) or not isinstance(idle, int) or not 1 <= idle <= 240:
        c.warn("access.idle_minutes", "expected minutes from 1 to 240; using 10")
        idle = 10
    table = raw.get("roles", {})
    if not isinstance(table, dict):
        c.warn("access.roles", "expected a table of role = [actions]")
        table = {}
    rules = _rules(c, table, roles)
    pins = raw.get("pins", True)
    if not isinstance(pins, bool):
        c.warn("access.pins", "expected true or false; using true (a PIN is asked)")
        pins = True
    signed_only = raw.get("signed_only", False)
    if not isinstance(signed_only, bool):
        c.warn("access.signed_only", "expected true or false; using true (the safe reading)")
        signed_only = True
    return Access(shared, idle, rules, tuple(c.warnings), sync, pins=pins, signed_only=signed_only)


def _sync_logins(c: Checker, sync: Any, staff: Sequence[_Adult], shared: Sequence[str]) -> tuple[str, ...]:
    """The sync tool's accounts but those that are someone's own or shared (read as those)."""
    if not isinstance(sync, list) or not all(isinstance(x, str) and x.strip() and x != "*" for x in sync):
        c.warn("access.sync_logins", "expected a list of OS user names (the accounts a sync tool runs as)")
        return ()
    taken = {login for s in staff for login in s.logins} | set(shared)
    both = sorted(x for x in sync if x in taken)
    if both:
        c.warn("access.sync_logins", f"{len(both)} login(s) also someone's own or shared: read as those (a "
               "person's account vouches for its own files only; run the sync tool as an account of its own)")
    return tuple(x for x in sync if x not in taken)


def _shared_logins(c: Checker, shared: Any, staff: Sequence[_Adult]) -> tuple[str, ...]:
    """The shared logins but those that are someone's own (read as that person's)."""
    if not isinstance(shared, list) or not all(isinstance(x, str) and x.strip() for x in shared):
        c.warn("access.shared_logins", "expected a list of OS user names (or \"*\")")
        shared = []
    personal = {login for s in staff for login in s.logins}
    both = sorted(x for x in shared if x in personal)
    if both:
        c.warn("access.shared_logins", f"{len(both)} login(s) also listed as someone's own "
               "`logins`: read as that person's own (it may not act as anyone else)")
    return tuple(x for x in shared if x not in personal)


def _rules(c: Checker, table: dict, roles: Sequence[str]) -> dict[str, frozenset[str]]:
    """[access.roles] over the defaults: an unknown action is dropped, a broken list allows nothing."""
    rules = dict(DEFAULT_RULES)
    known = set(ACTIONS) | set(FAMILIES)
    for role, names in table.items():
        where = f"access.roles.{clean(role, limit=20)}"
        if role not in roles:
            c.warn(where, f"unknown role (roles: {', '.join(roles)}); ignored")
            continue
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            c.warn(where, "expected a list of action names; this role may do nothing until fixed")
            rules[role] = frozenset()
            continue
        unknown = [n for n in names if n not in known]
        if unknown:
            c.warn(where, f"unknown action {clean(unknown[0], limit=20)!r} ignored "
                   f"(actions: {', '.join(sorted(known))})")
        rules[role] = expand(n for n in names if n in known)
    return rules


def duplicate_logins(staff: Sequence[_Adult]) -> set[str]:
    """Logins listed for two people: they act as nobody until fixed."""
    seen: dict[str, str] = {}
    twice: set[str] = set()
    for s in staff:
        for login in s.logins:
            if login in seen and seen[login] != s.id:
                twice.add(login)
            seen[login] = s.id
    return twice


# -- who is acting -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Acting:
    """Who this process acts as: `staff` (an id) or None, and how that was decided."""

    staff: str | None
    mode: str  # "personal" (the login is this person's) | "shared" (the classroom account) | "unknown"
    refusal: str | None = None  # why this process may not act as asked (the CLI exits 3)

    @property
    def read_only(self) -> bool:
        return self.mode == "unknown"


def acting(classroom: _Room, login: str, as_staff: str | None) -> Acting:
    """The OS login (from the operating system, never from USER) mapped through classroom.toml.

    A personal login is its person: `--as` someone else is refused. A shared login (the classroom
    workstation) picks with `--as` or on the board. Anyone else reads only."""
    access = classroom.access
    twice = duplicate_logins(classroom.staff)
    own = [s for s in classroom.staff if login in s.logins and login not in twice]
    wanted = _find(classroom, as_staff) if as_staff else None
    if as_staff and wanted is None:
        return Acting(None, "unknown", f"--as: no staff matches (staff: {_ids(classroom)})")
    if own:
        me = own[0]
        if wanted is not None and wanted.id != me.id:
            return Acting(me.id, "personal",
                          f"login {clean(login, limit=32)!r} is {clean(me.short)}'s own: it may not act as "
                          f"{clean(wanted.short)} (--as is for the shared classroom account)")
        return Acting(me.id, "personal")
    shared = login in access.shared_logins or ("*" in access.shared_logins and login not in twice
                                               and login not in access.sync_logins)
    if shared:
        return Acting(wanted.id if wanted else None, "shared")
    why = (f"login {clean(login, limit=32)!r} is listed for two people in classroom.toml" if login in twice
           else f"login {clean(login, limit=32)!r} is not anyone's in classroom.toml (staff `logins`) "
                "and not a shared login (`[access] shared_logins`)")
    return Acting(None, "unknown", f"{why}: this board is read-only")


def _find(classroom: _Room, ref: str) -> _Adult | None:
    key = normalize(ref)
    for s in classroom.staff:
        if key in (normalize(s.id), normalize(s.short)):
            return s
    return None


def _ids(classroom: _Room) -> str:
    return ", ".join(s.id for s in classroom.staff)


# -- what a role may do ----------------------------------------------------------------------------

def action_name(asked: str) -> str:
    return _ASKED_AS.get(asked, asked)


_OWN_CACHE: dict[str, tuple[object, object, frozenset[str]]] = {}


def own_students(staff_id: str, classroom: _Room, schedule: _Week | None) -> frozenset[str]:
    """The students an adult works with in the base week (its blocks and its [[services]]), or follows
    as their one-to-one."""
    hit = _OWN_CACHE.get(staff_id)
    if hit is not None and hit[0] is classroom and hit[1] is schedule:
        return hit[2]  # checked once per event on read: not re-walked for each
    mine = {s.id for s in classroom.students if s.one_to_one == staff_id}
    if schedule is not None:
        for blocks in schedule.days.values():
            for block in blocks:
                duty = block.duties.get(staff_id)
                if duty:
                    mine.update(duty.students)
        for service in schedule.services:
            if service.staff == staff_id:
                mine.update(service.students)
    found = frozenset(mine)
    _OWN_CACHE[staff_id] = (classroom, schedule, found)
    return found


def rule_refusal(classroom: _Room, schedule: _Week | None, staff_id: str, asked: str,
                 payload: dict, events: Sequence["Event"] = (), as_role: str | None = None) -> str | None:
    """Why `staff_id` may not do `asked` with `payload` (None: allowed). Used by both checks.
    `as_role`: checked as if their role were that one (`capped_permit`)."""
    staff = classroom.staff_by_id().get(staff_id)
    if staff is None:
        return f"{clean(staff_id, limit=12)!r} is not on the staff list"
    action = action_name(asked)
    role = as_role or staff.role
    allowed = classroom.access.rules.get(role, frozenset())
    if action in ("undo", "retract.own"):
        target = _target(payload, events)
        if target is not None and target.staff != staff_id:
            if "retract.any" in allowed:
                return None
            return f"a {role} may retract only their own entries (the teacher can retract any)"
    if action == "move" and _takes_others(staff_id, payload):
        action = "assign.other" if "move" in allowed else action  # taking others along assigns them
    if action not in allowed:
        return (f"a {role} may not {ACTIONS.get(action, action)} (rule `{action}` in classroom.toml "
                "[access.roles]; ask the teacher, or send them a note)")
    if role == "related-service" and action in _OWN_STUDENTS_ONLY:
        student = payload.get("student")
        if isinstance(student, str) and student not in own_students(staff_id, classroom, schedule):
            return f"a related-service provider may {ACTIONS[action]} only for their own students"
    return None


def _takes_others(staff_id: str, payload: dict) -> bool:
    """A move that sends adults other than its writer along (pulling them off their students)."""
    along = payload.get("with")
    return isinstance(along, list) and any(x != staff_id for x in along)


def _target(payload: dict, events: Sequence["Event"]) -> "Event | None":
    target = payload.get("target")
    if not isinstance(target, str):
        return None
    return next((e for e in events if e.id == target), None)


@dataclass(frozen=True)
class Screened:
    """The one event stream every reader uses (board, student screen, reports, history, agenda): the
    events their writers' roles allowed; `refused` (id → why) the ones not applied, `said` their
    warnings, and `every` all of them (history lists the refused as NOT APPLIED)."""

    events: list["Event"]
    refused: dict[str, str]
    said: list[str]
    every: Sequence["Event"]


def screen(events: Sequence["Event"], classroom: _Room, schedule: _Week | None) -> Screened:
    refused = refused_events(events, classroom, schedule)
    kept, said = _screen(events, refused)
    return Screened(kept, refused, said + unsigned_note(events, refused, classroom), events)


def screen_events(events: Sequence["Event"], classroom: _Room, schedule: _Week | None
                  ) -> tuple[list["Event"], list[str]]:
    """The events their writers' roles allowed, and one message per event that was not allowed (not
    applied: a hand-edited journal or an older client cannot bypass the rules)."""
    return _screen(events, refused_events(events, classroom, schedule))


def _screen(events: Sequence["Event"], refused: dict[str, str]) -> tuple[list["Event"], list[str]]:
    if not refused:
        return list(events), []
    kept = [e for e in events if e.id not in refused]
    # the same events are refused at every reload (a year can hold hundreds): each message is
    # written once, while its event is the same object and refused for the same reason
    before = _SAID[0]
    now: dict[str, tuple[Event, str, str]] = {}
    said = []
    for e in events:
        why = refused.get(e.id)
        if why is None:
            continue
        hit = before.get(e.id)
        if hit is not None and hit[0] is e and hit[1] == why:
            text = hit[2]
        elif why.startswith((WRONG_OWNER, *SIGNED, PIN_REFUSAL)) and e.origin is not None:  # the file first
            text = (f"{clean(e.origin.file, limit=120)}: {why}: {clean(e.type, limit=24)} event {clean(e.id[:6])} at "
                    f"{e.time:%Y-%m-%d %H:%M} not applied")
        else:
            text = (f"{e.type} event {e.id[:6]} by {clean(e.staff or '?', limit=12)} at {e.time:%Y-%m-%d %H:%M} "
                    f"not applied: {why}")
        now[e.id] = (e, why, text)
        said.append(text)
    _SAID[0] = now  # replaced whole: threads never see a half-made one; nothing older stays pinned
    return kept, said


_SAID: list[dict[str, tuple["Event", str, str]]] = [{}]


def refused_events(events: Sequence["Event"], classroom: _Room, schedule: _Week | None
                   ) -> dict[str, str]:
    """Event id → why it is not applied: its file's owner is not who it claims to be (`bound_refusal`;
    unless another copy of it, in a file of the right owner, is), or its writer's role did not allow it."""
    refused: dict[str, str] = {}
    by_id: dict[str, Event] | None = None
    last = _MEMO[0]  # (classroom, schedule, verdicts): replaced whole, so threads never mix rules
    memo = last[2] if last[0] is classroom and last[1] is schedule else {}
    kept: dict[str, tuple[Event, str | None]] = {}
    forged = _forged(events, classroom)
    for e in events:
        if forged and e.id in forged:
            refused[e.id] = forged[e.id]
            continue
        if e.type not in _CHECKED:
            continue
        if e.staff is None:  # every write names its actor: one without cannot be checked
            refused[e.id] = "its writer cannot be established (no staff named)"
            continue
        if e.type == "retract":  # depends on its target, which may arrive later: never remembered
            if by_id is None:
                by_id = {x.id: x for x in events}
            target = _one(by_id, e)
            why = rule_refusal(classroom, schedule, e.staff, "retract", e.payload, target)
            if why is None:
                why = pin_refusal(e, classroom, schedule, target)
        else:
            seen = memo.get(e.id)
            if seen is not None and seen[0] is e:
                why = seen[1]  # and the same pair is kept: nothing new made per event and reload
            else:
                why = rule_refusal(classroom, schedule, e.staff, _event_action(e), e.payload)
                if why is None:
                    why = pin_refusal(e, classroom, schedule)
                seen = (e, why)
            kept[e.id] = seen
        if why is not None:
            refused[e.id] = why
    _MEMO[0] = (classroom, schedule, kept)  # only this read's events: nothing older stays pinned
    return refused


# Each reload checks every event of the board's days against the rules; an event's verdict depends
# only on the event and the rules (classroom and schedule), so it is remembered while both are the
# same objects (a board keeps them until their files change) and the event is the same object.
_MEMO: list[tuple[Any, Any, dict[str, tuple["Event", str | None]]]] = [(None, None, {})]


# -- who wrote it: the file's owner ------------------------------------------------------------------
# What a refusal for the wrong owner starts with (the board's warning then names the file first).
WRONG_OWNER = "written by account "


@dataclass(frozen=True)
class _Logins:
    personal: dict[str, str]  # login → the staff id it is (logins listed for two people left out)
    shared: frozenset[str]  # the explicit shared logins
    any_shared: bool  # "*": every login nobody's own is the shared account
    mapped: frozenset[str]  # every login classroom.toml names (a person's or shared, duplicates too)
    with_logins: frozenset[str]  # staff ids that have a login of their own
    sync: frozenset[str]  # the sync tool's accounts


_LOGINS: list[tuple[Any, _Logins | None]] = [(None, None)]


def _logins(classroom: _Room) -> _Logins:
    hit = _LOGINS[0]
    if hit[0] is classroom and hit[1] is not None:
        return hit[1]
    twice = duplicate_logins(classroom.staff)
    personal = {login: s.id for s in classroom.staff for login in s.logins if login not in twice}
    shared = frozenset(x for x in classroom.access.shared_logins if x != "*")
    found = _Logins(personal, shared, "*" in classroom.access.shared_logins,
                    frozenset(personal) | shared | twice, frozenset(personal.values()),
                    frozenset(classroom.access.sync_logins))
    _LOGINS[0] = (classroom, found)
    return found


@dataclass(frozen=True)
class KeyRing:
    """The room's enrolled signing keys (keys.json, the teacher's: paratui.store.keys): key id → the
    staff id it signs for; revoked key id → when it was revoked (None: not known, so nothing it signed
    stands); staff id → since when they have a key (their earliest enrolment: an unsigned event of
    theirs from then on is refused; `datetime.min` when keys.json does not say).

    From the teacher's signed manifests (keys/…): `signed_over`, event id → content hash of the
    unsigned events the teacher signed over (`paratui keys sign-over`); `kept`, revoked key id →
    {event id: content hash} of what it had signed when revoked (only those stand, whatever time a
    later one claims); `signed_only`: an unsigned event not signed over is refused (a sign-over
    exists, or keys.json says so)."""

    staff_of: Mapping[str, str] = field(default_factory=dict)
    revoked: Mapping[str, datetime | None] = field(default_factory=dict)
    enrolled: Mapping[str, datetime] = field(default_factory=dict)
    signed_over: Mapping[str, str] = field(default_factory=dict)
    kept: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    signed_only: bool = False
    # staff id → the ids of their PIN keys (pins/STAFF.json: the current one and those of earlier
    # PINs): what may sign, as `pin_sig`, their changes beyond a para's rights at the shared login
    pin_keys: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @property
    def any(self) -> bool:
        return bool(self.staff_of or self.revoked)


BAD_SIGNATURE = "!bad"
UNSIGNED = "unsigned, from "
SIGNED = ("signed with ", "its signature ", UNSIGNED)  # what refusals for a signature start with


def content_hash(e: "Event") -> str:
    """What a manifest records of an event (paratui keys sign-over / revoke): the SHA-256 of the
    canonical JSON of everything the board reads of it (its time in UTC, so every machine agrees).
    Worked out once per event object (~9 us; a year's history asks for each several times)."""
    hit = _HASHES.get(id(e))
    if hit is not None and hit[0] is e:
        return hit[1]
    found = _content_hash(e)
    if len(_HASHES) > 200_000:
        _HASHES.clear()
    _HASHES[id(e)] = (e, found)
    return found


_HASHES: dict[int, tuple["Event", str]] = {}


_ENCODE = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


def _content_hash(e: "Event") -> str:
    try:
        when = e.time.astimezone(timezone.utc).isoformat()
    except (OverflowError, OSError, ValueError):
        when = e.time.isoformat()
    doc = {"id": e.id, "type": e.type, "time": when, "written": e.written, "staff": e.staff, "login": e.login,
           "host": e.host, "payload": e.payload}
    try:
        text = _ENCODE(doc)
    except (TypeError, ValueError):
        return ""
    return sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _local(t: datetime) -> datetime:
    """A naive local time (the journal's), to compare with keys.json's times."""
    return t.astimezone().replace(tzinfo=None) if t.tzinfo is not None else t


def _at(t: datetime) -> str:
    return "ever" if t == datetime.min else f"{t:%Y-%m-%d %H:%M}"


def _signed_only(classroom: _Room, ring: KeyRing) -> bool:
    access = getattr(classroom, "access", None)
    return ring.signed_only or bool(getattr(access, "signed_only", False))


def signed_refusal(e: "Event", classroom: _Room) -> str | None:
    """Why `e` is not applied for its signature (None: it may stand on it). A signature that does not
    match what the event says is refused always; once the room has enrolled keys, so is one by a key
    not enrolled or enrolled for someone else; one by a revoked key unless the revocation's manifest
    lists it (an older revocation without one: unless it is dated before it). An unsigned event the
    teacher signed over (the same content) stands; in a signed-only room no other unsigned one does;
    otherwise one from a person who had an enrolled key at the event's time is refused (one from
    before, or from someone without a key, stands: history marks it unsigned)."""
    origin = e.origin
    if origin is None:
        return None
    signer = origin.signer
    if signer == BAD_SIGNATURE:
        return "its signature does not match what it says (changed after it was signed, or forged)"
    ring = getattr(classroom, "keys", None)
    if not isinstance(ring, KeyRing) or not ring.any:
        return None
    if signer is None:
        over = ring.signed_over.get(e.id)
        if over is not None and over == content_hash(e):
            return None  # the teacher signed it over: it reads as signed
        if _signed_only(classroom, ring):
            why = "changed since the teacher signed it over" if over is not None else "not signed over by the teacher"
            return f"{UNSIGNED}{_claim(e)}, {why} (this room takes signed entries only)"
        since = ring.enrolled.get(e.staff) if e.staff is not None else None
        if since is not None and _local(e.time) >= since:
            return (f"{UNSIGNED}{_claim(e)}, who has an enrolled key (since {_at(since)}): "
                    "a signature left off is not taken on its word")
        since = ring.enrolled.get(f"@{e.login}")
        if since is not None and _local(e.time) >= since:
            return (f"{UNSIGNED}the shared login {_shown(e.login)}, which has an enrolled key (since "
                    f"{_at(since)}): a signature left off is not taken on its word")
        return None
    whose = ring.staff_of.get(signer)
    if signer in ring.revoked:
        when = ring.revoked[signer]
        kept = ring.kept.get(signer)
        said = '(time unknown)' if when is None else _at(when)
        if kept is not None:
            if kept.get(e.id) != content_hash(e) or whose is None:
                return f"signed with key {signer[:8]}, revoked {said} (not among what it had signed then)"
        elif when is None or whose is None or _local(e.time) >= when:
            return f"signed with key {signer[:8]}, revoked {said}"
    if whose is None:
        return f"signed with key {signer[:8]}, not enrolled (`paratui keys enrol`)"
    if whose.startswith("@"):  # the shared classroom login's key: its events name that login, anyone
        if e.login != whose[1:]:
            return f"signed with the shared login {_shown(whose[1:])}'s key, claims login {_shown(e.login)}"
        return None
    if whose != e.staff:
        return f"signed with {clean(whose, limit=12)}'s key, claims to be {_claim(e)}"
    return None


def is_unsigned(e: "Event", classroom: _Room) -> bool:
    """Whether `e` stands on its writer's word alone in a room with enrolled keys: no signature, and
    not signed over by the teacher (history marks it `unsigned`)."""
    ring = getattr(classroom, "keys", None)
    if not isinstance(ring, KeyRing) or not ring.any or e.origin is None or e.origin.signer is not None:
        return False
    over = ring.signed_over.get(e.id)
    return over is None or over != content_hash(e)


def unsigned_note(events: Sequence["Event"], refused: Mapping[str, str], classroom: _Room) -> list[str]:
    """One warning for the unsigned events applied on their writers' word (none in a room without
    enrolled keys, or once the teacher signed them over), naming the first files."""
    ring = getattr(classroom, "keys", None)
    if not isinstance(ring, KeyRing) or not ring.any:
        return []
    files: dict[str, int] = {}
    for e in events:
        if e.origin is not None and e.origin.signer is None and e.id not in refused and is_unsigned(e, classroom):
            files[e.origin.file] = files.get(e.origin.file, 0) + 1
    if not files:
        return []
    names = sorted(files)
    shown = ", ".join(clean(n, limit=120) for n in names[:3])
    shown += f" and {len(names) - 3} more" if len(names) > 3 else ""
    n = sum(files.values())
    whose = "their writers'" if n != 1 else "its writer's"
    return [f"{shown}: {n} unsigned event{'s' if n != 1 else ''} applied on {whose} word (written before "
            "signatures): the teacher signs them over once with `paratui keys sign-over`"]


def bound_refusal(e: "Event", classroom: _Room) -> str | None:
    """Why `e` cannot be its file owner's (None: it can, or nothing is known of its file's owner).

    The OS says which account wrote a journal file (`e.origin.owner`, set by the reader in a folder
    several accounts write into). A file owned by a person's own login holds only that person's
    events, with that login; one owned by a shared login only events naming that login (and someone
    on the staff: whoever picked themselves on the shared board). A file owned by an account
    classroom.toml does not know holds nothing claiming a login it names, nor a person who has a
    login of their own (a person with none cannot be told apart: their events stand on their word)."""
    origin = e.origin
    if origin is None:
        return None
    signed = signed_refusal(e, classroom)
    if signed is not None:
        return signed
    owner = origin.owner
    if not owner:
        return None  # a folder where owners vouch for nothing: the signature is all there is
    known = _logins(classroom)
    if owner in known.sync:
        return None  # delivered by the sync tool from another machine: its owner proves nothing
    me = known.personal.get(owner)
    if me is not None:
        if e.staff != me:
            return f"{WRONG_OWNER}{_shown(owner)}, claims to be {_claim(e)}"
        if e.login != owner:
            return f"{WRONG_OWNER}{_shown(owner)}, claims login {_shown(e.login)}"
        return None
    if owner in known.shared or (known.any_shared and owner not in known.mapped):
        if e.login != owner:
            return f"{WRONG_OWNER}{_shown(owner)}, claims login {_shown(e.login)}"
        if e.staff is None:
            return f"{WRONG_OWNER}{_shown(owner)} (shared), claims to be {_claim(e)}"
        return None
    if e.login in known.mapped or e.login == "" or e.staff is None or e.staff in known.with_logins:
        return f"{WRONG_OWNER}{_shown(owner)} (not in classroom.toml), claims to be {_claim(e)}"
    return None


def _shown(login: str) -> str:
    return clean(login, limit=32) or "?"


def _claim(e: "Event") -> str:
    return clean(e.staff, limit=12) if e.staff else "no one"


def _forged(events: Sequence["Event"], classroom: _Room) -> dict[str, str]:
    """Event id → why no copy of it can be its file owner's (a copy in a file of the right owner
    stands: copying someone's event into your own file takes nothing away from it)."""
    bad: dict[str, str] | None = None
    good: set[str] = set()
    last = _BOUND[0]  # (classroom, verdicts by event object): replaced whole, so threads never mix rules
    memo = last[1] if last[0] is classroom else {}
    now: dict[int, tuple[Event, str | None]] = {}
    for e in events:
        if e.origin is None:
            good.add(e.id)
            continue
        hit = memo.get(id(e))
        if hit is None or hit[0] is not e:
            hit = (e, bound_refusal(e, classroom))  # an event's verdict depends on it and the room only
        now[id(e)] = hit
        why = hit[1]
        if why is None:
            good.add(e.id)
        else:
            if bad is None:
                bad = {}
            bad.setdefault(e.id, why)
    _BOUND[0] = (classroom, now)  # only this read's events: nothing older stays pinned
    if not bad:
        return {}
    return {eid: why for eid, why in bad.items() if eid not in good}


_BOUND: list[tuple[Any, dict[int, tuple["Event", str | None]]]] = [(None, {})]


def _one(by_id: dict[str, "Event"], e: "Event") -> list["Event"]:
    target = e.payload.get("target")
    return [by_id[target]] if isinstance(target, str) and target in by_id else []


def _event_action(e: "Event") -> str:
    return BY_NAME[e.type].needs(e.staff, e.payload)


# Event types whose writer's role is checked on read: every declared one (an unknown type, from a
# newer client, carries no authority here).
_CHECKED = frozenset(BY_NAME)


def permit(asked: str, ctx: Any, payload: dict) -> str | None:
    """The command layer's permission hook (paratui.model.commands.Permit) for the room's rules."""
    return rule_refusal(ctx.classroom, ctx.schedule, ctx.actor, asked, payload, ctx.events)


# -- the shared login without a PIN: a para's rights ---------------------------------------------
# What a refusal for a change made at the shared login without its person's PIN starts with.
PIN_REFUSAL = "written at the shared login as "


def at_shared_login(e: "Event", classroom: _Room) -> bool:
    """Whether `e` was written at the shared classroom login: its file is owned by a shared login, or
    (where owners vouch for nothing: one account's folder, a synced one) it names one."""
    known = _logins(classroom)
    origin = e.origin
    owner = origin.owner if origin is not None else ""
    if owner and owner not in known.sync:
        return owner in known.shared or (known.any_shared and owner not in known.mapped)
    login = e.login
    return login in known.shared or (known.any_shared and bool(login) and login not in known.mapped
                                     and login not in known.sync)


def _above_para(classroom: _Room) -> frozenset[str]:
    """The staff ids `above_para`, worked out once per classroom object (asked for every event read)."""
    hit = _ABOVE[0]
    if hit[0] is classroom:
        return hit[1]
    found = frozenset(s.id for s in classroom.staff if above_para(classroom, s.id))
    _ABOVE[0] = (classroom, found)
    return found


_ABOVE: list[tuple[Any, frozenset[str]]] = [(None, frozenset())]


def pin_refusal(e: "Event", classroom: _Room, schedule: _Week | None,
                target: Sequence["Event"] = ()) -> str | None:
    """Why `e`, allowed by its writer's role, is still not applied (None: it is): written at the shared
    login (`at_shared_login`, in a room that asks for PINs) as a person whose role may do more than a
    para's, doing what a para may not, without a `pin_sig` by one of that person's PIN keys (kept in
    their pins file: only typing their PIN unseals the private key). A para-level change there needs
    none. The signature covers the event's content (paratui.store.keys.pin_canonical), so one copied
    from another event does not match."""
    access = getattr(classroom, "access", None)
    if e.staff is None or access is None or not access.pins or e.staff not in _above_para(classroom):
        return None
    if not at_shared_login(e, classroom):
        return None
    asked = "retract" if e.type == "retract" else _event_action(e)
    para_may = rule_refusal(classroom, schedule, e.staff, asked, e.payload, target, as_role=CAPPED_ROLE) is None
    if para_may and not (target and not at_shared_login(target[0], classroom)):
        return None  # what a para may do: no PIN needed (not retracting an entry made at their own login)
    pin = e.origin.pin if e.origin is not None else None
    ring = getattr(classroom, "keys", None)
    mine = ring.pin_keys.get(e.staff, frozenset()) if isinstance(ring, KeyRing) else frozenset()
    who = classroom.staff_by_id().get(e.staff)
    role = clean(who.role if who is not None else "?", limit=20)
    name = clean(e.staff, limit=12)
    if pin is None:
        how = f"without {name}'s PIN"
    elif pin == BAD_SIGNATURE:
        how = "with a PIN signature that does not match what it says (changed, or copied from another entry)"
    elif pin not in mine:
        how = f"signed with PIN key {clean(pin[:8])}, not one of {name}'s (pins/{name}.json)"
    else:
        return None
    return f"{PIN_REFUSAL}{name} {how}: a {role}'s change"
CAPPED_ROLE = "para"


def above_para(classroom: _Room, staff_id: str) -> bool:
    """Whether `staff_id`'s role may do something a para may not (the teacher, by default): at a
    shared login they act with it only after their PIN (paratui.store.pins)."""
    staff = classroom.staff_by_id().get(staff_id)
    if staff is None:
        return False
    rules = classroom.access.rules
    return bool(rules.get(staff.role, frozenset()) - rules.get(CAPPED_ROLE, frozenset()))


def capped_permit(asked: str, ctx: Any, payload: dict) -> str | None:
    """`permit` for someone picked at the shared login without their PIN: what a para may do."""
    why = rule_refusal(ctx.classroom, ctx.schedule, ctx.actor, asked, payload, ctx.events, as_role=CAPPED_ROLE)
    if why is None and action_name(asked) in ("undo", "retract.own"):
        target = _target(payload, ctx.events)
        if target is not None and target.login != getattr(ctx, "login", target.login):
            why = "retracting an entry they made at their own login needs their PIN here"
    if why is None:
        return None
    who = ctx.classroom.staff_by_id().get(ctx.actor)
    name = clean(who.short if who is not None else ctx.actor, limit=20)
    return (f"{name} is acting with a para's rights at the shared login (no right PIN typed): {why}. On the "
            "board: i, then pick yourself and type the PIN; the command line asks in a terminal (or --pin-stdin)")
