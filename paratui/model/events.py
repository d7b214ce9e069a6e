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


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    time: datetime
    written: int = 0
    staff: str | None = None
    login: str = ""
    host: str = ""
    payload: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

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
    for key in ("id", "type", "time"):
        if not isinstance(doc.get(key), str) or not doc[key]:
            raise ValueError(f"field {key!r} missing or not text")
    try:
        when = datetime.fromisoformat(doc["time"])
    except ValueError:
        raise ValueError(f"field 'time': {doc['time']!r} is not an ISO date-time") from None
    payload = doc.get("payload") or {}
    if not isinstance(payload, dict):
        raise ValueError("field 'payload' is not an object")
    need = EVENT_TYPES.get(doc["type"])
    if need is not None:
        missing = [k for k in need if k not in payload]
        if missing:
            raise ValueError(f"{doc['type']} event {doc['id']}: payload lacks {', '.join(missing)}")
    written = doc.get("written", 0)
    return Event(
        id=doc["id"], type=doc["type"], time=when.replace(tzinfo=None),
        written=written if isinstance(written, int) else 0,
        staff=doc.get("staff"), login=str(doc.get("login", "")), host=str(doc.get("host", "")),
        payload=payload,
    )


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
