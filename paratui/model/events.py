"""Journal events as values: parsing a stored document, ordering, and undo (retract)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter
from typing import Any, Iterable

# What a payload field may hold. "?" fields may be missing or null; others must be present.
ID, IDS, TEXT, TIME, NUM = "id", "ids", "text", "time", "num"
OPT_ID, OPT_IDS, OPT_TEXT, OPT_TIME, OPT_NUM = "id?", "ids?", "text?", "time?", "num?"
OPT_FLAG = "flag?"  # true / false

# Every event type the board understands and the payload it carries (the one definition of each
# payload; paratui.model.commands builds them, paratui.model.board folds them).
PAYLOADS: dict[str, dict[str, str]] = {
    "move": {"student": ID, "to": ID, "with": OPT_IDS},
    "back": {"student": ID},
    "assign": {"staff": ID, "students": IDS, "at": OPT_ID, "activity": OPT_TEXT, "until": OPT_TIME},
    "absent": {"staff": ID, "sub": OPT_ID, "until": OPT_TIME},
    "task.add": {"text": TEXT, "for": OPT_ID, "due": OPT_TIME, "about": OPT_ID},
    "task.done": {"task": ID},
    "retract": {"target": ID},
    # Quick logging (paratui.model.datalog folds these). `data`: one observation for a goal in
    # students/<id>.toml: value "+"/"-" (trials, interval, mts: "missed" too), count (tally),
    # seconds (duration, latency), step (1-based) and prompt (task analysis, trials).
    "data": {"student": ID, "goal": ID, "value": OPT_TEXT, "count": OPT_NUM, "seconds": OPT_NUM,
             "prompt": OPT_TEXT, "step": OPT_NUM, "note": OPT_TEXT},
    "abc": {"student": ID, "behavior": ID, "antecedent": OPT_TEXT, "consequence": OPT_TEXT,
            "setting": OPT_TEXT, "note": OPT_TEXT},
    "timer.start": {"student": ID, "goal": ID},
    "timer.stop": {"student": ID, "goal": ID, "start": ID, "seconds": NUM},
    # Today's changes to the base week (paratui.model.changes folds them). `kind`: drill | assembly
    # (start–end replaced for everyone; `at`, `note`), block (the base block starting at `block`
    # "HH:MM": new `start`/`end`/`at`/`activity`), student-out (`student` to `at` start–end for
    # `service`, `with` adults going), student-absent (`student`, the day), lend (`staff` to `room`
    # until `end`).
    "day.change": {"kind": ID, "start": OPT_TIME, "end": OPT_TIME, "block": OPT_TEXT, "student": OPT_ID,
                   "staff": OPT_ID, "at": OPT_ID, "activity": OPT_TEXT, "room": OPT_TEXT,
                   "service": OPT_TEXT, "with": OPT_IDS, "note": OPT_TEXT},
    # Team routines (paratui.model.tasks and paratui.model.notes fold these). `task` may be a task.add
    # id or a recurring task's derived id (recurring.toml: paratui.model.recurring).
    "task.claim": {"task": ID},
    "task.reopen": {"task": ID},
    "note": {"text": TEXT, "to": IDS, "everyone": OPT_FLAG, "about": OPT_ID, "kind": ID, "urgent": OPT_FLAG},
    "ack": {"note": ID},
}
EVENT_TYPES: dict[str, tuple[str, ...]] = {  # the keys each type must carry
    t: tuple(k for k, kind in fields.items() if not kind.endswith("?")) for t, fields in PAYLOADS.items()}
# The month stream (journal/tasks/YYYY-MM/): what outlives a day. Tasks, and notes (an urgent note
# stays on every board until each addressee has acknowledged it).
TASK_TYPES = ("task.add", "task.done", "task.claim", "task.reopen", "note", "ack")
DATA_TYPES = ("data", "abc", "timer.start", "timer.stop")  # in the day folders, like moves


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


def payload_problem(type_: str, payload: dict[str, Any]) -> str | None:
    """The first payload field of the wrong shape (a list where an id belongs, a dict as a task id…),
    as `field 'x': expected …`; None when the payload is usable. Unknown types pass (newer writers)."""
    for key, kind in PAYLOADS.get(type_, {}).items():
        value = payload.get(key)
        if value is None:
            if kind.endswith("?"):
                continue
            return f"field {key!r}: missing"
        base = kind.rstrip("?")
        if not _CHECKS[base](value):
            return f"field {key!r}: expected {_EXPECTED[base]}, got {type(value).__name__}"
    return None
_ORDER = attrgetter("time", "written", "id")  # same as Event.sort_key, but sorts in C


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

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Event) and self.id == other.id and self.type == other.type \
            and self.time == other.time and self.staff == other.staff

    def __hash__(self) -> int:
        return hash(self.id)

    @property
    def sort_key(self) -> tuple[datetime, int, str]:
        return (self.time, self.written, self.id)

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
    if when.tzinfo is not None:
        # Stored with the writer's UTC offset: shown in this board's local time (a writer in
        # another time zone, or a laptop left on UTC, must not have its moves hidden for hours).
        try:
            when = when.astimezone().replace(tzinfo=None)
        except (OverflowError, OSError, ValueError):
            raise ValueError(f"event {eid}: field 'time': {raw_time!r} is out of range") from None
    payload = doc.get("payload") or {}
    if not isinstance(payload, dict):
        raise ValueError(f"event {eid}: field 'payload' is not an object")
    problem = payload_problem(type_, payload)
    if problem:
        raise ValueError(f"{type_} event {eid}: payload {problem}")
    staff = doc.get("staff")
    if staff is not None and not _is_text(staff):
        raise ValueError(f"{type_} event {eid}: field 'staff': expected an id (text)")
    written = doc.get("written", 0)
    login, host = doc.get("login", ""), doc.get("host", "")
    return Event(eid, type_, when, written if isinstance(written, int) else 0, staff,
                 login if isinstance(login, str) else str(login), host if isinstance(host, str) else str(host),
                 payload)


def refers_to(e: Event) -> str | None:
    """The id of what an event is about (the task, the note, the event it undoes), if any."""
    key = {"task.done": "task", "task.claim": "task", "task.reopen": "task", "ack": "note",
           "retract": "target"}.get(e.type)
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


def last_undoable(events: Iterable[Event], staff: str) -> Event | None:
    """The newest event by `staff` that is not already undone: what `undo` retracts."""
    mine = [e for e in live_events(events) if e.staff == staff]
    return mine[-1] if mine else None
