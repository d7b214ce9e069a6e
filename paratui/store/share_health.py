"""A data folder on a network share: is the share mounted and answering, and when did each host last
write in it (paratui.model.share turns it into words).

`ShareHealth` looks every `every` seconds from a daemon thread. Each look runs in a thread of its own
(resolve the folder's path, find its mount in /proc/self/mountinfo, stat the folder, list the
journal's newest files) and is waited for at most `timeout` seconds: a hung NFS server blocks that
thread in the kernel, never the board. A look that has not answered in time makes the state "stale"
(with the time since); no second look starts while one is still hung, and when it finally returns
its answer is used. A folder on local disk is None: nothing shown.

The host of a change is the host part of its journal file's name (`HOST--LOGIN.json`, `.1.json`,
a sync tool's conflict copy of it), as every reader of the journal takes it; its time is the file's
modification time. Only the journal's last few day folders and this month's task folder are listed,
each at most `MAX_ENTRIES` names: a look costs the same in June as in September.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import stat
import threading
import time
from datetime import date, datetime
from pathlib import Path
from typing import Callable

from paratui.model.share import HostTime, Mount, ShareState, mount_of, parse_mountinfo
from paratui.model.text import clean
from paratui.store import identity
from paratui.store.journal import LOG_DIR, TASKS_DIR, is_journal_file, log_dir
from paratui.store.safe_read import MiB

MOUNTINFO = Path("/proc/self/mountinfo")
TIMEOUT_S = 2.0  # one look: the folder's path, its mount, a stat, the newest files
EVERY_S = 10.0
DAYS = 3  # the journal's newest day folders listed (and their quick-logging folders)
MAX_ENTRIES = 2000  # names listed per folder, at most


def stat_folder(path: str) -> object:
    """The stat that may hang on a dead share (tests put one here that blocks for real)."""
    return os.stat(path)


_mounts_lock = threading.Lock()
_mounts_cache: dict[Path, tuple[float, list[Mount]]] = {}


def read_mounts(path: Path | None = None, fresh_s: float = 0.0) -> list[Mount]:
    """The mount table (procfs: answered by the kernel, never by a share); with `fresh_s`, a table
    read by this process at most that long ago serves. [] when unreadable."""
    path = path or MOUNTINFO
    now = time.monotonic()
    with _mounts_lock:
        got = _mounts_cache.get(path)
        if got is not None and now - got[0] < fresh_s:
            return got[1]
    try:
        with open(path, "rb") as f:
            mounts = parse_mountinfo(f.read(4 * MiB).decode("utf-8", "replace"))
    except OSError:
        mounts = []
    with _mounts_lock:
        if len(_mounts_cache) > 16:
            _mounts_cache.clear()
        _mounts_cache[path] = (now, mounts)
    return mounts


def host_of(name: str) -> str | None:
    """The host part of a journal file's name (None: not a writer's file)."""
    if not is_journal_file(name) or "--" not in name:
        return None
    host = name.split("--", 1)[0]
    return host or None


def _entries(folder: Path) -> list[os.DirEntry]:
    out = []
    try:
        with os.scandir(folder) as it:
            for entry in it:
                out.append(entry)
                if len(out) >= MAX_ENTRIES:
                    break
    except OSError:
        pass
    return out


def newest_by_host(journal: Path, today: date) -> dict[str, tuple[float, int]]:
    """host → (newest journal file's mtime, how many files) over the newest DAYS day folders up to
    `today`, their quick-logging folders and this month's tasks."""
    days = sorted((e.name for e in _entries(journal) if len(e.name) == 10 and e.name[:4].isdigit()
                   and e.name <= today.isoformat() and e.is_dir(follow_symlinks=False)), reverse=True)[:DAYS]
    folders = [journal / d for d in days]
    for d in days:
        try:
            folders.append(log_dir(journal, date.fromisoformat(d)))
        except ValueError:
            pass
    folders.append(log_dir(journal, today))
    folders.append(journal / TASKS_DIR / f"{today:%Y-%m}")
    found: dict[str, tuple[float, int]] = {}
    for folder in dict.fromkeys(folders):
        if folder.name in (LOG_DIR, TASKS_DIR):
            continue
        for e in _entries(folder):
            host = host_of(e.name)
            if host is None:
                continue
            try:
                st = e.stat(follow_symlinks=False)
            except OSError:
                continue
            if not stat.S_ISREG(st.st_mode):
                continue
            t, n = found.get(host, (0.0, 0))
            found[host] = (max(t, st.st_mtime), n + 1)
    return found


@dataclasses.dataclass(frozen=True)
class _Look:
    """What one look found (on its own thread)."""

    mount: Mount | None
    error: str | None = None  # "stale" / "gone" with words
    why: str | None = None
    hosts: dict[str, tuple[float, int]] = dataclasses.field(default_factory=dict)


class ShareHealth:
    """The share state of one data folder: `start()` for the board (a daemon thread), `check_once()`
    for the command line. `snapshot()` never touches the file system."""

    def __init__(self, root: Path, clock: Callable[[], datetime], on_change: Callable[[], None] | None = None,
                 *, timeout: float = TIMEOUT_S, every: float = EVERY_S, mountinfo: Path | None = None,
                 probe: Callable[[str], object] | None = None, mounts_fresh_s: float = 0.0):
        self.root = Path(root)
        self.clock = clock
        self.on_change = on_change
        self.timeout = timeout
        self.every = every
        self.mountinfo = mountinfo or MOUNTINFO  # tests point MOUNTINFO at a fixture
        self.probe = probe or stat_folder
        self.mounts_fresh_s = mounts_fresh_s  # the building view's rooms share one read of the table
        self.own_host = identity.safe_name(identity.writer_host())
        self._lock = threading.Lock()
        self._state: ShareState | None = None
        self._share: Mount | None = None  # the network mount the folder was last found on
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._in_flight: threading.Thread | None = None
        self.hung = 0  # looks that did not answer in time (tests)

    def snapshot(self) -> ShareState | None:
        with self._lock:
            return self._state

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="paratui-share-health", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Ask the thread to end; never waits for a look in flight (a daemon thread)."""
        self._stop.set()

    def check_once(self) -> ShareState | None:
        """One look now, waited for at most `timeout` (the command line)."""
        self._once()
        return self.snapshot()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._once()
            self._stop.wait(self.every)

    def _once(self) -> None:
        job = self._in_flight
        if job is not None and job.is_alive():
            return  # still hung in the kernel: it says when it returns
        done = threading.Event()

        def work() -> None:
            try:
                found = self._look()
            except Exception as e:  # noqa: BLE001 - a bug or an odd file system: words, never a dead thread
                found = _Look(self._share, "stale", f"cannot be read ({type(e).__name__}: {clean(e, limit=60)})")
            self._apply(found)
            done.set()

        job = threading.Thread(target=work, name="paratui-share-look", daemon=True)
        self._in_flight = job
        job.start()
        if not done.wait(self.timeout):
            self.hung += 1
            self._stale(f"no answer within {self.timeout:g} s")

    def _look(self) -> _Look:
        try:
            real = os.path.realpath(self.root)
        except OSError as e:
            return _Look(self._share, "stale", clean(e.strerror or e, limit=60))
        mount = mount_of(real, read_mounts(self.mountinfo, self.mounts_fresh_s))
        share = mount if mount is not None and mount.network else None
        if share is None:
            if self._share is None:
                return _Look(None)  # local disk, as before: nothing shown
            return _Look(self._share, "gone", "not mounted any more: the folder is on this machine's own disk now"
                         if mount is not None else "not mounted any more")
        try:
            self.probe(str(self.root))
        except OSError as e:
            if e.errno == errno.ESTALE:
                return _Look(share, "stale", "stale file handle: the server lost the folder; remount the share")
            if e.errno in (errno.ENOENT, errno.ENOTDIR):
                return _Look(share, "gone", "the data folder is not on the share")
            return _Look(share, "stale", clean(e.strerror or e, limit=60))
        return _Look(share, hosts=newest_by_host(self.root / "journal", self.clock().date()))

    def _apply(self, found: _Look) -> None:
        now = self.clock()
        if found.mount is not None and found.error is None:
            self._share = found.mount
        with self._lock:
            before = self._state
            if found.mount is None and found.error is None:
                state: ShareState | None = None
            elif found.error is not None:
                since = before.since if before is not None and before.status == found.error and before.since else now
                state = ShareState(found.mount, found.error, self.own_host, before.hosts if before else (),
                                   found.why, before.checked_at if before else None, since)
            else:
                hosts = tuple(HostTime(h, datetime.fromtimestamp(t).replace(microsecond=0), n)
                              for h, (t, n) in sorted(found.hosts.items()))
                state = ShareState(found.mount, "mounted", self.own_host, hosts, None, now)
            self._state = state
        self._tell(before, state)

    def _stale(self, why: str) -> None:
        now = self.clock()
        with self._lock:
            before = self._state
            since = before.since if before is not None and before.status == "stale" and before.since else now
            state = ShareState(self._share or (before.mount if before else None), "stale", self.own_host,
                               before.hosts if before else (), why, before.checked_at if before else None, since)
            self._state = state
        self._tell(before, state)

    def _tell(self, before: ShareState | None, after: ShareState | None) -> None:
        def key(s: ShareState | None) -> object:
            return None if s is None else dataclasses.replace(s, checked_at=None)

        if key(before) != key(after) and self.on_change is not None and not self._stop.is_set():
            try:
                self.on_change()
            except Exception:  # noqa: BLE001 - a board closing while told; the thread goes on
                pass
