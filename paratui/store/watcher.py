"""Telling the board that the data folder changed. The observer thread does nothing else: it calls
`on_change()` (which posts a message to the app) for every relevant file event; the app coalesces
bursts and re-reads on its own loop.

inotify cannot see what another machine writes to a network share (NFS, SMB, SSHFS), so there, or
when asked (`--poll`), or when inotify is out of watches, watchdog's polling observer is used.

Nothing here opens a file of the folder: inotify watches folders (without following links), and
the polling observer only lists folders and `lstat`s entries, so a FIFO, a device or a link to
/dev/zero is just another name, and a link to `/` or a link loop is never walked into (watchdog's
default `os.stat` would follow it and walk the whole filesystem on every poll).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserverVFS

from paratui.store.journal import is_journal_file

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
    """Files the board reads: the two TOML files, binder pages, themes and journal files."""
    try:
        rel = Path(path).relative_to(root)
    except ValueError:
        return False
    parts = rel.parts
    if not parts:
        return True  # the folder itself (removed, restored)
    name = parts[-1]
    if parts[0] == "journal":
        return len(parts) < 3 or is_journal_file(name)  # a day folder appearing, or a journal file
    if len(parts) == 1:
        return name in ("classroom.toml", "schedule.toml")
    if parts[0] == "binder":
        return name.endswith(".md") and not name.startswith(".")
    if parts[0] == "themes":
        return name.endswith(".toml")
    return False


class _Handler(FileSystemEventHandler):
    def __init__(self, root: Path, on_change: Callable[[], None]):
        self.root = root
        self.on_change = on_change

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
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
        self._observer = None
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
        self._start(PollingObserverVFS(os.lstat, os.scandir, polling_interval=self.poll))
        self.mode = f"polling {self.poll:g}s"

    def _start(self, observer) -> None:
        observer.schedule(_Handler(self.root, self.on_change), str(self.root), recursive=True)
        observer.daemon = True
        observer.start()
        self._observer = observer

    def stop(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=2)
            self._observer = None
