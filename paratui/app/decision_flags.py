"""The Data due pane's "consider a change" marks: per student and goal, the decision rules that fire
(paratui.model.progress_report.decision_marks: the same fold and rules as the report and the student
screen), named short ("3 below aim", "flat/falling 6+").

The rules read a goal's whole current phase, so the marks are folded from the room's quick-logging
history (paratui.store.history, read on a thread after the board starts) plus the board's snapshot,
screened as every reader's events are. They are folded on a thread of their own, one student at a
time (a year of one student is unpacked, folded and let go), and only for the students whose events
changed: a tally recorded refolds that student; a move refolds nobody. Until the history is read
there are no marks (the snapshot alone holds today and yesterday: too few sessions for any rule).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Callable

from paratui.model import access
from paratui.model.datalog import students_events
from paratui.model.events import DATA_TYPES
from paratui.store.folder import Snapshot
from paratui.store.history import history_for

Marks = dict[tuple[str, str], tuple[str, ...]]  # (student id, goal id) → the short names of the rules that fire


def _keys(snap: Snapshot, version: int) -> dict[str, tuple[Any, ...]]:
    """Per student with goals: what their marks are folded from (the history's read, their plan, and
    the ids of their entries and of the retracts in the snapshot)."""
    classroom = snap.classroom
    mine: dict[str, list[str]] = {}
    retracts: list[str] = []
    for e in snap.events:
        if e.type == "retract":
            retracts.append(e.id)
        elif e.type in DATA_TYPES:
            sid = e.payload.get("student")
            if isinstance(sid, str):
                mine.setdefault(sid, []).append(e.id)
    done = tuple(retracts)
    return {s.id: (version, classroom.plans.get(s.id), tuple(mine.get(s.id, ())), done)
            for s in classroom.students if getattr(classroom.plans.get(s.id), "goals", ())}


class DecisionFlags:
    """One board's marks, refolded on a thread when a student's events change (`update`)."""

    def __init__(self, root: Path) -> None:
        self.history = history_for(root)
        self.marks: Marks = {}
        self._keys: dict[str, tuple[Any, ...]] = {}
        self._lock = threading.Lock()
        self._running = False
        self._next: Snapshot | None = None  # a snapshot that came while folding: folded next
        self._seen: tuple[Snapshot, int] | None = None  # the snapshot and history last asked for

    def update(self, snap: Snapshot | None, done: Callable[[], None]) -> None:
        """Fold again, on a thread, the students whose events changed since the last fold; `done`
        is called on that thread once the marks changed."""
        version = self.history.version
        seen = self._seen
        if snap is None or version is None or (seen is not None and seen[0] is snap and seen[1] == version):
            return  # (a redraw of the same snapshot: a minute passing, the acting adult changing)
        self._seen = (snap, version)
        with self._lock:
            if self._running:
                self._next = snap
                return
            self._running = True
        threading.Thread(target=self._run, args=(snap, done), name="paratui-decisions", daemon=True).start()

    def _run(self, snap: Snapshot, done: Callable[[], None]) -> None:
        while True:
            changed = False
            try:
                changed = self._fold(snap)
            finally:
                with self._lock:
                    snap, self._next = self._next, None  # type: ignore[assignment]
                    if snap is None:
                        self._running = False
            if changed:
                done()
            if snap is None:
                return

    def _fold(self, snap: Snapshot) -> bool:
        # here, on the thread, once the history is read: not with the board's start (the reports' module)
        from paratui.model.progress_report import decision_marks

        version = self.history.version
        if version is None:
            return False
        keys = _keys(snap, version)
        marks = {k: v for k, v in self.marks.items() if k[0] in keys}
        changed = len(marks) != len(self.marks)
        for sid, key in keys.items():
            if self._keys.get(sid) == key:
                continue
            raw = (self.history.student_events(sid) or []) + students_events(snap.events, sid)
            events = access.screen(raw, snap.classroom, snap.schedule).events
            found = decision_marks(snap.classroom, sid, events)
            del raw, events
            old = {k: v for k, v in marks.items() if k[0] == sid}
            new = {(sid, goal): rules for goal, rules in found.items()}
            if old != new:
                changed = True
                for k in old:
                    del marks[k]
                marks.update(new)
            self._keys[sid] = key
        for sid in [s for s in self._keys if s not in keys]:
            del self._keys[sid]
        self.marks = marks  # one assignment: the pane reads the old marks or the new
        return changed
