"""Reading a roster file (students, staff) from wherever the teacher saved it: bounded and only a
regular file, then parsed by paratui.model.roster.

A roster is at most 40 students or 25 staff, so at most `BYTE_LIMIT` bytes are ever read: a school's
10,000-row export is refused from its first rows (the parser stops at the limit), never read whole.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Sequence

from paratui.model.roster import BYTE_LIMIT, Roster, RosterError, RosterStaff, parse_staff, parse_students


def read_head(path: Path, limit: int = BYTE_LIMIT) -> tuple[bytes, bool]:
    """(the first `limit` bytes of a regular file, whether that is all of it). Never a FIFO, a
    device or a folder (opening one could block or never end); RosterError says why."""
    label = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise RosterError(f"{label}: no such file") from None
    except OSError as e:
        raise RosterError(f"{label}: cannot be read: {e.strerror or e}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise RosterError(f"{label}: not a file (a folder, a pipe or a device): give the CSV file")
        chunks: list[bytes] = []
        got = 0
        while got <= limit:
            chunk = os.read(fd, min(65536, limit + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
    except OSError as e:
        raise RosterError(f"{label}: cannot be read: {e.strerror or e}") from None
    finally:
        os.close(fd)
    raw = b"".join(chunks)
    return raw[:limit], len(raw) <= limit


def load_staff(path: Path) -> Roster:
    raw, complete = read_head(path)
    return parse_staff(raw, Path(path).name, complete)


def load_students(path: Path, staff: Sequence[RosterStaff] = ()) -> Roster:
    raw, complete = read_head(path)
    return parse_students(raw, Path(path).name, staff, complete)
