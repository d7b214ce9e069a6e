"""The board screen: its layout, its drawing, and what each of its keys does.

The app (board_app.py) keeps the data: the folder, the watcher, the reloads, who is acting. This
screen shows the latest `BoardState` (`draw`) and turns keys into changes: every change is built by
paratui.model.commands (the same functions the CLI calls) and written by `Room.apply` on a worker
thread (`BoardApp.submit`), so a slow disk or a held lock never freezes the board.

The layout follows the screen's size (classes set on resize, styles in board_screen.tcss):
`-narrow` (under 100 columns: no binder, tighter panes), `-wide` (150 and up), `-tall` (36 rows and
up, with the large counts across the top), `-wall` (160×45 and up, or always with `paratui --wall`:
the wall mode, what needs someone now in large text: paratui/app/wall.py).
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Callable, Iterable

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from paratui.app import actions as registry
from paratui.app.alarms import AlarmBar
from paratui.app.binder_view import BinderPage
from paratui.app.decision_flags import DecisionFlags
from paratui.app.form import Field, FormScreen, required, time_or_empty
from paratui.app.help import help_markdown
from paratui.app.host import Host, host
from paratui.app.logging_session import IntervalSession
from paratui.app.logging_sheet import LogSheet, StartSession
from paratui.app.panes import AdultsPane, DataDuePane, OutPane, StudentsPane, TasksPane, TimersPane, UncoveredPane
from paratui.app.picker import KEYS, Choice, PickerScreen, with_keys
from paratui.app.routine_panes import AheadPane, UrgentBanner
from paratui.app.status import StatusBar
from paratui.app.typeahead import flow
from paratui.app.wall import WallPane
from paratui.model import change_commands, commands, data_commands
from paratui.model.board import WEEKDAY_TABS, BoardState, StudentRow
from paratui.model.changes import procedure_text
from paratui.model.commands import Change, Context
from paratui.model.events import Event, live_events
from paratui.model.export import location_label, short_id
from paratui.store import pins
from paratui.store.history import history_for

NARROW, WIDE, TALL = 100, 150, 36  # columns, columns, rows
WALL = (160, 45)  # columns, rows: the wall mode by itself from this size (`--wall`: at any size)


class KeyBar(Static):
    """The keys that fit on this screen, daily ones first (every key is on `?` and ctrl+p). Clicking
    a key runs it, like pressing it."""

    spans: list[tuple[int, int, str]] = []  # (first column, past the last, action name)

    def on_resize(self, event: events.Resize) -> None:
        self.paint()

    def paint(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        spans = []
        for a in registry.footer_actions(self.size.width or 80):
            start = len(text)
            text.append(f" {registry.footer_key_label(a)} ", style="bold reverse")
            text.append(f" {a.short} ")
            spans.append((start, len(text), a.name))
        self.spans = spans
        self.update(text, layout=False)

    def action_at(self, x: int) -> str | None:
        return next((name for start, end, name in self.spans if start <= x < end), None)

    async def on_click(self, event: events.Click) -> None:
        name = self.action_at(event.x)
        if name is not None:
            event.stop()
            await self.app.run_action(name, self.screen)


class BoardScreen(Screen[None]):
    # styles: board_screen.tcss (loaded by BoardApp, as this is its default screen)
    BINDINGS = registry.bindings()  # type: ignore[assignment]  # list is invariant

    def __init__(self, wall: bool = False) -> None:
        super().__init__(id="board-screen")
        self.wall = wall  # `--wall`: the wall mode at any size
        self._binder_text: str | None = None
        self._binder_title: str | None = None
        self._tab_step = 0  # `v`: how many weekdays after today's tab the binder pane shows
        self._procedure_shown: str | None = None  # the teacher absence whose procedure was put in front
        self.trial_goals: dict[str, str] = {}  # student → the trials goal their sheet's +/− log (▶)
        self.ioa_timers: dict[tuple[str, str, str], datetime] = {}  # (adult, student, goal) → an IOA timer's start
        self._flags: DecisionFlags | None = None  # Data due's "consider a change" marks (made on mount)

    @property
    def board(self) -> Host:
        return host(self)

    # -- layout ------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        # the layout for the terminal's size, chosen before the first styling pass: choosing it on
        # the first Resize restyled the whole screen a second time (~25 ms of every start)
        self.fit(self.app.size.width, self.app.size.height)
        yield StatusBar(id="status")
        yield AlarmBar(id="alarms")
        yield UrgentBanner(id="urgent")
        with Horizontal(id="board"):
            with Vertical(id="col-now"):  # what needs action, first
                yield WallPane(id="wall")  # the wall mode's (else hidden): in place of the two below
                yield OutPane(id="out")
                yield UncoveredPane(id="uncovered")
                yield AheadPane(id="ahead")
                yield TimersPane(id="timers")
                with VerticalScroll(id="tasks-scroll", classes="-frame"):
                    yield TasksPane(id="tasks")
            with VerticalScroll(id="col-adults"):
                yield AdultsPane(id="adults")
            with Vertical(id="col-day"):
                with VerticalScroll(id="students-scroll"):
                    yield StudentsPane(id="students")
                with VerticalScroll(id="due-scroll", classes="-frame"):
                    yield DataDuePane(id="due")
                with VerticalScroll(id="binder"):
                    yield Static("", id="binder-md")  # a BinderPage: see binder_view.py
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        self.query_one("#col-adults").border_title = "Adults"
        self.board.board_ready()
        # the student screen's year of quick-logging data, read on a thread once the board is up
        self.set_timer(1.0, lambda: history_for(self.board.room.root).refresh())
        # Data due's decision marks are folded from it once read (and from the snapshot at each draw)
        self._flags = DecisionFlags(self.board.room.root)
        self._flags.history.listeners.append(self._history_read)

    def on_unmount(self) -> None:
        if self._flags is not None and self._history_read in self._flags.history.listeners:
            self._flags.history.listeners.remove(self._history_read)

    def _history_read(self) -> None:
        """On the history's thread: fold the decision marks with it."""
        if self._flags is not None:
            self._flags.update(self.board.snapshot, self._marks_folded)

    def _marks_folded(self) -> None:
        """On the marks' thread: the Data due pane shows them."""
        try:
            self.app.call_from_thread(self._draw_marks)
        except RuntimeError:  # the app is closing
            pass

    def _draw_marks(self) -> None:
        state = self.board.state
        if self._flags is None or state is None or not self.is_mounted:
            return
        due = self.query_one(DataDuePane)
        due.marks = self._flags.marks
        due.show(state)

    def on_resize(self, event: events.Resize) -> None:
        self.fit(event.size.width, event.size.height)
        if self.has_class("-wall"):  # the wall's large rows are chosen for the room the column has
            self.call_after_refresh(self._draw_wall)

    def _draw_wall(self) -> None:
        if self.board.state is not None and self.is_mounted:
            self.query_one(WallPane).show(self.board.state, self.board.me_id)

    def fit(self, width: int, height: int) -> None:
        """Choose the layout for the screen's size (changing a class restyles the screen: only on
        a real change)."""
        wall = self.wall or (width >= WALL[0] and height >= WALL[1])
        for name, on in (("-narrow", width < NARROW and not wall), ("-wide", width >= WIDE),
                         ("-tall", (height >= TALL and width >= NARROW) or wall), ("-wall", wall)):
            if self.has_class(name) != on:
                self.set_class(on, name)

    # -- drawing -----------------------------------------------------------------------------
    def draw(self, state: BoardState) -> None:
        self.query_one(DataDuePane).me = self.board.me_id
        if self._flags is not None:  # the students whose entries changed are folded again, on a thread
            self._flags.update(self.board.snapshot, self._marks_folded)
        for pane in (AdultsPane, OutPane, UncoveredPane, TimersPane, StudentsPane, TasksPane, DataDuePane):
            self.query_one(pane).show(state)
        if self.has_class("-wall"):  # hidden otherwise: not drawn (an update lays the screen out)
            self.query_one(WallPane).show(state, self.board.me_id)
        self.query_one(AlarmBar).show(state)
        ahead = self.query_one(AheadPane)
        ahead.display = bool(state.ahead)  # only when there is something ahead: room for the rest
        if state.ahead:
            ahead.show(state)
        self.draw_status()
        self._draw_binder(state)
        self._procedure_in_front(state)

    def _procedure_in_front(self, state: BoardState) -> None:
        """The teacher is out: where the board has no binder pane (narrow), the procedure page is put
        in front once per absence (the binder pane shows it on wider boards)."""
        away = state.teacher_out
        key = f"{away.staff}:{away.page}:{away.section}" if away is not None else None
        if key is None or key == self._procedure_shown:
            self._procedure_shown = key
            return
        self._procedure_shown = key
        snapshot = self.board.snapshot
        if self.has_class("-narrow") and away is not None and away.page and snapshot and away.page in snapshot.binder:
            from paratui.app.page import PageScreen

            self.app.push_screen(PageScreen(procedure_text(snapshot.binder[away.page], away.section),
                                            page_id="teacher-out"))

    def draw_status(self) -> None:
        app = self.board
        status = app.status()
        if status is None:
            return
        self.query_one(UrgentBanner).show(status.state, app.me_id)  # "k acknowledges" is for whoever acts
        if self.has_class("-wall"):
            self.query_one(WallPane).show(status.state, app.me_id)  # and the wall's "for you" count
        due = self.query_one(DataDuePane)
        if due.me != app.me_id:  # the acting adult's data due comes first
            due.me = app.me_id
            due.show(status.state)
        self.query_one(StatusBar).show(status)

    def _draw_binder(self, state: BoardState) -> None:
        tab = self._shown_tab(state)
        snapshot = self.board.snapshot
        text = snapshot.binder.get(tab, "") if (tab and snapshot) else ""
        if not tab:
            text = "*No binder tab today: it's the weekend.*"
        elif not text:
            text = f"*No `binder/{tab}.md` yet.*"
        title = f"Binder: {tab.capitalize()}" if tab else "Binder"
        away = state.teacher_out  # the teacher is out: their procedure goes in front of everyone
        if away is not None and away.page and snapshot and away.page in snapshot.binder:
            text = procedure_text(snapshot.binder[away.page], away.section)
            title = "Teacher out: procedure"
        if text != self._binder_text:
            self._binder_text = text
            self.query_one("#binder-md", Static).update(BinderPage(text))
        if title != self._binder_title:  # setting a title repaints the whole pane
            self._binder_title = title
            self.query_one("#binder").border_title = title

    # -- the write flows ---------------------------------------------------------------------
    async def _pick(self, title: str, choices: list[Choice]) -> str | None:
        return await self.app.push_screen_wait(PickerScreen(title, choices))

    async def _pick_or_only(self, title: str, choices: list[Choice]) -> str | None:
        """A picker, unless there is only one choice: then that one, at once (the toast of what it
        records says `u` undoes it), and the key typed for it goes nowhere (paratui.app.typeahead)."""
        if len(choices) == 1:
            self.board.typeahead.absorb(with_keys(choices)[0].key)
            return choices[0].value
        return await self._pick(title, choices)

    async def _do(self, make: Callable[[Context], Change | None]) -> None:
        """For one-key flows (pickers): a refusal becomes an error toast."""
        refusal = await self.board.submit(make)
        if refusal is not None:
            self.board.toast(refusal[1], title="Not recorded", severity="error")

    async def _form(self, title: str, fields: list[Field],
                    make: Callable[[Context, dict[str, str]], Change | None]) -> None:
        async def submit(values: dict[str, str]) -> tuple[str | None, str] | None:
            return await self.board.submit(lambda ctx: make(ctx, values))

        await self.app.push_screen_wait(FormScreen(title, fields, submit))

    async def ready(self) -> BoardState | None:
        """The board's state once someone is acting (asks who, one key, before the first write)."""
        app = self.board
        if app.state is None or app.snapshot is None:
            return None
        if app.acting is not None and app.acting.read_only:
            app.toast(app.acting.refusal or "this board is read-only", title="Read-only", severity="warning")
            return None
        if app.me is None:
            await self._ask_who()
        return app.state if app.me is not None else None

    async def _ask_who(self) -> None:
        app = self.board
        if app.snapshot is None:
            return
        choices = [Choice(f"{s.short} — {s.role}", s.id) for s in app.snapshot.classroom.staff]
        picked = await self._pick("Who are you?", choices)
        if picked:
            if app.needs_pin(picked) and not await self._type_pin(picked):
                return  # Esc: who is acting stays as it was
            if not app.needs_pin(picked):
                app.room.capped.discard(picked)
            app.me_id = picked
            self.draw_status()

    async def _type_pin(self, staff_id: str) -> bool:
        """The PIN of a person whose role may do more than a para's, picked at the shared login: right,
        their role; wrong, no PIN set or locked, a para's rights (said in a toast). False: Esc."""
        app = self.board
        snapshot = app.snapshot
        if snapshot is None:
            return False
        classroom = snapshot.classroom
        gate = app.pin_gate
        first = gate.check(classroom, staff_id, None)
        if first.kind == "none":  # no PIN set (or its file ignored): nothing to type
            app.room.pin_typed(staff_id, first)
            app.toast(first.message, title="Who is acting", severity="warning", timeout=15)
            return True
        typed: list[str] = []

        async def take(values: dict[str, str]) -> tuple[str | None, str] | None:
            typed.append(values["pin"])
            return None

        who = classroom.staff_by_id()[staff_id]
        done = await self.app.push_screen_wait(FormScreen(f"{who.short}'s PIN", [
            Field("pin", f"PIN ({pins.PIN_RULE}; Esc: cancel)", "", password=True)], take))
        if not done or not typed:
            return False
        verdict = await asyncio.to_thread(gate.check, classroom, staff_id, typed.pop())  # scrypt: off the loop
        app.room.pin_typed(staff_id, verdict)
        if verdict.ok:
            app.toast(verdict.message, title="Who is acting")
        else:
            app.toast(verdict.message, title="Who is acting", severity="warning", timeout=15)
        return True

    def _student_choices(self, state: BoardState,
                         only: Callable[[StudentRow], bool] | None = None) -> list[Choice]:
        # each student's own board key (1…9, 0, then letters): the same in every picker
        index = {s.id: i for i, s in enumerate(state.students, 1)}
        return [Choice(f"{s.initials}  ({location_label(state, s.location)})", s.id,
                       registry.student_key(index[s.id]))
                for s in state.students if only is None or only(s)]

    # -- the keys (one method per entry of paratui.app.actions.ACTIONS) -------------------
    @flow
    async def action_move(self) -> None:
        state = await self.ready()
        snapshot = self.board.snapshot
        if state is None or snapshot is None:
            return
        student = await self._pick("Who is leaving?", self._student_choices(state))
        if not student:
            return
        classroom = snapshot.classroom
        initials = classroom.student_by_id()[student].initials
        places = [Choice(loc.label + (f"  ({loc.expected_minutes} min)" if loc.expected_minutes else ""),
                         loc.id, loc.key)
                  for loc in classroom.locations if loc.id != classroom.home.id]
        to = await self._pick(f"{initials} goes to…", places)
        if to:
            await self._do(lambda ctx: commands.move(ctx, student, to))

    @flow
    async def action_back_in(self) -> None:
        state = await self.ready()
        snapshot = self.board.snapshot
        if state is None or snapshot is None:
            return
        # the students a move took somewhere (not those the schedule or an assign places elsewhere)
        away = self._student_choices(state, lambda s: s.moved)
        if not away:
            self.board.toast("Nobody is out of the room.")
            return
        student = await self._pick_or_only("Who is back?", away)
        if student:
            await self._do(lambda ctx: commands.back(ctx, student))

    @flow
    async def action_assign(self) -> None:
        if (state := await self.ready()) is None:
            return
        await self._form("Today's change: who is with whom", [
            Field("staff", "Adult", "e.g. JT or Mr. T", self.board.me_id or ""),
            Field("students", "With students (initials, codes, a group or all; empty: none)", "e.g. EM TS"),
            Field("at", "Where (empty: where the block is)", "e.g. library"),
            Field("activity", "Doing what", "e.g. Library visit"),
            Field("until", "Until (HH:MM; empty: end of this block)", "e.g. 10:30",
                  check=time_or_empty(state.now, "until")),
        ], lambda ctx, v: commands.assign(ctx, v["staff"], v["students"], v["at"], v["activity"], v["until"]))

    @flow
    async def action_absent(self) -> None:
        state = await self.ready()
        snapshot = self.board.snapshot
        if state is None or snapshot is None:
            return
        staff = snapshot.classroom.staff
        # each adult's key is the same in both pickers (their place in classroom.toml; 0: nobody)
        keys = {s.id: KEYS[i] if i < len(KEYS) else None for i, s in enumerate(staff)}
        away = {c.id for c in state.staff if c.source == "absent"}
        out = await self._pick("Who is out today? (or back early)", [
            Choice(f"{s.short} — {s.role}" + ("  (out now)" if s.id in away else ""), s.id, keys[s.id])
            for s in staff])
        if not out:
            return
        short = snapshot.classroom.staff_by_id()[out].short
        if out in away:
            what = await self._pick(f"{short} is out now", [
                Choice(f"{short} is back: end the absence now", "end", "1"),
                Choice("Change the sub or the time", "change", "2")])
            if what == "end":
                # the newest absence wins: one that ends a minute from now ends it early; the sub
                # stays on until then, so nobody shows as uncovered in between
                soon = (state.now.replace(second=0, microsecond=0) + timedelta(minutes=1)).isoformat(
                    timespec="minutes")
                sub = _current_sub(snapshot.screened().events, out)
                await self._do(lambda ctx: commands.absent(ctx, out, sub, soon))
            if what != "change":
                return
        subs = [Choice("Nobody (no sub)", "-", "0")] + [
            Choice(f"{s.short} — {s.role}", s.id, keys[s.id]) for s in staff if s.id != out]
        sub = await self._pick(f"Who subs for {short}?", subs)
        if not sub:
            return
        chosen = None if sub == "-" else sub
        await self._form(f"{short} is out", [
            Field("until", "Until (HH:MM; empty: the rest of the day)", "e.g. 11:30",
                  check=time_or_empty(state.now, "until")),
        ], lambda ctx, v: commands.absent(ctx, out, chosen, v["until"] or None))

    @flow
    async def action_new_task(self) -> None:
        if (state := await self.ready()) is None:
            return
        await self._form("New task", [
            Field("text", "Task", "e.g. 20 copies of the math page", check=required("task")),
            Field("for", "For (empty: anyone)", "e.g. AL"),
            Field("due", "Due (HH:MM today, or YYYY-MM-DD; empty: no time)", "e.g. 13:00",
                  check=time_or_empty(state.now, "due")),
        ], lambda ctx, v: commands.task_add(ctx, v["text"], v["for"], v["due"]))

    @flow
    async def action_done_task(self) -> None:
        state = await self.ready()
        if state is None:
            return
        open_tasks = [Choice(f"{t.id[:6]}  {t.text}" + (" (OVERDUE)" if t.overdue else ""), t.id)
                      for t in state.pending_tasks]
        if not open_tasks:
            self.board.toast("No open tasks.")
            return
        task = await self._pick("Which task is done?", open_tasks)
        if task:
            await self._do(lambda ctx: commands.task_done(ctx, task))

    @flow
    async def action_undo(self) -> None:
        if self.board.me is None:
            self.board.toast("Nothing to undo: choose who you are first (i).")
            return
        await self._do(commands.undo)

    @flow
    async def action_whoami(self) -> None:
        why = self.board.may_choose_me()
        if why:  # a personal login is its person; an unknown login reads only
            self.board.toast(why, title="Who am I", severity="warning")
            return
        await self._ask_who()

    # -- team routines: claims, notes, today's changes ---------------------------------------------
    @flow
    async def action_claim(self) -> None:
        state = await self.ready()
        if state is None:
            return
        shorts = {c.id: c.short for c in state.staff}
        open_tasks = [Choice(f"{short_id(t.id)}  {t.text}" + (f"  ({shorts.get(t.claimed_by, t.claimed_by)} has it)"
                                                            if t.claimed_by else ""), t.id)
                      for t in state.tasks if not t.done]
        if not open_tasks:
            self.board.toast("No open tasks.")
            return
        task = await self._pick("I've got it: which task?", open_tasks)
        if task:
            await self._do(lambda ctx: commands.task_claim(ctx, task))

    @flow
    async def action_reopen(self) -> None:
        state = await self.ready()
        if state is None:
            return
        done = [Choice(f"{short_id(t.id)}  {t.text}", t.id) for t in state.tasks if t.done]
        if not done:
            self.board.toast("No task was marked done today.")
            return
        task = await self._pick("Which task is not done after all?", done)
        if task:
            await self._do(lambda ctx: commands.task_reopen(ctx, task))

    def action_mine(self) -> None:
        pane = self.query_one(TasksPane)
        pane.mine = None if pane.mine else self.board.me_id
        if self.board.state is not None:
            pane.show(self.board.state)

    @flow
    async def action_note(self) -> None:
        if await self.ready() is None:
            return
        await self._form("A note", [
            Field("text", "Note", "e.g. E.M. had a hard morning: skip the reading probe", check=required("note")),
            Field("to", "To (empty: everyone; e.g. JT AL)", "e.g. JT"),
            Field("about", "About a student (empty: none)", "e.g. EM"),
            Field("kind", "Kind: handoff, check-in, feedback or kudos (empty: handoff)", "e.g. kudos"),
            Field("urgent", "Urgent? y = on every board until each one acknowledges (k)", "y or empty"),
        ], lambda ctx, v: commands.note(ctx, v["text"], v["to"].split() or None, v["about"] or None,
                                        v["kind"] or None, v["urgent"].strip().lower() in ("y", "yes")))

    @flow
    async def action_change(self) -> None:
        state = await self.ready()
        if state is None:
            return
        kind = await self._pick("Today's change", [
            Choice("Fire drill (a time replaced for everyone)", "drill", "1"),
            Choice("Assembly", "assembly", "2"),
            Choice("A block at another time, place or activity", "block", "3"),
            Choice("A student out for services (speech, OT…)", "student-out", "4"),
            Choice("A student absent today", "student-absent", "5"),
            Choice("An adult lent to another room", "lend", "6")])
        now = state.now
        span = [Field("start", "From (HH:MM)", "e.g. 13:30", check=time_or_empty(now, "from")),
                Field("end", "To (HH:MM)", "e.g. 13:50", check=time_or_empty(now, "to"))]
        if kind in ("drill", "assembly"):
            await self._form(kind.capitalize(), [*span, Field("note", "Note (optional)", "")],
                             lambda ctx, v: change_commands.drill(ctx, v["start"], v["end"], v["note"] or None,
                                                                  kind=kind))
        elif kind == "block":
            await self._form("A changed block", [
                Field("block", "Which block (its start, HH:MM)", "e.g. 13:15", check=required("block")),
                Field("start", "New start (empty: same)", ""), Field("end", "New end (empty: same)", ""),
                Field("at", "New place (empty: same)", ""), Field("activity", "New activity (empty: same)", "")],
                lambda ctx, v: change_commands.block(ctx, v["block"], v["start"] or None, v["end"] or None,
                                                     v["at"] or None, v["activity"] or None))
        elif kind == "student-out":
            await self._form("A student out for services", [
                Field("student", "Student", "e.g. KB", check=required("student")),
                Field("service", "For (speech, OT…)", "e.g. speech", check=required("for")),
                Field("start", "From (HH:MM; empty: now)", "", check=time_or_empty(now, "from")),
                Field("end", "Until (HH:MM)", "e.g. 11:00", check=time_or_empty(now, "to"))],
                lambda ctx, v: change_commands.student_out(ctx, v["student"], v["service"], v["start"] or None,
                                                           v["end"] or None))
        elif kind == "student-absent":
            await self._form("A student absent today", [
                Field("student", "Student", "e.g. OW", check=required("student"))],
                lambda ctx, v: change_commands.student_absent(ctx, v["student"]))
        elif kind == "lend":
            await self._form("An adult lent to another room", [
                Field("staff", "Adult", "e.g. JT", check=required("adult")),
                Field("room", "To which room", "e.g. Room 8", check=required("room")),
                Field("until", "Until (HH:MM)", "e.g. 11:30", check=time_or_empty(now, "until"))],
                lambda ctx, v: change_commands.lend(ctx, v["staff"], v["room"], v["until"] or None))

    # -- issue 11: privacy and the audit trail; issue 10: notes, the binder ----------------------
    def action_privacy(self) -> None:
        self.board.set_private(True)

    def action_history(self) -> None:
        from paratui.app.history_screen import HistoryScreen

        state = self.board.state
        if state is not None:
            self.app.push_screen(HistoryScreen(self.board.room.root, state.now.date()))

    def action_meeting(self) -> None:
        from paratui.app.meeting_screen import MeetingScreen

        state = self.board.state
        if state is not None:
            self.app.push_screen(MeetingScreen(self.board.room.root, state.now.date()))

    @flow
    async def action_ack(self) -> None:
        state = await self.ready()
        me = self.board.me_id
        if state is None or me is None:
            return
        mine = [n for n in state.notes if n.urgent and me in n.pending]
        if not mine:
            self.board.toast("No urgent note is waiting for you.")
            return
        picked = mine[0].id if len(mine) == 1 else await self._pick(
            "Which note have you read?",
            [Choice(f"{n.at.strftime('%H:%M' if n.at.date() == state.now.date() else '%a %H:%M')} {n.text}", n.id)
             for n in mine])  # an earlier day's note says its day
        if picked:
            await self._do(lambda ctx: commands.ack(ctx, picked))

    def _shown_tab(self, state: BoardState) -> str | None:
        today = state.binder.tab
        if not today or not self._tab_step:
            return today
        return WEEKDAY_TABS[(WEEKDAY_TABS.index(today) + self._tab_step) % len(WEEKDAY_TABS)]

    def action_next_tab(self) -> None:
        state = self.board.state
        if state is None or not state.binder.tab:
            return
        self._tab_step = (self._tab_step + 1) % len(WEEKDAY_TABS)
        tab = self._shown_tab(state)
        self._draw_binder(state)
        if self.has_class("-narrow") and tab:  # no binder pane at this size: the tab as a page
            from paratui.app.page import PageScreen

            snapshot = self.board.snapshot
            self.app.push_screen(PageScreen(snapshot.binder.get(tab, "") if snapshot else "",
                                            page_id=f"page-{tab}"))

    @flow
    async def action_edit_page(self) -> None:
        from paratui.app.editor import edit

        snapshot = self.board.snapshot
        if snapshot is None:
            return
        titles = snapshot.binder_titles
        order = [n for n in sorted(titles) if n not in WEEKDAY_TABS] + [n for n in WEEKDAY_TABS if n in titles]
        page = await self._pick("Edit which page?", [Choice(titles[n], n) for n in order])
        if page:
            problem = edit(self.app, self.board.room.root, page)
            if problem:
                self.board.toast(problem, title="Not opened", severity="error")
            self.board.reload()

    def action_setup(self) -> None:
        """The setup screens (paratui/app/setup_key.py): the teacher only; anyone else is told why."""
        from paratui.app import setup_key

        acting = self.board.acting
        why = setup_key.refusal(self.board.me, acting.mode if acting else None)
        if why is None and self.board.me_id is not None:
            why = setup_key.open_setup(self.app, self.board.room.root, self.board.me_id, self.app.theme)
            self.board.reload()
        if why:
            self.board.toast(why, title="Setup", severity="warning")

    @flow
    async def action_student(self) -> None:
        """The student screen (paratui/app/student_screen.py): `s`, then the student's key."""
        state = self.board.state
        student = await self._pick("Which student?", self._student_choices(state)) if state else None
        if student:
            from paratui.app.student_screen import StudentScreen

            self.app.push_screen(StudentScreen(student))

    @flow
    async def action_pages(self) -> None:
        snapshot = self.board.snapshot
        if snapshot is None:
            return
        titles = snapshot.binder_titles
        standing = [n for n in sorted(titles) if n not in WEEKDAY_TABS]
        days = [n for n in WEEKDAY_TABS if n in titles]
        page = await self._pick("Binder", [Choice(titles[n], n) for n in standing + days])
        if page:
            from paratui.app.page import PageScreen

            self.app.push_screen(PageScreen(snapshot.binder.get(page, ""), page_id=f"page-{page}"))

    # -- quick logging (logging_sheet.py, logging_session.py) ----------------------------------
    @flow
    async def action_log(self, key: str | None = None) -> None:
        """`l` then the student, or the student's own key: their logging sheet."""
        keys = registry.student_keys()
        if key is not None and self.board.state is not None and keys.index(key) >= len(self.board.state.students):
            return  # no student has this key in this room
        state = await self.ready()
        if state is None:
            return
        if key is None:
            student = await self._pick("Log for…", self._student_choices(state))
        else:
            position = keys.index(key)
            student = state.students[position].id if position < len(state.students) else None
        if not student:
            return
        row = next(s for s in state.students if s.id == student)
        position = [s.id for s in state.students].index(student) + 1
        label = f"{row.initials} ({registry.student_key(position) or position})"
        result = await self.app.push_screen_wait(LogSheet(student, label, self.trial_goals, self.ioa_timers))
        if isinstance(result, StartSession):
            await self.start_session(result.student, result.goal)

    @property
    def session(self) -> IntervalSession | None:
        found = self.query(IntervalSession)
        return next((s for s in found if not s.ended), None)

    async def start_session(self, student: str, goal_id: str) -> IntervalSession | None:
        snapshot = self.board.snapshot
        plan = snapshot.classroom.plans.get(student) if snapshot else None
        goal = plan.goal(goal_id) if plan else None
        if snapshot is None or goal is None:
            return None
        if self.session is not None:
            self.board.toast("A session is already running: x ends it.", severity="warning")
            return None
        initials = snapshot.classroom.student_by_id()[student].initials
        session = IntervalSession(student, initials, goal)
        await self.mount(session, before=self.query_one(KeyBar))
        return session

    async def on_key(self, event: events.Key) -> None:
        # (keys of a flow never come here: the app queues them for its pickers, paratui.app.typeahead)
        session = self.session
        if session is not None and event.character and await session.key(event.character):
            event.stop()

    @flow
    async def action_timers(self) -> None:
        state = await self.ready()
        if state is None:
            return
        if not state.timers:
            self.board.toast("No timer is running. Start one from the student's goals (their key).")
            return
        initials = {s.id: s.initials for s in state.students}
        picked = await self._pick_or_only("Stop which timer?", [
            Choice(f"{initials.get(t.student, t.student)} · {t.goal} (since {t.started:%H:%M})", t.start)
            for t in state.timers])
        timer = next((t for t in state.timers if t.start == picked), None)
        if timer is not None:
            await self._do(lambda ctx: data_commands.timer_stop(ctx, timer.student, timer.goal))

    def action_warnings(self) -> None:
        from paratui.app.page import PageScreen, warnings_markdown

        state = self.board.state
        sync = self.board.sync_lines(state.now) if state else []
        self.app.push_screen(PageScreen(warnings_markdown([*(state.warnings if state else ()), *sync]),
                                        page_id="warnings"))

    def action_help(self) -> None:
        from paratui.app.page import PageScreen

        self.app.push_screen(PageScreen(help_markdown(), page_id="help"))


def _current_sub(events: Iterable[Event], staff_id: str) -> str | None:
    """The sub of an adult's newest absence, to keep them on while it ends."""
    latest = None
    for e in live_events(events):
        if e.type == "absent" and e.payload.get("staff") == staff_id:
            latest = e
    sub = latest.payload.get("sub") if latest is not None else None
    return str(sub) if sub else None
