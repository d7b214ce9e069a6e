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
from datetime import date, datetime, timedelta
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


# What is left of a JSON string once its escaped backslashes and quotes are gone and every byte but
# quotes and brackets is dropped: a quote, brackets, a quote (no backtracking).
_STRING = re.compile(rb'"[^"]*"')
_NOT_BRACKETS_OR_QUOTES = bytes(b for b in range(256) if b not in b'[]{}"')


def too_deep(raw: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether well-formed JSON `raw` nests more than about `limit` levels (somewhere between
    `limit` and 2 x `limit`: a cheap check, strings stripped, then innermost pairs peeled off)."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    # Strings stripped: `\\` first, so that `\"` is then always an escaped quote inside a string
    # and every other quote opens or closes one; then the bytes cut down to quotes and brackets (in C)
    # before the strings between quotes go.
    bare = raw.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _NOT_BRACKETS_OR_QUOTES)
    brackets = _STRING.sub(b"", bare)
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
    file of this account's own is stepped over to `.NAME.lock.1`, `.2`…, a choice every writer makes
    the same way: a colleague holding a lock file they made (squatting it) never stops a write, and
    the stamp read back is always one this account wrote. With all eight names taken, the lock is
    this account's own file in its home (`private_lock`), which no one else can create. The holder
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
        for lock_path in self._candidates():
            found = _open_own(lock_path)
            if found is not None:
                return found, lock_path
        private = private_lock(self.path)
        if private is not None:
            found = _open_own(private)
            if found is not None:
                return found, private
        raise JournalWriteError(f"{self.label}: no usable lock file beside it (.{self.path.name}.lock and "
                                "its alternatives are links, folders or other accounts' files) nor in this "
                                "account's own cache folder; nothing was written")

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


_LOCK_FLAGS = os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | getattr(os, "O_NOCTTY", 0)


def _open_own(lock_path: Path) -> int | None:
    """A descriptor on `lock_path` (made if missing), or None when it is not a plain file of this
    account's own (a link, a FIFO, a folder, a file another account made or left)."""
    me = os.geteuid()
    try:
        st = os.lstat(lock_path)
    except FileNotFoundError:
        st = None
    if st is not None and (not stat.S_ISREG(st.st_mode) or st.st_uid != me):
        return None  # never opened: it is not ours to trust (or to hold)
    fd = -1
    for mode in ((os.O_RDWR | os.O_CREAT), os.O_RDWR, os.O_RDONLY):
        try:
            fd = os.open(lock_path, mode | _LOCK_FLAGS, 0o644)
            break
        except (PermissionError, FileExistsError):
            continue  # our own file made read-only: flock works on a read-only descriptor too
        except FileNotFoundError:
            return None  # the folder went away, or cannot be written (see make_journal_dirs)
        except OSError as e:
            if e.errno in (errno.ELOOP, errno.EISDIR, errno.ENXIO, errno.EOPNOTSUPP):
                return None  # swapped for something else since the lstat
            raise
    if fd < 0:
        return None
    opened = os.fstat(fd)
    if not stat.S_ISREG(opened.st_mode) or opened.st_uid != me:
        os.close(fd)  # made by another account between our lstat and open
        return None
    if st is None:
        try:
            os.fchmod(fd, 0o644)  # whatever the umask: the stamp is for everyone to read
        except OSError:
            pass
    return fd


def private_lock(path: Path) -> Path | None:
    """This account's own lock for `path`, in its home (`~/.cache/paratui/locks`, from the password
    database, so every process of the account finds the same one whatever its environment), for
    when every lock name beside the file is taken by other accounts. None: no home to make it in."""
    import hashlib
    import pwd

    try:
        home = Path(pwd.getpwuid(os.geteuid()).pw_dir)
        folder = home / ".cache" / "paratui" / "locks"
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        st = os.lstat(folder)
    except (KeyError, OSError):
        return None
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid():
        return None
    digest = hashlib.blake2b(os.fsencode(os.path.realpath(path)), digest_size=16).hexdigest()
    return folder / f"{digest}.lock"


class JournalWriter:
    """Appends events to this writer's own files. `append` returns only once the event is on disk.
    `doing`: what this process is, for the lock stamp (the CLI sets its command, e.g. `paratui move`)."""

    def __init__(self, journal: Path, writer: str, lock_wait: float | None = None, doing: str = PROCESS,
                 signer: Any = None):
        self.journal = journal
        self.writer = writer
        self.lock_wait = lock_wait
        self.doing = doing
        # signs each document as it is written (paratui.store.keys.Signer; None: unsigned)
        self.signer = signer
        # staff id → their PIN key, unsealed by their PIN at the shared login (memory only): their
        # events get a second signature, `pin_sig` (paratui.store.keys.pin_sign), before the account's
        self.pin_keys: dict[str, Any] = {}

    def _sign(self, event: Event) -> dict:
        doc = event.to_doc()
        key = self.pin_keys.get(event.staff) if event.staff is not None else None
        if key is not None:
            from paratui.store.keys import pin_sign

            doc = pin_sign(doc, key)
        return self.signer.sign(doc) if self.signer is not None else doc

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
                # `written` is when it is written, under the lock: of two events of the same second
                # (two paras claiming one task at once) the one on disk first sorts first, so the
                # other's writer, reading the room after its own write, always finds it and is told
                event.written = max(event.written, time.time_ns())
                doc = self._sign(event)
                path, data = self._usable(path)
                db = TinyDB(path, storage=lambda p: AtomicJSONStorage(p, preloaded=data))
                try:
                    db.insert(doc)
                finally:
                    db.close()
        except OSError as e:
            raise JournalWriteError(f"could not write {path}: {e.strerror or e}") from e
        return path

    def append_all(self, events: list[Event], task_stream: bool = False) -> None:
        """Several events of one stream in one write per file (one lock, one read, one atomic
        replace): all of a file's or none. For a batch (a meeting's action items): writing them one
        by one rewrites the growing file each time, so n events cost n² (3,000 items took minutes)."""
        by_path: dict[Path, list[dict]] = {}
        for event in events:
            by_path.setdefault(self.file_for(event, task_stream), []).append(self._sign(event))
        for path, docs in by_path.items():
            try:
                self._check_root()
                self._make_dirs(path.parent)
                with _Lock(path, _lock_wait(self.lock_wait), self._label(path), self.doing):
                    path, data = self._usable(path)
                    db = TinyDB(path, storage=lambda p, data=data: AtomicJSONStorage(p, preloaded=data))
                    try:
                        db.insert_multiple(docs)
                    finally:
                        db.close()
            except OSError as e:
                raise JournalWriteError(f"could not write {path}: {e.strerror or e}") from e

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
        A file past ROLL_BYTES is left as it is too (full: rewriting it on every write would be slow).
        When all fifty names are taken (a colleague made them all, to stop this writer), a name no
        one can guess: `NAME.x<random>.json`, found again by its owner on the next write."""
        me = os.geteuid()
        for candidate in _file_names(path):
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
        raise JournalWriteError(f"no usable file for {path.name} in {path.parent} "
                                f"({path.stem}.json to {path.stem}.50.json and its own are all taken)")


_ROLLED = 50  # NAME.1.json … NAME.50.json


def _file_names(path: Path) -> Iterator[Path]:
    """Where this writer's events of `path` may go, in the order every one of its processes tries:
    the file, its numbered siblings, then names with a random part (`NAME.x<12 hex>.json`) this
    account made before, then a fresh one."""
    yield path
    for n in range(1, _ROLLED + 1):
        yield path.with_name(f"{path.stem}.{n}.json")
    own = re.compile(re.escape(path.stem) + r"\.x[0-9a-f]{12}\.json")
    me = os.geteuid()
    try:
        with os.scandir(path.parent) as entries:
            mine = sorted(e.name for e in entries
                          if own.fullmatch(e.name) and e.stat(follow_symlinks=False).st_uid == me)
    except OSError:
        mine = []
    for name in mine:
        yield path.with_name(name)
    yield path.with_name(f"{path.stem}.x{uuid.uuid4().hex[:12]}.json")


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
                f"{user_name(owner)}: the files would lock that account out. Run paratui as {user_name(owner)} "
                "(without sudo).")
    return None


def make_journal_dirs(journal: Path, folder: Path) -> None:
    """Make `folder` (inside `journal`) and what is missing on the way, readable by the group
    whatever the umask: journal/ itself 0755 (3775 in a group-writable data folder, see sharing.py),
    everything below it the journal's mode (at least 0750), so a room whose journal/ is
    group-writable, setgid and sticky stays that way. Every existing step must be a real folder
    inside the journal: a file there is a JournalWriteError that says so (never a confusing write
    failure), and a link out of the journal is never written through. A step this account cannot
    write into (a colleague made tomorrow's folder 0755 before anyone else) is a JournalWriteError
    naming its owner, its mode and the fix; one of our own with too narrow a mode is widened back to
    the journal's. OSError for the rest."""
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
        if st is not None:
            _check_folder(journal, d, st)
            continue
        if d == journal:
            parent_mode = os.stat(journal.parent).st_mode
            # a group-writable data folder is a shared one: setgid + sticky (see sharing.py)
            want = (0o3775 if parent_mode & 0o020 else 0o755) | (parent_mode & 0o2000)
        else:
            if mode is None:
                mode = _folder_mode(journal)
            want = mode
        try:
            d.mkdir()
            os.chmod(d, want)
        except FileExistsError:
            pass  # another writer made it a moment ago


def _folder_mode(journal: Path) -> int:
    """The mode of every folder below `journal`: the journal's own (at least 0750)."""
    return (os.stat(journal).st_mode & 0o7777) | 0o750


def _layout(journal: Path, d: Path, st: os.stat_result) -> tuple[int, int | None] | None:
    """For a folder below `journal` that does not have the journal's layout (its mode, and its group
    when the journal is setgid): (the mode it needs, the group it needs or None). None: it does."""
    if d == journal:
        return None
    try:
        top = os.stat(journal)
    except OSError:
        return None
    want = (top.st_mode & 0o7777) | 0o750
    gid = top.st_gid if top.st_mode & stat.S_ISGID else None
    if st.st_mode & want == want and (gid is None or st.st_gid == gid):
        return None
    return want, gid


def _check_folder(journal: Path, d: Path, st: os.stat_result) -> None:
    """An existing step on the way to a journal file: ours with too narrow a mode is widened back;
    one this account cannot write into is a JournalWriteError that says whose it is and the fix."""
    wrong = _layout(journal, d, st)
    me = os.geteuid()
    if wrong is not None and st.st_uid == me and st.st_mode & wrong[0] != wrong[0]:
        try:
            os.chmod(d, (st.st_mode & 0o7777) | wrong[0])
            return
        except OSError:
            pass
    if me == 0 or os.access(d, os.W_OK | os.X_OK, effective_ids=os.access in os.supports_effective_ids):
        return
    label = _journal_label(journal, d)
    if wrong is not None:
        raise JournalWriteError(f"{folder_problem(journal, d, st, wrong)}; nothing was written")
    raise JournalWriteError(f"cannot write into {label}: it belongs to {user_name(st.st_uid)} (group "
                            f"{_group(st.st_gid)}, mode {stat.S_IMODE(st.st_mode):04o}) and this account is not "
                            f"allowed to add files there; nothing was written. Ask the teacher to add this "
                            f"account to group {_group(st.st_gid)} (see docs/running.md on shared folders).")


def folder_problem(journal: Path, d: Path, st: os.stat_result | None = None,
                   wrong: tuple[int, int | None] | None = None) -> str | None:
    """What is wrong with folder `d` below `journal` when it lacks the journal's layout (e.g. a
    colleague made tomorrow's day folder 0755: nobody else can write there tomorrow), with whose it
    is and the fix; None when it has the layout (or is no folder: others report that)."""
    if st is None:
        try:
            st = os.stat(d)
        except OSError:
            return None
        if not stat.S_ISDIR(st.st_mode):
            return None
    if wrong is None:
        wrong = _layout(journal, d, st)
        if wrong is None:
            return None
    want, gid = wrong
    label, owner = _journal_label(journal, d), user_name(st.st_uid)
    fixes, needs = [], [f"mode {want:04o}"]
    if st.st_mode & want != want:
        fixes.append(f"chmod {want:04o} {label}")
    if gid is not None and st.st_gid != gid:
        fixes.append(f"chgrp {_group(gid)} {label}")
        needs.append(f"group {_group(gid)}")
    return (f"{label}: made by {owner} with mode {stat.S_IMODE(st.st_mode):04o}, group {_group(st.st_gid)}; "
            f"the journal's folders need {' and '.join(needs)}, or other accounts cannot write into it. "
            f"Ask {owner} to run `{' && '.join(fixes)}` in the data folder (or the journal's owner to "
            f"move it away)")


def writer_problems(journal: Path, writer: str, today: date) -> list[str]:
    """What stands in this writer's way today and tomorrow, for the board to warn about before a
    write fails or goes elsewhere: a folder it will write into made without the journal's layout
    (tomorrow's day folder, next month's task folder…: `folder_problem`), and a file or lock file
    named for this writer but made by another account (squatted: left alone, the write goes beside
    it). A dozen lstats: cheap enough for every reload."""
    tomorrow = today + timedelta(days=1)
    next_month = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    folders: dict[Path, bool] = {}  # folder → this writer writes into it today
    for day, now in ((today, True), (tomorrow, False)):
        folders.setdefault(day_dir(journal, day), now)
        folders.setdefault(log_dir(journal, day).parent, False)
        folders.setdefault(log_dir(journal, day), now)
    for month, now in ((today, True), (next_month, False)):
        folders.setdefault(journal / TASKS_DIR / f"{month:%Y-%m}", now)
    folders = {journal / TASKS_DIR: False, journal / LOG_DIR: False, **folders}
    problems: list[str] = []
    me = os.geteuid()
    for d, now in folders.items():
        try:
            st = os.lstat(d)
        except OSError:
            continue
        if not stat.S_ISDIR(st.st_mode):
            continue  # the reader and the writer say so
        found = folder_problem(journal, d, st)
        if found:
            problems.append(found)
        if not now:
            continue
        for name in (f"{writer}.json", f".{writer}.json.lock"):
            try:
                owner = os.lstat(d / name).st_uid
            except OSError:
                continue
            if owner != me:
                what = "a lock file" if name.endswith(".lock") else "a journal file"
                problems.append(f"{_journal_label(journal, d / name)}: {what} named for this writer but made by "
                                f"{user_name(owner)}: left alone (this writer's own goes beside it); "
                                f"ask {user_name(owner)} to remove it")
    return problems


def user_name(uid: int) -> str:
    """The login of `uid` (or "user N" when it has none), for messages."""
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return f"user {uid}"


def _group(gid: int) -> str:
    try:
        import grp

        return grp.getgrgid(gid).gr_name
    except (ImportError, KeyError):
        return f"group {gid}"


def new_event(type: str, staff: str | None, payload: dict, when: datetime, login: str, host: str) -> Event:
    # uuid4: unique across machines without coordination; `written` orders events sharing a time.
    return Event(uuid.uuid4().hex, type, when, time.time_ns(), staff, login, host, payload)
