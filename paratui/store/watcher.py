"""Telling the board that the data folder changed. The observer thread does nothing else: it calls
`on_change()` (which posts a message to the app) for every relevant file event; the app coalesces
bursts and re-reads on its own loop.

inotify cannot see what another machine writes to a network share (NFS, SMB, SSHFS), so there, or
when asked (`--poll`), or when inotify is out of watches, the folder is polled: only where the board
reads (the two TOML files, binder/, themes/, today's and yesterday's day folders, journal/ and
journal/tasks/ themselves for a new folder, this month's and last month's task folders, and the log
stream's month folder, today's log folder and the last log day before it), so a
poll costs the same in year three as in week one. Older task months are not polled: what a sync
tool brings there late is read at the board's next rescan (every few seconds), by the journal
reader, which checks their folders on every read.

Nothing here opens a file of the folder: inotify watches folders (without following links), and
the polling observer only lists folders and `lstat`s entries, so a FIFO, a device or a link to
/dev/zero is just another name, and a link to `/` or a link loop is never walked into (watchdog's
default `os.stat` would follow it and walk the whole filesystem on every poll).
"""

from __future__ import annotations

import os
import stat
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterator

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingEmitter
from watchdog.utils.dirsnapshot import DirectorySnapshot

from paratui.store import identity
from paratui.store.journal import LOG_DIR, TASKS_DIR, is_journal_file

NETWORK_FILESYSTEMS = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse.sshfs", "sshfs", "9p",
                       "davfs", "fuse.davfs2", "afs", "fuse.rclone", "ceph", "glusterfs"}


def filesystem_type(path: Path, mounts_file: Path = Path("/proc/mounts")) -> str | None:
    """The type of the mount holding `path` (Linux /proc/mounts), or None when unknown."""
    try:
        mounts = mounts_file.read_text().splitlines()
    except OSError:
        return None
    target = str(Path(path).resolve())
    best, kind = "", None
    for line in mounts:
        parts = line.split()
        if len(parts) >= 3:
            point = parts[1].replace("\\040", " ")
            if (target == point or target.startswith(point.rstrip("/") + "/")) and len(point) >= len(best):
                best, kind = point, parts[2]
    return kind


def is_relevant(root: Path, path: str) -> bool:
    """Files the board reads: the two TOML files, binder pages, themes, goal files, the week's plans
    and journal files."""
    try:
        rel = Path(path).relative_to(root)
    except ValueError:
        return False
    parts = rel.parts
    if not parts:
        return True  # the folder itself (removed, restored)
    name = parts[-1]
    if parts[0] == "journal":
        if any(p.startswith(".") for p in parts[1:]):
            return False  # this machine's last-good copies (.last-good/), a sync tool's own folders
        # a day folder appearing, a task month's or log month's or day's folder changing, or a journal file
        return (len(parts) < 3 or (len(parts) == 3 and parts[1] == TASKS_DIR)
                or (len(parts) <= 4 and parts[1] == LOG_DIR) or is_journal_file(name))
    if len(parts) == 1:
        return name in ("classroom.toml", "schedule.toml")
    if parts[0] == "binder":
        return name.endswith(".md") and not name.startswith(".")
    if parts[0] in ("themes", "students", "plans"):
        return name.endswith(".toml") and not name.startswith(".")  # (goal files, the week's plans)
    return False


# What changes a file, and folders appearing, going or moving; nothing else. Without a filter
# inotify also reports every open and every close-without-writing: each reload of the board opens
# ~30 files of the folder, so one write came back as ~60 events of the board's own reading, handled
# in Python on the observer's threads while the reload ran (competing with it for the interpreter).
# A folder's "modified" (an entry created in it) is left out too: the entry's own event says it,
# and for a journal write the temp file's arrived before the write was there to read (a wasted
# reload that the real one then waited behind).
WATCHED_EVENTS: list[type[FileSystemEvent]] = [
    FileCreatedEvent, DirCreatedEvent, FileDeletedEvent, DirDeletedEvent, FileMovedEvent, DirMovedEvent,
    FileModifiedEvent, FileClosedEvent]


class _Handler(FileSystemEventHandler):
    def __init__(self, root: Path, on_change: Callable[[], None]):
        self.root = root
        self.on_change = on_change

    def on_any_event(self, event: FileSystemEvent) -> None:
        # (opens and closes without a write never arrive: WATCHED_EVENTS)
        paths = [event.src_path, getattr(event, "dest_path", "") or ""]
        if any(p and is_relevant(self.root, os.fsdecode(p)) for p in paths):
            self.on_change()


class FolderWatcher:
    def __init__(self, root: Path, on_change: Callable[[], None], poll: float | None = None,
                 mounts_file: Path = Path("/proc/mounts")):
        self.root = Path(root).resolve()
        self.mounts_file = mounts_file
        self.on_change = on_change
        self.poll = poll
        self.mode = "off"
        self.reason = ""
        self._observer: BaseObserver | None = None
        self._root_id: tuple[int, int] | None = None

    def _current_root_id(self) -> tuple[int, int] | None:
        try:
            st = self.root.stat()
        except OSError:
            return None
        return (st.st_dev, st.st_ino)

    def healthy(self) -> bool:
        """False when the watched folder was removed or replaced (its watch is dead)."""
        return self._observer is not None and self._observer.is_alive() \
            and self._current_root_id() == self._root_id

    def start(self) -> None:
        self._root_id = self._current_root_id()
        fs = filesystem_type(self.root, self.mounts_file)
        if self.poll is None and fs in NETWORK_FILESYSTEMS:
            self.poll, self.reason = 1.0, f"{fs} share: inotify cannot see other machines' writes"
        if self.poll is None:
            try:
                self._start(Observer())
                self.mode = "inotify"
                return
            except OSError as e:  # e.g. out of inotify watches
                self.poll, self.reason = 1.0, f"inotify unavailable ({e.strerror or e})"
        self._start(BoardPollingObserver(polling_interval=self.poll))
        self.mode = f"polling {self.poll:g}s"

    def _start(self, observer: BaseObserver) -> None:
        observer.schedule(_Handler(self.root, self.on_change), str(self.root), recursive=True,
                          event_filter=WATCHED_EVENTS)
        observer.daemon = True
        observer.start()
        self._observer = observer

    def stop(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=2)
            self._observer = None


# -- polling only where the board reads ----------------------------------------------------------
class BoardSnapshot(DirectorySnapshot):
    """A snapshot of what the board reads in a data folder, never walking through a link: the top
    level (TOML files), binder/, themes/, students/ and plans/, journal/ and journal/tasks/ themselves (not their
    contents: a new day or month folder changes them), today's and yesterday's day folders and
    this month's and last month's task folders. `today` is the classroom clock's date."""

    def __init__(self, path: str, today: date, counter: list[int] | None = None):
        self.today = today
        self.counter = counter if counter is not None else [0]
        super().__init__(path, recursive=False, stat=self._lstat, listdir=os.scandir)

    def _lstat(self, path: str) -> os.stat_result:
        self.counter[0] += 1
        return os.lstat(path)

    def _dir(self, path: str, follow: bool = False) -> tuple[str, os.stat_result] | None:
        try:
            st = self._lstat(path)
            if follow and stat.S_ISLNK(st.st_mode):
                st = os.stat(path)  # journal/ may live elsewhere (the reader reads through it too)
        except OSError:
            return None
        return (path, st) if stat.S_ISDIR(st.st_mode) else None

    def _list(self, folder: str) -> Iterator[tuple[str, os.stat_result]]:
        """A folder's entries, lstat'ed, without descending."""
        try:
            names = [e.name for e in self.listdir(folder)]
        except OSError:
            return
        for name in names:
            p = os.path.join(folder, name)
            try:
                yield p, self._lstat(p)
            except OSError:
                continue

    def walk(self, root: str) -> Iterator[tuple[str, os.stat_result]]:
        for p, st in self._list(root):
            name = os.path.basename(p)
            if name == "journal" and (stat.S_ISDIR(st.st_mode) or stat.S_ISLNK(st.st_mode)):
                found = self._dir(p, follow=True)
                if found:
                    yield found
                    yield from self._journal(p)
                continue
            yield p, st
            if name in ("binder", "themes", "students", "plans") and stat.S_ISDIR(st.st_mode):
                yield from self._list(p)

    def _journal(self, journal: str) -> Iterator[tuple[str, os.stat_result]]:
        first = self.today.replace(day=1)
        folders = [(self.today.isoformat(), True), ((self.today - timedelta(days=1)).isoformat(), True),
                   (TASKS_DIR, False)]  # (folder, whether its files are polled too)
        folders += [(os.path.join(TASKS_DIR, f"{m:%Y-%m}"), True) for m in (first, first - timedelta(days=1))]
        month = os.path.join(LOG_DIR, f"{self.today:%Y-%m}")
        folders += [(LOG_DIR, False), (month, False), (os.path.join(month, f"{self.today:%d}"), True)]
        for rel, contents in folders:
            found = self._dir(os.path.join(journal, rel))
            if found is None:
                continue
            yield found
            if contents:
                yield from self._list(found[0])
        # the last log day before today, this month (a retract of yesterday's entry is written there)
        try:
            names = [e.name for e in self.listdir(os.path.join(journal, month))]
        except OSError:
            names = []
        days = sorted(n for n in names if len(n) == 2 and n.isdigit() and n < f"{self.today:%d}")
        if days:
            found = self._dir(os.path.join(journal, month, days[-1]))
            if found is not None:
                yield found
                yield from self._list(found[0])


class _BoardPollingEmitter(PollingEmitter):
    def __init__(self, *args: Any, clock: Callable[[], datetime] = identity.now, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.counter = [0]  # entries lstat'ed so far (for tests and benchmarks)
        self._take_snapshot = lambda: BoardSnapshot(self.watch.path, _today(clock), self.counter)


def _today(clock: Callable[[], datetime]) -> date:
    try:
        return clock().date()
    except ValueError:  # a bad PARATUI_NOW: the board says so; poll by the real date meanwhile
        return date.today()


class BoardPollingObserver(BaseObserver):
    """watchdog's polling observer, looking only where the board reads (BoardSnapshot)."""

    def __init__(self, *, polling_interval: float = 1.0):
        super().__init__(_BoardPollingEmitter, timeout=polling_interval)
