"""The building view: one line per room, what needs someone there, for a coordinator or the office.

Pure: a room's summary is made from that room's own BoardState (built, like `paratui board`, from its
one screened event stream: its own rules and signatures apply), the newest change in its journal,
and whether this viewer may see student initials there. Nothing here reads a file.

Privacy: at building level a room shows counts only. Initials (of the students out too long and the
uncovered ones) appear only where the viewer's login is a person's own in that room's classroom.toml
(`paratui.model.access.acting`: mode "personal"): someone who would see them on that room's board
anyway. A shared login, or a login that room does not know, sees counts only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

from paratui.model.access import Acting
from paratui.model.board import BoardState
from paratui.model.text import clean

NO_SYNC = "—"  # what the sync column shows until a room's sync state is known

# What needs someone, weighted: a student out too long or with no adult first, then an adult out
# with nobody covering, an urgent note nobody has read, and last an overdue task.
WEIGHTS = {"out_too_long": 8, "uncovered": 8, "no_sub": 4, "urgent": 2, "overdue": 1}
COUNTS = ("out_too_long", "uncovered", "overdue", "urgent", "no_sub")
LABELS = {"out_too_long": "out too long", "uncovered": "uncovered", "overdue": "overdue",
          "urgent": "urgent unread", "no_sub": "out without a sub"}


@dataclass(frozen=True)
class RoomSummary:
    folder: str  # the room's data folder, as listed
    room: str  # the room's name (classroom.toml), cleaned
    block: str | None  # the block now, e.g. "10:00–10:45 Math groups"; None: no block now
    out_too_long: int
    uncovered: int
    overdue: int
    urgent: int  # urgent notes someone has not acknowledged yet
    no_sub: int  # adults out today with nobody covering
    last_change: datetime | None
    sync: str | None = None  # the room's sync state (None: unknown, shown as NO_SYNC)
    initials: tuple[str, ...] = ()  # only when this viewer may see them (see the module's doc)
    warnings: int = 0  # file warnings in that room's folder
    problem: str | None = None  # the folder is missing or unusable: then every count is 0

    def count(self, name: str) -> int:
        return int(getattr(self, name))

    @property
    def score(self) -> int:
        """How much this room needs someone now (0: nothing)."""
        return sum(WEIGHTS[n] * self.count(n) for n in COUNTS)


def summarize(folder: str, state: BoardState, last_change: datetime | None, viewer: Acting,
              sync: str | None = None) -> RoomSummary:
    """One room's line, from its board state. `viewer`: who this login is in that room."""
    timed = [s for s in state.out_of_room if not s.placed]
    over = [s for s in timed if s.over]
    uncovered = list(state.uncovered)
    shown: list[str] = []
    if viewer.mode == "personal":
        for s in over + uncovered:
            initials = clean(s.initials, limit=8)
            if initials not in shown:
                shown.append(initials)
    return RoomSummary(
        folder=folder, room=clean(state.room, limit=40),
        block=clean(state.block.label(), limit=60) if state.block else None,
        out_too_long=len(over), uncovered=len(uncovered),
        overdue=sum(1 for t in state.tasks if t.overdue and not t.done),
        urgent=sum(1 for n in state.notes if n.waiting),
        no_sub=sum(1 for c in state.staff if c.source == "absent" and c.sub is None),
        last_change=last_change, sync=sync, initials=tuple(shown), warnings=len(state.warnings))


def broken(folder: str, problem: str) -> RoomSummary:
    """A room whose folder is missing or cannot be used: a line that says so."""
    return RoomSummary(folder=folder, room=clean(folder, limit=40), block=None, out_too_long=0, uncovered=0,
                       overdue=0, urgent=0, no_sub=0, last_change=None, problem=clean(problem, limit=200))


def newest_change(times: Iterable[datetime], now: datetime) -> datetime | None:
    """The room's last change: its newest event up to now (a clock set back ignores later ones)."""
    return max((t for t in times if t <= now), default=None)


def sort_rooms(rooms: Iterable[RoomSummary]) -> list[RoomSummary]:
    """What needs someone first: a broken folder, then the weighted alarms, then the newest change,
    then the room's name."""
    def key(r: RoomSummary) -> tuple:
        changed = -r.last_change.timestamp() if r.last_change is not None else 0.0
        return (r.problem is None, -r.score, changed, r.room.casefold(), r.folder)
    return sorted(rooms, key=key)


def shown_names(rooms: Iterable[RoomSummary]) -> dict[str, str]:
    """Each room's folder → the name it is shown by: its own (classroom.toml's `room`), and where
    rooms share one (copies of the demo room, two schools' "Room 12"), with its folder's name after
    it, or the folder as listed when that is shared too: no two lines that cannot be told apart."""
    rooms = list(rooms)

    def tell_apart(name_of: dict[str, str]) -> dict[str, str]:
        seen: dict[str, int] = {}
        for name in name_of.values():
            seen[name.casefold()] = seen.get(name.casefold(), 0) + 1
        return {f: n for f, n in name_of.items() if seen[n.casefold()] > 1}

    names = {r.folder: r.room for r in rooms}
    shared = tell_apart(names)
    if shared:
        names.update({f: f"{names[f]} · {clean(f.rstrip('/').rsplit('/', 1)[-1] or f, limit=40)}" for f in shared})
        names.update({f: f"{names[f].rsplit(' · ', 1)[0]} · {clean(f, limit=80)}" for f in tell_apart(names)})
    return names


def _hm(t: datetime | None) -> str:
    return "-" if t is None else f"{t:%H:%M}"


def summary_line(r: RoomSummary, name: str | None = None) -> str:
    """One line of `paratui building --plain` (cleaned, no markup, one line); `name`: the room's
    name as shown (`shown_names`), else its own."""
    name = r.room if name is None else name
    if r.problem is not None:
        return f"{name}: CANNOT BE READ: {r.problem}"
    counts = ", ".join(f"{r.count(n)} {LABELS[n]}" for n in COUNTS)
    block = r.block or "no block now"
    who = f" ({' '.join(r.initials)})" if r.initials else ""
    warn = f", {r.warnings} file warning{'s' if r.warnings != 1 else ''}" if r.warnings else ""
    return (f"{name}: {block}: {counts}{who}; last change {_hm(r.last_change)}; "
            f"sync {r.sync or NO_SYNC}{warn}")


def summary_to_dict(r: RoomSummary) -> dict[str, Any]:
    """One room in `paratui building --json` (schema in docs/building.md)."""
    return {
        "folder": r.folder, "room": r.room, "ok": r.problem is None, "problem": r.problem, "block": r.block,
        "counts": {n: r.count(n) for n in COUNTS}, "needs": r.score,
        "last_change": None if r.last_change is None else r.last_change.isoformat(timespec="seconds"),
        "sync": r.sync, "initials": list(r.initials), "warnings": r.warnings,
    }
