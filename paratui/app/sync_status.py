"""The board's sync health: the reader (paratui.store.sync_health) for the room's `[sync]`, followed as
classroom.toml changes, and the share reader (paratui.store.share_health: whether the data folder is on
a network share, its mount answering, each host's newest file), their words as one top-bar part
(paratui.app.status.Part) and as lines for `w`.

How the board uses it (nothing here blocks the event loop; the reader is a daemon thread):

- `BoardApp.__init__`: `self.sync = SyncStatus(lambda: self.post_message(SyncChanged()), self.room.clock)`
  (post_message is thread safe; `on_sync_changed` then calls `self._draw_status()`);
- `BoardApp._show`, after `self.snapshot = snapshot`: `self.sync.follow(self.room.root, snapshot.classroom.sync)`
  (starts, restarts or stops the reader when `[sync]` appears, changes or goes);
- `BoardApp.status()`: pass `sync=self.sync.words(state.now)` into StatusInfo, and `status.parts()`
  appends `sync_part(info.sync, alarm_style)` when it is not None (never dropped: like the warnings);
- `w` (BoardScreen.action_warnings): `warnings_markdown([*state.warnings, *self.app.sync.lines(now)])`;
- on quit: `self.sync.stop()`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Callable

from paratui.app.status import Part
from paratui.model.share import combine, share_words
from paratui.model.sync import SyncSettings, SyncWords, words
from paratui.store.share_health import ShareHealth
from paratui.store.sync_health import SyncHealth


class SyncStatus:
    def __init__(self, on_change: Callable[[], None], clock: Callable[[], datetime]):
        self._on_change = on_change
        self._clock = clock
        self._health: SyncHealth | None = None
        self._key: tuple | None = None
        self._share: ShareHealth | None = None
        self._closed = False

    def follow(self, root: Path, settings: SyncSettings | None) -> None:
        """Read the room's [sync] (None: stop, nothing shown), and watch whether its folder is on a
        network share (on local disk: nothing shown). Cheap when nothing changed."""
        if self._closed:
            return
        if self._share is None or self._share.root != Path(root):
            if self._share is not None:
                self._share.stop()
            self._share = ShareHealth(Path(root), self._clock, self._on_change)
            self._share.start()
        key = (str(root), settings)
        if key == self._key:
            return
        self._key = key
        self._stop_sync()
        if settings is not None:
            self._health = SyncHealth(Path(root), settings, self._clock, lambda _state: self._on_change())
            self._health.start()

    def words(self, now: datetime) -> SyncWords | None:
        """The top bar's words: Syncthing's and the share's (an alarm first); None: neither."""
        return combine(self._sync_words(now), self._share_words(now))

    def _sync_words(self, now: datetime) -> SyncWords | None:
        return words(self._health.snapshot(), now) if self._health is not None else None

    def _share_words(self, now: datetime) -> SyncWords | None:
        return share_words(self._share.snapshot(), now) if self._share is not None else None

    def lines(self, now: datetime) -> list[str]:
        """For `w`: the words, then one line per peer, this machine, each folder error; then the
        share's words, its mount and one line per host."""
        out = []
        if (said := self._sync_words(now)) is not None:
            out += [f"sync: {said.text}", *(f"sync: {x}" for x in said.details)]
        if (shared := self._share_words(now)) is not None:
            out += [f"share: {shared.text}", *(f"share: {x}" for x in shared.details)]
        return out

    def stop(self) -> None:
        self._closed = True
        if self._share is not None:
            self._share.stop()
            self._share = None
        self._stop_sync()

    def _stop_sync(self) -> None:
        if self._health is not None:
            self._health.stop()
            self._health = None


def sync_part(said: SyncWords | None, alarm_style: str = "bold reverse red") -> Part | None:
    """The top bar's part: `│ synced 10:14 · 2 peers` (dim), or the alarm words in the alarm style;
    short form `│ ⚠ not synced` / `│ synced`. Never dropped."""
    if said is None:
        return None
    if said.alarm:
        short = (" │ ⚠ not synced" if "not synced" in said.text
                 else " │ ⚠ share" if said.text.startswith(("⚠ share", "⚠ no change", "⚠ the data folder"))
                 else " │ ⚠ sync")
        return Part(f"  │ {said.text}", short, alarm_style)
    return Part(f"  │ {said.text}", " │ " + said.text.split(" ", 1)[0], "dim")
