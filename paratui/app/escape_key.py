"""Esc, then the next key at once, is Esc and then that key (issue 19).

A terminal sends Esc as the one byte ESC, and Alt+m (or Option+← on a Mac) as ESC followed by `m`
(or `b`). Textual tells them apart by time alone: whatever arrives within 100 ms of an ESC is read
as one key with it. So a para who cancels a picker with Esc and types `m1b` right after (or whose
keys reach the board in one ssh packet) got `alt+m`, `1`, `b`: the Esc was lost and the picker stayed
open, `m` went into a form's field, Esc then `b` became ctrl+left, Esc then `5` became "∞", Esc then
`#` or Enter became `#` or Enter alone.

The board binds no Alt key, so here an ESC followed by anything that cannot start a terminal
sequence (`[` CSI, `O` SS3, `]` OSC, `P` DCS, `_` APC, or another ESC) is the Esc key at once, and
the next byte is read as a key of its own. Arrow keys, function keys, mouse reports and bracketed
paste (all `ESC [` or `ESC O`) are untouched. The cost: Alt+letter and the Mac's Option+←/→ in a
form field are Esc then the letter (Esc cancels the form)."""

from __future__ import annotations

from typing import Iterable

from textual._parser import ParseTimeout
from textual._time import get_time
from textual._xterm_parser import XTermParser
from textual.message import Message

ESC = "\x1b"
SEQUENCE_STARTS = frozenset("[O]P_" + ESC)


class EscapeFirstParser(XTermParser):
    """Textual's parser, except that ESC + a key that starts no sequence is two keys."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._lone_escape = False  # an ESC was just read, and nothing after it yet

    def feed(self, data: str) -> Iterable[Message]:
        if not data:
            yield from super().feed(data)
            return
        for character in data:
            if self._lone_escape and character not in SEQUENCE_STARTS and not self._eof:
                yield from self._escape_now()
            yield from super().feed(character)
            # the parser waits (with its timeout) for what follows an ESC it holds on its own
            self._lone_escape = character == ESC and self._awaiting.timeout is not None

    def _escape_now(self) -> Iterable[Message]:
        """What the 100 ms timeout would do: the ESC read so far is the Esc key."""
        self._lone_escape = False
        self._timeout_time = None
        self._awaiting = self._gen.throw(ParseTimeout())
        while self._tokens:
            yield self._tokens.popleft()

    def tick(self) -> Iterable[Message]:
        fired = self._timeout_time is not None and get_time() >= self._timeout_time
        yield from super().tick()
        if fired:
            self._lone_escape = False


def install() -> None:
    """Every board started in this process reads keys with `EscapeFirstParser` (the Linux driver
    builds its parser from this module-level name when its input thread starts)."""
    try:
        from textual.drivers import linux_driver
    except ImportError:  # pragma: no cover - no Linux driver on this platform
        return
    linux_driver.XTermParser = EscapeFirstParser  # type: ignore[misc]
