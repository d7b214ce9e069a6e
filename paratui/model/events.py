"""Journal events as values: parsing a stored document, ordering, and undo (retract)."""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter
from datetime import datetime
from typing import Any, Iterable

# Every event type the board understands, with the payload keys each one must carry.
EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "move": ("student", "to"),
    "back": ("student",),
    "assign": ("staff", "students"),
    "absent": ("staff",),
    "task.add": ("text",),
    "task.done": ("task",),
    "retract": ("target",),
}
TASK_TYPES = ("task.add", "task.done")
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
            "id": self.id, "type": self.type, "time": self.time.isoformat(timespec="seconds"),
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
    try:
        when = datetime.fromisoformat(raw_time)
    except ValueError:
        raise ValueError(f"field 'time': {raw_time!r} is not an ISO date-time") from None
    if when.tzinfo is not None:
        when = when.replace(tzinfo=None)
    payload = doc.get("payload") or {}
    if not isinstance(payload, dict):
        raise ValueError("field 'payload' is not an object")
    for key in EVENT_TYPES.get(type_, ()):
        if key not in payload:
            missing = [k for k in EVENT_TYPES[type_] if k not in payload]
            raise ValueError(f"{type_} event {eid}: payload lacks {', '.join(missing)}")
    written = doc.get("written", 0)
    login, host = doc.get("login", ""), doc.get("host", "")
    return Event(eid, type_, when, written if isinstance(written, int) else 0, doc.get("staff"),
                 login if isinstance(login, str) else str(login), host if isinstance(host, str) else str(host),
                 payload)


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
