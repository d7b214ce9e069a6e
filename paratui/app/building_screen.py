"""The building view: one line per room (or, on a big screen, one large tile), what needs someone
first, live.

Each room is read as a board reads it (paratui.store.building.BuildingRoom: its Room, its one
screened stream) and watched as a board watches it (paratui.store.watcher.FolderWatcher, one per
room): a change in a room re-reads that room only, on a thread, and the rooms are sorted again
(paratui.model.building.sort_rooms). The rows are slots: slot k shows the k-th room in that order,
and the selection follows its room, not its slot. Enter ends this app with the chosen room: the CLI
opens that room's board read-only and comes back here when it closes (paratui.cli.building).

Keyboard only: ↑ ↓ (or j k), Home, End, Enter, q. At 160×45 and above the rooms are large tiles
(Textual's Digits for the counts), read across the room.
"""

from __future__ import annotations

import asyncio
import gc
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Static

from paratui.app import hangup
from paratui.app.alarms import big
from paratui.app.hangup import HangupGuard
from paratui.app.themes import BOARD_VARIABLE_DEFAULTS, board_color, register_themes
from paratui.model.building import COUNTS, NO_SYNC, RoomSummary, shown_names, sort_rooms
from paratui.store import identity
from paratui.store.building import BuildingRoom
from paratui.store.themes import DEFAULT_THEME

if TYPE_CHECKING:
    from paratui.store.watcher import FolderWatcher

RESCAN_S = 2.0  # as a board: reads the rooms not watched, restarts a dead watch
SAFETY_S = 10.0  # every room read again at least this often (and when the minute turns)
LARGE = (160, 45)  # from this size on: large tiles
# The count columns: heading, the theme colour a count above 0 takes
COLUMNS = {"out_too_long": ("over", "paratui-over"), "uncovered": ("uncov", "paratui-uncovered"),
           "overdue": ("overdue", "paratui-overdue"), "urgent": ("urgent", "paratui-warning"),
           "no_sub": ("no sub", "paratui-uncovered")}
TILE_LABELS = {"out_too_long": "out too long", "uncovered": "uncovered", "overdue": "overdue",
               "urgent": "urgent", "no_sub": "no sub"}


class RoomChanged(Message):
    """Posted from a watcher thread: something in room `index`'s folder changed."""

    def __init__(self, index: int) -> None:
        super().__init__()
        self.index = index


def _widths(width: int) -> tuple[int, int]:
    """The room and block columns' widths: what is left after the counts, change time and sync."""
    fixed = sum(len(h) + 1 for h, _ in COLUMNS.values()) + 6 + 8 + 2
    spare = max(20, width - fixed)
    room = max(10, spare * 2 // 5)
    return room, spare - room


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def _cut_name(name: str, width: int) -> str:
    """A room's name in `width` cells; one told apart by its folder ("Room 12 · east") keeps the
    folder, its own part cut first: the part that tells two lines apart stays on screen."""
    if len(name) <= width or " · " not in name:
        return _cut(name, width)
    own, folder = name.rsplit(" · ", 1)
    if len(folder) + 4 > width:
        return _cut(folder, width)
    return f"{_cut(own, width - len(folder) - 1)}·{folder}"


def heading(width: int) -> Text:
    room_w, block_w = _widths(width)
    line = f" {'room':<{room_w}}{'block now':<{block_w}}"
    line += "".join(f"{h:>{len(h)}} " for h, _ in COLUMNS.values())
    return Text(line + f"{'chg':>5} {'sync':<8}", style="bold")


class RoomSlot(Widget):
    """One room: a line (small screens) or a large tile (≥160×45: the counts in Textual's Digits
    font, as the board's AlarmBar draws them). One widget that renders text, not a container of
    Digits and Labels: thirty rooms mount and redraw as thirty widgets."""

    can_focus = False
    DEFAULT_CSS = "RoomSlot { height: 1; }"

    def __init__(self, slot: int) -> None:
        super().__init__(classes="slot")
        self.slot = slot
        self.summary: RoomSummary | None = None
        self.shown_name = ""  # the room's name as shown (paratui.model.building.shown_names)

    def show(self, summary: RoomSummary, selected: bool, name: str | None = None) -> None:
        name = summary.room if name is None else name
        if summary == self.summary and selected == self.has_class("-selected") and name == self.shown_name:
            return  # nothing to redraw: the room did not change
        self.summary, self.shown_name = summary, name
        self.set_class(selected, "-selected")
        self.set_class(summary.problem is not None, "-broken")
        self.set_class(summary.score > 0, "-needs")
        self.refresh()

    @property
    def large(self) -> bool:
        return self.screen.has_class("-large")

    def render(self) -> Text:
        width = self.content_region.width or self.app.size.width
        return self.tile(width) if self.large else self.line(width)

    def foot(self) -> str:
        s = self.summary
        if s is None:
            return ""
        if s.problem:
            return s.problem
        who = f"  {' '.join(s.initials)}" if s.initials else ""
        warn = f" · ⚠{s.warnings} file warning{'s' if s.warnings != 1 else ''}" if s.warnings else ""
        changed = f"{s.last_change:%H:%M}" if s.last_change else "-"
        return f"last change {changed} · sync {s.sync or NO_SYNC}{warn}{who}"

    def tile(self, width: int) -> Text:
        s = self.summary
        if s is None:
            return Text("reading…", style="dim")
        title = f"{'▶ ' if self.has_class('-selected') else ''}{self.shown_name}"
        out = Text(_cut(f"{title}: CANNOT BE READ" if s.problem else f"{title} · {s.block or 'no block now'}",
                        width), style="bold")
        if s.problem:
            out.append("\n" + _cut(s.problem, width))
            return out
        cells = [width * i // len(COUNTS) for i in range(len(COUNTS) + 1)]
        rows = [Text() for _ in range(4)]
        for name, left, right in zip(COUNTS, cells, cells[1:]):
            w = right - left
            value = s.count(name)
            colour = COLUMNS[name][1]
            style = f"bold {board_color(self.app, colour)}" if value else "dim"
            for row, content in zip(rows, [*big(value, bold=value > 0), TILE_LABELS[name]]):
                row.append(content[:w].center(w), style=style)
        for row in rows:
            out.append("\n")
            out.append_text(row)
        out.append("\n\n" + _cut(self.foot(), width), style="dim")
        return out

    def line(self, width: int) -> Text:
        s = self.summary
        if s is None:
            return Text("")
        room_w, block_w = _widths(width)
        mark = "▶" if self.has_class("-selected") else " "
        out = Text(f"{mark}{_cut_name(self.shown_name, room_w - 1):<{room_w}}")
        if s.problem:
            out.append(_cut(f"CANNOT BE READ: {s.problem}", max(10, width - room_w - 1)), style="bold reverse")
            return out
        out.append(f"{_cut(s.block or 'no block now', block_w - 1):<{block_w}}")
        for name, (head, colour) in COLUMNS.items():
            value = s.count(name)
            style = f"bold {board_color(self.app, colour)}" if value else "dim"
            out.append(f"{value:>{len(head)}}", style=style)
            out.append(" ")
        out.append(f"{s.last_change:%H:%M}" if s.last_change else "    -", style="dim" if not s.score else "")
        out.append(f" {_cut(s.sync or NO_SYNC, 8)}")
        if s.initials:
            out.append(f" {' '.join(s.initials)}")
        return out


class BuildingScreen(Screen[None]):
    BINDINGS = [
        Binding("down,j", "move(1)", "next", show=False),
        Binding("up,k", "move(-1)", "previous", show=False),
        Binding("home", "first", "first", show=False),
        Binding("end", "last", "last", show=False),
        Binding("enter", "open", "open board (read-only)"),
        Binding("q", "app.quit", "quit"),
    ]

    def compose(self) -> ComposeResult:
        yield Static("", id="building-status", markup=False)
        yield Static("", id="building-heading", markup=False)
        with VerticalScroll(id="rooms"):
            for i in range(len(self.building.rooms)):
                yield RoomSlot(i)
        yield Footer()

    @property
    def building(self) -> BuildingApp:
        app = self.app
        assert isinstance(app, BuildingApp)
        return app

    def on_mount(self) -> None:
        self.building.screen_ready()

    def on_resize(self, event: events.Resize) -> None:
        large = event.size.width >= LARGE[0] and event.size.height >= LARGE[1]
        if large != self.has_class("-large"):
            self.set_class(large, "-large")
            for slot in self.query(RoomSlot):
                slot.refresh()
        self.query_one("#building-heading", Static).update(heading(event.size.width))

    def action_move(self, step: int) -> None:
        self.building.select_step(step)

    def action_first(self) -> None:
        self.building.select_step(-10**6)

    def action_last(self) -> None:
        self.building.select_step(10**6)

    def action_open(self) -> None:
        self.building.open_selected()


class BuildingApp(App[BuildingRoom | None]):
    TITLE = "paratui building"
    CSS_PATH = "building_screen.tcss"

    def __init__(self, rooms: list[BuildingRoom], *, theme_name: str | None = None,
                 theme_folders: list[Path] | None = None, watch: bool = True,
                 clock: Callable[[], datetime] = identity.now) -> None:
        super().__init__()
        self.rooms = rooms
        self.clock = clock
        self.watch_enabled = watch
        self.order: list[int] = list(range(len(rooms)))  # room indexes, what needs someone first
        self.selected: int | None = 0 if rooms else None  # a room index (it follows its room)
        self.watchers: dict[int, FolderWatcher] = {}
        self.shown = 0  # how many times the rooms were drawn (tests and the bench wait on it)
        self._posted: set[int] = set()  # rooms whose change was posted and not yet read
        self._wanted: set[int] = set()  # rooms to read: their folders changed
        self._rescans: set[int] = set()  # rooms to read: the safety net
        self._reading = False
        self._watching = False
        self._minute: datetime | None = None
        self._safety = time.monotonic()
        self.large_themes, self.theme_problems = register_themes(self, theme_folders or [])
        wanted = theme_name or DEFAULT_THEME
        if wanted in self.available_themes:
            self.theme = wanted
        elif DEFAULT_THEME in self.available_themes:
            self.theme = DEFAULT_THEME
        self.building_screen = BuildingScreen()
        self._hangup: HangupGuard | None = None

    def on_mount(self) -> None:
        # the terminal went away (ssh dropped, tmux killed): leave within seconds, as the board does
        self._hangup = hangup.guard(self)

    def get_default_screen(self) -> Screen:
        return self.building_screen

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(BOARD_VARIABLE_DEFAULTS)

    # -- reading -----------------------------------------------------------------------------
    def screen_ready(self) -> None:
        # What the first read loads (every room's year of tasks, the widgets) lives as long as the
        # view: no garbage collection until it is drawn, then it is frozen (as BoardApp does), so
        # full collections never scan it again (they added hundreds of ms to each room's read and
        # to every redraw with thirty rooms).
        gc.disable()
        self._draw_status()
        self.set_interval(RESCAN_S, self.rescan)
        self.read(set(range(len(self.rooms))))

    def read(self, which: set[int], changed: bool = True) -> None:
        """Re-read these rooms off the event loop, one at a time; a room whose folder changed goes
        before the rescan's (a change shows without waiting for thirty rooms' re-reads)."""
        if changed:
            self._wanted |= which
            self._rescans -= which
        else:
            self._rescans |= which - self._wanted
        if not self._reading:
            self._reading = True
            self.run_worker(self._read_loop(), group="read")

    async def _read_loop(self) -> None:
        try:
            dirty = False
            while self._wanted or self._rescans:
                urgent = bool(self._wanted)
                i = min(self._wanted) if urgent else min(self._rescans)
                (self._wanted if urgent else self._rescans).discard(i)
                self._posted.discard(i)  # a change from now on is either read or posted again
                before = self.rooms[i].summary
                after = await asyncio.to_thread(self.rooms[i].read)
                dirty = dirty or after != before
                # the first paint waits for every room; then each room's change shows when read
                if dirty and not self._wanted and (self.shown or all(r.summary for r in self.rooms)):
                    first = not self.shown
                    self.draw()
                    dirty = False
                    if first:
                        self.call_after_refresh(self._after_first_paint)
        finally:
            self._reading = False
        if self.watch_enabled and not self.watchers and not self._watching:
            self._watching = True
            self.run_worker(self._start_watchers(), group="watch")

    def _after_first_paint(self) -> None:
        gc.freeze()
        gc.enable()

    def rescan(self) -> None:
        """The safety net, as a board's: rooms not watched (or whose watch died) at every tick; every
        room when the minute turns (minutes out, overdue) and every SAFETY_S."""
        if not self.shown:
            return  # the first read is still going on
        minute = self.clock().replace(second=0, microsecond=0)
        tick = time.monotonic()
        every = minute != self._minute or tick - self._safety >= SAFETY_S
        if every:
            self._minute, self._safety = minute, tick
        unwatched = {i for i in range(len(self.rooms))
                     if (w := self.watchers.get(i)) is None or not w.healthy()}
        if self.watch_enabled and self.watchers:
            restart = [i for i in unwatched if self.rooms[i].root.is_dir()]
            if restart:
                self.run_worker(self._start_watchers(restart), group="watch")
        self.read(set(range(len(self.rooms))) if every else unwatched, changed=False)

    # -- watching ----------------------------------------------------------------------------
    async def _start_watchers(self, which: list[int] | None = None) -> None:
        started = await asyncio.to_thread(self._new_watchers, which)
        if not self.is_running:
            for w in started.values():
                w.stop()
            return
        self.watchers.update(started)
        self.read(set(started))  # anything written while the watches were set up

    def _new_watchers(self, which: list[int] | None) -> dict[int, FolderWatcher]:
        from paratui.store.watcher import FolderWatcher

        out: dict[int, FolderWatcher] = {}
        for i in which if which is not None else range(len(self.rooms)):
            old = self.watchers.get(i)
            if old is not None:
                old.stop()
            root = self.rooms[i].root
            if not root.is_dir():
                continue
            w = FolderWatcher(root, lambda i=i: self._changed(i))  # type: ignore[misc]
            try:
                w.start()
            except OSError:
                continue  # the rescan tries again
            out[i] = w
        return out

    def _changed(self, index: int) -> None:
        """On a watcher's thread: post once per burst (the flag clears when that room's read begins)."""
        if index not in self._posted:
            self._posted.add(index)
            self.post_message(RoomChanged(index))

    def on_room_changed(self, message: RoomChanged) -> None:
        self.read({message.index})

    # -- drawing -----------------------------------------------------------------------------
    def summaries(self) -> list[RoomSummary]:
        return [s for s in (r.summary for r in self.rooms) if s is not None]

    def draw(self) -> None:
        """Each room's slot shows its summary (redrawn only where it changed); the slots are put in
        the order of what needs someone, moved only where that order changed."""
        by_summary = {id(r.summary): i for i, r in enumerate(self.rooms) if r.summary is not None}
        ordered = sort_rooms(self.summaries())
        self.order = [by_summary[id(s)] for s in ordered]
        if not self.shown and self.order:
            self.selected = self.order[0]  # at start: the room that needs someone most
        if not self.building_screen.is_attached:
            return  # closing
        container = self.building_screen.query_one("#rooms", VerticalScroll)
        slots = {c.slot: c for c in container.children if isinstance(c, RoomSlot)}
        names = shown_names(ordered)
        for i, room in enumerate(self.rooms):
            if room.summary is not None:
                slots[i].show(room.summary, i == self.selected, names[room.summary.folder])
        for pos, i in enumerate(self.order):
            if container.children[pos] is not slots[i]:
                container.move_child(slots[i], before=pos)
        self._draw_status()
        self.shown += 1

    def _draw_status(self) -> None:
        rooms = self.summaries()
        needing = sum(1 for s in rooms if s.score or s.problem)
        now = self.clock()
        text = (f" paratui building · {len(self.rooms)} rooms · {needing} need someone · "
                f"{now:%a %Y-%m-%d %H:%M} · read-only")
        self.building_screen.query_one("#building-status", Static).update(text)

    # -- choosing ------------------------------------------------------------------------------
    def select_step(self, step: int) -> None:
        if not self.order or self.selected is None:
            return
        at = self.order.index(self.selected) if self.selected in self.order else 0
        at = max(0, min(len(self.order) - 1, at + step))
        self.selected = self.order[at]
        self.draw()
        for slot in self.building_screen.query(RoomSlot):
            if slot.slot == self.selected:
                slot.scroll_visible(animate=False)

    def open_selected(self) -> None:
        if self.selected is None:
            return
        room = self.rooms[self.selected]
        if room.summary is not None and room.summary.problem is not None:
            self.notify(f"{room.summary.problem}", title="Cannot open this room", severity="error", markup=False)
            return
        self.exit(room)

    def on_unmount(self) -> None:
        if self._hangup is not None:
            self._hangup.stop()
        for w in self.watchers.values():
            w.stop()
        for room in self.rooms:
            room.close()  # its sync reader

