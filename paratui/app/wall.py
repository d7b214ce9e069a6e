"""The wall mode's large pane: what needs someone now, readable from across the room.

On a big terminal (BoardScreen.fit: ≥ 160×45) and always with `paratui --wall`, the board's first
column shows, in place of the Out of room and Uncovered panes:

- each student out of the room: their initials in block letters (5 rows), the minutes out in
  Textual's `Digits` font, and in words beside them "OVER", the expected minutes, who they are with
  and where (a state is never told by colour alone);
- each student with no adult: their initials in block letters, with the word UNCOVERED and where;
- the count of urgent notes waiting, in `Digits` (the notes themselves are on the banner above).

Initials are letters and `Digits` only draws digits and a few symbols (0-9 + - ^ x : A-F $ £ € ( )),
and no dependency of paratui draws large letters (Rich and Textual have no figlet font; pyfiglet
would be a new dependency for 26 glyphs), so the letters are drawn here from a small 5×5 font.
Names stay initials only, as everywhere on the board (privacy). Every value is cleaned to one safe
line (paratui.model.text) and drawn as plain text.
"""

from __future__ import annotations

from rich.text import Text
from textual.renderables.digits import DIGITS, DIGITS3X3_BOLD
from textual.widget import Widget

from paratui.app.line_pane import Pane
from paratui.app.themes import board_color
from paratui.model.board import BoardState, StudentRow
from paratui.model.export import companions, location_label
from paratui.model.text import clean

ROWS = 5  # the block letters' height; `Digits` is 3 rows, drawn in the middle three

# A 5×5 font ("#" is a full block): capitals, the dot of the initials, and a box for anything else.
_FONT = {
    "A": (" ### ", "#   #", "#####", "#   #", "#   #"),
    "B": ("#### ", "#   #", "#### ", "#   #", "#### "),
    "C": (" ####", "#    ", "#    ", "#    ", " ####"),
    "D": ("#### ", "#   #", "#   #", "#   #", "#### "),
    "E": ("#####", "#    ", "#### ", "#    ", "#####"),
    "F": ("#####", "#    ", "#### ", "#    ", "#    "),
    "G": (" ####", "#    ", "#  ##", "#   #", " ### "),
    "H": ("#   #", "#   #", "#####", "#   #", "#   #"),
    "I": ("#####", "  #  ", "  #  ", "  #  ", "#####"),
    "J": ("#####", "   # ", "   # ", "#  # ", " ##  "),
    "K": ("#   #", "#  # ", "###  ", "#  # ", "#   #"),
    "L": ("#    ", "#    ", "#    ", "#    ", "#####"),
    "M": ("#   #", "## ##", "# # #", "#   #", "#   #"),
    "N": ("#   #", "##  #", "# # #", "#  ##", "#   #"),
    "O": (" ### ", "#   #", "#   #", "#   #", " ### "),
    "P": ("#### ", "#   #", "#### ", "#    ", "#    "),
    "Q": (" ### ", "#   #", "# # #", "#  # ", " ## #"),
    "R": ("#### ", "#   #", "#### ", "#  # ", "#   #"),
    "S": (" ####", "#    ", " ### ", "    #", "#### "),
    "T": ("#####", "  #  ", "  #  ", "  #  ", "  #  "),
    "U": ("#   #", "#   #", "#   #", "#   #", " ### "),
    "V": ("#   #", "#   #", "#   #", " # # ", "  #  "),
    "W": ("#   #", "#   #", "# # #", "## ##", "#   #"),
    "X": ("#   #", " # # ", "  #  ", " # # ", "#   #"),
    "Y": ("#   #", " # # ", "  #  ", "  #  ", "  #  "),
    "Z": ("#####", "   # ", "  #  ", " #   ", "#####"),
    ".": ("  ", "  ", "  ", "  ", "##"),
    "-": ("    ", "    ", "####", "    ", "    "),
    " ": ("  ", "  ", "  ", "  ", "  "),
    "?": ("#####", "#   #", "#   #", "#   #", "#####"),
}


def block_letters(text: str) -> list[str]:
    """`text` (initials) in ROWS rows of full blocks, one column between letters."""
    rows = [""] * ROWS
    for i, ch in enumerate(text.upper()):
        glyph = _FONT.get(ch, _FONT["?"])
        for r in range(ROWS):
            rows[r] += (" " if i else "") + glyph[r].replace("#", "█")
    return rows


def big_digits(number: int) -> list[str]:
    """`number` in Textual's bold `Digits` font, centred in ROWS rows (its glyphs are 3 rows)."""
    rows = ["", "", ""]
    for ch in str(number):
        at = DIGITS.index(ch) * 3 if ch in DIGITS else 0
        for i in range(3):
            rows[i] += DIGITS3X3_BOLD[at + i].ljust(3)
    width = len(rows[0])
    top = (ROWS - 3) // 2
    return [" " * width] * top + rows + [" " * width] * (ROWS - 3 - top)


class WallPane(Pane):
    """Who is out and for how long, who is uncovered, how many urgent notes: in large text."""

    title = "Needs someone now"

    def show(self, state: BoardState, me: str | None = None) -> None:
        text = Text(no_wrap=True, overflow="crop")
        over = board_color(self.app, "paratui-over")
        out = board_color(self.app, "paratui-out")
        uncovered = board_color(self.app, "paratui-uncovered")
        timed = sorted((s for s in state.out_of_room if not s.placed),
                       key=lambda s: (not s.over, -(s.minutes_out or 0)))
        urgent = sum(1 for n in state.notes if n.waiting)
        if urgent:
            self._urgent(text, urgent, sum(1 for n in state.notes if n.waiting and me in n.pending))
        text.append("OUT OF ROOM\n", style="bold underline")
        if not timed:
            text.append("Nobody has stepped out.\n", style="dim")
        by_place: dict[str, list[StudentRow]] = {}
        for s in state.uncovered:  # one row of large initials per place, as many as fit the width
            by_place.setdefault(location_label(state, s.location), []).append(s)
        room = max(20, (self.content_region.width or 80) - 14)  # the words' column kept
        groups = sum(len(_fitting([block_letters(clean(s.initials)) for s in g], room)) for g in by_place.values())
        kept = 2 + (ROWS + 1) * groups + (0 if groups else 1)  # the Uncovered section's lines
        width = max((len(block_letters(clean(s.initials))[0]) for s in timed), default=0)
        for i, s in enumerate(timed):
            # in large text while it fits above the uncovered (out too long first); the rest one line
            # each, in words: never cut off the bottom of the pane
            rest = len(timed) - i - 1
            if text.plain.count("\n") + ROWS + 1 + kept + rest > self._budget():
                for small in timed[i:]:
                    self._out_line(text, state, small, over if small.over else out)
                break
            self._out_row(text, state, s, width, over if s.over else out)
        text.append("\nUNCOVERED\n", style="bold underline")
        if not state.uncovered:
            text.append("Every student has an adult.\n", style="dim")
        for place, students in by_place.items():
            for group in _fitting([block_letters(clean(s.initials)) for s in students], room):
                self._uncovered_row(text, group, ["", "UNCOVERED", "no adult", place, ""], uncovered)
        self.update(text)
        self._subtitle(f"{len(timed)} out · {len(state.uncovered)} uncovered")
        self._alert(bool(state.uncovered) or any(s.over for s in timed))

    def _budget(self) -> int:
        """The lines the pane may hold: its share of the column (max-height in board_screen.tcss),
        less its border and padding; unbounded before the first layout."""
        column = self.parent.size.height if isinstance(self.parent, Widget) else 0
        return int(column * 0.85) - 5 if column else 10**6

    def _out_line(self, text: Text, state: BoardState, s: StudentRow, colour: str) -> None:
        limit = f"/{s.expected_minutes}" if s.expected_minutes else ""
        minutes = f"{s.minutes_out}{limit} min " if s.minutes_out is not None else ""
        text.append(f"{clean(s.initials):<6}{minutes}", style="bold " + colour)
        if s.over:
            text.append("OVER", style="bold reverse " + colour)
        text.append(f" {companions(state, s, 'alone')} · {location_label(state, s.location)}\n", style="bold")

    def _urgent(self, text: Text, count: int, mine: int) -> None:
        warning = self.app.current_theme.warning or "yellow"
        words = ["⚠ URGENT " + ("NOTE" if count == 1 else "NOTES") + " waiting: read above",
                 f"{mine} for you: k acknowledges" if mine else "", ""]
        for r, row in enumerate(big_digits(count)[1:4]):  # Digits' own 3 rows
            text.append(row, style="bold " + warning)
            if words[r]:
                text.append("  ")
                text.append(words[r], style=("bold reverse " + warning) if r == 0 else "bold")
            text.append("\n")
        text.append("\n")

    def _uncovered_row(self, text: Text, group: list[list[str]], words: list[str], colour: str) -> None:
        for r in range(ROWS):
            text.append("   ".join(letters[r] for letters in group), style="bold " + colour)
            if words[r]:
                text.append("  ")
                text.append(words[r], style=("bold reverse " + colour) if r == 1 else "bold")
            text.append("\n")
        text.append("\n")

    def _out_row(self, text: Text, state: BoardState, s: StudentRow, width: int, colour: str) -> None:
        letters = block_letters(clean(s.initials))
        minutes = big_digits(s.minutes_out) if s.minutes_out is not None else [""] * ROWS
        limit = f"expected {s.expected_minutes} min" if s.expected_minutes else ""
        words = ["OVER" if s.over else "", limit, companions(state, s, "alone"), location_label(state, s.location),
                 ""]
        for r in range(ROWS):
            text.append(letters[r].ljust(width), style="bold " + colour)
            text.append("  ")
            text.append(minutes[r], style="bold " + colour)
            text.append(" min" if r == ROWS // 2 and s.minutes_out is not None else "    ", style="bold")
            if words[r]:
                text.append("  ")
                text.append(words[r], style=("bold reverse " + colour) if r == 0 else "bold")
            text.append("\n")
        text.append("\n")


def _fitting(blocks: list[list[str]], width: int) -> list[list[list[str]]]:
    """The blocks in groups that fit `width` side by side (3 columns between them; at least one each)."""
    groups: list[list[list[str]]] = []
    used = 0
    for block in blocks:
        w = len(block[0])
        if groups and used + 3 + w <= width:
            groups[-1].append(block)
            used += 3 + w
        else:
            groups.append([block])
            used = w
    return groups
