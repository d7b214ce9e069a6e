"""The live room board.

What happens when a file changes: the watcher thread posts `DataChanged` (once per burst); the app
starts a reload at once (whatever changes while it reads makes one more after it); the reload re-reads
only the changed files (`Room.snapshot`), folds the events into a BoardState
(`paratui.model.board.build_board`) and each pane redraws the rows that changed. A rescan every
few seconds is the safety net.

The app holds the data and the plumbing (the folder, the watcher, reloads, themes, who is acting, the
one write path `submit`); the board screen (board_screen.py) owns the layout, the drawing and the keys,
listed once in actions.py. The screens see the app as a `Host` (host.py), what they need of it.
"""

from __future__ import annotations

import asyncio
import gc
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from textual import events
from textual.app import App, SystemCommand
from textual.css.query import NoMatches
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen

from paratui.app import escape_key, hangup
from paratui.app.actions import ACTIONS
from paratui.app.board_screen import BoardScreen
from paratui.app.hangup import HangupGuard
from paratui.app.host import Host
from paratui.app.status import StatusInfo
from paratui.app.sync_status import SyncStatus, sync_part
from paratui.app.themes import BOARD_VARIABLE_DEFAULTS, board_color, register_themes
from paratui.app.typeahead import TypeAhead, pump, route
from paratui.model import access
from paratui.model.access import Acting, acting
from paratui.model.board import BoardState
from paratui.model.classroom import Staff
from paratui.model.commands import Change, Context, NotAllowed, Refused
from paratui.model.events import Event
from paratui.model.text import clean
from paratui.store import identity
from paratui.store.folder import FolderError, Snapshot
from paratui.store.journal import JournalWriteError
from paratui.store.pins import PinGate
from paratui.store.room import Room
from paratui.store.themes import DEFAULT_THEME

if TYPE_CHECKING:
    from paratui.store.watcher import FolderWatcher

RESCAN_S = 2.0  # safety net: also moves the clock and the minutes-out counters


class DataChanged(Message):
    """Posted from the watcher thread: something in the data folder changed."""


class BoardApp(App[int]):
    TITLE = "paratui"
    # the board screen's styles: it is the default screen, whose own CSS_PATH Textual never loads
    CSS_PATH = "board_screen.tcss"

    def __init__(self, room: Room, *, as_staff: str | None = None, theme_name: str | None = None,
                 poll: float | None = None, theme_folders: list[Path] | None = None, watch: bool = True,
                 read_only: bool = False, wall: bool = False):
        super().__init__()
        escape_key.install()  # Esc, then a key at once: two keys (paratui/app/escape_key.py)
        self.room = room
        self.as_staff = as_staff
        self.requested_theme = theme_name
        self.poll = poll
        self.theme_folders = theme_folders or []
        self.watch_enabled = watch
        self.read_only = read_only  # opened from the building view: nobody acts, whatever the login
        # the room's sync health ([sync] in classroom.toml): a daemon thread, its news posted here
        self.sync = SyncStatus(self._sync_news, room.clock)
        if read_only:
            room.folder.read_only = True  # …and its reads write nothing into the folder
        self.watcher: FolderWatcher | None = None
        self._hangup: HangupGuard | None = None
        self._watch_starting = False
        self.typeahead = TypeAhead()  # keys typed ahead of a flow's pickers (paratui.app.typeahead)
        self.last_written: Event | None = None  # the event the last `submit` wrote (a run's undo names it)
        self.typeahead.busy = lambda: self._reloading  # a flow's write shows before the next key runs
        self.snapshot: Snapshot | None = None
        self.state: BoardState | None = None
        self.me_id: str | None = None  # who is acting: a staff id (a Staff copy would go stale)
        self.acting: Acting | None = None  # how: a personal login, the shared account, or read-only
        self._pin_gate: PinGate | None = None
        self.private = False  # the privacy screen is up: no student detail anywhere on screen
        self._last_input = time.monotonic()
        self.last_change: datetime | None = None
        self._content: tuple | None = None  # what the journal and files held at the last reload
        self.theme_problems: list[str] = []
        self.large_themes: set[str] = set()
        self._change_posted = False  # set on the watcher's thread, cleared when a read begins
        self._reload_wanted = False
        self._reloading = False
        self.board = BoardScreen(wall=wall)  # wall: the wall mode at any size (`paratui --wall`)
        self._choose_theme()

    def get_default_screen(self) -> Screen:
        return self.board

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
        self.board.set_class(self.theme in self.large_themes, "-large")
        self.set_interval(RESCAN_S, self.rescan)
        # The terminal went away (the ssh client died, the window closed): leave within seconds,
        # even when started with SIGHUP ignored (nohup, a launcher) and even when Textual's output
        # is blocked on the dead terminal (see paratui.app.hangup).
        self._hangup = hangup.guard(self)

    def board_ready(self) -> None:
        """The board screen is composed: fill it before the first paint (not an empty frame)."""
        self._reload_sync()
        self._pick_me()
        self._draw_status()
        self.call_after_refresh(self._after_first_paint)

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
        self.board.set_class(name in self.large_themes, "-large")
        if self.state is not None:
            self._draw(self.state)  # pane text carries theme colours

    def _pick_me(self) -> None:
        """Who is acting, from the OS login mapped through classroom.toml (never USER): a personal
        login is its person; the shared account picks (`--as`, or `i`); anyone else reads only."""
        if self.snapshot is None:
            return
        who = acting(self.snapshot.classroom, identity.login(), self.as_staff)
        if self.read_only:
            who = Acting(None, "unknown", "opened from the building view: this board is read-only")
        self.acting = who
        self.me_id = who.staff
        if who.refusal:
            self.toast(who.refusal, title="Who is acting", severity="error", timeout=20)
        if who.staff is not None and self.needs_pin(who.staff):  # --as at the shared login: no PIN typed yet
            self.room.capped.add(who.staff)
            me = self.me
            self.toast(f"{me.short if me else who.staff}: acting with a para's rights until the PIN is typed (i, "
                       "then pick yourself)", title="Who is acting", severity="warning", timeout=20)

    def needs_pin(self, staff_id: str) -> bool:
        """Whether picking `staff_id` here asks for their PIN: the shared login, a room that asks
        (`[access] pins`, default on), and a role that may do more than a para's."""
        who, snapshot = self.acting, self.snapshot
        if who is None or who.mode != "shared" or snapshot is None:
            return False
        classroom = snapshot.classroom
        return classroom.access.pins and access.above_para(classroom, staff_id)

    @property
    def pin_gate(self) -> PinGate:
        """Tries PINs with the rate limit; one for the board's life (its count held in memory too)."""
        if self._pin_gate is None:
            self._pin_gate = PinGate(self.room.root, self.room.clock)
        return self._pin_gate

    def may_choose_me(self) -> str | None:
        """Why this board may not switch who is acting (None: it may: the shared account)."""
        who = self.acting
        if who is None or who.mode == "shared":
            return None
        if who.read_only:
            return who.refusal or "this board is read-only"
        me = self.me
        return f"this login is {me.short if me else who.staff}'s own: it acts only as them"

    @property
    def acting_label(self) -> str | None:
        """What the top bar says after "you:": the person, or why nobody is acting."""
        if self.acting is not None and self.acting.read_only:
            return "read-only"
        me = self.me
        if me is not None and me.id in self.room.capped:
            return f"{me.short} (para rights)"
        return me.short if me else None

    def status(self) -> StatusInfo | None:
        """What the top bar shows: the board, who is acting, whether it is live, the last change."""
        state = self.state
        if state is None:
            return None
        return StatusInfo(
            state, acting=self.acting_label, watch_mode=self.watcher.mode if self.watcher else "off",
            last_change=self.last_change, warnings=len(state.warnings),
            warn_style="bold reverse " + (self.current_theme.warning or board_color(self, "paratui-warning")),
            sync=sync_part(self.sync.words(state.now),
                           "bold reverse " + (self.current_theme.error or board_color(self, "paratui-over"))))

    def ask_who(self) -> None:
        """The board's `i`: choose who is acting, where this board lets you."""
        self.board.action_whoami()

    async def ready(self) -> BoardState | None:
        """The board's state once someone is acting (asks who first, one key)."""
        return await self.board.ready()

    # -- idle and privacy ------------------------------------------------------------------------
    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown)):
            self._last_input = time.monotonic()
        # every key of a flow, and the keys after it, in the order typed (paratui.app.typeahead)
        if isinstance(event, events.Key) and not event.is_forwarded:
            if await self._check_bindings(event.key, priority=True):
                return
            if await route(self, event):
                return
        await super().on_event(event)

    def blank_if_idle(self, now: float | None = None) -> None:
        """The shared account's board, untouched for `idle_minutes`: hide every student detail and
        forget who was acting (the next person says who they are)."""
        who = self.acting
        if who is None or who.mode != "shared" or self.snapshot is None:
            return
        idle_s = self.snapshot.classroom.access.idle_minutes * 60
        if (now if now is not None else time.monotonic()) - self._last_input < idle_s:
            return
        if self.me_id is not None:  # --as only named who started: the next person says who they are
            self.me_id = None
            self._draw_status()
        if not self.private:
            self.set_private(True, why="idle")

    def set_private(self, on: bool, why: str = "key") -> None:
        """The privacy screen: one key hides every student detail at once; the same key shows them."""
        from paratui.app.privacy import PrivacyScreen

        if on == self.private:
            return
        self.private = on
        if on:
            self.clear_notifications()  # a toast may name a student
            self.push_screen(PrivacyScreen(self.room_name, idle=why == "idle"))
        else:
            while isinstance(self.screen, PrivacyScreen):
                self.pop_screen()
            self._last_input = time.monotonic()

    @property
    def room_name(self) -> str:
        return self.state.room if self.state is not None else "paratui"

    # -- watching and reloading --------------------------------------------------------------
    def _start_watcher(self) -> None:
        """Watch the folder, set up on a thread: over a year of folders (or a slow share) that takes
        tens of milliseconds, which neither the first paint nor a key press should wait for."""
        if not self._watch_starting:
            self._watch_starting = True
            self.run_worker(self._start_watcher_off_loop(), group="watch")

    async def _start_watcher_off_loop(self) -> None:
        try:
            watcher, error = await asyncio.to_thread(self._new_watcher, self.watcher)
        finally:
            self._watch_starting = False
        if not self.is_running:  # the board closed meanwhile
            if watcher is not None:
                watcher.stop()
            return
        self.watcher = watcher
        if error is not None:
            self.toast(f"not watching {self.room.root}: {error}", severity="error")
            return  # the rescan tries again
        if watcher is not None and watcher.reason:
            self.toast(f"Watching by polling: {watcher.reason}")
        self._draw_status()
        self.reload()  # anything written while the watch was being set up

    def _new_watcher(self, old: FolderWatcher | None) -> tuple[FolderWatcher | None, OSError | None]:
        """On a worker thread: stop the old watcher, start a new one (or say why not)."""
        from paratui.store.watcher import FolderWatcher  # watchdog loads after the first paint

        if old is not None:
            old.stop()
        watcher = FolderWatcher(self.room.root, self._changed, self.poll)
        try:
            watcher.start()
        except OSError as e:
            return None, e
        return watcher, None

    def _changed(self) -> None:
        """On the watcher's thread: only post (thread safe); the event loop does the rest. One
        message per burst: the flag is cleared when a read begins, so whatever changes after that
        posts again (and is read), and a write's burst of events wakes the event loop once."""
        if not self._change_posted:
            self._change_posted = True
            self.post_message(DataChanged())

    def on_data_changed(self, message: DataChanged) -> None:
        # No debounce: a journal write is one relevant event (its rename; temp files are not
        # relevant), and a burst (an editor's save) coalesces anyway: whatever arrives while a read
        # runs is one more read after it (`reload`).
        self.reload()

    def rescan(self) -> None:
        self.blank_if_idle()
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
            pump(self)  # keys typed after a flow's write were waiting for the board to show it

    def _reload_sync(self) -> None:
        try:
            self._show(*self._read())
        except FolderError as e:
            self.toast("\n".join(e.problems), title="Data folder unusable", severity="error")

    def _read(self) -> tuple[Snapshot, BoardState]:
        self._change_posted = False  # before reading: a change from now on is either read or posted
        snapshot = self.room.snapshot()
        state = self.state
        same_minute = state is not None and state.now.replace(second=0) == self.room.clock().replace(second=0)
        if state is not None and snapshot is self.snapshot and same_minute:
            return snapshot, state  # no file changed and the clock has not moved: nothing to fold
        return snapshot, self.room.board(snapshot, self.theme_problems)

    def _show(self, snapshot: Snapshot, state: BoardState) -> None:
        self.snapshot = snapshot
        self.sync.follow(self.room.root, snapshot.classroom.sync)
        # "changed" is when the files or the journal last changed, not when a minute ticked over
        content = (id(snapshot.classroom), id(snapshot.schedule), tuple(map(id, snapshot.binder.values())),
                   len(snapshot.events), sum(map(hash, snapshot.events)))
        if content != self._content:
            if self._content is not None:
                self.last_change = self.room.clock()
            else:  # at start: the newest event up to now, by the classroom clock
                now = self.room.clock()
                self.last_change = max((e.time for e in snapshot.events if e.time <= now), default=None)
            self._content = content
        if state != self.state:
            self.state = state
            self._draw(state)
        else:
            self._draw_status()

    def _draw(self, state: BoardState) -> None:
        with self._unless_closing():
            self.board.draw(state)

    def _draw_status(self) -> None:
        with self._unless_closing():
            self.board.draw_status()

    def sync_lines(self, now: datetime) -> list[str]:
        return self.sync.lines(now)

    def _sync_news(self) -> None:
        """The sync reader's thread: its state changed (the top bar says so at once)."""
        try:
            self.call_from_thread(self._draw_status)
        except RuntimeError:  # not running (yet, or any more), or called from the app's own thread
            pass

    @contextmanager
    def _unless_closing(self) -> Iterator[None]:
        """A reload that ends while the board closes finds its panes gone: nothing to draw then
        (it used to end the board with a traceback on the way out)."""
        try:
            yield
        except NoMatches:
            if self.board.is_attached and self.board.query("#status"):
                raise

    # -- who is acting, and the one write path -------------------------------------------------
    @property
    def me(self) -> Staff | None:
        """Who is acting, looked up afresh (classroom.toml may have changed their short name)."""
        if self.me_id is None or self.snapshot is None:
            return None
        return self.snapshot.classroom.staff_by_id().get(self.me_id)

    def toast(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
              timeout: float | None = None) -> None:
        """A notification whose text is data: never parsed as markup, never terminal control."""
        self.notify(clean(message, one_line=False), title=clean(title), severity=severity,
                    timeout=timeout, markup=False)

    async def submit(self, make: Callable[[Context], Change | None], *,
                     quiet: bool = False) -> tuple[str | None, str] | None:
        """Build a change against the board as it is now, write it off the event loop, and say so
        (`quiet`: not in a toast, for a screen that shows it itself: a run of trials or intervals).
        Returns None when done (or nothing to do), or (field, message) when refused."""
        me_id, snapshot = self.me_id, self.snapshot
        if self.acting is not None and self.acting.read_only:
            return None, self.acting.refusal or "this board is read-only"
        if me_id is None or snapshot is None:
            return None, "choose who you are first (i)"
        try:
            change = make(self.room.context(me_id, snapshot))
        except NotAllowed as e:
            self.run_worker(self.offer_note_to_teacher(e.message), group="offer")
            return e.field, e.message
        except Refused as e:
            return e.field, e.message
        if change is None:
            self.toast("Nothing of yours to undo.")
            return None
        try:
            self.last_written = await asyncio.to_thread(self.room.apply, change, me_id)
        except JournalWriteError as e:
            self.toast(str(e), title="NOT recorded", severity="error", timeout=30)
            return None, f"NOT recorded: {e}"
        me = self.me
        title = "Undone" if change.type == "retract" else f"Recorded ({me.short if me else me_id})"
        if not quiet:
            self.toast(change.text + ("" if change.type == "retract" else " · u to undo"), title=title)
        self.reload()
        return None

    async def offer_note_to_teacher(self, why: str) -> None:
        """A change this person's role may not make: say why, and offer to ask the teacher in a note
        instead (paras implement, the teacher decides: the seeds' roles table)."""
        from paratui.app.form import Field, FormScreen, required
        from paratui.app.picker import Choice, PickerScreen
        from paratui.model import commands

        snapshot = self.snapshot
        if snapshot is None:
            return
        teachers = [s for s in snapshot.classroom.staff if s.role == "teacher" and s.id != self.me_id]
        if not teachers:
            return
        to = teachers[0]
        pick = await self.push_screen_wait(PickerScreen(f"Not allowed: {why}", [
            Choice(f"Send {to.short} a note asking for it", "note", "1"), Choice("No, thanks", "no", "2")]))
        if pick != "note":
            return

        async def send(values: dict[str, str]) -> tuple[str | None, str] | None:
            return await self.submit(lambda ctx: commands.note(ctx, values["text"], [to.id], kind="check-in"))

        await self.push_screen_wait(FormScreen(f"A note to {to.short}", [
            Field("text", "What should be changed?", "e.g. please mark JT out after lunch", check=required("text"))],
            send))

    def get_system_commands(self, screen: Screen) -> Iterator[SystemCommand]:
        yield from super().get_system_commands(screen)
        for a in ACTIONS:
            if a.name != "app.quit":
                yield SystemCommand(a.title, f"{a.help} (key: {a.key_label})",
                                    lambda name=a.name: self._run_board_action(name))

    def _run_board_action(self, name: str) -> None:
        self.run_worker(self.run_action(name, self.board))

    def on_unmount(self) -> None:
        self.sync.stop()
        if self._hangup is not None:
            self._hangup.stop()
        if self.watcher is not None:
            self.watcher.stop()


if TYPE_CHECKING:  # mypy checks here that the app is what its screens take it for
    _: type[Host] = BoardApp
