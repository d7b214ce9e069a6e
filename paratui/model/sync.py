"""Sync health as words: `[sync]` in classroom.toml (parsed here), and what the sync reader
(paratui.store.sync_health) last saw of Syncthing, turned into the top bar's words ("synced 10:14 ·
2 peers", "⚠ not synced for 6 min (laptop-mr offline)", "⚠ 14 changes waiting") and one line per peer.

Pure: no I/O. Every text that came from Syncthing (device names, paths, error messages) is data and
goes through `clean` before it becomes words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from paratui.model.text import clean

DEFAULT_ADDRESS = "http://127.0.0.1:8384"
# Where Syncthing keeps its config.xml (with the API key) when `[sync] config` does not say: its
# own defaults, newest first (Linux since 1.27, Linux before it, macOS). `~` is the board's user's home.
DEFAULT_CONFIGS = ("~/.local/state/syncthing/config.xml", "~/.config/syncthing/config.xml",
                   "~/Library/Application Support/Syncthing/config.xml")
LOOPBACK = ("127.0.0.1", "::1", "localhost")
# Changes in flight this long are normal syncing, not yet an alarm.
GRACE_S = 60
# No answer from the reader's thread for this long: the words say so (it never blocks the board).
STALE_S = 180


@dataclass(frozen=True)
class SyncSettings:
    """`[sync]` in classroom.toml: where this machine's Syncthing answers, where its API key is read
    (Syncthing's own config.xml: never the key itself, which must not be in the shared folder), and
    the Syncthing folder id of the data folder (None: found in config.xml by the folder's path)."""

    address: str = DEFAULT_ADDRESS
    configs: tuple[str, ...] = DEFAULT_CONFIGS
    folder: str | None = None


def parse_sync(raw: Any) -> tuple[SyncSettings | None, list[tuple[str, str]]]:
    """`[sync]` → (settings or None, problems as (field, message)). None: no [sync], nothing shown.
    A mistake is a warning: the room works without sync health; the reader says what is wrong."""
    if raw is None:
        return None, []
    if not isinstance(raw, dict):
        return None, [("sync", "expected a table: [sync] with address, config and folder")]
    problems: list[tuple[str, str]] = []
    for key in raw:
        if key not in ("address", "config", "folder"):
            shown = f"sync.{key}" if isinstance(key, str) and key.isidentifier() else "sync"
            problems.append((shown, "unknown key (allowed: address, config, folder)"))
    address = raw.get("address", DEFAULT_ADDRESS)
    why = address_problem(address)
    if why:
        problems.append(("sync.address", why))
        address = DEFAULT_ADDRESS
    configs: tuple[str, ...] = DEFAULT_CONFIGS
    config = raw.get("config")
    if config is not None:
        items = [config] if isinstance(config, str) else config
        if not (isinstance(items, list) and items and len(items) <= 8
                and all(isinstance(x, str) and x.strip() and len(x) <= 4096 for x in items)):
            problems.append(("sync.config", "expected the path of Syncthing's config.xml (or a list of up to 8 "
                             "paths, the first that exists is read), e.g. \"~/.local/state/syncthing/config.xml\""))
        elif bad := [x for x in items if not (x.strip().startswith(("/", "~")))]:
            problems.append(("sync.config", f"{clean(bad[0], limit=60)!r}: expected an absolute path or one "
                             "starting with ~ (the home of the account running the board)"))
        else:
            configs = tuple(x.strip() for x in items)
    folder = raw.get("folder")
    if folder is not None and not (isinstance(folder, str) and 0 < len(folder.strip()) <= 64
                                   and folder.strip().isprintable()):
        problems.append(("sync.folder", "expected Syncthing's folder id (text, e.g. \"room12\")"))
        folder = None
    return SyncSettings(address, configs, folder.strip() if isinstance(folder, str) else None), problems


def address_problem(address: Any) -> str | None:
    """Why `address` cannot be the Syncthing to ask (None: it can). Only this machine's: the board
    sends Syncthing's API key with every request, and a classroom.toml anyone in the team can edit
    must never send it elsewhere."""
    if not isinstance(address, str) or len(address) > 200:
        return f"expected an address like {DEFAULT_ADDRESS!r}"
    try:
        url = urlsplit(address.strip())
        port = url.port
    except ValueError:
        return f"{clean(address, limit=60)!r} is not an address like {DEFAULT_ADDRESS!r}"
    if url.scheme not in ("http", "https") or not url.hostname or url.path not in ("", "/") \
            or url.query or url.username or url.password:
        return f"{clean(address, limit=60)!r} is not an address like {DEFAULT_ADDRESS!r}"
    if url.hostname not in LOOPBACK:
        return (f"{clean(url.hostname, limit=60)!r} is not this machine: only this machine's Syncthing is asked "
                "(127.0.0.1, ::1 or localhost), so its API key never leaves the machine")
    del port
    return None


@dataclass(frozen=True)
class Peer:
    """Another device sharing the folder, as Syncthing last said."""

    id: str  # Syncthing's device id
    name: str  # its name in config.xml (the id's first 7 characters without one)
    connected: bool
    paused: bool = False
    last_seen: datetime | None = None
    completion: float | None = None  # % of the folder it has (of what it needs), None: not asked yet
    need_items: int | None = None  # items it still needs from us


@dataclass(frozen=True)
class SyncState:
    """What the sync reader last knew. `problem`: why Syncthing could not be read just now (words)."""

    folder: str | None = None
    peers: tuple[Peer, ...] = ()
    local_need: int | None = None  # items this machine still needs
    folder_state: str | None = None  # Syncthing's: idle, scanning, syncing, error…
    errors: tuple[str, ...] = ()  # folder errors, "path: message"
    problem: str | None = None
    checked_at: datetime | None = None  # Syncthing last answered
    synced_at: datetime | None = None  # last seen with every peer connected and nothing waiting
    out_since: datetime | None = None  # first seen not in sync (None: in sync, or never seen)
    mode: str = "starting"  # "events" (the long poll), "polling" (its fallback), "starting", "once"
    events_problem: str | None = None  # why the event stream is not used now

    @property
    def waiting(self) -> int:
        return (self.local_need or 0) + sum(p.need_items or 0 for p in self.peers if p.connected)

    @property
    def offline(self) -> tuple[Peer, ...]:
        return tuple(p for p in self.peers if not p.connected and not p.paused)


@dataclass(frozen=True)
class SyncWords:
    text: str
    alarm: bool = False
    details: tuple[str, ...] = field(default=())


def in_sync(state: SyncState) -> bool:
    return (state.checked_at is not None and state.problem is None and not state.offline and not state.errors
            and state.waiting == 0 and state.folder_state != "error")


def _ago(seconds: float) -> str:
    s = max(0, int(seconds))
    if s < 60:
        return f"{s} s"
    if s < 120 * 60:
        return f"{s // 60} min"
    return f"{s // 3600} h"


def _for(state: SyncState, now: datetime, since: datetime | None) -> str:
    since = state.synced_at or since
    return f"not synced for {_ago((now - since).total_seconds())}" if since else "not synced"


def _names(peers: tuple[Peer, ...]) -> str:
    shown = ", ".join(clean(p.name, limit=24) for p in peers[:3])
    return shown + (f" and {len(peers) - 3} more" if len(peers) > 3 else "")


def words(state: SyncState | None, now: datetime) -> SyncWords | None:
    """The top bar's words (None: no [sync], nothing shown). `alarm`: show them in the alarm colour."""
    if state is None:
        return None
    details = tuple(peer_lines(state, now))
    if state.mode == "starting" and state.checked_at is None and state.problem is None:
        return SyncWords("sync: asking Syncthing…", False, details)
    if state.problem:
        return SyncWords(f"⚠ {_for(state, now, None)} ({clean(state.problem, limit=100)})", True, details)
    if state.checked_at is not None and (now - state.checked_at).total_seconds() > STALE_S:
        return SyncWords(f"⚠ {_for(state, now, state.checked_at)} (no answer from Syncthing since "
                         f"{state.checked_at:%H:%M})", True, details)
    if offline := state.offline:
        seen = [p.last_seen for p in offline if p.last_seen]
        return SyncWords(f"⚠ {_for(state, now, min(seen) if seen else None)} ({_names(offline)} offline)",
                         True, details)
    if state.errors:
        n = len(state.errors)
        return SyncWords(f"⚠ {n} file{'s' if n != 1 else ''} not syncing (folder error{'s' if n != 1 else ''})",
                         True, details)
    if n := state.waiting:
        changes = f"{n} change{'s' if n != 1 else ''}"
        late = state.out_since is not None and (now - state.out_since).total_seconds() > GRACE_S
        return (SyncWords(f"⚠ {changes} waiting", True, details) if late
                else SyncWords(f"syncing · {changes}", False, details))
    peers = len(state.peers)
    at = f" {state.synced_at:%H:%M}" if state.synced_at else ""
    return SyncWords(f"synced{at} · {peers} peer{'s' if peers != 1 else ''}", False, details)


def peer_lines(state: SyncState, now: datetime) -> list[str]:
    """One line per peer (last seen, completion, pending items), then this machine's and each folder
    error: what `w` and `paratui sync` list."""
    lines = []
    for p in state.peers:
        name = f"{clean(p.name, limit=32)} ({clean(p.id[:7], limit=7)})"
        if p.paused:
            link = "paused"
        elif p.connected:
            link = "connected"
        elif p.last_seen:
            link = f"offline, last seen {p.last_seen:%Y-%m-%d %H:%M}" if p.last_seen.date() != now.date() \
                else f"offline, last seen {p.last_seen:%H:%M}"
        else:
            link = "offline, never seen"
        done = f"{p.completion:.0f}%" if p.completion is not None else "completion not known"
        if p.completion is not None and 99 < p.completion < 100:
            done = f"{p.completion:.1f}%"
        pending = f"{p.need_items} pending" if p.need_items is not None else "pending not known"
        lines.append(f"{name}: {link} · {done} · {pending}")
    here = f"this machine: {clean(state.folder_state or 'state not known', limit=24)}"
    if state.local_need is not None:
        here += f" · {state.local_need} to fetch"
    if state.folder:
        here += f" · folder {clean(state.folder, limit=64)!r}"
    here += f" · {state.mode}"
    if state.events_problem and state.mode == "polling":
        here += f" ({clean(state.events_problem, limit=80)})"
    lines.append(here)
    lines.extend(f"folder error: {clean(e, limit=200)}" for e in state.errors[:20])
    if len(state.errors) > 20:
        lines.append(f"… and {len(state.errors) - 20} more folder errors")
    return lines


def as_json(state: SyncState | None, now: datetime) -> dict[str, Any]:
    """For `paratui sync --json`."""
    said = words(state, now)
    if state is None or said is None:
        return {"configured": False}

    def t(x: datetime | None) -> str | None:
        return x.isoformat(timespec="seconds") if x else None

    return {
        "configured": True, "words": said.text, "alarm": said.alarm, "in_sync": in_sync(state),
        "folder": state.folder, "folder_state": state.folder_state, "local_need": state.local_need,
        "waiting": state.waiting, "errors": [clean(e, limit=200) for e in state.errors], "problem": state.problem,
        "checked_at": t(state.checked_at), "synced_at": t(state.synced_at), "mode": state.mode,
        "peers": [{"id": p.id, "name": clean(p.name, limit=64), "connected": p.connected, "paused": p.paused,
                   "last_seen": t(p.last_seen), "completion": p.completion, "need_items": p.need_items}
                  for p in state.peers],
        "lines": list(said.details),
    }
