"""Checking a teacher's TOML field by field: one helper per kind of field (text, choice, id, flag,
count…), each recording the problem in the words the messages have always used.

Imports nothing from the room's own modules, so classroom, schedule, goals, recurring and access can
all use it (and `normalize`) without importing each other.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Collection, Iterator, Sequence

from paratui.model.errors import Problem
from paratui.model.text import clean

PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]{1,40}")  # a key that can be repeated in a message
_CODE = re.compile(r"[A-Za-z0-9_-]{1,40}")  # the ids a teacher makes up: goals, behaviors, tasks


@lru_cache(maxsize=4096)  # the same few ids and initials, compared thousands of times a read
def normalize(text: str) -> str:
    """Initials and codes compare without case, dots or spaces: 'e.m.' == 'EM'."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def quoted(value: Any, limit: int = 30) -> str:
    """A short value quoted for a message (only for fixed choices such as a role, never for a
    reference to a person: those are never echoed, a full name could be typed there)."""
    return repr(clean(value, limit=limit)) if isinstance(value, str) else type(value).__name__


def kind_of(value: Any) -> str:
    return {dict: "a table", list: "a list", str: "text", bool: "true/false", int: "a number",
            float: "a number"}.get(type(value), type(value).__name__)


def _path(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


class Checker:
    """Collects problems instead of stopping at the first, so the teacher can fix them in one go.

    Each field helper takes the table, the key and where the table is (`staff[2]`), and returns the
    value, or None (or the default) after recording the problem at `where.key`. Messages never
    repeat a value that may be a person's name (an unknown student, staff or location reference):
    the field and the line say where it is.
    """

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def add(self, field: str, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(field, message, hint=hint))

    def warn(self, field: str, message: str, hint: str | None = None) -> None:
        self.warnings.append(Problem(field, message, hint=hint))

    def table(self, value: Any, field: str) -> dict:
        if not isinstance(value, dict):
            self.add(field, f"expected a table, got {kind_of(value)}")
            return {}
        return value

    def array(self, value: Any, field: str, header: str) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(field, f"expected [[{header}]] tables, got {kind_of(value)}")
            return []
        return value

    def tables(self, data: dict, header: str) -> Iterator[tuple[int, dict]]:
        """The [[header]] tables, each numbered by its place in the file (checked one by one, so each
        table's problems come together)."""
        for i, raw in enumerate(self.array(data.get(header), header, header)):
            yield i, self.table(raw, f"{header}[{i}]")

    def keys(self, data: dict, allowed: set[str], field: str) -> None:
        for key in data:
            if key not in allowed:
                allowed_text = ", ".join(sorted(allowed))
                if PLAIN_KEY.fullmatch(key):
                    self.add(_path(field, key), f"unknown key (allowed: {allowed_text})")
                else:  # a quoted key can be anything, a full name too: point at it, do not repeat it
                    self.add(field, f"a key here is not allowed (allowed: {allowed_text})",
                             hint=_path(field, key))

    def text(self, data: dict, key: str, where: str, missing: str | None = "missing") -> str | None:
        """Non-empty text, stripped. `missing`: the message when it is left out (None: optional)."""
        value = data.get(key)
        if value is None:
            if missing:
                self.add(_path(where, key), missing)
            return None
        if not isinstance(value, str) or not value.strip():
            self.add(_path(where, key), "expected non-empty text")
            return None
        return value.strip()

    def code(self, value: str | None, field: str) -> str | None:
        """An id the teacher makes up (`G1`, `lunch-count`), as read by `text`: it must be safe in a
        file name or a message."""
        if value and not _CODE.fullmatch(value):
            self.add(field, "letters, digits, - and _ only (at most 40)")
            return None
        return value

    def choice(self, data: dict, key: str, where: str, choices: Sequence[str], default: str | None = None,
               missing: str | None = None) -> str | None:
        """One of `choices`; left out: `default`, or a problem (`missing`, or "missing one of …")."""
        value = data.get(key, default)
        if value in choices:
            return value
        listed = ", ".join(choices)
        if value is None:
            self.add(_path(where, key), missing or f"missing one of {listed}")
        else:
            self.add(_path(where, key), f"{quoted(value)} is not one of {listed}")
        return None

    def ref(self, data: dict, key: str, where: str, ids: Collection[str], message: str) -> str | None:
        """An optional reference to one of `ids` (a staff id…); never echoed, it may be a name."""
        value = data.get(key)
        if value is not None and (not isinstance(value, str) or value not in ids):
            self.add(_path(where, key), message)
            return None
        return value

    def flag(self, data: dict, key: str, where: str, default: bool = False) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.add(_path(where, key), "expected true or false")
            return default
        return value

    def count(self, data: dict, key: str, where: str, low: int, high: int | None, message: str,
              default: int | None = None, required: bool = False) -> int | None:
        """A whole number from `low` to `high` (None: no top); left out: `default` (or, `required`,
        the same problem as a wrong one)."""
        value = data.get(key)
        if value is None and not required:
            return default
        if (not isinstance(value, int) or isinstance(value, bool) or value < low
                or (high is not None and value > high)):
            self.add(_path(where, key), message)
            return default
        return value

    def day(self, data: dict, key: str, where: str, required: bool = False) -> date | None:
        """A TOML date (2026-11-02, unquoted) or the same as text; None when left out (a problem
        when `required`) or not a date."""
        value = data.get(key)
        if value is None and not required:
            return None
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.add(f"{where}.{key}", "missing: a date, YYYY-MM-DD (e.g. 2026-11-02)" if value is None
                 else "expected a date, YYYY-MM-DD (e.g. 2026-11-02)")
        return None

    def texts(self, data: dict, key: str, where: str) -> tuple[str, ...]:
        """A list of non-empty texts, stripped (left out: none)."""
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(x, str) and x.strip() for x in value):
            self.add(_path(where, key), "expected a list of non-empty texts")
            return ()
        return tuple(x.strip() for x in value)
