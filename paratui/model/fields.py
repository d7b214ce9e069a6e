"""Checking a teacher's TOML field by field: one helper per kind of field (text, choice, id, flag,
count…), each recording the problem in the words the messages have always used.

Imports nothing from the room's own modules, so classroom, schedule, goals, recurring and access can
all use it (and `normalize`) without importing each other.
"""

from __future__ import annotations


def normalize(text: str) -> str:
    """Initials and codes compare without case, dots or spaces: 'e.m.' == 'EM'."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())
