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

Anyone in the group can write into `journal/`, so a copy is used only when the account that made it
may change the file itself (`copies(name, allowed)`: the live file's owner, the teacher's logins) and
its time is not in the future (a copy dated ahead would win over every real one; SKEW_S allows for
another machine's clock). Any other copy is ignored with a warning naming it and why (`ignored`).
A process whose account may not change the file writes no copy (paratui.store.folder does not call
`save` for it), nor does a read-only login: its reads write nothing into the folder.
"""

from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from paratui.model.text import clean
from paratui.store import identity
from paratui.store.atomic import atomic_write
from paratui.store.journal import FILE_MODE, JournalWriteError, make_journal_dirs, root_refusal, user_name
from paratui.store.safe_read import read_regular

FOLDER = ".last-good"
MAX_COPIES = 8  # the newest few are plenty; bounds the work when every copy is bad
# How far ahead of this machine's clock a copy's time may be (another machine's clock running fast,
# a share's clock): further ahead, the copy is "from the future" and ignored.
SKEW_S = 120.0
SHOWN = 3  # ignored copies named in the warnings (the rest are counted)
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
        self.ignored: dict[str, list[str]] = {}  # file name → why copies of it were not used

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

    def copies(self, name: str, allowed: set[int]) -> list[Copy]:
        """The copies of `name` made by an account in `allowed` (uids) and not dated in the future
        that can be read safely, newest first (at most a few). Why the others were not used:
        `ignored[name]`."""
        found: list[tuple[float, Path]] = []
        ignored: list[str] = []
        ahead = time.time() + SKEW_S
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
                    if not stat.S_ISREG(st.st_mode):
                        continue
                    if st.st_uid not in allowed:
                        ignored.append(f"{self._label(n)}: ignored: made by {user_name(st.st_uid)}, who may not "
                                       f"change {name}")
                    elif st.st_mtime > ahead:
                        ignored.append(f"{self._label(n)}: ignored: dated in the future "
                                       f"({datetime.fromtimestamp(st.st_mtime):%Y-%m-%d %H:%M})")
                    else:
                        found.append((st.st_mtime, Path(entry.path)))
        except OSError:
            return []
        ignored.sort()
        if len(ignored) > SHOWN:
            ignored[SHOWN:] = [f"{FOLDER}: {len(ignored) - SHOWN} more copies of {name} ignored"]
        self.ignored[name] = [f"journal/{x}" for x in ignored]
        copies = []
        for mtime, path in sorted(found, reverse=True)[:MAX_COPIES]:
            try:
                raw = read_regular(path, self.limit, root=self.root)
            except OSError:
                continue
            copies.append(Copy(raw, datetime.fromtimestamp(mtime)))
        return copies

    @staticmethod
    def _label(name: str) -> str:
        return f"{FOLDER}/{clean(name, limit=80)}"
