"""The last good version of classroom.toml, schedule.toml and the goal files (students/*.toml, kept
as `students.S01.toml.HOST--LOGIN`), kept where every process finds it.

A board that is already open keeps the last good version of a file in memory. A process started
after a typo (a CLI write, a board after a reboot, the teacher over SSH) has no such memory: it
finds the copy here instead, so a configuration mistake never locks anyone out.

Copies live in `journal/.last-good/` (the only place paratui writes; hidden, and not `*.json`, so
journal readers and watchers skip them). One file per writer (`classroom.toml.HOST--LOGIN`), like
the journal, so machines that sync the folder never write the same file. A copy is written only when
the text changed, atomically; a folder that cannot be written (a read-only share) is simply skipped.
Copies are read with the same care as any file of the folder and validated again before use, so a
bad or planted copy is only ever skipped.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from paratui.store import identity
from paratui.store.atomic import atomic_write
from paratui.store.journal import FILE_MODE, JournalWriteError, make_journal_dirs, root_refusal
from paratui.store.safe_read import read_regular

FOLDER = ".last-good"
MAX_COPIES = 8  # the newest few are plenty; bounds the work when every copy is bad
_UNKNOWN = object()


@dataclass(frozen=True)
class Copy:
    raw: bytes
    saved: datetime  # the copy's modification time: when that version was last seen good

    def since(self) -> str:
        return f" from {self.saved:%Y-%m-%d %H:%M}"


class LastGood:
    def __init__(self, journal: Path, root: Path, limit: int, writer: str | None = None):
        self.journal = journal
        self.folder = journal / FOLDER
        self.root = root
        self.limit = limit
        self._writer = writer
        self._known: dict[str, object] = {}  # file name → the bytes our own copy holds

    @property
    def writer(self) -> str:
        if self._writer is None:
            self._writer = identity.writer_name()
        return self._writer

    def own_path(self, name: str) -> Path:
        return self.folder / f"{name}.{self.writer}"

    def save(self, name: str, raw: bytes) -> None:
        """Keep `raw` (a version that parsed and validated) as this writer's copy of `name`.
        Writes only when it differs from the copy; never raises."""
        path = self.own_path(name)
        known = self._known.get(name, _UNKNOWN)
        if known is _UNKNOWN:
            try:
                known = read_regular(path, self.limit, root=self.root)
            except OSError:
                known = None
        if known == raw:
            self._known[name] = raw
            return
        try:
            if root_refusal(self.journal) is not None:
                return  # root in someone else's folder: never leave root-owned files there
            make_journal_dirs(self.journal, self.folder)  # group modes kept; never through a link out
            atomic_write(path, raw, mode=FILE_MODE)
        except (OSError, JournalWriteError):
            self._known[name] = known  # read-only share, disk full…: keep going without a copy
            return
        self._known[name] = raw

    def copies(self, name: str) -> list[Copy]:
        """Every writer's copy of `name` that can be read safely, newest first (at most a few)."""
        found: list[tuple[float, Path]] = []
        try:
            with os.scandir(self.folder) as entries:
                for entry in entries:
                    n = entry.name
                    if not n.startswith(f"{name}.") or n.endswith(".tmp"):
                        continue
                    try:
                        st = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    if stat.S_ISREG(st.st_mode):
                        found.append((st.st_mtime, Path(entry.path)))
        except OSError:
            return []
        copies = []
        for mtime, path in sorted(found, reverse=True)[:MAX_COPIES]:
            try:
                raw = read_regular(path, self.limit, root=self.root)
            except OSError:
                continue
            copies.append(Copy(raw, datetime.fromtimestamp(mtime)))
        return copies
