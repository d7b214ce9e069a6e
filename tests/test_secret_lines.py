"""Lines that look like a stored password (paratui.store.folder.secret_lines): the quick look for the
words the patterns need never misses a line the patterns themselves find."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from paratui.store.folder import _SECRETS, secret_lines

WORDS = ["password", "PassWord", "PAſſWORD", "pass word", "pass-codes", "passwd", "pwd", "PIN", "pin",
         "secret", "api_key", "API-KEY", "token", "contraseña", "user names", "username", "login",
         "accounts", "and", "&", "/", ",", "+", "|", ":", "=", "'", '"', " ", "\n", "\r\n", "x", "mapping"]


def slow(text: str) -> list[int]:
    return [i for i, line in enumerate(text.splitlines(), 1) if any(p.search(line) for p in _SECRETS)]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=30).map("".join))
def test_the_quick_look_finds_every_line_the_patterns_do(text):
    assert secret_lines(text) == slow(text)


def test_what_it_finds():
    text = "# Binder\nusernames and passwords below\n| user | pin |\n|---|---|\n| jt | 1234 |\nPAſſWORD: x\n"
    assert secret_lines(text) == [2, 6]
    assert secret_lines('api_key = "x"\nmapping the room\n') == [1]
    assert secret_lines("Therapist: speech on Tuesdays\nSpinning chair\n") == []
