"""The Friday meeting screen (F on the board): the week's agenda, prefilled and read-only, above the
notes, typed in place and saved as binder/meetings/YYYY-MM-DD.md (ctrl+s). Action items in the notes
(`- [ ] what @STAFF due`) become tasks on save; each gets its task id written after it (see
paratui.model.action_items and paratui.store.meetings).

The agenda and the notes are read on a worker thread with a Room of its own (a week of the journal;
the board keeps running and its live state is untouched). The agenda is drawn by Rich's Markdown
with hyperlinks off (paratui.app.binder_view.BinderPage); every value in it is already escaped.

Escape with unsaved notes: the first press says so, the second closes and keeps the draft on this
board (F brings it back, with the same check that nobody else saved meanwhile) until it is saved or
the board quits.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static, TextArea

from paratui.app.binder_view import BinderPage
from paratui.app.host import Host, host
from paratui.model import action_items
from paratui.model.commands import NotAllowed, Refused
from paratui.model.text import clean_block
from paratui.store import meetings
from paratui.store.journal import JournalWriteError
from paratui.store.room import Room

MERGE_HEADING = "## Not saved: your notes from before"


def merge_text(theirs: str, mine: str) -> str:
    """The notes as saved by someone else, then the unsaved ones quoted (`> `): a quoted line is no
    action item, so nothing in it becomes a task until it is moved up."""
    quoted = "\n".join(f"> {line}" if line else ">" for line in mine.splitlines())
    return (f"{theirs.rstrip()}\n\n{MERGE_HEADING}\n\n> Someone else saved this meeting first. Move what "
            f"you need above (without the `> `), then delete this part.\n>\n{quoted}\n")


class MeetingScreen(ModalScreen[None]):
    CSS_PATH = "meeting_screen.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "close", "Close", priority=True),
        Binding("f2", "agenda", "Agenda ↕"),
        Binding("f3", "week_plan", "Next week's plan"),
    ]
    # unsaved notes left with Esc, per data folder and meeting: (text, the file's stamp when opened)
    drafts: ClassVar[dict[tuple[str, date], tuple[str, str | None]]] = {}

    def __init__(self, root: Path, today: date):
        super().__init__(id="meeting")
        self.root = Path(root)
        self.today = today
        self.day = meetings.meeting_day(today)
        self.rel = meetings.meeting_rel(self.day)
        self.stamp: str | None = None  # the file as read (None: no file yet)
        self.saved_text: str | None = None  # what the file holds, as far as this screen knows
        self.loaded = False
        self.saving = False
        self.warned = False  # Esc once with unsaved notes

    @property
    def board(self) -> Host:
        return host(self)

    def compose(self) -> ComposeResult:
        yield Static(Text(f"Friday meeting — {self.day:%a %d %b %Y} · loading…"), id="meeting-title")
        with VerticalScroll(id="meeting-agenda"):
            yield Static(Text("Prefilling the agenda from the week…"), id="meeting-agenda-text")
        yield Static(Text(f"Notes → {self.rel} · action items: - [ ] what @STAFF due"), id="meeting-help")
        yield TextArea("", id="meeting-notes", show_line_numbers=True, soft_wrap=True, read_only=True)
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        from paratui.model.meeting import agenda, week_of

        room = Room(self.root, clock=self.board.room.clock)  # a reader of its own
        now = room.clock()
        monday, friday = week_of(self.day)
        snap = room.folder.load(now.date(), day_range=(monday - timedelta(days=21), friday + timedelta(days=7)))
        text = agenda(snap.classroom, snap.screened().events, self.day, now)
        try:
            notes: meetings.Notes | str = meetings.read_notes(self.root, self.day)
        except meetings.MeetingError as e:
            notes = e.message
        self.app.call_from_thread(self._loaded, text, notes)

    def _loaded(self, agenda_md: str, notes: meetings.Notes | str) -> None:
        self.query_one("#meeting-agenda-text", Static).update(BinderPage(agenda_md))
        area = self.query_one("#meeting-notes", TextArea)
        if isinstance(notes, str):  # unreadable: say so, and never overwrite it from here
            self.query_one("#meeting-title", Static).update(Text(f"Friday meeting — cannot open the notes: {notes}"))
            self.board.toast(notes, title="Notes not opened", severity="error")
            return
        draft = self.drafts.pop((str(self.root), self.day), None)
        # shown as a save would write it: control characters as symbols, never sent to the terminal
        known = None if notes.text is None else clean_block(notes.text)
        self.stamp, self.saved_text = notes.stamp, known
        text = known if known is not None else action_items.template(self.day)
        if draft is not None and draft[1] == notes.stamp:
            text, self.stamp = draft
            self.board.toast("Your unsaved notes are back (ctrl+s saves them).", title="Meeting")
        elif draft is not None:  # someone saved since: theirs, and the draft quoted (no item in it counts)
            text = merge_text(text, draft[0])
            self.board.toast("Someone else saved this meeting after you opened it: their notes are shown, "
                             "yours are quoted at the end. Move what you need up, delete the rest, ctrl+s.",
                             title="Meeting", severity="warning", timeout=20)
        area.load_text(text)
        area.read_only = False
        self.loaded = True
        self._title()
        area.focus()

    def _title(self) -> None:
        me = self.board.me
        who = f" · saving as {me.short}" if me else " · ctrl+s asks who you are"
        state = "unsaved changes" if self.dirty else ("new notes" if self.saved_text is None else "saved")
        self.query_one("#meeting-title", Static).update(
            Text(f"Friday meeting — {self.day:%a %d %b %Y} · {state}{who}"))

    @property
    def dirty(self) -> bool:
        if not self.loaded:
            return False
        text = self.query_one("#meeting-notes", TextArea).text
        if self.saved_text is None:
            return text != action_items.template(self.day)
        return text != self.saved_text

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self.warned = False
        if self.loaded:
            self._title()

    def on_screen_resume(self) -> None:
        if self.loaded:
            self._title()  # who is saving may have just been chosen

    def action_week_plan(self) -> None:
        """The week after the meeting's: its plan per student, prefilled from this week's."""
        from paratui.app.week_plan_screen import WeekPlanScreen
        from paratui.model.week_plan import next_week
        from paratui.model.week_plan import week_of as iso_week

        self.app.push_screen(WeekPlanScreen(self.root, next_week(iso_week(self.day))))

    def action_agenda(self) -> None:
        self.set_class(not self.has_class("-big-agenda"), "-big-agenda")

    async def action_save(self) -> None:
        if not self.loaded or self.saving:
            return
        app = self.board
        if app.acting is not None and app.acting.read_only:
            app.toast(app.acting.refusal or "this board is read-only", title="Not saved", severity="warning")
            return
        me_id = app.me_id
        if me_id is None:  # the shared account: say who you are (one key), then ctrl+s again
            app.toast("Who is saving? Pick yourself, then ctrl+s again (your notes stay here).",
                      title="Not saved yet", severity="warning")
            app.ask_who()
            return
        area = self.query_one("#meeting-notes", TextArea)
        text = area.text
        self.saving = True
        try:
            room = Room(self.root, clock=app.room.clock)
            saved = await asyncio.to_thread(meetings.save_notes, room, self.day, text, self.stamp, me_id)
        except meetings.Partial as e:  # the notes are written; the journal failed part-way
            self._show_saved(e.saved)
            app.toast(e.message, title="Not saved completely", severity="error", timeout=30)
            app.reload()
            return
        except (Refused, meetings.MeetingError) as e:  # NotAllowed and Stale too
            title = "Not allowed" if isinstance(e, NotAllowed) else "Not saved"
            app.toast(e.message + "\n(your text is kept here)", title=title, severity="error", timeout=20)
            return
        except (JournalWriteError, OSError) as e:
            app.toast(f"NOT saved completely: {e}", title="Not saved", severity="error", timeout=30)
            return
        finally:
            self.saving = False
        self._show_saved(saved)
        made = "; ".join(f"[{ev.id[:6]}] {item.text}" for item, ev in saved.made)
        app.toast(f"Saved; {action_items.summary(len(saved.made))}" + (f": {made}" if made else ""),
                  title=self.rel)
        app.reload()

    def _show_saved(self, saved: meetings.Saved) -> None:
        """The notes as now in the file (with the task ids), the cursor where it was."""
        area = self.query_one("#meeting-notes", TextArea)
        self.stamp, self.saved_text = saved.stamp, saved.text
        if area.text != saved.text:
            where = area.cursor_location
            area.load_text(saved.text)
            area.cursor_location = where
        self._title()

    def action_close(self) -> None:
        if self.dirty and not self.warned:
            self.warned = True
            self.board.toast("Not saved yet: ctrl+s saves. Esc again closes; this board keeps your notes "
                             "until you save them (F brings them back).", title="Unsaved notes", severity="warning")
            return
        if self.dirty:
            self.drafts[(str(self.root), self.day)] = (self.query_one("#meeting-notes", TextArea).text, self.stamp)
        self.dismiss(None)
