"""Who and where this process is: OS login, host name, and the classroom clock."""

from __future__ import annotations

import os
import pwd
import re
import socket
import time
from datetime import datetime, timedelta
from typing import Callable

from paratui.model.events import local_time


def login() -> str:
    """The OS login this process runs as, from the operating system (the effective user id), never
    from USER/LOGNAME/PARATUI_LOGIN, which anyone can set: it decides who is acting (model/access.py)
    and is recorded with every event."""
    uid = os.geteuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:  # a uid with no passwd entry (some containers)
        return f"uid{uid}"


def writer_login() -> str:
    """The login part of this writer's journal file name. PARATUI_LOGIN may rename the file (tests and
    benches simulate several machines with it); it never changes who is acting."""
    return os.environ.get("PARATUI_LOGIN") or login()


def host() -> str:
    """The machine's own name, recorded with every event: never from PARATUI_HOST, which anyone can set."""
    return socket.gethostname().split(".")[0]


def writer_host() -> str:
    """The host part of this writer's journal file name. PARATUI_HOST may rename the file (tests and
    benches simulate several machines with it); it never changes the host the audit records."""
    return os.environ.get("PARATUI_HOST") or host()


def safe_name(text: str) -> str:
    """Something safe in a file name on every OS and sync tool."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("._") or "x"


def writer_name() -> str:
    """One journal file per writer: this host + this login (two machines never share a file)."""
    return f"{safe_name(writer_host())}--{safe_name(writer_login())}"


class ClockError(ValueError):
    """PARATUI_NOW is set but is not a date-time."""


def now() -> datetime:
    """The classroom clock: `PARATUI_NOW` (e.g. 2026-11-23T10:15) when set, else the local time.

    Naive local time throughout (the journal stores each writer's UTC offset and converts on read);
    in the hour a fall-back night repeats, the second time round has `fold=1` (as `datetime.now()`
    gives it), so the instant is never lost.
    """
    raw = os.environ.get("PARATUI_NOW")
    if raw:
        try:
            when = datetime.fromisoformat(raw.strip())
        except ValueError:
            raise ClockError(f"PARATUI_NOW={raw[:40]!r} is not a date-time like 2026-11-23T10:15") from None
        if when.tzinfo is not None:  # an offset names the instant: 01:20-06:00 is the second 01:20
            when = local_time(when)
        return when.replace(microsecond=0)
    return datetime.now().replace(microsecond=0)


def running_clock(tick: Callable[[], float] = time.monotonic) -> Callable[[], datetime]:
    """A clock that starts at `now()` (PARATUI_NOW when set) and runs with real time from there: the
    demo room's board, so minutes out and timers move in a demo set to the middle of a school day."""
    start, started = now(), tick()

    def clock() -> datetime:
        return start + timedelta(seconds=int(tick() - started))

    return clock
