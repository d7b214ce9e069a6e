"""Large counts across the top of a big screen, readable from across the room: students out too
long, students with no adult, overdue tasks (filled with their alarm colour when not zero), and
students out of the room.

Shown only when the screen is big enough (board_screen.tcss); the panes below say who and where.

One widget draws the four tiles line by line (Textual's line API) rather than four containers of
a `Digits` and a `Label` each: a count that changes repaints the bar's six lines, and turning a
tile on or off restyles nothing (a CSS class toggled on a tile restyled it and repainted every
tile, on most writes: a move leaves a group with no adult and puts a student out)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.geometry import Size
from textual.renderables.digits import DIGITS, DIGITS3X3, DIGITS3X3_BOLD
from textual.strip import Strip
from textual.widget import Widget

from paratui.app.themes import board_color
from paratui.model.board import BoardState

HEIGHT = 6  # border, three rows of digits, the label, border


@dataclass(frozen=True)
class Tile:
    label: str
    colour: str  # the theme variable it lights up with
    alarm: bool  # filled when on (an alarm); else only its digits take the colour (a count)


TILES = (
    Tile("out too long", "paratui-over", True),
    Tile("no adult", "paratui-uncovered", True),
    Tile("tasks overdue", "paratui-overdue", True),
    Tile("out of room", "paratui-out", False),
)


def counts(state: BoardState) -> tuple[int, ...]:
    """The four numbers, in TILES' order."""
    timed = [s for s in state.out_of_room if not s.placed]
    return (sum(s.over for s in timed), len(state.uncovered), sum(t.overdue for t in state.tasks), len(timed))


def big(number: int, bold: bool) -> list[str]:
    """`number` in three rows of box-drawing characters (Textual's Digits font)."""
    font = DIGITS3X3_BOLD if bold else DIGITS3X3
    rows = ["", "", ""]
    for ch in str(number):
        at = DIGITS.index(ch) * 3
        for i in range(3):
            rows[i] += font[at + i].ljust(3)
    return rows


class AlarmBar(Widget):
    ALLOW_SELECT = False
    DEFAULT_CSS = "AlarmBar { height: 6; }"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.values: tuple[int, ...] = (0, 0, 0, 0)
        self._lines: tuple[tuple, list[Strip]] | None = None  # (what they were drawn for, the lines)

    def show(self, state: BoardState) -> None:
        values = counts(state)
        if values != self.values:
            self.values = values
            self.refresh()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return HEIGHT

    def render_line(self, y: int) -> Strip:
        base = self.rich_style
        key = (self.values, self.size.width, base, self.app.theme)
        if self._lines is None or self._lines[0] != key:
            self._lines = (key, self._draw(base))
        lines = self._lines[1]
        return lines[y] if y < len(lines) else Strip.blank(self.size.width, base)

    def _draw(self, base: Style) -> list[Strip]:
        width = self.size.width
        fg = Color.from_rich_color(base.color) if base.color else Color(255, 255, 255)
        bg = Color.from_rich_color(base.bgcolor) if base.bgcolor else Color(0, 0, 0)
        calm_border = Style(color=bg.blend(fg, 0.3).rich_color, bgcolor=bg.rich_color)
        calm_text = Style(color=bg.blend(fg, 0.6).rich_color, bgcolor=bg.rich_color)
        rows: list[list[Segment]] = [[] for _ in range(HEIGHT)]
        cuts = [width * i // len(TILES) for i in range(len(TILES) + 1)]
        for tile, value, left, right in zip(TILES, self.values, cuts, cuts[1:]):
            w = right - left
            inner = max(0, w - 2)
            on = value > 0
            colour = Color.parse(board_color(self.app, tile.colour)).rich_color
            if on and tile.alarm:
                border = Style(color=colour, bgcolor=colour)
                text = Style(color=bg.rich_color, bgcolor=colour, bold=True)
                corners, edge, side = "┏┓┗┛", "━", "┃"
            else:
                border = calm_border
                text = Style(color=colour, bgcolor=bg.rich_color, bold=True) if on else calm_text
                corners, edge, side = "╭╮╰╯", "─", "│"
            if w < 2:
                for row in rows:
                    row.append(Segment(" " * w, border))
                continue
            body = big(value, bold=on) + [tile.label]
            rows[0].append(Segment(corners[0] + edge * inner + corners[1], border))
            for i, content in enumerate(body, 1):
                content = content[:inner]
                pad = inner - len(content)
                rows[i] += [Segment(side, border), Segment(" " * (pad // 2) + content + " " * (pad - pad // 2), text),
                            Segment(side, border)]
            rows[HEIGHT - 1].append(Segment(corners[2] + edge * inner + corners[3], border))
        return [Strip(row, width).apply_style(base) for row in rows]
