"""The quick-logging history of a room: every data, ABC and timer event of every day folder, and the
retracts among them, for the student screen (a board itself reads only today and yesterday).

A `JournalReader` with the same rules for what it reads (regular files only, bounded, no recursion,
clashes resolved alike), keeping only those events: a year of moves and assignments is ~85 % of the
journal and none of it is needed here, so it is dropped as each file is parsed. Like the board's
reader, a second `read()` re-parses only the files that changed (a stat of each).
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Callable

from paratui.model.events import DATA_TYPES, Event
from paratui.store.journal_reader import JournalReader, _Cached

KEPT = (*DATA_TYPES, "retract")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")  # a day folder (not tasks/, not .last-good/)


class DataHistory(JournalReader):
    """Reads the day folders, keeping only quick-logging events and retracts."""

    def _parse(self, path: Path, sig: tuple[int, int, int]) -> _Cached:
        cached = super()._parse(path, sig)
        kept = [e for e in cached.events if e.type in KEPT]
        self._last_good[str(path)] = kept
        return _Cached(cached.signature, kept, cached.problem)

    def day_dirs(self) -> list[Path]:
        return [d for d in self.all_dirs() if _DAY.fullmatch(d.name) and d.parent == self.journal]

    def events(self) -> list[Event]:
        """Every kept event of every day folder (re-reading only changed files); problems are the
        board's to show, so they are not repeated here."""
        events, _problems, _changed = self.read(self.day_dirs())
        return events


class HistoryCache:
    """One room's `DataHistory`, loaded on a thread of its own (a year takes a second or two), shared
    by every student screen of the process. `events` is the last complete read (None until the first
    one is done); `refresh()` reads again in the background (only changed files are parsed)."""

    def __init__(self, root: Path):
        self.reader = DataHistory(root / "journal", root)
        self.events: list[Event] | None = None
        self._lock = threading.Lock()  # guards `_busy` (held only for a moment)
        self._reading = threading.Lock()  # one read of the reader at a time
        self._busy = False
        self.listeners: list[Callable[[], None]] = []  # called on the loading thread when done

    def refresh(self) -> None:
        with self._lock:
            if self._busy:
                return
            self._busy = True
        threading.Thread(target=self._load, name="paratui-history", daemon=True).start()

    def load_now(self) -> list[Event]:
        """Read in this thread (the CLI, tests, the bench)."""
        with self._reading:
            self.events = self.reader.events()
        return self.events

    def _load(self) -> None:
        try:
            with self._reading:
                events = self.reader.events()
            changed = events is not self.events
            self.events = events
        finally:
            with self._lock:
                self._busy = False
        if changed:
            for listener in list(self.listeners):
                listener()


_CACHES: dict[Path, HistoryCache] = {}


def history_for(root: Path) -> HistoryCache:
    """The process's history of the room at `root`."""
    key = Path(root).absolute()
    if key not in _CACHES:
        _CACHES[key] = HistoryCache(key)
    return _CACHES[key]
