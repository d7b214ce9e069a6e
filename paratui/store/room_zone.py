"""The room's time zone: the one place that decides which local time a paratui process uses.

`timezone = "America/Chicago"` in classroom.toml (written by `paratui init`) is the room's local
time. Every paratui time is naive local time (paratui.store.identity.now, the journal's times read
back with `.astimezone()`, reports, history), so the zone is made this process's own (`TZ`, then
`time.tzset()`) when a command or a board opens the room (`use_room_zone`, called by
paratui.cli.common.open_room): a teacher over SSH from a machine set to UTC sees the room's times,
and what they write carries the room's UTC offset. PARATUI_NOW keeps working: a time without an
offset is the room's local time; one with an offset is that instant, shown in the room's zone.

A zone this computer does not know (or a malformed one) is a warning naming the file, the line and
the field, and the times are this computer's (its zone named). No `timezone`: this computer's, as
before. The building view (several rooms in one process) keeps this computer's zone.
"""

from __future__ import annotations

import os
import time
import tomllib
import zoneinfo
from pathlib import Path

from paratui.model.errors import Problem
from paratui.model.text import clean
from paratui.store.safe_read import read_regular

CLASSROOM = "classroom.toml"
LIMIT = 1024 * 1024


def machine_zone() -> str:
    """This computer's zone, by name: TZ, else /etc/localtime's link, else /etc/timezone, else UTC."""
    tz = os.environ.get("TZ", "").lstrip(":")
    if tz:
        return tz
    try:
        link = os.readlink("/etc/localtime")
        if "zoneinfo/" in link:
            return link.split("zoneinfo/", 1)[1]
    except OSError:
        pass
    try:
        return Path("/etc/timezone").read_text(encoding="utf-8").strip() or "UTC"
    except OSError:
        return "UTC"


def known(name: str) -> bool:
    """Whether this computer's time zone database has `name`."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def zone_problem(name: str | None, machine: str | None = None) -> Problem | None:
    """The warning for a `timezone` this computer does not know (field `timezone`), or None."""
    if name is None or known(name):
        return None
    return Problem("timezone", f"{clean(name, limit=40)!r} is not a time zone this computer knows (e.g. "
                   f"America/Chicago, Europe/Paris); the times are this computer's ({machine or machine_zone()})")


def _line(text: str) -> int | None:
    for n, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("["):
            return None  # a top-level key is before the first table
        if line.split("=", 1)[0].strip() == "timezone":
            return n
    return None


_MACHINE: list[str] = []  # this computer's zone, before any room changed TZ


def use_room_zone(root: Path) -> str | None:
    """Make classroom.toml's `timezone` this process's local time zone. Returns a warning
    (`classroom.toml:3: timezone: …`) when it cannot be, else None. An unreadable classroom.toml
    says nothing here: the folder's reader says what is wrong with it."""
    if not _MACHINE:
        _MACHINE.append(machine_zone())
    try:
        text = read_regular(Path(root) / CLASSROOM, LIMIT, Path(root)).decode("utf-8")
        raw = tomllib.loads(text).get("timezone")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError, ValueError):
        return None
    if raw is None:
        return None
    line = _line(text)
    where = f"{CLASSROOM}:{line}" if line else CLASSROOM
    name = raw.strip() if isinstance(raw, str) else None
    problem = zone_problem(name, _MACHINE[0]) if name else Problem(
        "timezone", f"expected a time zone name like \"America/Chicago\"; the times are this computer's "
        f"({_MACHINE[0]})")
    if problem is not None:
        return f"{where}: {problem.field}: {problem.message}"
    assert name is not None
    if os.environ.get("TZ") != name:
        os.environ["TZ"] = name
        time.tzset()
    return None


__all__ = ["known", "machine_zone", "use_room_zone", "zone_problem"]
