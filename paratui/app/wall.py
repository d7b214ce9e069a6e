"""The wall mode's large pane: what needs someone now, readable from across the room.

On a big terminal (BoardScreen.fit: ≥ 160×45) and always with `paratui --wall`, the board's first
column shows, in place of the Out of room and Uncovered panes:

- each student out of the room: their initials in block letters (5 rows), the minutes out in
  Textual's `Digits` font, and in words beside them "OVER", the expected minutes, who they are with
  and where (a state is never told by colour alone);
- each student with no adult: their initials in block letters, with the word UNCOVERED and where;
- the newest urgent note not yet acknowledged: who wrote it to whom and when in words, its text in
  large letters (a 3×5 font drawn in half blocks: the height of `Digits`, some 20 letters a line in
  the wall's column), as many lines as the pane can spare, cut with "..." (the whole note is on
  the banner above); when several wait, the count of the others in `Digits` ("+2": on the banner).

Initials are letters and `Digits` only draws digits and a few symbols (0-9 + - ^ x : A-F $ £ € ( )),
and no dependency of paratui draws large letters (Rich and Textual have no figlet font; pyfiglet
would be a new dependency for 26 glyphs), so the letters are drawn here from a small 5×5 font.
Names stay initials only, as everywhere on the board (privacy). Every value is cleaned to one safe
line (paratui.model.text) and drawn as plain text; a note's text is drawn only in the small font's
letters (anything else becomes a box), so nothing in it is ever markup or terminal control.
"""

from __future__ import annotations

import unicodedata

from rich.text import Text
from textual.renderables.digits import DIGITS, DIGITS3X3_BOLD
from textual.widget import Widget

from paratui.app.line_pane import Pane
from paratui.app.themes import board_color
from paratui.model.board import BoardState, StudentRow
from paratui.model.export import companions, location_label
from paratui.model.notes import NoteRow
from paratui.model.text import clean

ROWS = 5  # the block letters' height; `Digits` is 3 rows, drawn in the middle three
NOTE_LINES = 3  # the most lines of large letters the newest urgent note takes (3 rows each and a gap)

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


# A 3×5 font for a note's text (rows of "#" = on, "." = off): capitals, digits and the punctuation
# of a note; M N W Q wider. Drawn two rows to a line of half blocks: 3 lines, the height of `Digits`.
_SMALL = {
    "A": ".#.|#.#|###|#.#|#.#", "B": "##.|#.#|##.|#.#|##.", "C": ".##|#..|#..|#..|.##",
    "D": "##.|#.#|#.#|#.#|##.", "E": "###|#..|##.|#..|###", "F": "###|#..|##.|#..|#..",
    "G": ".##|#..|#.#|#.#|.##", "H": "#.#|#.#|###|#.#|#.#", "I": "###|.#.|.#.|.#.|###",
    "J": "..#|..#|..#|#.#|.#.", "K": "#.#|#.#|##.|#.#|#.#", "L": "#..|#..|#..|#..|###",
    "M": "#...#|##.##|#.#.#|#...#|#...#", "N": "#..#|##.#|#.##|#..#|#..#", "O": ".#.|#.#|#.#|#.#|.#.",
    "P": "##.|#.#|##.|#..|#..", "Q": ".##.|#..#|#..#|#.#.|.#.#", "R": "##.|#.#|##.|#.#|#.#",
    "S": ".##|#..|.#.|..#|##.", "T": "###|.#.|.#.|.#.|.#.", "U": "#.#|#.#|#.#|#.#|###",
    "V": "#.#|#.#|#.#|#.#|.#.", "W": "#...#|#...#|#.#.#|##.##|#...#", "X": "#.#|#.#|.#.|#.#|#.#",
    "Y": "#.#|#.#|.#.|.#.|.#.", "Z": "###|..#|.#.|#..|###",
    "0": "###|#.#|#.#|#.#|###", "1": ".#.|##.|.#.|.#.|###", "2": "##.|..#|.#.|#..|###",
    "3": "##.|..#|.#.|..#|##.", "4": "#.#|#.#|###|..#|..#", "5": "###|#..|##.|..#|##.",
    "6": ".##|#..|###|#.#|###", "7": "###|..#|..#|.#.|.#.", "8": "###|#.#|###|#.#|###",
    "9": "###|#.#|###|..#|##.",
    " ": "..|..|..|..|..", ".": ".|.|.|.|#", ",": ".|.|.|#|#", ":": ".|#|.|#|.", ";": ".|#|.|#|#",
    "!": "#|#|#|.|#", "?": "##.|..#|.#.|...|.#.", "-": "...|...|###|...|...", "'": "#|#|.|.|.",
    '"': "#.#|#.#|...|...|...", "/": "..#|..#|.#.|#..|#..", "(": ".#|#.|#.|#.|.#", ")": "#.|.#|.#|.#|#.",
    "+": "...|.#.|###|.#.|...", "=": "...|###|...|###|...", "&": ".#.|#.#|.#.|#.#|.##",
    "@": ".#.|#.#|###|#..|.##", "#": "#.#|###|#.#|###|#.#", "%": "#.#|..#|.#.|#..|#.#",
    "*": "#.#|.#.|#.#|...|...", "_": "...|...|...|...|###", "<": "..#|.#.|#..|.#.|..#",
    ">": "#..|.#.|..#|.#.|#..", "$": ".##|##.|.#.|.##|##.", "[": "##|#.|#.|#.|##", "]": "##|.#|.#|.#|##",
}
_BOX = "###|###|###|###|###"  # anything the font has no letter for
# what a note is likely to hold beyond ASCII, as the font's letters (accents are dropped: é → E)
_AS_ASCII = str.maketrans({"—": "-", "–": "-", "‒": "-", "―": "-", "−": "-", "‐": "-", "‘": "'", "’": "'",
                           "‚": "'", "′": "'", "“": '"', "”": '"', "„": '"', "″": '"', "…": "...", "→": "->",
                           "←": "<-", "×": "X", "·": "-", "•": "-", "\u00a0": " "})


def _glyph(ch: str) -> list[str]:
    return _SMALL.get(ch, _BOX).split("|")


def _small_width(word: str) -> int:
    """Columns `word` takes in the small font (one column between letters)."""
    return sum(len(_glyph(ch)[0]) for ch in word) + max(0, len(word) - 1)


def small_letters_text(text: str) -> str:
    """`text` as the small font writes it: one clean line, in capitals, accents dropped, the dashes
    and quotes of typed text as their ASCII ones (a letter the font lacks is drawn as a box)."""
    plain = unicodedata.normalize("NFKD", clean(text).translate(_AS_ASCII))
    return " ".join("".join(ch for ch in plain if not unicodedata.combining(ch)).upper().split())


def small_lines(text: str, width: int, most: int) -> list[str]:
    """`text` (from `small_letters_text`) wrapped into at most `most` lines of `width` columns of the
    small font, a word too long for a line broken; what does not fit is cut, the last line ending in
    "..." (never a line wider than `width`, from 5 columns: the widest letter)."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        while word:
            candidate = f"{line} {word}" if line else word
            if _small_width(candidate) <= width:
                line, word = candidate, ""
            elif line:
                lines.append(line)
                line = ""
            else:  # a word wider than a line: as much of it as fits
                fits = [n for n in range(1, len(word) + 1) if _small_width(word[:n]) <= width]
                cut = fits[-1] if fits else 1
                lines.append(word[:cut])
                word = word[cut:]
    if line:
        lines.append(line)
    if len(lines) > most:
        last = lines[most - 1]
        while last and _small_width(last + "...") > width:
            last = last[:-1]
        lines = lines[:most - 1] + [last.rstrip() + "..."]
    return lines


def small_letters(line: str) -> list[str]:
    """One line of the small font as 3 rows of half blocks (▀ ▄ █): its 5 rows two to a row."""
    pixels = ["", "", "", "", "", ""]
    for i, ch in enumerate(line):
        glyph = _glyph(ch)
        for r in range(5):
            pixels[r] += ("." if i else "") + glyph[r]
    pixels[5] = "." * len(pixels[0])
    half = {("#", "#"): "█", ("#", "."): "▀", (".", "#"): "▄", (".", "."): " "}
    return ["".join(half[a, b] for a, b in zip(pixels[2 * r], pixels[2 * r + 1])) for r in range(3)]


def big_digits(number: int | str) -> list[str]:
    """`number` ("+3" too) in Textual's bold `Digits` font, centred in ROWS rows (its glyphs are 3 rows)."""
    rows = ["", "", ""]
    for ch in str(number):
        at = DIGITS.index(ch) * 3 if ch in DIGITS else 0
        for i in range(3):
            rows[i] += DIGITS3X3_BOLD[at + i].ljust(3)
    width = len(rows[0])
    top = (ROWS - 3) // 2
    return [" " * width] * top + rows + [" " * width] * (ROWS - 3 - top)


class WallPane(Pane):
    """Who is out and for how long, who is uncovered, the newest urgent note: in large text."""

    title = "Needs someone now"

    def show(self, state: BoardState, me: str | None = None) -> None:
        text = Text(no_wrap=True, overflow="crop")
        over = board_color(self.app, "paratui-over")
        out = board_color(self.app, "paratui-out")
        uncovered = board_color(self.app, "paratui-uncovered")
        timed = sorted((s for s in state.out_of_room if not s.placed),
                       key=lambda s: (not s.over, -(s.minutes_out or 0)))
        by_place: dict[str, list[StudentRow]] = {}
        for s in state.uncovered:  # one row of large initials per place, as many as fit the width
            by_place.setdefault(location_label(state, s.location), []).append(s)
        room = max(20, (self.content_region.width or 80) - 14)  # the words' column kept
        groups = sum(len(_fitting([block_letters(clean(s.initials)) for s in g], room)) for g in by_place.values())
        kept = 2 + (ROWS + 1) * groups + (0 if groups else 1)  # the Uncovered section's lines
        waiting = [n for n in state.notes if n.waiting]
        if waiting:  # its text in as many large lines as leave the students out in large letters too
            self._urgent(text, state, waiting, me, 1 + (ROWS + 1) * len(timed) + (0 if timed else 1) + kept)
        text.append("OUT OF ROOM\n", style="bold underline")
        if not timed:
            text.append("Nobody has stepped out.\n", style="dim")
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

    def _urgent(self, text: Text, state: BoardState, waiting: list[NoteRow], me: str | None, after: int) -> None:
        """The newest urgent note waiting: in words who wrote it to whom and when, how many wait for the
        acting adult and, in `Digits` beside them, how many more there are (on the banner); then its
        text in large letters, on as many lines (up to NOTE_LINES) as leave `after` lines for the rest
        of the pane, at least one, cut with "...". Nothing of it is markup: plain text, cleaned."""
        warning = self.app.current_theme.warning or "yellow"
        newest = max(waiting, key=lambda n: (n.at, n.id))
        shorts = {c.id: clean(c.short, limit=20) for c in state.staff}
        sender = shorts.get(newest.from_ or "", clean(newest.from_ or "?", limit=12))
        to = "everyone" if newest.everyone else ", ".join(shorts.get(x, clean(x, limit=12)) for x in newest.to)
        when = f"{newest.at:%H:%M}" if newest.at.date() == state.now.date() else f"{newest.at:%a %H:%M}"
        mine = sum(1 for n in waiting if me is not None and me in n.pending)
        rest = len(waiting) - 1
        count = big_digits(f"+{rest}")[1:4] if rest else ["", "", ""]  # Digits' own 3 rows
        words = [f"{when} {sender} → {to}", f"{mine} for you: k acknowledges" if mine else "",
                 f"{rest} more on the banner above" if rest else ""]
        full = max(20, (self.content_region.width or 80) - 1)
        for r in range(3):
            if r and not (count[r].strip() or words[r]):
                continue  # (one note, none for me: one line of words)
            line = Text(no_wrap=True, overflow="crop")
            line.append(count[r], style="bold " + warning)
            if count[r]:
                line.append("  ")
            if r == 0:
                line.append("⚠ URGENT NOTE" + (", the newest" if rest else ""), style="bold reverse " + warning)
                line.append("  ")
            line.append(words[r], style="bold")
            line.truncate(full, overflow="ellipsis")
            text.append_text(line)
            text.append("\n")
        used = text.plain.count("\n")
        lines = max(1, min(NOTE_LINES, (self._budget() - used - after) // 4))
        for big in small_lines(small_letters_text(newest.text), full, lines):
            for row in small_letters(big):
                text.append(row.rstrip() + "\n", style="bold " + warning)
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
