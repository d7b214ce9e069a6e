"""Esc, then a key at once, is two keys (paratui/app/escape_key.py): what the terminal's bytes become."""

from __future__ import annotations

import time

import pytest

from paratui.app.escape_key import EscapeFirstParser


def keys(*chunks: str, wait: float = 0.0) -> list[str]:
    parser = EscapeFirstParser()
    out = []
    for chunk in chunks:
        out += list(parser.feed(chunk))
        if wait:
            time.sleep(wait)
            out += list(parser.tick())
    out += list(parser.feed(""))
    return [getattr(t, "key", type(t).__name__) for t in out]


@pytest.mark.parametrize("typed, meant", [
    ("\x1bm5b", ["escape", "m", "5", "b"]),  # was alt+m 5 b
    ("\x1bb1", ["escape", "b", "1"]),  # was ctrl+left 1
    ("\x1b5", ["escape", "5"]),  # was ∞
    ("\x1b#", ["escape", "number_sign"]),  # was # (the Esc lost)
    ("\x1b\r", ["escape", "enter"]),  # was enter
    ("\x1b\x1bm", ["escape", "escape", "m"]),
    ("\x1b", ["escape"]),
    # sequences are untouched
    ("\x1b[A\x1bOP", ["up", "f1"]),
    ("\x1b[200~hi\x1b[201~", ["Paste"]),
    ("\x1b[<0;5;5M", ["MouseDown"]),
])
def test_one_burst(typed, meant):
    assert keys(typed) == meant


def test_the_next_key_in_a_later_read():
    assert keys("\x1b", "m") == ["escape", "m"]  # 10 ms later: within the 100 ms Textual waits


def test_after_the_timeout():
    assert keys("\x1b", "m", wait=0.15) == ["escape", "m"]
