"""The event journal: one TinyDB file per writer per day, merged on read.

Why this shape (see FIELD.md): TinyDB is not safe for two processes on one file, locks don't cross
machines or sync tools, and a file that grows all year makes every insert slower. So each writer
(host + login) owns its files, rewrites them atomically under an OS lock, and readers merge all files,
dropping duplicate ids. A day's file stays small, so a write costs the same in June as in September.

Anyone who can write to the shared folder can put anything in it, so nothing here trusts it: files
are read with `read_regular` (regular files only, bounded, never a FIFO or device, no link out of
the journal) and parsed without recursion; every problem is a warning naming the file, never an
exception or a hang. An event id found with different content in two files keeps its first-written
version, with a warning naming both. The writer's lock is opened without following links and waited
for a bounded time. Who may read and replace what: paratui.store.sharing.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import stat
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from operator import attrgetter
from pathlib import Path
from typing import Iterable, Iterator

from tinydb import TinyDB
from tinydb.storages import Storage

from paratui.model.events import TASK_TYPES, Event, event_from_doc
from paratui.model.text import clean
from paratui.store.atomic import atomic_write
from paratui.store.safe_read import MiB, UnsafeFile, inside, read_regular

TASKS_DIR = "tasks"
_ORDER = attrgetter("time", "written", "id")  # Event.sort_key, in C

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

    def __init__(self, path: str | Path, preloaded=_UNREAD):
        self.path = Path(path)
        self._data = preloaded

    def read(self):
        if self._data is _UNREAD:
            self._data = self._load()
        return self._data

    def _load(self):
        try:
            raw = read_regular(self.path, MAX_FILE_BYTES)  # no symlink, FIFO or device, bounded
        except FileNotFoundError:
            return None
        if not raw.strip():
            return None
        return parse_json(raw)

    def write(self, data) -> None:
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


def parse_json(raw: bytes):
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


# -- the writer's lock -----------------------------------------------------------------------------
_COMMANDS = ("board", "move", "back", "assign", "absent", "task", "undo", "init", "themes")
_STAMP_SIZE = 160
_STAMP = re.compile(r"pid (\d{1,10}) on ([A-Za-z0-9_.-]{1,64}) \((paratui(?: [a-z]{1,12}){0,2})\) #[0-9a-f]{1,32}")


def _doing() -> str:
    """What this process is, for a lock stamp: `paratui move`, never the rest of the command line
    (it holds names)."""
    args = sys.argv[1:]
    for i, a in enumerate(args):
        if a in _COMMANDS:
            sub = args[i + 1] if a == "task" and i + 1 < len(args) and args[i + 1] in ("add", "done") else ""
            return " ".join(filter(None, ["paratui", a, sub]))
    return "paratui"


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
    stamps its pid into the file so a writer that waits too long can say who holds it.
    """

    def __init__(self, path: Path, wait: float, label: str):
        self.path, self.wait, self.label = path, wait, label
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

    def __exit__(self, *exc) -> None:
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

        text = f"pid {os.getpid()} on {identity.safe_name(identity.host())[:64]} ({_doing()}) " \
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
    """Appends events to this writer's own files. `append` returns only once the event is on disk."""

    def __init__(self, journal: Path, writer: str, lock_wait: float | None = None):
        self.journal = journal
        self.writer = writer
        self.lock_wait = lock_wait

    def file_for(self, event: Event, task_stream: bool = False) -> Path:
        """Day events go to the day's folder; tasks (and undoing them) to the month's task folder,
        because a task outlives the day it was written."""
        if task_stream or event.type in TASK_TYPES:
            return self.journal / TASKS_DIR / f"{event.time:%Y-%m}" / f"{self.writer}.json"
        return day_dir(self.journal, event.time.date()) / f"{self.writer}.json"

    def _label(self, path: Path) -> str:
        return _journal_label(self.journal, path)

    def append(self, event: Event, task_stream: bool = False) -> Path:
        path = self.file_for(event, task_stream)
        try:
            self._check_root()
            self._make_dirs(path.parent)
            with _Lock(path, _lock_wait(self.lock_wait), self._label(path)):
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


@dataclass
class _Cached:
    signature: tuple[int, int, int]
    events: list[Event]
    problem: str | None


class BoardDirs(list):
    """What `JournalReader.board_dirs(today)` returns: the folders, plus the day they are for, so that
    `read` may leave out what a board of that day (or a later one) can never show."""

    def __init__(self, dirs: Iterable[Path], today: date):
        super().__init__(dirs)
        self.today = today


# How often the files of settled task months are stat'ed (their folders are on every read: a file
# written the usual way, by a rename, changes its folder). A file edited in place there is seen then.
SETTLED_CHECK_S = 60.0
_RACY_NS = 2_000_000_000  # a folder changed this close to our listing may change again unseen
_MONTH = re.compile(r"\d{4}-\d{2}")


@dataclass
class _Settled:
    """The task months a board reads but no longer needs in full (older than last month), folded once:
    tasks done before `cutoff` and everything about them (their add, done and retract events) are
    left out; everything else is kept."""

    dirs: tuple[str, ...]
    dir_sigs: dict[str, tuple | None]
    listed_ns: int  # time.time_ns() when the folders were listed
    checked: float  # time.monotonic() of the last stat of every file
    folder_problems: dict[str, list[str]]
    order: list[str]  # the journal files in these folders, in reading order
    cutoff: date
    kept: list[Event]
    ids: set[str]  # every event id in these files
    dropped: dict[str, str]  # the ids left out → the task they are about
    families: dict[str, list[Event]]  # task → the events left out about it
    lost: dict[tuple[str, str], list[str]]  # clashes among these files


class JournalReader:
    """Merges journal files, re-reading only those whose size, mtime or inode changed.

    Trusts nothing in the folder: only regular files are read (never a FIFO or device, no symlink out
    of the journal), at most MAX_FILE_BYTES each, parsed without recursion; a file that cannot be read
    or parsed is reported (path + reason) and its last good events are kept. A folder where a file
    belongs, an unreadable folder and an event id carrying different content in two files are
    reported too; nothing here raises.

    A board's read (`read(board_dirs(today))`) costs the same in year three as in week one: task
    months older than last month are folded once (see `_Settled`) and then only their folders are
    stat'ed (their files once every SETTLED_CHECK_S); a read that finds nothing changed returns the
    previous result as it is.
    """

    def __init__(self, journal: Path, label_root: Path | None = None):
        self.journal = journal
        self.label_root = label_root or journal.parent
        self._cache: dict[str, _Cached] = {}
        self._last_good: dict[str, list[Event]] = {}
        self._settled: _Settled | None = None
        self._result: tuple | None = None  # (key, events, problems) of the last read
        self.stats = 0  # entries listed or stat'ed so far (for tests and benchmarks)

    def task_dirs(self) -> list[Path]:
        tasks = self.journal / TASKS_DIR
        try:
            with os.scandir(tasks) as entries:
                names = sorted(e.name for e in entries if e.is_dir())
        except OSError:
            return []
        return [tasks / n for n in names]

    def board_dirs(self, today: date) -> BoardDirs:
        """What a board for `today` needs: today's and yesterday's folders (a move still open at
        midnight carries over) and every month of tasks."""
        return BoardDirs([day_dir(self.journal, today), day_dir(self.journal, today - timedelta(days=1)),
                          *self.task_dirs()], today)

    def all_dirs(self) -> list[Path]:
        try:
            days = [p for p in self.journal.iterdir() if p.is_dir() and p.name != TASKS_DIR]
        except OSError:
            days = []
        return sorted(days) + self.task_dirs()

    def read(self, dirs: list[Path]) -> tuple[list[Event], list[str], bool]:
        """(events, problems, whether anything changed since the last read).

        Given `board_dirs(today)`, the events are those a board of `today` (or later) can show: the
        events of tasks done before last month (and their retracts) are left out."""
        if isinstance(dirs, BoardDirs) and self._journal_problem() is None:
            return self._read_board(dirs)
        self._settled = None
        return self._read_all(list(dirs))

    # -- reading every file of the folders ----------------------------------------------------------
    def _read_all(self, dirs: list[Path]) -> tuple[list[Event], list[str], bool]:
        folder_problems: list[str] = []
        journal_problem = self._journal_problem()
        if journal_problem:
            folder_problems.append(journal_problem)
            dirs = []
        by_dir: dict[str, list[str]] = {}
        seen, changed = self._scan(dirs, by_dir)
        changed |= self._forget(set(seen))
        key = ("all", tuple(map(str, dirs)), tuple(folder_problems), tuple(sorted(by_dir.items())))
        if not changed and self._result is not None and self._result[0] == key:
            _, events, problems = self._result
            return events, problems, False
        for d in dirs:
            folder_problems += by_dir.get(str(d), [])
        order = sorted(seen, key=_path_key)
        events, lost = self._merge(order)
        problems = folder_problems + self._file_problems(order) + self._clash_problems(lost)
        self._result = (key, events, problems)
        return events, problems, changed

    def _scan(self, dirs: Iterable[Path | str], problems: dict[str, list[str]]) -> tuple[list[str], bool]:
        """List `dirs`, (re)parse the journal files that are new or changed. (files seen, changed)."""
        seen: list[str] = []
        changed = False
        for d in dirs:
            found: list[str] = []
            entries = self._entries(Path(d), found)
            if found:
                problems[str(d)] = found
            self.stats += len(entries) + 1
            for entry in entries:
                if not is_journal_file(entry.name):
                    continue
                path = entry.path
                try:
                    st = entry.stat(follow_symlinks=False)  # never stat-follow into a device
                    if stat.S_ISLNK(st.st_mode):
                        # a link inside the journal is read through (read_regular checks where it
                        # goes): its signature is its target's, so a change there is noticed
                        try:
                            st = os.stat(path)
                        except OSError:
                            pass
                except OSError:
                    continue
                seen.append(path)
                sig = (st.st_mtime_ns, st.st_size, st.st_ino)
                cached = self._cache.get(path)
                if cached is None or cached.signature != sig:
                    self._cache[path] = self._parse(Path(path), sig)
                    changed = True
        return seen, changed

    def _forget(self, keep: set[str]) -> bool:
        """Drop what is cached for files not in `keep` (deleted, or no longer read); True if any."""
        gone = [p for p in self._cache if p not in keep]
        for p in gone:
            del self._cache[p]
            self._last_good.pop(p, None)
        return bool(gone)

    def _file_problems(self, order: list[str]) -> list[str]:
        return [c.problem for c in map(self._cache.__getitem__, order) if c.problem]

    # -- a board's read ----------------------------------------------------------------------------
    def _read_board(self, dirs: BoardDirs) -> tuple[list[Event], list[str], bool]:
        today = dirs.today
        tasks = os.path.join(self.journal, TASKS_DIR, "")
        last_month = f"{today.replace(day=1) - timedelta(days=1):%Y-%m}"
        old: list[str] = []
        recent: list[str] = []
        for d in map(str, dirs):
            month = d[len(tasks):] if d.startswith(tasks) else ""
            (old if _MONTH.fullmatch(month) and month < last_month else recent).append(d)
        settled, s_changed = self._settle(old, today)
        by_dir: dict[str, list[str]] = dict(settled.folder_problems)
        seen, changed = self._scan(recent, by_dir)
        changed |= self._forget(set(seen).union(settled.order)) | s_changed
        key = ("board", tuple(recent), tuple(old), tuple(sorted(by_dir.items())))
        if not changed and self._result is not None and self._result[0] == key:
            _, events, problems = self._result
            return events, problems, False
        folder_problems = [p for d in map(str, dirs) for p in by_dir.get(d, [])]
        order = sorted(seen, key=_path_key)
        events, lost = self._merge(order)
        ids, dropped = settled.ids, settled.dropped
        if ids and any(e.id in ids for e in events):
            # an event that is also in a settled month (a copy, a clash): read it all, as it is
            order = sorted(seen + settled.order, key=_path_key)
            events, lost = self._merge(order)
        else:
            # a task left out that something recent is about (done again, its done undone): back in
            about = {dropped[x] for e in events
                     if (x := e.payload.get("task") if e.type == "task.done" else
                         e.payload.get("target") if e.type == "retract" else None) in dropped}
            order = sorted(seen + [p for p in settled.order if self._cache[p].problem], key=_path_key)
            events = events + settled.kept + [e for t in sorted(about) for e in settled.families[t]]
            lost = {**lost, **settled.lost}
        problems = folder_problems + self._file_problems(order) + self._clash_problems(lost)
        self._result = (key, events, problems)
        return events, problems, changed

    def _settle(self, dirs: list[str], today: date) -> tuple[_Settled, bool]:
        """The settled months' summary, brought up to date: (summary, whether it changed)."""
        s = self._settled
        now = time.monotonic()
        if s is not None and s.dirs == tuple(dirs) and s.cutoff <= today and now - s.checked < SETTLED_CHECK_S:
            for d in dirs:
                sig = _dir_signature(d)
                self.stats += 1
                if sig is None or sig != s.dir_sigs[d] or sig[0] >= s.listed_ns - _RACY_NS:
                    break
            else:
                return s, False
        listed_ns = time.time_ns()
        dir_sigs = {d: _dir_signature(d) for d in dirs}
        by_dir: dict[str, list[str]] = {}
        files, changed = self._scan(dirs, by_dir)
        order = sorted(files, key=_path_key)
        if (s is not None and not changed and s.order == order and s.dirs == tuple(dirs)
                and s.cutoff <= today and s.folder_problems == by_dir):
            s.dir_sigs, s.listed_ns, s.checked = dir_sigs, listed_ns, now
            return s, False
        events, lost = self._merge(order)
        families = _closed_before(events, today)
        dropped = {e.id: task for task, family in families.items() for e in family}
        self._settled = _Settled(tuple(dirs), dir_sigs, listed_ns, now, by_dir, order, today,
                                 [e for e in events if e.id not in dropped], {e.id for e in events},
                                 dropped, families, lost)
        return self._settled, True

    # -- merging -----------------------------------------------------------------------------------
    def _journal_problem(self) -> str | None:
        try:
            st = os.stat(self.journal)
        except FileNotFoundError:
            return None  # a new room: nothing written yet
        except OSError as e:
            return f"{self._label(self.journal)}: cannot read the journal folder: {e.strerror}"
        if not stat.S_ISDIR(st.st_mode):
            return f"{self._label(self.journal)} is a file, not a folder (no events read; move it away)"
        return None

    def _entries(self, d: Path, problems: list[str]) -> list[os.DirEntry]:
        label = self._label(d)
        try:
            st = os.lstat(d)
            if stat.S_ISLNK(st.st_mode):
                if not inside(d.resolve(), self.journal.resolve()):
                    problems.append(f"{label} is a link out of the journal folder (not read)")
                    return []
                st = os.stat(d)
        except FileNotFoundError:
            return []  # no events yet today
        except OSError as e:
            problems.append(f"{label}: cannot read folder: {e.strerror}")
            return []
        if not stat.S_ISDIR(st.st_mode):
            problems.append(f"{label} is a file, not a folder (not read; move it away)")
            return []
        try:
            return list(os.scandir(d))
        except FileNotFoundError:
            return []
        except OSError as e:
            problems.append(f"{label}: cannot read folder: {e.strerror}")
            return []

    def _merge(self, order: list[str]) -> tuple[list[Event], dict[tuple[str, str], list[str]]]:
        """All events of the files in `order`, and the clashes. Copies of an event (same id, same
        content: a sync-conflict copy) all stay (the model counts each id once). An id with
        different content in two files is a clash: the first-written version stays (smallest
        `written`, then path order), the others go, and each file that lost one is named beside the
        kept one ({(file that lost, file kept): ids})."""
        first: dict[str, tuple[Event, str]] = {}
        versions: dict[str, list[tuple[Event, str]]] = {}
        for path in order:
            for e in self._cache[path].events:
                f = first.get(e.id)
                if f is None:
                    first[e.id] = (e, path)
                elif f[0] is not e and not _same(f[0], e):
                    versions.setdefault(e.id, [f]).append((e, path))
        if not versions:
            return [e for path in order for e in self._cache[path].events], {}
        kept: dict[str, Event] = {}
        lost: dict[tuple[str, str], list[str]] = {}
        for eid, vs in versions.items():
            winner, where = min(vs, key=lambda v: v[0].written)
            kept[eid] = winner
            for e, path in vs:
                if e is not winner and not _same(e, winner):
                    lost.setdefault((path, where), []).append(eid)
        events = [e for path in order for e in self._cache[path].events
                  if e.id not in kept or e is kept[e.id] or _same(e, kept[e.id])]
        return events, lost

    def _clash_problems(self, lost: dict[tuple[str, str], list[str]]) -> list[str]:
        problems = []
        for (path, where), ids in sorted(lost.items(), key=lambda kv: (_path_key(kv[0][0]), _path_key(kv[0][1]))):
            label, where_label = self._label(Path(path)), self._label(Path(where))
            shown = ", ".join(clean(i[:12]) for i in ids[:3]) + (f" and {len(ids) - 3} more" if len(ids) > 3 else "")
            what = "event" if len(ids) == 1 else f"{len(ids)} events"
            problems.append(f"{label}: {what} {shown} also in {where_label} with different "
                            f"content; keeping the first-written version (from {where_label})")
        return problems

    def _label(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.label_root))
        except ValueError:
            return str(path)

    def _parse(self, path: Path, sig: tuple[int, int, int]) -> _Cached:
        label = self._label(path)
        keep = self._last_good.get(str(path), [])
        note = f" (keeping its {len(keep)} earlier events)" if keep else ""
        try:
            raw = read_regular(path, MAX_FILE_BYTES, root=self.journal)
        except UnsafeFile as e:
            return _Cached(sig, keep, f"{label}: {e.strerror}{note}")
        except PermissionError:
            return _Cached(sig, keep, f"{label}: cannot read: permission denied (its owner can run "
                                      f"`chmod a+r` on it; see the README on shared folders){note}")
        except OSError as e:
            return _Cached(sig, keep, f"{label}: cannot read: {e.strerror}{note}")
        if not raw.strip():
            return _Cached(sig, keep, f"{label}: empty file{note}")
        try:
            data = parse_json(raw)
        except UnicodeDecodeError:
            return _Cached(sig, keep, f"{label}: not UTF-8 text{note}")
        except json.JSONDecodeError as e:
            return _Cached(sig, keep, f"{label}:{e.lineno}:{e.colno}: {e.msg}{note}")
        except TooDeep as e:
            return _Cached(sig, keep, f"{label}: {e} (not read){note}")
        except ValueError as e:  # e.g. an integer of more than 4300 digits
            return _Cached(sig, keep, f"{label}: not a journal ({clean(e, limit=80)}){note}")
        table = data.get("_default") if isinstance(data, dict) else None
        if not isinstance(table, dict):
            return _Cached(sig, keep, f"{label}: not a journal (no \"_default\" table){note}")
        events, bad = [], []
        for doc_id, doc in table.items():
            try:
                events.append(event_from_doc(doc))
            except ValueError as e:
                bad.append(f"{label}: document {clean(doc_id, limit=24)}: {e}")
        self._last_good[str(path)] = events
        return _Cached(sig, events, "; ".join(bad) or None)


def _same(a: Event, b: Event) -> bool:
    """The same stored content (Event's own == compares only id, type, time and staff)."""
    try:
        return a.to_doc() == b.to_doc()
    except (ValueError, OverflowError, OSError):  # a time that astimezone cannot handle
        return (a.type, a.time, a.written, a.staff, a.login, a.host, a.payload) == \
               (b.type, b.time, b.written, b.staff, b.login, b.host, b.payload)


def _path_key(path: str) -> list[str]:
    return path.split(os.sep)  # the order Path objects sort in


def _dir_signature(path: str) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_ino, st.st_size)


def _closed_before(events: list[Event], cutoff: date) -> dict[str, list[Event]]:
    """Everything about each task that was done before `cutoff`, as far as `events` tell (task id →
    its add, its done events and the retracts of those, copies included), when all of them are older
    than `cutoff` and nothing among them re-opens the task (a retract of its add or of its last
    done). A board of `cutoff` or later shows none of these, nor does any of them count for it,
    unless another event is about one of them."""
    start = datetime.combine(cutoff, datetime.min.time())
    adds: dict[str, Event] = {}
    dones: dict[str, list[Event]] = {}
    retracts: dict[str, list[Event]] = {}
    for e in events:
        if e.type == "task.add":
            adds[e.id] = e
        elif e.type == "task.done":
            dones.setdefault(e.payload["task"], []).append(e)  # payload shapes are checked on read
        elif e.type == "retract":
            retracts.setdefault(e.payload["target"], []).append(e)
    closed: dict[str, list[Event]] = {}
    for tid, add in adds.items():
        done = dones.get(tid)
        if not done or tid in retracts or add.time >= start:
            continue
        family = [add, *done]
        live = [d for d in done if d.id not in retracts]
        if not live or max(live, key=_ORDER).time >= start:
            continue  # open (or every done undone), or done on `cutoff` or later
        for d in done:
            family += retracts.get(d.id, ())
        if all(x.time < start for x in family):
            closed[tid] = family
    if not closed:
        return closed
    copies: dict[str, list[Event]] = {}  # the same event read from several files (sync copies)
    for e in events:
        copies.setdefault(e.id, []).append(e)
    return {tid: [c for x in dict.fromkeys(x.id for x in family) for c in copies[x]]
            for tid, family in closed.items()}
