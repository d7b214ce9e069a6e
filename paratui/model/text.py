"""Text that people typed or put in files, made safe to show: data is never markup and never
terminal control.

Every place that shows such text (panes, pickers, toasts, forms, pages, `board --plain`, CLI
messages) passes it through `clean` and hands it on as plain text (a Rich `Text`, never a markup
string). `board --json` does not need this: JSON escaping already makes control characters inert.
"""

from __future__ import annotations

import re
import unicodedata

# How long typed text may be (a longer task or activity is a paste gone wrong; a handoff note may be
# a paragraph or two). Refused on write (paratui.model.commands), and cut on read (`cut`): a text a
# hand-edited journal or another writer made longer is never shown whole.
TEXT_LIMIT = 500
NOTE_LIMIT = 2000
COMMENT_LIMIT = 1000
CUT_MARK = "… [cut]"  # ends a text cut on read: what is shown is not all there is

# Bidi embeddings, overrides and isolates (and the marks): they reorder what follows on screen,
# so initials or a task could be made to read as something else.
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# C0 controls but tab and newline, DEL, C1 controls (CSI, OSC… in their 8-bit forms), and bidi.
_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f{_BIDI}]")
_LINE_BREAKS = re.compile(r"[\r\n\t\u2028\u2029\x0b\x0c\x85]+")


def _visible(match: re.Match[str]) -> str:
    ch = match.group()
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # shown escaped: ␛ for ESC, ␇ for BEL…
    if code == 0x7F:
        return "\u2421"  # ␡
    return ""  # C1 controls and bidi marks: dropped


def clean(value: object, *, one_line: bool = True, limit: int | None = None) -> str:
    """`value` as text that is safe to print or show.

    Control characters are shown as their visible symbols (ESC → ␛), bidi overrides are dropped,
    and with `one_line` (the default) every line break or tab becomes one space, so a value can
    never forge a line of its own. `limit` cuts long text with an ellipsis.
    """
    text = value if isinstance(value, str) else str(value)
    if text.isascii() and text.isprintable():  # the common case: nothing to fold or show escaped
        return text if limit is None or len(text) <= limit else text[: max(0, limit - 1)] + "…"
    if one_line:
        text = _LINE_BREAKS.sub(" ", text)
    else:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _UNSAFE.sub(_visible, text)
    if limit is not None and len(text) > limit:
        text = text[: max(0, limit - 1)] + "…"
    return text


def clean_block(value: object) -> str:
    """Several lines (a page, a list of warnings): like `clean`, but newlines and tabs stay."""
    return clean(value, one_line=False)


# Characters that draw nothing: format marks (zero-width space, joiners, word joiner, BOM, soft
# hyphen, bidi marks, tags: category Cf), controls, separators and spaces, combining marks with
# nothing to combine with, unassigned and private-use code points, and the blank "letters"
# (Hangul fillers, braille blank) that look like nothing.
_BLANK_CATEGORIES = frozenset({"Cf", "Cc", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"})
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")


def visible(text: str) -> bool:
    """Whether `text` shows anything at all: a task or note made only of zero-width or other
    invisible characters would be an empty line on the board that someone must still act on."""
    if text.isascii():
        return any(" " < ch < "\x7f" for ch in text)
    return any(unicodedata.category(ch) not in _BLANK_CATEGORIES and ch not in _BLANK_LETTERS for ch in text)


def cut(text: str, limit: int = TEXT_LIMIT) -> str:
    """`text` as a reader gets it: at most `limit` characters of it, then CUT_MARK when there was
    more (a 1 MB task hand-written in the journal is never drawn whole)."""
    return text if len(text) <= limit else text[:limit] + CUT_MARK
