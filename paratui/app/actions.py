"""What each key on the board does: the write flows (pickers, forms) and the pages.

Mixed into BoardApp, which supplies `room`, `snapshot`, `state`, `me_id`, `reload` and `_draw_status`.
Every change is built by paratui.model.commands (the same functions the CLI calls) and written by
`Room.apply` on a worker thread, so a slow disk or a held lock never freezes the board.
"""

from __future__ import annotations

import asyncio
from typing import Callable

from rich.text import Text
from textual import work
from textual.app import SystemCommand
from textual.screen import Screen

from paratui.app.help import help_markdown
from paratui.app.picker import Choice, PickerScreen
from paratui.model import commands
from paratui.model.board import WEEKDAY_TABS
from paratui.model.classroom import Staff
from paratui.model.commands import Change, Context, Refused
from paratui.model.export import location_label
from paratui.model.text import clean
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

Make = Callable[[Context], "Change | None"]


class BoardActions:
    @property
    def me(self) -> Staff | None:
        """Who is acting, looked up afresh (classroom.toml may have changed their short name)."""
        if self.me_id is None or self.snapshot is None:
            return None
        return self.snapshot.classroom.staff_by_id().get(self.me_id)

    def toast(self, message: str, *, title: str = "", severity: str = "information",
              timeout: float | None = None) -> None:
        """A notification whose text is data: never parsed as markup, never terminal control."""
        self.notify(clean(message, one_line=False), title=clean(title), severity=severity,
                    timeout=timeout, markup=False)

    async def _submit(self, make: Make) -> tuple[str | None, str] | None:
        """Build a change against the board as it is now, write it off the event loop, and say so.
        Returns None when done (or nothing to do), or (field, message) when refused."""
        if self.me_id is None or self.snapshot is None:
            return None, "choose who you are first (i)"
        try:
            change = make(self.room.context(self.me_id, self.snapshot))
        except Refused as e:
            return e.field, e.message
        if change is None:
            self.toast("Nothing of yours to undo.")
            return None
        try:
            await asyncio.to_thread(self.room.apply, change, self.me_id)
        except JournalWriteError as e:
            self.toast(str(e), title="NOT recorded", severity="error", timeout=30)
            return None, f"NOT recorded: {e}"
        me = self.me
        title = "Undone" if change.type == "retract" else f"Recorded ({me.short if me else self.me_id})"
        self.toast(change.text + ("" if change.type == "retract" else " · u undoes"), title=title)
        self.reload()
        return None

    async def _do(self, make: Make) -> None:
        """For one-key flows (pickers): a refusal becomes an error toast."""
        refusal = await self._submit(make)
        if refusal is not None:
            self.toast(refusal[1], title="Not recorded", severity="error")

    async def _form(self, title: str, fields, make: Callable[[Context, dict[str, str]], Change]) -> None:
        from paratui.app.form import FormScreen

        async def submit(values: dict[str, str]):
            return await self._submit(lambda ctx: make(ctx, values))

        await self.push_screen_wait(FormScreen(title, fields, submit))

    async def _ensure_me(self) -> str | None:
        """Who is acting; ask once (one key) before the first write if nobody is known."""
        if self.me is None:
            await self._ask_who()
        return self.me_id if self.me is not None else None

    async def _ask_who(self) -> None:
        if self.snapshot is None:
            return
        choices = [Choice(f"{s.short} — {s.role}", s.id) for s in self.snapshot.classroom.staff]
        picked = await self.push_screen_wait(PickerScreen("Who are you?", choices))
        if picked:
            self.me_id = picked
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
        classroom = self.snapshot.classroom
        initials = classroom.student_by_id()[student].initials
        places = [Choice(f"{loc.label}" + (f"  ({loc.expected_minutes} min)" if loc.expected_minutes else ""),
                         loc.id, loc.key)
                  for loc in classroom.locations if loc.id != classroom.home.id]
        to = await self.push_screen_wait(PickerScreen(f"{initials} goes to…", places))
        if to:
            await self._do(lambda ctx: commands.move(ctx, student, to))

    @work(exclusive=True, group="action")
    async def action_back(self) -> None:
        if self.state is None or await self._ensure_me() is None:
            return
        away = self._student_choices(lambda s: s.out or s.location != self.snapshot.classroom.home.id)
        if not away:
            self.toast("Everyone is in the room.")
            return
        student = await self.push_screen_wait(PickerScreen("Who is back?", away))
        if student:
            await self._do(lambda ctx: commands.back(ctx, student))

    @work(exclusive=True, group="action")
    async def action_assign(self) -> None:
        if self.state is None or await self._ensure_me() is None:
            return
        from paratui.app.form import Field

        await self._form("Today's change: who is with whom", [
            Field("staff", "Adult", "e.g. JT or Mr. T", self.me_id or ""),
            Field("students", "With students (initials, codes, a group or all; empty: none)", "e.g. EM TS"),
            Field("at", "Where (empty: where the block is)", "e.g. library"),
            Field("activity", "Doing what", "e.g. Library visit"),
            Field("until", "Until (HH:MM; empty: end of this block)", "e.g. 10:30"),
        ], lambda ctx, v: commands.assign(ctx, v["staff"], v["students"], v["at"], v["activity"], v["until"]))

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
            await self._do(lambda ctx: commands.absent(ctx, out, None if sub == "-" else sub))

    @work(exclusive=True, group="action")
    async def action_new_task(self) -> None:
        if self.state is None or await self._ensure_me() is None:
            return
        from paratui.app.form import Field

        await self._form("New task", [
            Field("text", "Task", "e.g. 20 copies of the math page"),
            Field("for", "For (empty: anyone)", "e.g. AL"),
            Field("due", "Due (HH:MM today, or YYYY-MM-DD; empty: no time)", "e.g. 13:00"),
        ], lambda ctx, v: commands.task_add(ctx, v["text"], v["for"], v["due"]))

    @work(exclusive=True, group="action")
    async def action_done_task(self) -> None:
        if self.state is None or await self._ensure_me() is None:
            return
        open_tasks = [Choice(f"{t.id[:6]}  {t.text}" + (" (OVERDUE)" if t.overdue else ""), t.id)
                      for t in self.state.pending_tasks]
        if not open_tasks:
            self.toast("No open tasks.")
            return
        task = await self.push_screen_wait(PickerScreen("Which task is done?", open_tasks))
        if task:
            await self._do(lambda ctx: commands.task_done(ctx, task))

    @work(exclusive=True, group="action")
    async def action_undo(self) -> None:
        if self.me is None:
            self.toast("Nothing to undo: choose who you are first (i).")
            return
        await self._do(commands.undo)

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
        from paratui.app.page import PageScreen, warnings_markdown

        warnings = self.state.warnings if self.state else ()
        self.push_screen(PageScreen(warnings_markdown(warnings), page_id="warnings"))

    def action_help(self) -> None:
        from paratui.app.page import PageScreen

        self.push_screen(PageScreen(help_markdown(ACTIONS), page_id="help"))

    def get_system_commands(self, screen: Screen):
        yield from super().get_system_commands(screen)
        for action, key, title, text in ACTIONS:
            if action != "quit":
                yield SystemCommand(title, f"{text} (key: {'?' if key == 'question_mark' else key})",
                                    lambda a=action: self.run_action(a))
