"""The team-routine parts of the board: the urgent-note banner, the notes feed, and coverage ahead.

Like panes.py: each takes the whole BoardState and draws its part from it; every value from the
journal or a file goes through `clean` into a Rich Text (never markup, never terminal control).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static

from paratui.app.line_pane import Pane
from paratui.model.board import BoardState
from paratui.model.export import short_id
from paratui.model.notes import NoteRow
from paratui.model.text import clean

AHEAD_WORDS = {"uncovered": "no adult", "one-to-one": "1:1 without para", "two-places": "two places",
               "min-adults": "too few adults"}


def _names(state: BoardState) -> tuple[dict[str, str], dict[str, str]]:
    shorts = {c.id: clean(c.short, limit=20) for c in state.staff}
    initials = {s.id: clean(s.initials, limit=12) for s in state.students}
    return shorts, initials


def note_line(text: Text, n: NoteRow, state: BoardState, me: str | None) -> None:
    shorts, initials = _names(state)
    sender = shorts.get(n.from_ or "", clean(n.from_ or "?", limit=12))
    to = "everyone" if n.everyone else ", ".join(shorts.get(x, clean(x, limit=12)) for x in n.to)
    # an urgent note from an earlier day says its day ("Mon 07:52"), as `board --plain` does
    text.append(f"{n.at:%H:%M} " if n.at.date() == state.now.date() else f"{n.at:%a %H:%M} ", style="bold")
    if n.urgent:
        text.append("URGENT ", style="bold reverse")
    text.append(f"{clean(n.kind)} {sender}→{to}")
    if n.about:
        text.append(f" about {initials.get(n.about, clean(n.about, limit=12))}")
    text.append(": ")
    text.append(clean(n.text, limit=300))
    if n.urgent and n.pending:
        waiting = ", ".join(shorts.get(x, clean(x, limit=12)) for x in n.pending)
        mine = me is not None and me in n.pending
        text.append(f"  [{short_id(n.id)}] waiting for {waiting}" + (" — k acknowledges" if mine else ""),
                    style="bold" if mine else "dim")


class UrgentBanner(Static):
    """Every urgent note someone has not acknowledged, on every board, until they all have.

    A safety note is never hidden behind older ones: the notes still waiting for the acting adult
    come first, then the rest, newest first. The first note gets the rows it needs (all but the
    count's), the others one row each, cut with "…"; what does not fit is counted ("+7 more urgent").
    Short screens give the banner 4 rows, tall ones a quarter of the height."""

    SHORT_ROWS = 4

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self._shown: str | None = None
        self._last: tuple[BoardState, str | None] | None = None

    @staticmethod
    def order(state: BoardState, me: str | None) -> list[NoteRow]:
        waiting = sorted((n for n in state.notes if n.waiting), key=lambda n: (n.at, n.id), reverse=True)
        return sorted(waiting, key=lambda n: not (me is not None and me in n.pending))  # stable: newest first

    def rows(self) -> int:
        height = self.app.size.height
        return self.SHORT_ROWS if height < 36 else max(self.SHORT_ROWS, height // 4)

    def on_resize(self) -> None:
        if self._last is not None:
            self.show(*self._last)

    def show(self, state: BoardState, me: str | None) -> None:
        self._last = (state, me)
        waiting = self.order(state, me)
        width = max(20, self.size.width or self.app.size.width - 2)  # the content, inside the padding
        budget = self.rows()
        lines: list[Text] = []
        shown = 0
        for i, n in enumerate(waiting):
            left = budget - len(lines) - (1 if i < len(waiting) - 1 else 0)  # the count's row, if more follow
            if left <= 0:
                break
            one = Text()
            note_line(one, n, state, me)
            if i == 0:  # the first: wrapped, on as many rows as it needs and the banner has
                wrapped = list(one.wrap(self.app.console, width))
                if len(wrapped) > left:
                    wrapped = wrapped[:left]
                    wrapped[-1].truncate(width - 1)
                    wrapped[-1].append("…")
                lines.extend(wrapped)
            else:
                one.truncate(width, overflow="ellipsis")
                lines.append(one)
            shown += 1
        text = Text(no_wrap=True, overflow="ellipsis")
        for i, line in enumerate(lines):
            if i:
                text.append("\n")
            text.append_text(line)
        more = len(waiting) - shown
        if more > 0:
            text.append("\n")
            text.append(f"+{more} more urgent", style="bold reverse")
            text.append(" — k lists and acknowledges yours")
        key = text.plain + repr(text.spans)
        if key != self._shown:
            self._shown = key
            self.update(text)
        self.display = bool(waiting)


class NotesPane(Pane):
    title = "Notes"

    def show_for(self, state: BoardState, me: str | None) -> None:
        notes = sorted(state.notes, key=lambda n: n.at, reverse=True)  # newest first
        text = Text()
        for i, n in enumerate(notes):
            if i:
                text.append("\n")
            note_line(text, n, state, me)
        if not notes:
            text.append("No notes today.", style="dim")
        self._subtitle(f"{len(notes)} today" if notes else "")
        self.update(text)

    def show(self, state: BoardState) -> None:
        self.show_for(state, None)


class AheadPane(Pane):
    """Coverage ahead: today's problems before they happen (paratui.model.coverage)."""

    title = "Coverage ahead"

    def show(self, state: BoardState) -> None:
        shorts, initials = _names(state)
        text = Text()
        for i, a in enumerate(state.ahead):
            if i:
                text.append("\n")
            who = shorts.get(a.who) or initials.get(a.who) or ("room" if a.who == "room" else clean(a.who, limit=12))
            text.append(f"{a.time:%H:%M} ", style="bold")
            text.append(AHEAD_WORDS.get(a.kind, clean(a.kind)), style="bold")
            text.append(f" {who}: {clean(a.detail, limit=200)}")
        if not state.ahead:
            text.append("No problems ahead today.", style="dim")
        self._alert(bool(state.ahead))
        self._subtitle(f"{len(state.ahead)} ahead" if state.ahead else "")
        self.update(text)
