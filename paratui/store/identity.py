"""Who and where this process is: OS login, host name, and the classroom clock."""

from __future__ import annotations

import getpass
import os
import re
import socket
from datetime import datetime


def login() -> str:
    return os.environ.get("PARATUI_LOGIN") or getpass.getuser()


def host() -> str:
    return os.environ.get("PARATUI_HOST") or socket.gethostname().split(".")[0]


def safe_name(text: str) -> str:
    """Something safe in a file name on every OS and sync tool."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("._") or "x"


def writer_name() -> str:
    """One journal file per writer: this host + this login (two machines never share a file)."""
    return f"{safe_name(host())}--{safe_name(login())}"


def now() -> datetime:
    """The classroom clock: `PARATUI_NOW` (e.g. 2026-11-23T10:15) when set, else the local time.

    Naive local time throughout: a classroom lives in one time zone.
    """
    raw = os.environ.get("PARATUI_NOW")
    if raw:
        return datetime.fromisoformat(raw).replace(tzinfo=None, microsecond=0)
    return datetime.now().replace(microsecond=0)
