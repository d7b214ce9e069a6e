"""A terminal, pipe or locale that cannot carry every character (`LC_ALL=C PYTHONUTF8=0`,
`PYTHONIOENCODING=ascii`, an old serial console): the command line still works.

- Output: what the stream's encoding cannot show is written as ASCII (— as --, é as e, ␛ as ^[),
  said once on stderr; never a traceback. `board --json` escapes instead (`\\u00e9`), so the data
  read by a script stays exact.
- Input: under an ASCII locale Python hands each non-ASCII byte of an argument over as a lone
  surrogate; the text typed (UTF-8 from the terminal) is recovered from those bytes, so `task add
  'café'` stores café. Paths (--data, init's folder, --output) stay as the file system gave them.
"""

from __future__ import annotations

import argparse
import codecs
import os
import sys
import unicodedata
from typing import TextIO

HANDLER = "paratui-ascii"

# The glyphs the board, its messages and `clean` use, and what each is in ASCII.
GLYPHS = {
    "—": "--", "–": "-", "…": "...", "·": "*", "•": "*", "→": "->", "←": "<-", "↑": "^", "↓": "v",
    "≤": "<=", "≥": ">=", "≠": "!=", "×": "x", "±": "+/-", "⚠": "!", "▶": ">", "◀": "<", "✓": "v", "✔": "v",
    "✗": "x", "★": "*", "☐": "[ ]", "☑": "[x]", "¢": "c", "°": "deg", "“": '"', "”": '"', "‘": "'", "’": "'",
    "«": "<<", "»": ">>", "\u2421": "^?", "\u00a0": " ", "\u2009": " ", "\u202f": " ",
}
PROBE = "—…é⚠␛"  # what a stream must carry for the board's words to be shown as they are
PATH_ARGUMENTS = frozenset({"data", "dir", "output"})


def ascii_glyph(ch: str) -> str:
    """One character as ASCII: the board's glyphs by their look, control pictures (␛, from `clean`)
    as ^[, letters without their accents (é → e), anything else as ?."""
    if ch in GLYPHS:
        return GLYPHS[ch]
    code = ord(ch)
    if 0x2400 <= code < 0x2420:
        return "^" + chr(code - 0x2400 + 0x40)
    base = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode("ascii")
    return base if base.isprintable() and base else "?"


def _replace(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start:error.end]
    return "".join(ascii_glyph(ch) for ch in text), error.end


codecs.register_error(HANDLER, _replace)


def carries(stream: TextIO, text: str = PROBE) -> bool:
    """Whether `stream`'s encoding can write `text` as it is."""
    try:
        text.encode(getattr(stream, "encoding", None) or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def fit_output() -> bool:
    """Make stdout and stderr write what their encoding cannot carry as ASCII, and say so once on
    stderr. True when they already carried everything."""
    narrow = [s for s in (sys.stdout, sys.stderr) if s is not None and not carries(s)]
    for stream in narrow:
        try:
            stream.reconfigure(errors=HANDLER)  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            pass
    if narrow:
        encodings = sorted({str(getattr(s, "encoding", None) or "unknown") for s in narrow})
        print(f"paratui: the output's character set ({', '.join(encodings)}) cannot show every character: "
              "shown in ASCII (-- for a dash, letters without accents); what is stored stays as typed. "
              "A UTF-8 locale (LANG=C.UTF-8) shows it all.", file=sys.stderr)
    return not narrow


def typed(text: str) -> str:
    """An argument as the person typed it: lone surrogates (bytes an ASCII locale could not decode)
    read back as the UTF-8 they were. Not UTF-8: refused, naming it (ValueError)."""
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text
    raw = os.fsencode(text)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        shown = raw.decode("ascii", "backslashreplace")
        raise ValueError(f"{shown!r} is not UTF-8 text: type it in a UTF-8 terminal (LANG=C.UTF-8)") from None


def typed_arguments(args: argparse.Namespace) -> None:
    """Every text argument of `args` (not its paths) as typed: see `typed`."""
    for name, value in vars(args).items():
        if name in PATH_ARGUMENTS:
            continue
        if isinstance(value, str):
            setattr(args, name, typed(value))
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            setattr(args, name, [typed(v) for v in value])
