"""What each key on the board does: the write flows (pickers, forms) and the pages.

Mixed into BoardApp, which supplies `room`, `snapshot`, `state`, `me`, `reload` and `_draw_status`.
Every write goes through `_record` → `Room.record`: one event, durable before the board says so.
"""

from __future__ import annotations

from textual import work
from textual.app import SystemCommand
from textual.screen import Screen

from paratui.app.help import help_markdown
from paratui.app.picker import Choice, PickerScreen
from paratui.model.board import WEEKDAY_TABS
from paratui.model.classroom import Staff
from paratui.model.describe import describe
from paratui.model.export import location_label
from paratui.model.resolve import NotFound, find_location, find_staff, find_student, parse_clock
from paratui.store.journal import JournalWriteError

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


class BoardActions:
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
            until = parse_clock(form["until"], self.room.clock()).isoformat(timespec="minutes") if form["until"] else None
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
            due = parse_clock(form["due"], self.room.clock()).isoformat(timespec="minutes") if form["due"] else None
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
