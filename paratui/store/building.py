"""The rooms of a building view: which folders (`building.toml` or the command line), and each room
read the way `paratui board` reads it (paratui.store.room.Room: its snapshot, its one screened event
stream, its own rules and signatures), summed up by paratui.model.building.

A room that is missing or cannot be used becomes a line saying so: never an exception, never a
reason to stop reading the others.

    # building.toml: the rooms, each a data folder (a relative path is relative to this file)
    rooms = ["room12", "room14", "/srv/paratui/room15"]
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

from paratui.model import access
from paratui.model.building import RoomSummary, broken, newest_change, summarize
from paratui.model.share import combine, share_words
from paratui.model.sync import SyncSettings, words
from paratui.model.text import clean
from paratui.store import identity
from paratui.store.folder import FolderError, Snapshot
from paratui.store.room import Room
from paratui.store.share_health import TIMEOUT_S as SHARE_TIMEOUT_S
from paratui.store.share_health import ShareHealth
from paratui.store.sync_health import SyncHealth, sync_health

SHARE_FIRST_S = 0.5  # a room's first share look, in its first read: a hung share costs this once
BUILDING_LIMIT = 256 * 1024  # a list of folders: anything this large is not one
MAX_ROOMS = 500


class BuildingFileError(Exception):
    """building.toml cannot be used; `missing`: it is not there (or not readable) at all."""

    def __init__(self, message: str, missing: bool = False):
        super().__init__(message)
        self.missing = missing


@dataclass(frozen=True)
class RoomFolder:
    label: str  # as listed (shown when the room cannot be read)
    path: Path


def read_building(path: Path) -> list[RoomFolder]:
    """The rooms listed in a building.toml; BuildingFileError naming the file, line and field."""
    name = clean(str(path), limit=120)
    try:
        with open(path, "rb") as f:
            raw = f.read(BUILDING_LIMIT + 1)
    except OSError as e:
        raise BuildingFileError(f"{name}: cannot be read ({e.strerror or e})", missing=True) from None
    if len(raw) > BUILDING_LIMIT:
        raise BuildingFileError(f"{name}: larger than {BUILDING_LIMIT // 1024} KiB: not a list of rooms")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise BuildingFileError(f"{name}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as e:
        raise BuildingFileError(f"{name}: {clean(str(e), limit=200)}") from None
    rooms = data.get("rooms")
    if not isinstance(rooms, list) or not rooms:
        raise BuildingFileError(f"{name}: rooms: a list of data folders is needed, e.g. rooms = [\"room12\"]")
    if len(rooms) > MAX_ROOMS:
        raise BuildingFileError(f"{name}: rooms: more than {MAX_ROOMS} rooms")
    out: list[RoomFolder] = []
    for i, r in enumerate(rooms, 1):
        if not isinstance(r, str) or not r.strip() or "\x00" in r:
            raise BuildingFileError(f"{name}: rooms[{i}]: a folder name (text) is needed")
        folder = Path(r).expanduser()
        out.append(RoomFolder(r, folder if folder.is_absolute() else path.parent / folder))
    return out


def room_folders(dirs: list[str]) -> list[RoomFolder]:
    return [RoomFolder(d, Path(d).expanduser()) for d in dirs]


def room_sync_state(health: SyncHealth | None, now: datetime, share: ShareHealth | None = None) -> str | None:
    """The room folder's sync state, as its sync column shows it ("synced 10:14 · 1 peer", "⚠ not
    synced for 6 min (laptop-mr offline)"), from the room's own `[sync]` reader, and on a network
    share the share's words ("share nfs4 fs1:/rooms · last change from ws-b 6 min ago", an alarm
    first); None (shown "—"): the room has no `[sync]` and is not on a network share."""
    said = combine(words(health.snapshot(), now) if health is not None else None,
                   share_words(share.snapshot(), now) if share is not None else None)
    return said.text if said is not None else None


class BuildingRoom:
    """One room of the building: its Room (kept, so each read re-reads only what changed) and its
    latest summary."""

    def __init__(self, folder: RoomFolder, clock: Callable[[], datetime] = identity.now):
        self.folder = folder
        self.clock = clock
        self.room: Room | None = None
        self.snapshot: Snapshot | None = None
        self.summary: RoomSummary | None = None
        self._read_at: datetime | None = None  # the classroom clock at the last fold
        # the room's [sync] reader (a daemon thread, bounded timeouts: never slows a read), followed
        # as its classroom.toml's [sync] changes
        self._sync: SyncHealth | None = None
        self._sync_key: object = None
        # whether the room's folder is on a network share (a daemon thread; every look bounded)
        self._share: ShareHealth | None = None

    @property
    def root(self) -> Path:
        return self.folder.path

    def read(self) -> RoomSummary:
        """Read the room now (only what changed since the last read) and sum it up."""
        self.summary = self._read()
        return self.summary

    def _read(self) -> RoomSummary:
        label = self.folder.label
        try:
            if self.room is None:
                if not self.root.is_dir():
                    return broken(label, f"{label}: data folder is missing")
                self.room = Room(self.root, clock=self.clock)
                self.room.folder.read_only = True  # the building view writes nothing into a room's folder
            snapshot = self.room.snapshot()
            self._follow_sync(snapshot.classroom.sync)
            if self._share is None:
                self._share = ShareHealth(self.root, self.clock, timeout=SHARE_FIRST_S, mounts_fresh_s=1.0)
                self._share.check_once()  # the first look now (a script's --json has it too), bounded
                self._share.timeout = SHARE_TIMEOUT_S
                self._share.start()
            synced = room_sync_state(self._sync, self.clock(), self._share)
            if snapshot is self.snapshot and self.summary is not None and self.summary.problem is None \
                    and self._same_minute() and synced == self.summary.sync:
                return self.summary  # nothing changed and the clock has not moved
            state = self.room.board(snapshot)
            now = state.now
            viewer = access.acting(snapshot.classroom, identity.login(), None)
            self.snapshot = snapshot
            self._read_at = now
            return summarize(label, state, newest_change((e.time for e in snapshot.events), now), viewer,
                             synced)
        except FolderError as e:
            return broken(label, "; ".join(e.problems[:3]))
        except Exception as e:  # one room's trouble (a bug, a file system error) never stops the others
            return broken(label, f"{label}: cannot be read ({type(e).__name__}: {e})")

    def _follow_sync(self, settings: SyncSettings | None) -> None:
        if settings == self._sync_key:
            return
        self.close()
        self._sync_key = settings
        self._sync = sync_health(self.root, settings, self.clock)

    def close(self) -> None:
        """Stop the room's sync and share readers (if any)."""
        if self._share is not None:
            self._share.stop()
            self._share = None
        if self._sync is not None:
            self._sync.stop()
            self._sync = None
        self._sync_key = None

    def _same_minute(self) -> bool:
        at = self._read_at
        return at is not None and at.replace(second=0, microsecond=0) == self.clock().replace(second=0, microsecond=0)
