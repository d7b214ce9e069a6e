"""Journal events as values: parsing a stored document, ordering, and undo (retract)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter
from typing import Any, Callable, Iterable, NamedTuple

from paratui.model.event_types import ID, IDS, LOG, NUM, TASKS, TEXT, TIME, TYPES
from paratui.model.text import COMMENT_LIMIT, NOTE_LIMIT, TEXT_LIMIT, cut

# The payload shapes and streams, derived from the declarations (paratui.model.event_types).
PAYLOADS: dict[str, dict[str, str]] = {t.name: {k: kind for k, (kind, _) in t.payload.items()} for t in TYPES}
EVENT_TYPES: dict[str, tuple[str, ...]] = {t.name: t.required for t in TYPES}  # the keys each type must carry
# The month stream (journal/tasks/YYYY-MM/): what outlives a day. Tasks, and notes (an urgent note
# stays on every board until each addressee has acknowledged it).
TASK_TYPES = tuple(t.name for t in TYPES if t.stream == TASKS)
DATA_TYPES = tuple(t.name for t in TYPES if t.stream == LOG)  # the log stream's day folders
_REFERS = {t.name: t.refers for t in TYPES if t.refers}
# Each type's free-text fields and how long each may be read: what its command lets be written
# (paratui.model.text), so a reader never gets more than a writer could have typed.
_LONGER = {("note", "text"): NOTE_LIMIT, ("progress", "comment"): COMMENT_LIMIT}
TEXT_FIELDS: dict[str, tuple[tuple[str, int], ...]] = {
    t.name: tuple((k, _LONGER.get((t.name, k), TEXT_LIMIT)) for k, (kind, _) in t.payload.items()
                  if kind.rstrip("?") == TEXT)
    for t in TYPES}


def _is_text(v: Any) -> bool:
    return isinstance(v, str) and bool(v)


def _is_ids(v: Any) -> bool:
    return isinstance(v, list) and all(_is_text(x) for x in v)


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v == v and abs(v) != float("inf")


def _is_flag(v: Any) -> bool:
    return isinstance(v, bool)


_CHECKS = {ID: _is_text, TEXT: _is_text, TIME: _is_text, IDS: _is_ids, NUM: _is_num, "flag": _is_flag}
_EXPECTED = {ID: "an id (text)", TEXT: "text", TIME: "a date-time (text)", IDS: "a list of ids",
             NUM: "a number", "flag": "true or false"}


# per type, each payload field once: (key, optional, check, what it should be), worked out once
_FIELDS: dict[str, tuple[tuple[str, bool, Callable[[Any], bool], str], ...]] = {
    t: tuple((key, kind.endswith("?"), _CHECKS[kind.rstrip("?")], _EXPECTED[kind.rstrip("?")])
             for key, kind in fields.items())
    for t, fields in PAYLOADS.items()}


def payload_problem(type_: str, payload: dict[str, Any]) -> str | None:
    """The first payload field of the wrong shape (a list where an id belongs, a dict as a task id…),
    as `field 'x': expected …`; None when the payload is usable. Unknown types pass (newer writers)."""
    for key, optional, check, expected in _FIELDS.get(type_, ()):
        value = payload.get(key)
        if value is None:
            if optional:
                continue
            return f"field {key!r}: missing"
        if not check(value):
            return f"field {key!r}: expected {expected}, got {type(value).__name__}"
    return None
_ORDER = attrgetter("at", "written", "id")  # same as Event.sort_key, but sorts in C


_EPOCH = datetime(1970, 1, 1)


def local_time(when: datetime) -> datetime:
    """An aware date-time as this board's naive local time, the instant kept: in the hour a fall-back
    day repeats (01:00-02:00 twice) the second one has `fold=1`, so `.timestamp()` and
    `.astimezone()` give that instant back, never the first hour's."""
    local = when.astimezone().replace(tzinfo=None)
    if local.timestamp() != when.timestamp():
        local = local.replace(fold=1)
    return local


def elapsed(start: datetime, end: datetime) -> float:
    """Seconds from `start` to `end`, two naive local times, measured by the instant: on the days the
    clocks change an hour is not counted twice (fall back) nor one that never was (spring forward).
    Naive subtraction would not see either."""
    return end.timestamp() - start.timestamp()


class Origin(NamedTuple):
    """Where the reader found an event and what vouches for its writer (paratui.store): the journal
    file (as shown in warnings: `journal/2026-11-23/ws--alopez.json`), the login of the account that
    owns it ("" where owners vouch for nothing: a folder one account writes into), and the key that
    signed it (its id; "!bad" for a signature that does not match; None: unsigned). Shared by the
    events of a file alike. Never written to the journal."""

    file: str
    owner: str
    signer: str | None = None
    # the id of the PIN key whose `pin_sig` the event carries ("!bad": one that does not match; None:
    # none): the person at the shared login typed their PIN (docs/trust.md)
    pin: str | None = None


@dataclass(slots=True, eq=False)
class Event:
    """One journal entry. Treat as read-only. Not a frozen dataclass only because a school year
    holds thousands of task events and a frozen __init__ is several times slower to build."""

    id: str
    type: str
    time: datetime
    written: int = 0
    staff: str | None = None
    login: str = ""
    host: str = ""
    payload: dict[str, Any] = field(default_factory=dict)
    # Set by the reader, never stored: the file the event was read from and who owns it (None: an
    # event made in memory, or a folder where file ownership proves nothing; paratui.model.access).
    origin: Origin | None = None
    # The instant (POSIX seconds) of `time`, which is naive local time: events are ordered by it, so
    # a `back` at 01:20 CST sorts after a `move` at 01:30 CDT the same fall-back night. Never stored
    # (the document's `time` carries its UTC offset); 0: worked out from `time` (and its `fold`).
    at: float = 0.0

    def __post_init__(self) -> None:
        if not self.at:
            try:
                self.at = self.time.timestamp()
            except (OverflowError, OSError, ValueError):  # a date no clock reaches (year 1, 9999)
                self.at = (self.time - _EPOCH).total_seconds()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Event) and self.id == other.id and self.type == other.type \
            and self.time == other.time and self.staff == other.staff

    def __hash__(self) -> int:
        return hash(self.id)

    @property
    def sort_key(self) -> tuple[float, int, str]:
        return (self.at, self.written, self.id)

    def to_doc(self) -> dict[str, Any]:
        return {
            # with this machine's UTC offset, so a reader in another time zone converts correctly
            "id": self.id, "type": self.type, "time": self.time.astimezone().isoformat(timespec="seconds"),
            "written": self.written, "staff": self.staff, "login": self.login, "host": self.host,
            "payload": self.payload,
        }


def event_from_doc(doc: Any) -> Event:
    """A stored document → Event, or ValueError saying which field is wrong."""
    if not isinstance(doc, dict):
        raise ValueError("event is not a JSON object")
    eid, type_, raw_time = doc.get("id"), doc.get("type"), doc.get("time")
    for key, value in (("id", eid), ("type", type_), ("time", raw_time)):
        if not value or not isinstance(value, str):
            raise ValueError(f"field {key!r} missing or not text")
    assert isinstance(eid, str) and isinstance(type_, str) and isinstance(raw_time, str)  # checked above
    try:
        when = datetime.fromisoformat(raw_time)
    except ValueError:
        raise ValueError(f"field 'time': {raw_time!r} is not an ISO date-time") from None
    at = 0.0  # naive (an old event, a hand-written one): its instant is worked out from local time
    if when.tzinfo is not None:
        # Stored with the writer's UTC offset: shown in this board's local time (a writer in
        # another time zone, or a laptop left on UTC, must not have its moves hidden for hours),
        # ordered and measured by the instant it names.
        try:
            at = when.timestamp()
            when = local_time(when)
        except (OverflowError, OSError, ValueError):
            raise ValueError(f"event {eid}: field 'time': {raw_time!r} is out of range") from None
    payload = doc.get("payload") or {}
    if not isinstance(payload, dict):
        raise ValueError(f"event {eid}: field 'payload' is not an object")
    problem = payload_problem(type_, payload)
    if problem:
        raise ValueError(f"{type_} event {eid}: payload {problem}")
    for key, limit in TEXT_FIELDS.get(type_, ()):
        value = payload.get(key)
        if isinstance(value, str) and len(value) > limit:  # hand-written, or a writer without the limit
            payload = {**payload, key: cut(value, limit)}  # a copy: the document stays as it was (signatures)
    staff = doc.get("staff")
    if staff is not None and not _is_text(staff):
        raise ValueError(f"{type_} event {eid}: field 'staff': expected an id (text)")
    written = doc.get("written", 0)
    login, host = doc.get("login", ""), doc.get("host", "")
    return Event(eid, type_, when, written if isinstance(written, int) else 0, staff,
                 login if isinstance(login, str) else str(login), host if isinstance(host, str) else str(host),
                 payload, None, at)


def refers_to(e: Event) -> str | None:
    """The id of what an event is about (the task, the note, the event it undoes), if any."""
    key = _REFERS.get(e.type)
    value = e.payload.get(key) if key else None
    return value if isinstance(value, str) else None


def live_events(events: Iterable[Event]) -> list[Event]:
    """Events in order, without retract events and without the events they cancel.

    Duplicates (same id, e.g. from a sync-conflict copy) count once.
    """
    unique = {e.id: e for e in events}
    retracted = {e.payload.get("target") for e in unique.values() if e.type == "retract"}
    kept = [e for e in unique.values() if e.type != "retract" and e.id not in retracted]
    kept.sort(key=_ORDER)
    return kept


_NOT_UNDONE = ("session.start", "session.end")


def last_undoable(events: Iterable[Event], staff: str, login: str | None = None,
                  host: str | None = None) -> Event | None:
    """The event `staff` last wrote that is not already undone: what `undo` retracts. By `written`,
    the writer's own clock, not `time`, among what this `login` wrote on this `host` when there is
    any: another host's clock running ahead must not make its entry look like the one just made.
    Then what this login wrote elsewhere, then any of `staff`'s (a new machine, another account).
    A session's start and end are bookkeeping around entries, never what `u` means to take back (the
    board's run writes its end after its last entry): they are skipped; `paratui retract ID` takes one
    back."""
    mine = [e for e in live_events(events) if e.staff == staff and e.type not in _NOT_UNDONE]
    by_login = [e for e in mine if e.login == login]
    here = [e for e in by_login if e.host == host]
    return max(here or by_login or mine, key=attrgetter("written", "time", "id"), default=None)
