"""A data folder on a network share (NFS, SMB/CIFS, sshfs, 9p…): which mount it is on (parsed from the
text of /proc/self/mountinfo), whether that mount answers, and the newest journal file time of each
host that writes in the folder, as words for the top bar, `w` and `paratui sync`:

    share nfs4 fs1:/rooms/12 · last change from ws-b 6 min ago
    ⚠ share nfs4 fs1:/rooms/12 not answering (no answer within 2 s since 10:14)
    ⚠ no change from ws-b for 25 min (this machine wrote 10:14; is its share mounted?)

Local disk: nothing (None). Pure: no I/O (paratui.store.share_health reads the mount table and the
files). The host of a change is the host part of its journal file's name (HOST--LOGIN.json, as every
reader of the journal takes it), never a field inside an event; every name, path and mount source
is data and goes through `clean` before it becomes words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from paratui.model.sync import SyncWords
from paratui.model.text import clean

# File system types whose files live on another machine. "fuse.*" types are named by their program.
NETWORK_TYPES = frozenset({
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse.sshfs", "sshfs", "9p", "afs", "ceph", "fuse.ceph",
    "glusterfs", "fuse.glusterfs", "lustre", "gpfs", "davfs", "fuse.davfs2", "fuse.rclone", "fuse.smbnetfs",
    "fuse.gvfsd-fuse", "ncpfs", "coda", "ocfs2", "gfs2", "beegfs", "fuse.s3fs", "fuse.juicefs", "virtiofs",
})
# Another host's newest file older than this, while this machine is writing: the alarm (its writes
# may be going somewhere else: a share not mounted there, a laptop writing to its own disk).
QUIET_S = 20 * 60
# This machine counts as writing when its own newest file is at most this old.
WRITING_S = 10 * 60
MAX_HOSTS_SHOWN = 8


@dataclass(frozen=True)
class Mount:
    """One line of /proc/self/mountinfo: where (mount point), what (type, source)."""

    point: str
    fstype: str
    source: str

    @property
    def network(self) -> bool:
        return is_network(self.fstype)

    def label(self) -> str:
        return f"{clean(self.fstype, limit=20)} {clean(self.source, limit=60)}"


def is_network(fstype: str) -> bool:
    return fstype in NETWORK_TYPES or fstype.startswith(("nfs", "fuse.sshfs"))


_ESCAPE = re.compile(r"\\([0-7]{3})")


def _unescape(field: str) -> str:
    """mountinfo writes space, tab, newline and backslash in paths as \\040, \\011, \\012, \\134."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 8)), field)


def parse_mountinfo(text: str) -> list[Mount]:
    """The mounts of /proc/self/mountinfo's text, in its order (a later mount over the same point
    hides an earlier one). Lines that are not mountinfo lines are skipped.

    36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue
    (1)(2)(3)   (4)   (5)      (6)      (7)      (8) (9)   (10)         (11)
    """
    out = []
    for line in text.splitlines():
        left, sep, right = line.partition(" - ")
        if not sep:
            continue
        fields, tail = left.split(), right.split()
        if len(fields) < 6 or len(tail) < 2 or not fields[4].startswith("/"):
            continue
        out.append(Mount(_unescape(fields[4]), _unescape(tail[0]), _unescape(tail[1])))
    return out


def mount_of(path: str, mounts: list[Mount]) -> Mount | None:
    """The mount `path` (absolute, links resolved) is on: the longest mount point it is under, the
    last one listed for that point."""
    best: Mount | None = None
    for m in mounts:
        point = m.point.rstrip("/") or "/"
        if path == point or path.startswith(point if point.endswith("/") else point + "/"):
            if best is None or len(point) >= len(best.point.rstrip("/") or "/"):
                best = m
    return best


@dataclass(frozen=True)
class HostTime:
    """A host that writes in the folder (its journal files' host part) and its newest file's time."""

    host: str
    newest: datetime
    files: int = 1


@dataclass(frozen=True)
class ShareState:
    """What the share reader last knew. status: "mounted", "stale" (the mount did not answer in
    time, or the server lost the handle), "gone" (the folder is not on that share any more)."""

    mount: Mount | None
    status: str
    own_host: str
    hosts: tuple[HostTime, ...] = ()  # every host with journal files lately, this one included
    problem: str | None = None  # words for stale or gone
    checked_at: datetime | None = None  # the last look that finished
    since: datetime | None = None  # stale or gone since

    @property
    def others(self) -> tuple[HostTime, ...]:
        return tuple(h for h in self.hosts if h.host != self.own_host)

    @property
    def own(self) -> HostTime | None:
        return next((h for h in self.hosts if h.host == self.own_host), None)


def ago(seconds: float) -> str:
    s = max(0, int(seconds))
    if s < 60:
        return f"{s} s"
    if s < 120 * 60:
        return f"{s // 60} min"
    if s < 48 * 3600:
        return f"{s // 3600} h"
    return f"{s // 86400} days"


def _when(t: datetime, now: datetime) -> str:
    return f"{t:%H:%M}" if t.date() == now.date() else f"{t:%Y-%m-%d %H:%M}"


def quiet_hosts(state: ShareState, now: datetime) -> tuple[HostTime, ...]:
    """Other hosts that wrote today but not for QUIET_S while this machine is writing (WRITING_S)."""
    own = state.own
    if own is None or (now - own.newest).total_seconds() > WRITING_S:
        return ()
    return tuple(h for h in state.others if h.newest.date() == now.date()
                 and (now - h.newest).total_seconds() > QUIET_S)


def share_words(state: ShareState | None, now: datetime) -> SyncWords | None:
    """The top bar's words for the share (None: not on a network share, nothing shown)."""
    if state is None:
        return None
    details = tuple(share_lines(state, now))
    where = f"share {state.mount.label()}" if state.mount else "the data folder"
    if state.status != "mounted":
        why = clean(state.problem or state.status, limit=100)
        at = f" since {state.since:%H:%M}" if state.since else ""
        return SyncWords(f"⚠ {where} {state.status} ({why}{at})", True, details)
    if quiet := quiet_hosts(state, now):
        own = state.own
        assert own is not None
        names = ", ".join(f"{clean(h.host, limit=24)} for {ago((now - h.newest).total_seconds())}" for h in quiet[:3])
        return SyncWords(f"⚠ no change from {names} (this machine wrote {_when(own.newest, now)}; "
                         "is the share mounted there?)", True, details)
    others = state.others
    if not others:
        return SyncWords(f"{where} · no other host has written", False, details)
    newest = max(others, key=lambda h: h.newest)
    return SyncWords(f"{where} · last change from {clean(newest.host, limit=24)} "
                     f"{ago((now - newest.newest).total_seconds())} ago", False, details)


def share_lines(state: ShareState, now: datetime) -> list[str]:
    """For `w` and `paratui sync`: the mount, then one line per host (newest first)."""
    if state.mount:
        m = state.mount
        lines = [f"{clean(m.fstype, limit=20)} {clean(m.source, limit=80)} on {clean(m.point, limit=80)}: "
                 f"{state.status}" + (f" ({clean(state.problem, limit=100)})" if state.problem else "")]
    else:
        lines = [f"data folder: {state.status}" + (f" ({clean(state.problem, limit=100)})" if state.problem else "")]
    if state.checked_at:
        lines[0] += f" · checked {_when(state.checked_at, now)}"
    quiet = set(quiet_hosts(state, now))
    hosts = sorted(state.hosts, key=lambda h: h.newest, reverse=True)
    for h in hosts[:MAX_HOSTS_SHOWN]:
        who = f"this machine ({clean(h.host, limit=32)})" if h.host == state.own_host else clean(h.host, limit=32)
        mark = "⚠ " if h in quiet else ""
        lines.append(f"{mark}last change from {who} {_when(h.newest, now)} "
                     f"({ago((now - h.newest).total_seconds())} ago)")
    if len(hosts) > MAX_HOSTS_SHOWN:
        lines.append(f"… and {len(hosts) - MAX_HOSTS_SHOWN} more hosts")
    return lines


def share_json(state: ShareState | None, now: datetime) -> dict[str, Any] | None:
    """For `paratui sync --json` (None: not on a network share)."""
    said = share_words(state, now)
    if state is None or said is None:
        return None
    m = state.mount
    return {
        "words": said.text, "alarm": said.alarm, "status": state.status, "problem": state.problem,
        "mount": {"type": m.fstype, "source": clean(m.source, limit=200), "point": clean(m.point, limit=200)}
        if m else None,
        "checked_at": state.checked_at.isoformat(timespec="seconds") if state.checked_at else None,
        "hosts": [{"host": clean(h.host, limit=64), "newest": h.newest.isoformat(timespec="seconds"),
                   "this_machine": h.host == state.own_host, "files": h.files} for h in state.hosts],
        "lines": list(said.details),
    }


def combine(first: SyncWords | None, second: SyncWords | None) -> SyncWords | None:
    """Syncthing's words and the share's as one top-bar part: an alarm first; the details of both."""
    if first is None or second is None:
        return first or second
    a, b = (second, first) if second.alarm and not first.alarm else (first, second)
    return SyncWords(f"{a.text} · {b.text}", a.alarm or b.alarm, (*first.details, *second.details))
