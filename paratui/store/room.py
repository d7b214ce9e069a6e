"""A data folder in use: read the current snapshot, build the board, record events.

The one write path for the CLI and the board alike.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Callable, Iterable

from paratui.model import access
from paratui.model.board import BoardState, build_board
from paratui.model.commands import Change, Context
from paratui.model.events import DATA_TYPES, TASK_TYPES, Event, last_undoable
from paratui.store import identity, keys, pins
from paratui.store.folder import DataFolder, Snapshot
from paratui.store.journal import JournalWriter, new_event


class Room:
    def __init__(self, root: Path, clock: Callable[[], datetime] = identity.now):
        self.root = Path(root)
        self.clock = clock
        self.folder = DataFolder(self.root)
        self.writer = JournalWriter(self.folder.journal_path, identity.writer_name(),
                                    signer=keys.Signer(self.root))
        # staff picked at the shared login without their PIN (paratui.store.pins): a para's rights
        self.capped: set[str] = set()

    def pin_typed(self, staff_id: str, verdict: "pins.Verdict") -> None:
        """What a PIN tried at the shared login gives `staff_id`: right, their role, and their PIN key
        (in memory only) signs their events; otherwise a para's rights and no PIN key."""
        if verdict.ok and verdict.key is not None:
            self.capped.discard(staff_id)
            self.writer.pin_keys[staff_id] = verdict.key
        else:
            self.capped.add(staff_id)
            self.writer.pin_keys.pop(staff_id, None)

    def snapshot(self) -> Snapshot:
        return self.folder.load(self.clock().date())

    def board(self, snapshot: Snapshot | None = None, more_warnings: Iterable[str] = ()) -> BoardState:
        """The board now; `more_warnings` (e.g. the app's theme problems) come first in its warnings."""
        snap = snapshot or self.snapshot()
        screened = snap.screened()
        return build_board(snap.classroom, snap.schedule, screened.events, self.clock(),
                           snap.binder_titles, [*more_warnings, *snap.warnings, *screened.said], binder=snap.binder)

    def context(self, actor: str, snapshot: Snapshot | None = None) -> Context:
        """What a command is checked against, as of `snapshot` (default: a fresh read)."""
        snap = snapshot or self.snapshot()
        return Context(snap.classroom, snap.schedule, snap.screened().events, self.clock(), actor,
                       permit=access.capped_permit if actor in self.capped else access.permit,
                       login=identity.login(), host=identity.host())

    def apply(self, change: Change, actor: str) -> Event:
        """Write what a command (paratui.model.commands) returned, as `actor`. A retract goes to the
        stream of what it undoes (looked up in the events last read)."""
        if change.type == "retract" and not change.task_stream:
            target = self.folder.find_event(change.payload.get("target"))
            if target is not None:
                return self.retract(actor, target)
        return self.record(change.type, actor, change.payload, change.task_stream)

    def record(self, type: str, staff: str | None, payload: dict, task_stream: bool = False,
               log_day: date | None = None) -> Event:
        """Write one event; returns once it is durable on disk (raises JournalWriteError if not).
        `log_day`: a retract of a quick-logging entry of that day (it is written beside it)."""
        event = new_event(type, staff, payload, self.clock(), identity.login(), identity.host())
        self.writer.append(event, task_stream or type in TASK_TYPES, log_day)
        return event

    def apply_all(self, changes: list[Change], actor: str) -> list[Event]:
        """Write several changes of the task stream at once (paratui.store.journal.JournalWriter.
        append_all: one write per file, all of it or none), as `actor`; the events in order."""
        if any(c.type == "retract" or not c.task_stream for c in changes):
            return [self.apply(c, actor) for c in changes]  # (only tasks are ever batched)
        now, login, host = self.clock(), identity.login(), identity.host()
        events = [new_event(c.type, actor, c.payload, now, login, host) for c in changes]
        for before, e in zip(events, events[1:]):  # `written` orders events of one time: keep theirs
            e.written = max(e.written, before.written + 1)
        self.writer.append_all(events, True)
        return events

    def retract(self, staff: str, target: Event) -> Event:
        """Undo `target` (any event, by anyone allowed): a retract in the same stream as it."""
        return self.record("retract", staff, {"target": target.id}, target.type in TASK_TYPES,
                           target.time.date() if target.type in DATA_TYPES else None)

    def undo(self, staff: str, snapshot: Snapshot | None = None) -> tuple[Event, Event] | None:
        """Retract `staff`'s newest event that is still in force; (retract, undone) or None."""
        snap = snapshot or self.snapshot()
        target = last_undoable(snap.screened().events, staff, identity.login(), identity.host())
        if target is None:
            return None
        return self.retract(staff, target), target
