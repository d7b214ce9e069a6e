"""The board's pane widgets: `Pane`, a bordered pane whose title says what it holds (drawn whole, a
Static: rows that wrap, like tasks and notes), and `LinePane`, a pane of one-line rows drawn line
by line. What each pane shows is in panes.py and routine_panes.py."""

from __future__ import annotations

from typing import Any

from rich.style import Style
from rich.text import Text
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.visual import VisualType
from textual.widget import Widget
from textual.widgets import Static

from paratui.model.board import BoardState


class Pane(Static):
    """A bordered pane whose title says what it holds and how many."""

    title = ""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self.border_title = self.title
        self._shown: tuple | None = None
        self._shown_subtitle: str | None = None

    def on_mount(self) -> None:
        # a pane in a scrolling frame (`-frame`: Tasks, Data due) gives its border and titles to the
        # frame, so the scrollbar is drawn inside the frame, not beside it
        frame = self._frame()
        if frame is not self:
            frame.border_title, self.border_title = self.title, ""

    def _frame(self) -> Widget:
        parent = self.parent
        return parent if isinstance(parent, Widget) and parent.has_class("-frame") else self

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        """Skip redraws that change nothing: with a write every few seconds, most panes are unchanged."""
        if isinstance(content, Text):
            content.rstrip()  # no blank line under the last row
            key = (content.plain, tuple(content.spans))
            if key == self._shown:
                return
            self._shown = key
        super().update(content, layout=layout)

    def show(self, state: BoardState) -> None:  # pragma: no cover - each pane draws its own
        raise NotImplementedError

    def _subtitle(self, value: str) -> None:
        """Set the border subtitle only when it changes: setting it repaints the whole pane."""
        if value != self._shown_subtitle:
            self._shown_subtitle = value
            self._frame().border_subtitle = value

    def _alert(self, on: bool) -> None:
        if self.has_class("-alert") != on:  # changing a class restyles the whole screen
            self.set_class(on, "-alert")


class LinePane(Pane):
    """A pane of one-line rows, each cut with "…" (never wrapped into a narrow column, so rows stay
    aligned at a glance), drawn row by row with Textual's line API.

    Why: a write changes a few rows (one adult's card, one student's row). Only those rows are
    drawn and repainted, and the screen is laid out again only when the pane's height changes. A
    pane drawn whole (a Static) re-rendered every row and laid out the whole screen on most writes:
    most of the time from a write to the screen (bench/bench_live.py).

    On a tall screen the alarm panes (`holds`) keep `reserve` rows even when fewer are shown, and
    the most they showed in the current block (`hold_for`): a room where an adult steps out with a
    student and back, again and again, does not make the whole board jump at every move; the room
    is given back when the block changes."""

    ALLOW_SELECT = False
    reserve = 1
    holds = False

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._text = Text()
        self._rows: list[Text] = []
        self._keys: list[tuple] = []
        self._strips: dict[int, tuple[tuple, int, Style, Strip]] = {}
        self._held: tuple[object, int] = (None, 0)  # (the block, the most rows shown in it)

    @property  # type: ignore[misc]  # read-only here: a line pane is set with `update`
    def content(self) -> Text:
        """Everything shown, as one Text (what a Static would hold)."""
        return self._text

    def render(self) -> Text:
        return self._text  # what it shows (drawn by render_line, row by row)

    def _height(self) -> int:
        if not (self.is_mounted and self.screen.has_class("-tall")):
            return max(len(self._rows), 1)
        return max(len(self._rows), self.reserve, self._held[1] if self.holds else 0)

    def hold_for(self, block: object) -> None:
        """The block now (any value that changes when it does): the height held is this block's."""
        if block != self._held[0]:
            before = self._height()
            self._held = (block, 0)
            if self._height() != before:
                self.refresh(layout=True)

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        text = content if isinstance(content, Text) else Text(str(content))
        text.rstrip()
        rows = list(text.split("\n", allow_blank=True)) if text.plain else []
        keys = [(row.plain, tuple(row.spans), row.style) for row in rows]
        if keys == self._keys:
            return
        before = self._height()
        changed = [y for y in range(max(len(keys), len(self._keys)))
                   if y >= len(keys) or y >= len(self._keys) or keys[y] != self._keys[y]]
        self._text, self._rows, self._keys = text, rows, keys
        self._held = (self._held[0], max(self._held[1], len(rows)))
        for y in [y for y in self._strips if y >= len(rows)]:
            del self._strips[y]
        if self._height() != before:
            self.refresh(layout=True)
            return
        runs: list[list[int]] = []  # changed rows, consecutive ones as one region: [first, count]
        for y in changed:
            if runs and runs[-1][0] + runs[-1][1] == y:
                runs[-1][1] += 1
            else:
                runs.append([y, 1])
        width = max(self.size.width, 1)
        for first, count in runs:
            self.refresh(Region(0, first, width, count))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self._height()

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return max((row.cell_len for row in self._rows), default=0)

    def render_line(self, y: int) -> Strip:
        width, style = self.size.width, self.rich_style
        if y >= len(self._rows):
            return Strip.blank(width, style)
        key = self._keys[y]
        cached = self._strips.get(y)
        if cached is not None and cached[0] == key and cached[1] == width and cached[2] == style:
            return cached[3]
        row = self._rows[y].copy()
        row.truncate(width, overflow="ellipsis")
        strip = Strip(row.render(self.app.console), row.cell_len).crop_extend(0, width, None).apply_style(style)
        self._strips[y] = (key, width, style, strip)
        return strip
