"""The event journal: one TinyDB file per writer per day, merged on read.

Why this shape: TinyDB is not safe for two processes on one file, locks don't cross
machines or sync tools, and a file that grows all year makes every insert slower. So each writer
(host + login) owns its files, rewrites them atomically under an OS lock, and readers merge all files,
dropping duplicate ids. A day's file stays small, so a write costs the same in June as in September.

Anyone who can write to the shared folder can put anything in it, so nothing here trusts it: files
are read with `read_regular` (regular files only, bounded, never a FIFO or device, no link out of
the journal) and parsed without recursion; every problem is a warning naming the file, never an
exception or a hang. An event id found with different content in two files keeps its first-written
version, with a warning naming both. The writer's lock is opened without following links and waited
for a bounded time. Who may read and replace what: paratui.store.sharing. Reading and merging:
paratui.store.journal_reader.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import stat
import time
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterator

from tinydb import TinyDB
from tinydb.storages import Storage

from paratui.model.events import DATA_TYPES, TASK_TYPES, Event
from paratui.store.atomic import atomic_write
from paratui.store.safe_read import MiB, inside, read_regular

TASKS_DIR = "tasks"
# Quick-logging entries (data, abc, timers) and their retracts: journal/log/YYYY-MM/DD/WRITER.json.
# A folder per month, so a report reads only the months it covers; a file per writer per day, so a
# write rewrites one day's entries (flat all month) and a board reads only today's and the last day
# before it. Journals written before this stream hold these events in the day folders: still read.
LOG_DIR = "log"

# A day's file is a few KB and a month of tasks a few hundred; anything this big is not ours.
MAX_FILE_BYTES = 16 * MiB
# Every write rewrites the writer's whole file (atomically): once its file passes this size a writer
# starts a sibling (NAME.1.json, NAME.2.json…), so a write never costs more than rewriting this much.
ROLL_BYTES = 4 * MiB
# A journal document nests 4 levels ({"_default": {"1": {"payload": {"with": [...]}}}}). Deeper
# files are refused before anything recurses into them (json, repr, the model).
MAX_DEPTH = 32
# Journal files are readable by every account that can reach the folder, whatever the umask; only
# their owner can change them (writes are a rename, so no one needs write permission on the file).
FILE_MODE = 0o644
# How long a writer waits for another process of the same host and login to finish its write (a
# write takes milliseconds), before it says which process holds the lock. PARATUI_LOCK_WAIT overrides.
LOCK_WAIT = 3.0


class JournalWriteError(Exception):
    """A write that did not reach the disk. Nothing was acknowledged."""


_UNREAD = object()


class AtomicJSONStorage(Storage):
    """TinyDB storage that replaces the file atomically on write.

    TinyDB's own JSONStorage keeps the file open and rewrites it in place: a crash mid-write leaves
    half a file, and another process sees it torn. This one reads the file once per instance (TinyDB
    reads it twice per insert) — the writer makes a fresh instance for each write, under the lock.
    """

    def __init__(self, path: str | Path, preloaded: Any = _UNREAD):
        self.path = Path(path)
        self._data: Any = preloaded

    def read(self) -> Any:
        if self._data is _UNREAD:
            self._data = self._load()
        return self._data

    def _load(self) -> Any:
        try:
            raw = read_regular(self.path, MAX_FILE_BYTES)  # no symlink, FIFO or device, bounded
        except FileNotFoundError:
            return None
        if not raw.strip():
            return None
        return parse_json(raw)

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        atomic_write(self.path, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode(),
                     mode=FILE_MODE)
        self._data = data

    def close(self) -> None:
        pass


class TooDeep(ValueError):
    """JSON nested deeper than MAX_DEPTH (json would raise RecursionError, or the model later)."""


# A JSON string, unrolled so the regex engine does not backtrack per character.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def too_deep(raw: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether well-formed JSON `raw` nests more than about `limit` levels (somewhere between
    `limit` and 2 x `limit`: a cheap check, strings stripped, then innermost pairs peeled off)."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    brackets = _STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    for _ in range(limit):
        if not brackets:
            return False
        brackets = brackets.replace(b"[]", b"").replace(b"{}", b"")
    return bool(brackets)


def parse_json(raw: bytes) -> Any:
    """json.loads that never raises RecursionError: too deep a file is a TooDeep (a ValueError), like
    any other unparsable file (JSONDecodeError, UnicodeDecodeError and the int-digits limit are too)."""
    try:
        data = json.loads(raw)
    except RecursionError:
        raise TooDeep(f"nested more than {MAX_DEPTH} levels deep") from None
    if isinstance(data, (dict, list)) and too_deep(raw):
        raise TooDeep(f"nested more than {MAX_DEPTH} levels deep")
    return data


def is_journal_file(name: str) -> bool:
    """A file readers merge. Skips our temp files, editor swap/backup files and sync-tool temp files;
    keeps sync-conflict copies (`x.sync-conflict-….json`, `x (conflicted copy).json`)."""
    return (
        name.endswith(".json")
        and not name.startswith((".", "~"))
        and ".syncthing." not in name
        and ".goutputstream" not in name
    )


def day_dir(journal: Path, day: date) -> Path:
    return journal / day.isoformat()


def log_dir(journal: Path, day: date) -> Path:
    """The folder of `day`'s quick-logging entries (and the retracts of them)."""
    return journal / LOG_DIR / f"{day:%Y-%m}" / f"{day:%d}"


# -- the writer's lock -----------------------------------------------------------------------------
_STAMP_SIZE = 160
PROCESS = "paratui"  # a lock stamp's `doing` when nobody says more (the board, a script using the store)
_STAMP = re.compile(r"pid (\d{1,10}) on ([A-Za-z0-9_.-]{1,64}) "
                    r"\((paratui(?: [a-z][a-z-]{0,15}){0,2})\) #[0-9a-f]{1,32}")


def _lock_wait(explicit: float | None) -> float:
    if explicit is not None:
        return explicit
    try:
        return max(0.0, float(os.environ.get("PARATUI_LOCK_WAIT", "")))
    except ValueError:
        return LOCK_WAIT


class _Lock:
    """An OS lock beside the file (the file itself is replaced, so it cannot carry the lock).

    Opened without following symlinks (a planted `.NAME.lock -> /etc/x` must not make us create or
    truncate that file) and without blocking (a FIFO planted there); a lock entry that is not a plain
    file is stepped over to `.NAME.lock.1`, `.2`…, a choice every writer makes the same way. The holder
    stamps its pid and `doing` (what it is: `paratui move`, never the rest of the command line, which
    holds names) into the file so a writer that waits too long can say who holds it.
    """

    def __init__(self, path: Path, wait: float, label: str, doing: str = PROCESS):
        self.path, self.wait, self.label, self.doing = path, wait, label, doing
        self.fd = -1

    def __enter__(self) -> "_Lock":
        for _ in range(5):  # the lock file replaced under us: open the new one
            fd, lock_path = self._open()
            try:
                self._acquire(fd)
                try:
                    same = os.fstat(fd).st_ino == os.lstat(lock_path).st_ino
                except FileNotFoundError:
                    same = False
                if same:
                    self.fd = fd
                    self._stamp()
                    return self
            except BaseException:
                os.close(fd)
                raise
            os.close(fd)
        raise JournalWriteError(f"{self.label}: its lock file keeps being replaced; nothing was written")

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)  # closing releases the lock

    def _candidates(self) -> Iterator[Path]:
        base = self.path.parent / f".{self.path.name}.lock"
        yield base
        for n in range(1, 8):
            yield base.with_name(f"{base.name}.{n}")

    def _open(self) -> tuple[int, Path]:
        flags = os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | getattr(os, "O_NOCTTY", 0)
        for lock_path in self._candidates():
            try:
                st = os.lstat(lock_path)
            except FileNotFoundError:
                st = None
            if st is not None and not stat.S_ISREG(st.st_mode):
                continue  # a symlink, FIFO, folder or device where the lock belongs: never open it
            fd = -1
            for mode in ((os.O_RDWR | os.O_CREAT), os.O_RDWR, os.O_RDONLY):
                try:
                    fd = os.open(lock_path, mode | flags, 0o644)
                    break
                except (PermissionError, FileExistsError):
                    continue  # e.g. left by root (sudo -E): flock works on a read-only descriptor too
                except OSError as e:
                    if e.errno in (errno.ELOOP, errno.EISDIR, errno.ENXIO, errno.EOPNOTSUPP):
                        break  # swapped for something else since the lstat
                    raise
            if fd < 0:
                continue
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                os.close(fd)
                continue
            if st is None:
                try:
                    os.fchmod(fd, 0o644)  # whatever the umask: the stamp is for everyone to read
                except OSError:
                    pass
            return fd, lock_path
        raise JournalWriteError(f"{self.label}: no usable lock file beside it (.{self.path.name}.lock and "
                                "its alternatives are links, folders or unreadable); nothing was written")

    def _acquire(self, fd: int) -> None:
        """flock has no timeout: poll. The deadline counts from the last time the holder changed, so
        a busy lock (many quick writes) is waited for, and only a stuck holder makes us give up."""
        holder = self._holder(fd)
        deadline = time.monotonic() + self.wait
        pause = 0.0005
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                pass
            now = time.monotonic()
            current = self._holder(fd)
            if current != holder:
                holder, deadline = current, now + self.wait
            elif now >= deadline:
                raise JournalWriteError(self._stuck_message(current))
            time.sleep(min(pause, max(0.0, deadline - now)))
            pause = min(pause * 2, 0.05)

    @staticmethod
    def _holder(fd: int) -> bytes:
        try:
            return os.pread(fd, _STAMP_SIZE, 0)
        except OSError:
            return b""

    def _stamp(self) -> None:
        from paratui.store import identity  # here, not at import: identity is only needed by writers

        text = f"pid {os.getpid()} on {identity.safe_name(identity.writer_host())[:64]} ({self.doing}) " \
               f"#{uuid.uuid4().hex[:12]}"
        try:
            os.pwrite(self.fd, text.encode().ljust(_STAMP_SIZE - 1) + b"\n", 0)
        except OSError:
            pass  # a read-only lock file (left by another account): the lock still works

    def _stuck_message(self, stamp: bytes) -> str:
        m = _STAMP.match(stamp.decode("ascii", "replace"))
        if m:
            who = f"process {m.group(1)} on {m.group(2)} ({m.group(3)})"
            hint = f" If it is stopped or hung, end it (`kill {m.group(1)}` on {m.group(2)})."
        else:
            who, hint = "another process of this host and login", ""
        return (f"{self.label} is locked by {who}, which has been writing for over {self.wait:g} s;"
                f" nothing was written.{hint}")


class JournalWriter:
    """Appends events to this writer's own files. `append` returns only once the event is on disk.
    `doing`: what this process is, for the lock stamp (the CLI sets its command, e.g. `paratui move`)."""

    def __init__(self, journal: Path, writer: str, lock_wait: float | None = None, doing: str = PROCESS):
        self.journal = journal
        self.writer = writer
        self.lock_wait = lock_wait
        self.doing = doing

    def file_for(self, event: Event, task_stream: bool = False, log_day: date | None = None) -> Path:
        """Day events go to the day's folder; tasks (and undoing them) to the month's task folder,
        because a task outlives the day it was written; quick-logging entries to the log stream's
        day, and undoing one (`log_day`: the day of the entry undone) beside the entry it undoes, so
        a report of that day's month finds both."""
        if task_stream or event.type in TASK_TYPES:
            return self.journal / TASKS_DIR / f"{event.time:%Y-%m}" / f"{self.writer}.json"
        if log_day is not None or event.type in DATA_TYPES:
            return log_dir(self.journal, log_day or event.time.date()) / f"{self.writer}.json"
        return day_dir(self.journal, event.time.date()) / f"{self.writer}.json"

    def _label(self, path: Path) -> str:
        return _journal_label(self.journal, path)

    def append(self, event: Event, task_stream: bool = False, log_day: date | None = None) -> Path:
        path = self.file_for(event, task_stream, log_day)
        try:
            self._check_root()
            self._make_dirs(path.parent)
            with _Lock(path, _lock_wait(self.lock_wait), self._label(path), self.doing):
                path, data = self._usable(path)
                db = TinyDB(path, storage=lambda p: AtomicJSONStorage(p, preloaded=data))
                try:
                    db.insert(event.to_doc())
                finally:
                    db.close()
        except OSError as e:
            raise JournalWriteError(f"could not write {path}: {e.strerror or e}") from e
        return path

    def _check_root(self) -> None:
        refusal = root_refusal(self.journal)
        if refusal:
            raise JournalWriteError(refusal)

    def _make_dirs(self, folder: Path) -> None:
        make_journal_dirs(self.journal, folder)

    @staticmethod
    def _usable(path: Path) -> tuple[Path, dict | None]:
        """Our file and what it holds, or if it cannot be ours, the next free sibling (NAME.1.json…):
        never write over a file we cannot parse (that would erase the events in it), nor one that is
        a folder, FIFO, device or symlink, too big or too deep, or that another account owns (`sudo`
        left it, or a colleague's account made it: replacing it would fail or take it from them).
        A file past ROLL_BYTES is left as it is too (full: rewriting it on every write would be slow)."""
        candidate, n = path, 0
        me = os.geteuid()
        while True:
            try:
                st = os.lstat(candidate)
                if stat.S_ISREG(st.st_mode) and st.st_uid != me:
                    raise PermissionError(errno.EPERM, "owned by another account")
                if st.st_size > ROLL_BYTES:
                    raise ValueError("full")
                data = AtomicJSONStorage(candidate).read()
                # TinyDB needs {table: {doc_id: doc}}; valid JSON of another shape is just as unusable
                if data is None or (isinstance(data, dict) and all(isinstance(t, dict) for t in data.values())):
                    return candidate, data
            except FileNotFoundError:
                return candidate, None
            except (OSError, ValueError):  # UnsafeFile, EACCES, JSON / UTF-8 errors, TooDeep
                pass
            n += 1
            if n > 50:
                raise JournalWriteError(f"no usable file for {path.name} in {path.parent} "
                                        f"({path.stem}.json to {path.stem}.50.json are all taken)")
            candidate = path.with_name(f"{path.stem}.{n}.json")


def _journal_label(journal: Path, path: Path) -> str:
    try:
        return path.relative_to(journal.parent).as_posix()
    except ValueError:
        return str(path)


def root_refusal(journal: Path) -> str | None:
    """Why this process must not write into `journal` (None: it may). `sudo -E paratui …` would
    leave root-owned files and folders that lock the real user out of their own journal: root writes
    only into a journal (or, before it exists, a data folder) that root owns."""
    if os.geteuid() != 0:
        return None
    for folder in (journal, journal.parent):
        try:
            owner = os.stat(folder).st_uid
        except OSError:
            continue
        if owner == 0:
            return None
        return (f"refusing to write as root into {_journal_label(journal, folder)}, which belongs to "
                f"{_user(owner)}: the files would lock that account out. Run paratui as {_user(owner)} "
                "(without sudo).")
    return None


def make_journal_dirs(journal: Path, folder: Path) -> None:
    """Make `folder` (inside `journal`) and what is missing on the way, readable by the group
    whatever the umask: journal/ itself 0755 (3775 in a group-writable data folder, see sharing.py),
    everything below it the journal's mode (at least 0750), so a room whose journal/ is
    group-writable, setgid and sticky stays that way. Every existing step must be a real folder
    inside the journal: a file there is a JournalWriteError that says so (never a confusing write
    failure), and a link out of the journal is never written through. OSError for the rest."""
    if not journal.parent.is_dir():
        # The data folder itself is gone (removed, share unmounted, mid-restore): never re-create
        # it, or the event would land in a ghost folder while the board says "recorded".
        raise FileNotFoundError(errno.ENOENT, "the data folder is missing", str(journal.parent))
    parts = folder.relative_to(journal).parts
    mode = None
    for d in (journal.joinpath(*parts[:i]) for i in range(len(parts) + 1)):
        try:
            st = os.lstat(d)
        except FileNotFoundError:
            st = None
        if st is not None and stat.S_ISLNK(st.st_mode):
            if d != journal and not inside(d.resolve(), journal.resolve()):
                raise JournalWriteError(f"{_journal_label(journal, d)} is a link out of the journal folder; "
                                        "move it away (nothing was written)")
            st = os.stat(d)  # journal/ itself may live elsewhere (the room's choice)
        if st is not None and not stat.S_ISDIR(st.st_mode):
            raise JournalWriteError(f"{_journal_label(journal, d)} is a file, not a folder; move it away "
                                    "(nothing was written)")
        if st is None:
            if d == journal:
                parent_mode = os.stat(journal.parent).st_mode
                # a group-writable data folder is a shared one: setgid + sticky (see sharing.py)
                want = (0o3775 if parent_mode & 0o020 else 0o755) | (parent_mode & 0o2000)
            else:
                if mode is None:
                    mode = (os.stat(journal).st_mode & 0o7777) | 0o750
                want = mode
            try:
                d.mkdir()
                os.chmod(d, want)
            except FileExistsError:
                pass  # another writer made it a moment ago


def _user(uid: int) -> str:
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return f"user {uid}"


def new_event(type: str, staff: str | None, payload: dict, when: datetime, login: str, host: str) -> Event:
    # uuid4: unique across machines without coordination; `written` orders events sharing a time.
    return Event(uuid.uuid4().hex, type, when, time.time_ns(), staff, login, host, payload)
