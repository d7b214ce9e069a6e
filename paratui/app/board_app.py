"""The live room board.

What happens when a file changes: the watcher thread posts `DataChanged`; the app coalesces a burst
into one reload a few milliseconds later; the reload re-reads only the changed files
(`Room.snapshot`), folds the events into a BoardState (`paratui.model.board.build_board`) and each
pane redraws itself from that state. A rescan every few seconds is the safety net.
"""

from __future__ import annotations

import gc
import os
from datetime import datetime
from pathlib import Path

from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from paratui.app.binder_view import BinderPage
from paratui.app.help import help_markdown
from paratui.app.panes import AdultsPane, OutPane, StudentsPane, TasksPane, UncoveredPane
from paratui.app.picker import Choice, PickerScreen
from paratui.app.status import StatusBar
from paratui.app.themes import BOARD_VARIABLE_DEFAULTS, register_themes
from paratui.model.board import WEEKDAY_TABS, BoardState
from paratui.model.classroom import Staff
from paratui.model.describe import describe
from paratui.model.export import location_label
from paratui.model.resolve import NotFound, find_location, find_staff, find_student, staff_for_login
from paratui.store import identity
from paratui.store.folder import FolderError, Snapshot
from paratui.store.journal import JournalWriteError
from paratui.store.room import Room
from paratui.store.themes import DEFAULT_THEME

DEBOUNCE_S = 0.002  # a burst of file events (rename + modify + dir) becomes one reload
RESCAN_S = 2.0  # safety net: also moves the clock and the minutes-out counters


class DataChanged(Message):
    """Posted from the watcher thread: something in the data folder changed."""


# (action, key, title, help) — one list feeds the key bindings, the help page and the palette.
ACTIONS = [
    ("move", "m", "Move a student", "Announce a student leaving: pick the student, then where (you go along)"),
    ("back", "b", "Back in the room", "Mark a student who was out as back"),
    ("assign", "a", "Assign (today's change)", "Put an adult with students somewhere until a time"),
    ("absent", "o", "Out today / sub", "An adult is out today; pick who subs for them (or nobody)"),
    ("new_task", "n", "New task", "Add a task (copies, filing, call home…) for someone, with a due time"),
    ("done_task", "d", "Task done", "Mark an open task done"),
    ("undo", "u", "Undo my last", "Retract the last thing you recorded"),
    ("whoami", "i", "Who am I", "Choose who is using this board (recorded with every change)"),
    ("pages", "p", "Binder pages", "Open a binder page: IEP at a glance, behavior and safety plans…"),
    ("warnings", "w", "File warnings", "Show problems found in the data folder's files"),
    ("help", "question_mark", "Help", "List every key"),
    ("quit", "q", "Quit", "Close the board (nothing is lost: every change is already saved)"),
]


class BoardApp(App[int]):
    CSS_PATH = "board_app.tcss"
    TITLE = "paratui"
    BINDINGS = [Binding(key, action, title.split(" (")[0], show=action not in ("warnings", "pages"))
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
        self.me: Staff | None = None
        self.last_change: datetime | None = None
        self.theme_problems: list[str] = []
        self.large_themes: set[str] = set()
        self._reload_pending = False
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
        self.reload()
        self._pick_me()
        self._draw_status()
        self.call_after_refresh(self._after_first_paint)
        self.set_interval(RESCAN_S, self.rescan)

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
                self.me = find_staff(classroom, self.as_staff)
            except NotFound as e:
                self.notify(str(e), title="--as", severity="error")
        if self.me is None:
            self.me = staff_for_login(classroom, identity.login())

    # -- watching and reloading --------------------------------------------------------------
    def _start_watcher(self) -> None:
        from paratui.store.watcher import FolderWatcher  # watchdog loads after the first paint

        if self.watcher is not None:
            self.watcher.stop()
        self.watcher = FolderWatcher(self.room.root, lambda: self.post_message(DataChanged()), self.poll)
        try:
            self.watcher.start()
        except OSError as e:
            self.notify(f"not watching {self.room.root}: {e}", severity="error")
            self.watcher = None  # the rescan tries again
            return
        if self.watcher.reason:
            self.notify(f"Watching by polling: {self.watcher.reason}")
        self._draw_status()
        self.reload()  # anything written while the watch was being set up

    def on_data_changed(self, message: DataChanged) -> None:
        if not self._reload_pending:
            self._reload_pending = True
            self.set_timer(DEBOUNCE_S, self._reload_now)

    def _reload_now(self) -> None:
        self._reload_pending = False
        self.reload()

    def rescan(self) -> None:
        if self.watch_enabled and (self.watcher is None or not self.watcher.healthy()):
            if self.room.root.is_dir():  # the folder is (back) there: watch it
                self._start_watcher()
        self.reload()

    def reload(self) -> None:
        try:
            self.snapshot = self.room.snapshot()
        except FolderError as e:
            self.notify("\n".join(e.problems), title="Data folder unusable", severity="error")
            return
        state = self.room.board(self.snapshot)
        state = BoardState(**{**state.__dict__, "warnings": tuple(self.theme_problems) + state.warnings})
        if state != self.state:
            if self.state is not None and (state.students, state.tasks, state.staff) != (
                    self.state.students, self.state.tasks, self.state.staff):
                self.last_change = datetime.now().replace(microsecond=0)
            self.state = state
            self._draw(state)

    def _draw(self, state: BoardState) -> None:
        for pane in (AdultsPane, OutPane, UncoveredPane, StudentsPane, TasksPane):
            self.query_one(pane).show(state)
        self._draw_status()
        self._draw_binder(state)

    def _draw_status(self) -> None:
        if self.state is None:
            return
        mode = self.watcher.mode if self.watcher else "off"
        self.query_one(StatusBar).show(self.state, acting=self.me.short if self.me else None,
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

    # -- writing -----------------------------------------------------------------------------
    def _record(self, type: str, payload: dict, *, task_stream: bool = False) -> bool:
        assert self.me is not None and self.snapshot is not None
        try:
            event = self.room.record(type, self.me.id, payload, task_stream)
        except JournalWriteError as e:
            self.notify(str(e), title="NOT recorded", severity="error", timeout=30)
            return False
        self.notify(f"{describe(event, self.snapshot.classroom)} · u undoes", title=f"Recorded ({self.me.short})")
        self.reload()
        return True

    async def _ensure_me(self) -> Staff | None:
        """Who is acting; ask once (one key) before the first write if nobody is known."""
        if self.me is None:
            await self._ask_who()
        return self.me

    async def _ask_who(self) -> None:
        if self.snapshot is None:
            return
        choices = [Choice(f"{s.short} — {s.role}", s.id) for s in self.snapshot.classroom.staff]
        picked = await self.push_screen_wait(PickerScreen("Who are you?", choices))
        if picked:
            self.me = self.snapshot.classroom.staff_by_id()[picked]
            self._draw_status()

    def _student_choices(self, only=None) -> list[Choice]:
        assert self.state is not None
        rows = [s for s in self.state.students if only is None or only(s)]
        index = {s.id: i for i, s in enumerate(self.state.students, 1)}
        return [Choice(f"{s.initials}  ({location_label(self.state, s.location)})", s.id,
                       str(index[s.id]) if index[s.id] < 10 else None) for s in rows]

    @work(exclusive=True, group="action")
    async def action_move(self) -> None:
        if self.state is None or await self._ensure_me() is None:
            return
        student = await self.push_screen_wait(PickerScreen("Who is leaving?", self._student_choices()))
        if not student:
            return
        initials = self.snapshot.classroom.student_by_id()[student].initials
        places = [Choice(f"{loc.label}" + (f"  ({loc.expected_minutes} min)" if loc.expected_minutes else ""),
                         loc.id, loc.key)
                  for loc in self.snapshot.classroom.locations if loc.id != self.snapshot.classroom.home.id]
        to = await self.push_screen_wait(PickerScreen(f"{initials} goes to…", places))
        if to:
            self._record("move", {"student": student, "to": to, "with": [self.me.id]})

    @work(exclusive=True, group="action")
    async def action_back(self) -> None:
        if self.state is None or await self._ensure_me() is None:
            return
        away = self._student_choices(lambda s: s.out or s.location != self.snapshot.classroom.home.id)
        if not away:
            self.notify("Everyone is in the room.")
            return
        student = await self.push_screen_wait(PickerScreen("Who is back?", away))
        if student:
            self._record("back", {"student": student})

    @work(exclusive=True, group="action")
    async def action_assign(self) -> None:
        if self.state is None or await self._ensure_me() is None:
            return
        from paratui.app.form import Field, FormScreen

        form = await self.push_screen_wait(FormScreen("Today's change: who is with whom", [
            Field("staff", "Adult", "e.g. JT or Mr. T", self.me.id),
            Field("students", "With students (initials or codes, space separated; empty: none)", "e.g. EM TS"),
            Field("at", "Where (empty: where the block is)", "e.g. library"),
            Field("activity", "Doing what", "e.g. Library visit"),
            Field("until", "Until (HH:MM; empty: end of this block)", "e.g. 10:30"),
        ]))
        if not form:
            return
        classroom = self.snapshot.classroom
        try:
            staff = find_staff(classroom, form["staff"])
            students = [find_student(classroom, s).id for s in form["students"].replace(",", " ").split()]
            at = find_location(classroom, form["at"]).id if form["at"] else None
            until = _clock_today(form["until"], self.room.clock()) if form["until"] else None
        except (NotFound, ValueError) as e:
            self.notify(str(e), title="Not recorded", severity="error")
            return
        self._record("assign", {"staff": staff.id, "students": students, "at": at,
                                "activity": form["activity"] or None, "until": until})

    @work(exclusive=True, group="action")
    async def action_absent(self) -> None:
        if self.state is None or await self._ensure_me() is None:
            return
        staff = self.snapshot.classroom.staff
        out = await self.push_screen_wait(PickerScreen("Who is out today?", [
            Choice(f"{s.short} — {s.role}", s.id) for s in staff]))
        if not out:
            return
        short = self.snapshot.classroom.staff_by_id()[out].short
        subs = [Choice("Nobody (no sub)", "-", "0")] + [
            Choice(f"{s.short} — {s.role}", s.id) for s in staff if s.id != out]
        sub = await self.push_screen_wait(PickerScreen(f"Who subs for {short}?", subs))
        if sub:
            self._record("absent", {"staff": out, "sub": None if sub == "-" else sub, "until": None})

    @work(exclusive=True, group="action")
    async def action_new_task(self) -> None:
        if self.state is None or await self._ensure_me() is None:
            return
        from paratui.app.form import Field, FormScreen

        form = await self.push_screen_wait(FormScreen("New task", [
            Field("text", "Task", "e.g. 20 copies of the math page"),
            Field("for", "For (empty: anyone)", "e.g. AL"),
            Field("due", "Due (HH:MM today; empty: no time)", "e.g. 13:00"),
        ]))
        if not form or not form["text"]:
            return
        try:
            for_ = find_staff(self.snapshot.classroom, form["for"]).id if form["for"] else None
            due = _clock_today(form["due"], self.room.clock()) if form["due"] else None
        except (NotFound, ValueError) as e:
            self.notify(str(e), title="Not recorded", severity="error")
            return
        self._record("task.add", {"text": form["text"], "for": for_, "due": due})

    @work(exclusive=True, group="action")
    async def action_done_task(self) -> None:
        if self.state is None or await self._ensure_me() is None:
            return
        open_tasks = [Choice(f"{t.text}" + (" (OVERDUE)" if t.overdue else ""), t.id)
                      for t in self.state.pending_tasks]
        if not open_tasks:
            self.notify("No open tasks.")
            return
        task = await self.push_screen_wait(PickerScreen("Which task is done?", open_tasks))
        if task:
            self._record("task.done", {"task": task})

    def action_undo(self) -> None:
        if self.me is None or self.snapshot is None:
            self.notify("Nothing to undo: choose who you are first (i).")
            return
        try:
            undone = self.room.undo(self.me.id, self.snapshot)
        except JournalWriteError as e:
            self.notify(str(e), title="NOT recorded", severity="error", timeout=30)
            return
        if undone is None:
            self.notify(f"Nothing of {self.me.short}'s to undo.")
            return
        retract, target = undone
        self.notify(describe(retract, self.snapshot.classroom, target), title="Undone")
        self.reload()

    @work(exclusive=True, group="action")
    async def action_whoami(self) -> None:
        await self._ask_who()

    @work(exclusive=True, group="action")
    async def action_pages(self) -> None:
        if self.snapshot is None:
            return
        titles = self.snapshot.binder_titles
        standing = [n for n in sorted(titles) if n not in WEEKDAY_TABS]
        days = [n for n in WEEKDAY_TABS if n in titles]
        choices = [Choice(titles[n], n) for n in standing + days]
        page = await self.push_screen_wait(PickerScreen("Binder", choices))
        if page:
            from paratui.app.page import PageScreen

            self.push_screen(PageScreen(self.snapshot.binder.get(page, ""), page_id=f"page-{page}"))

    def action_warnings(self) -> None:
        from paratui.app.page import PageScreen

        warnings = self.state.warnings if self.state else ()
        body = "\n".join(f"- `{w}`" for w in warnings) or "No problems found in the data folder."
        self.push_screen(PageScreen(f"# Warnings\n\n{body}\n", page_id="warnings"))

    def action_help(self) -> None:
        from paratui.app.page import PageScreen

        self.push_screen(PageScreen(help_markdown(ACTIONS), page_id="help"))

    def get_system_commands(self, screen: Screen):
        yield from super().get_system_commands(screen)
        for action, key, title, text in ACTIONS:
            if action != "quit":
                yield SystemCommand(title, f"{text} (key: {'?' if key == 'question_mark' else key})",
                                    lambda a=action: self.run_action(a))


def _clock_today(text: str, now: datetime) -> str:
    hh, mm = text.strip().split(":")
    return now.replace(hour=int(hh), minute=int(mm), second=0).isoformat(timespec="minutes")


def running_over_ssh() -> bool:
    return bool(os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY"))
