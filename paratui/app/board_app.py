"""The live room board.

What happens when a file changes: the watcher thread posts `DataChanged`; the app coalesces a burst
into one reload a few milliseconds later; the reload re-reads only the changed files
(`Room.snapshot`), folds the events into a BoardState (`paratui.model.board.build_board`) and each
pane redraws itself from that state. A rescan every few seconds is the safety net.
"""

from __future__ import annotations

import asyncio
import gc
import signal
import sys
import termios
from datetime import datetime
from pathlib import Path

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Static

from paratui.app.actions import ACTIONS, BoardActions
from paratui.app.binder_view import BinderPage
from paratui.app.panes import AdultsPane, OutPane, StudentsPane, TasksPane, UncoveredPane
from paratui.app.status import StatusBar
from paratui.app.themes import BOARD_VARIABLE_DEFAULTS, register_themes
from paratui.model.board import BoardState
from paratui.model.resolve import NotFound, find_staff, staff_for_login
from paratui.store import identity
from paratui.store.folder import FolderError, Snapshot
from paratui.store.room import Room
from paratui.store.themes import DEFAULT_THEME

DEBOUNCE_S = 0.002  # a burst of file events (rename + modify + dir) becomes one reload
RESCAN_S = 2.0  # safety net: also moves the clock and the minutes-out counters


class DataChanged(Message):
    """Posted from the watcher thread: something in the data folder changed."""


FOOTER_KEYS = {"move": "Move", "back": "Back", "absent": "Out today", "new_task": "Task", "undo": "Undo",
               "help": "Help", "quit": "Quit"}


class BoardApp(BoardActions, App[int]):
    CSS_PATH = "board_app.tcss"
    TITLE = "paratui"
    # The footer shows the keys used all day (it fits 80 columns, and each key shown is a widget
    # that slows start-up); `?` and ctrl+p list them all.
    BINDINGS = [Binding(key, action, FOOTER_KEYS.get(action, title), show=action in FOOTER_KEYS)
                for action, key, title, _ in ACTIONS]

    def __init__(self, room: Room, *, as_staff: str | None = None, theme_name: str | None = None,
                 poll: float | None = None, theme_folders: list[Path] | None = None, watch: bool = True):
        super().__init__()
        self.room = room
        self.as_staff = as_staff
        self.requested_theme = theme_name
        self.poll = poll
        self.theme_folders = theme_folders or []
        self.watch_enabled = watch
        self.watcher = None  # a paratui.store.watcher.FolderWatcher once started
        self.snapshot: Snapshot | None = None
        self.state: BoardState | None = None
        self.me_id: str | None = None  # who is acting: a staff id (a Staff copy would go stale)
        self.last_change: datetime | None = None
        self._content: tuple | None = None  # what the journal and files held at the last reload
        self.theme_problems: list[str] = []
        self.large_themes: set[str] = set()
        self._reload_pending = False
        self._reload_wanted = False
        self._reloading = False
        self._binder_text: str | None = None
        self._choose_theme()

    # -- layout ------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Horizontal(id="board"):
            with VerticalScroll(id="col-adults"):
                yield AdultsPane(id="adults")
            with Vertical(id="col-students"):
                yield OutPane(id="out")
                yield UncoveredPane(id="uncovered")
                with VerticalScroll(id="students-scroll"):
                    yield StudentsPane(id="students")
            with Vertical(id="col-day"):
                with VerticalScroll(id="tasks-scroll"):
                    yield TasksPane(id="tasks")
                with VerticalScroll(id="binder"):
                    yield Static("", id="binder-md")  # a BinderPage: see binder_view.py
        yield Footer()

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(BOARD_VARIABLE_DEFAULTS)

    def _choose_theme(self) -> None:
        # Before the app starts: switching themes after mount would restyle every widget once more.
        self.large_themes, self.theme_problems = register_themes(self, self.theme_folders)
        wanted = self.requested_theme or DEFAULT_THEME
        if wanted in self.available_themes:
            self.theme = wanted
        else:
            self.theme_problems.append(f"theme {wanted!r} not found; using {DEFAULT_THEME}")
            if DEFAULT_THEME in self.available_themes:
                self.theme = DEFAULT_THEME

    def on_mount(self) -> None:
        self.screen.set_class(self.theme in self.large_themes, "-large")
        self._reload_sync()  # the first paint shows the board, not an empty frame
        self._pick_me()
        self._draw_status()
        self.call_after_refresh(self._after_first_paint)
        self.set_interval(RESCAN_S, self.rescan)
        if not self.is_headless:
            # The terminal went away (the ssh client died, the window closed): leave, even when
            # started with SIGHUP ignored (nohup, a launcher), instead of spinning on a dead tty.
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.exit)

    def _terminal_gone(self) -> bool:
        """A hung-up terminal fails tcgetattr (EIO); the safety net when no SIGHUP arrives."""
        if self.is_headless:
            return False
        try:
            termios.tcgetattr(sys.__stdin__.fileno())
        except (termios.error, OSError, ValueError, AttributeError):
            return True
        return False

    def _after_first_paint(self) -> None:
        # What is loaded now (a year of tasks, Textual's widgets) lives as long as the board. Freezing
        # it keeps Python's full garbage collections, which otherwise scan all of it, from adding
        # 25-40 ms pauses to redraws (measured: reload p95 40 ms → 11 ms on a school year).
        gc.freeze()
        gc.enable()  # `paratui` disables it for start-up
        if self.watch_enabled:
            # setting up inotify over a year of folders need not delay the first paint
            self._start_watcher()

    def watch_theme(self, name: str) -> None:
        if not self.is_running:
            return  # chosen in __init__; on_mount applies it
        self.screen.set_class(name in self.large_themes, "-large")
        if self.state is not None:
            self._draw(self.state)  # pane text carries theme colours

    def _pick_me(self) -> None:
        if self.snapshot is None:
            return
        classroom = self.snapshot.classroom
        if self.as_staff:
            try:
                self.me_id = find_staff(classroom, self.as_staff).id
            except NotFound as e:
                self.toast(str(e), title="--as", severity="error")
        if self.me_id is None:
            found = staff_for_login(classroom, identity.login())
            self.me_id = found.id if found else None

    # -- watching and reloading --------------------------------------------------------------
    def _start_watcher(self) -> None:
        from paratui.store.watcher import FolderWatcher  # watchdog loads after the first paint

        if self.watcher is not None:
            self.watcher.stop()
        self.watcher = FolderWatcher(self.room.root, lambda: self.post_message(DataChanged()), self.poll)
        try:
            self.watcher.start()
        except OSError as e:
            self.toast(f"not watching {self.room.root}: {e}", severity="error")
            self.watcher = None  # the rescan tries again
            return
        if self.watcher.reason:
            self.toast(f"Watching by polling: {self.watcher.reason}")
        self._draw_status()
        self.reload()  # anything written while the watch was being set up

    def on_data_changed(self, message: DataChanged) -> None:
        if not self._reload_pending:
            self._reload_pending = True
            self.set_timer(DEBOUNCE_S, self._reload_now)

    def _reload_now(self) -> None:
        self._reload_pending = False
        self._reload_wanted = False
        self._reloading = False
        self.reload()

    def rescan(self) -> None:
        if self._terminal_gone():
            self.exit()
            return
        if self.watch_enabled and (self.watcher is None or not self.watcher.healthy()):
            if self.room.root.is_dir():  # the folder is (back) there: watch it
                self._start_watcher()
        self.reload()

    def reload(self) -> None:
        """Re-read the folder and redraw, off the event loop: a slow share or a huge file never
        freezes keys or `q`. Requests while a read runs coalesce into one more read after it."""
        self._reload_wanted = True
        if not self._reloading:
            self._reloading = True
            self.run_worker(self._reload_loop(), group="reload")

    async def _reload_loop(self) -> None:
        try:
            while self._reload_wanted:
                self._reload_wanted = False
                try:
                    snapshot, state = await asyncio.to_thread(self._read)
                except FolderError as e:
                    self.toast("\n".join(e.problems), title="Data folder unusable", severity="error")
                    continue
                self._show(snapshot, state)
        finally:
            self._reloading = False

    def _reload_sync(self) -> None:
        try:
            self._show(*self._read())
        except FolderError as e:
            self.toast("\n".join(e.problems), title="Data folder unusable", severity="error")

    def _read(self) -> tuple[Snapshot, BoardState]:
        snapshot = self.room.snapshot()
        state = self.state
        same_minute = state is not None and state.now.replace(second=0) == self.room.clock().replace(second=0)
        if snapshot is self.snapshot and same_minute:
            return snapshot, state  # no file changed and the clock has not moved: nothing to fold
        return snapshot, self.room.board(snapshot, self.theme_problems)

    def _show(self, snapshot: Snapshot, state: BoardState) -> None:
        self.snapshot = snapshot
        # "changed" is when the files or the journal last changed, not when a minute ticked over
        content = (id(snapshot.classroom), id(snapshot.schedule), tuple(map(id, snapshot.binder.values())),
                   len(snapshot.events), sum(map(hash, snapshot.events)))
        if content != self._content:
            if self._content is not None:
                self.last_change = self.room.clock()
            self._content = content
        if state != self.state:
            self.state = state
            self._draw(state)
        else:
            self._draw_status()

    def _draw(self, state: BoardState) -> None:
        for pane in (AdultsPane, OutPane, UncoveredPane, StudentsPane, TasksPane):
            self.query_one(pane).show(state)
        self._draw_status()
        self._draw_binder(state)

    def _draw_status(self) -> None:
        if self.state is None:
            return
        mode = self.watcher.mode if self.watcher else "off"
        me = self.me
        self.query_one(StatusBar).show(self.state, acting=me.short if me else None,
                                       watch_mode=mode, last_change=self.last_change,
                                       warnings=len(self.state.warnings))

    def _draw_binder(self, state: BoardState) -> None:
        tab = state.binder.tab
        text = self.snapshot.binder.get(tab, "") if (tab and self.snapshot) else ""
        if not tab:
            text = "*No binder tab today: it's the weekend.*"
        elif not text:
            text = f"*No `binder/{tab}.md` yet.*"
        if text != self._binder_text:
            self._binder_text = text
            self.query_one("#binder-md", Static).update(BinderPage(text))
        self.query_one("#binder").border_title = f"Binder: {tab.capitalize()}" if tab else "Binder"

    def on_unmount(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
