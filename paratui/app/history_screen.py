"""The history screen: the audit trail on the board, one day at a time (← → change the day), filtered
by what is typed (a student's initials, an adult's short name or id, a kind of event).

It reads the day shown and the two weeks after it (where a later undo of that day's events is; every
task month too), on a worker thread, with its own reader, so the board's live folder state is
untouched — never the whole journal: a board runs all day, and a year read at once took it from
~58 MiB to ~210 MiB. Rows come from paratui.model.history, the same as `paratui history`; text is
drawn as Rich Text, never markup. In a room that enrols keys, an event without a signature says
"unsigned", as `paratui history` does.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Static

from paratui.model.classroom import normalize
from paratui.model.history import LATER_UNDOS, HistoryRow, history_rows
from paratui.model.text import clean
from paratui.store.folder import Snapshot
from paratui.store.room import Room


class HistoryScreen(ModalScreen[None]):
    CSS_PATH = "history_screen.tcss"
    BINDINGS = [("escape", "close", "Close"), ("left", "day(-1)", "Day before"), ("right", "day(1)", "Day after"),
                ("slash", "filter", "Filter")]

    def __init__(self, root: Path, today: date):
        super().__init__(id="history")
        self.root = root
        self.today = self.day = today
        self.room = Room(root)  # a reader of its own: the board's live state is not disturbed
        self.snapshot: Snapshot | None = None
        self.refused: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Static(Text("History — loading the journal…"), id="history-title")
        yield Input(placeholder="filter: initials, an adult, a kind (move, data, retract…)", id="history-filter")
        with VerticalScroll(id="history-body"):
            yield Static(Text(""), id="history-rows")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#history-body").focus()  # ← → change the day; / types a filter
        self.load()

    def action_filter(self) -> None:
        self.query_one("#history-filter", Input).focus()

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        day = self.day
        until = max(day, min(self.today, day + LATER_UNDOS))
        snap = self.room.folder.load(self.today, day_range=(day, until))
        self.app.call_from_thread(self._loaded, day, snap, snap.screened().refused)

    def _loaded(self, day: date, snap: Snapshot, refused: dict[str, str]) -> None:
        if day != self.day:
            return  # another day was asked for meanwhile: its read follows
        self.snapshot, self.refused = snap, refused
        self.draw()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.draw()

    def action_day(self, step: int) -> None:
        self.day += timedelta(days=step)
        self.query_one("#history-title", Static).update(Text(f"History — {self.day:%A %Y-%m-%d}: reading…"))
        self.load()

    def rows(self) -> list[HistoryRow]:
        snap = self.snapshot
        if snap is None:
            return []
        rows = history_rows(snap.events, snap.classroom, start=self.day, end=self.day, refused=self.refused)
        wanted = normalize(self.query_one("#history-filter", Input).value)
        if not wanted:
            return rows
        initials = {s.id: normalize(s.initials) for s in snap.classroom.students}
        return [r for r in rows if wanted in (normalize(r.staff), normalize(r.staff_short), normalize(r.type))
                or any(initials.get(k) == wanted or normalize(k) == wanted for k in r.students)]

    def draw(self) -> None:
        if self.snapshot is None:
            return
        rows = self.rows()
        self.query_one("#history-title", Static).update(Text(
            f"History — {self.day:%A %Y-%m-%d}: {len(rows)} event{'s' if len(rows) != 1 else ''}"
            "   (← → another day · / filter · Esc closes · nothing is ever deleted)"))
        body = Text()
        for r in rows:
            body.append(f"{r.at[11:]}  ", style="bold")
            body.append(f"{r.staff_short:<8} ")
            body.append(r.text, style="strike dim" if r.retracted_by else "")
            if r.retracted_by:
                body.append(f"  retracted by {r.retracted_by}", style="italic")
            if r.not_applied:
                body.append(f"  NOT APPLIED: {r.not_applied}", style="bold")
            if r.unsigned:  # in a room that enrols keys: no signature (an older client, a file by hand)
                body.append("  unsigned", style="bold")
            body.append(f"  {clean(r.login, limit=20)}@{clean(r.host, limit=20)}\n", style="dim")
        if not rows:
            body.append("Nothing recorded on this day" + (" that matches the filter." if self.query_one(
                "#history-filter", Input).value else "."), style="italic")
        self.query_one("#history-rows", Static).update(body)

    def action_close(self) -> None:
        """Esc: in the `/` filter, closes the filter (cleared, back to the list); else closes History."""
        field = self.query_one("#history-filter", Input)
        if field.has_focus:
            field.value = ""
            self.query_one("#history-body").focus()
            return
        self.dismiss(None)
