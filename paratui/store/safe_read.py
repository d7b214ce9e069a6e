"""Reading a file from the shared folder without trusting it to be a sane file.

Anyone who can write to the folder (a colleague, another account, a sync peer) can put a FIFO
there (`open` blocks forever), a symlink to /dev/zero (reading never ends) or to a file outside the
folder, or a file of gigabytes. Every read of the data folder goes through `read_regular`, which
only ever reads a bounded amount from a regular file.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

MiB = 1024 * 1024


class UnsafeFile(OSError):
    """Not read: not a regular file, a link out of the folder, or too large. `strerror` says why."""

    def __init__(self, path: Path, reason: str):
        super().__init__(errno.EINVAL, reason, str(path))


def inside(path: Path, root: Path) -> bool:
    """Whether `path` lies within `root` (both already resolved)."""
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def read_regular(path: Path, limit: int, root: Path | None = None) -> bytes:
    """The bytes of `path`, at most `limit` of them, or UnsafeFile / OSError.

    A symlink is followed only when `root` is given and the link stays inside it (a teacher may
    link a binder page to another page); never a FIFO, socket, device or directory.
    """
    return read_regular_owned(path, limit, root)[0]


def read_regular_owned(path: Path, limit: int, root: Path | None = None) -> tuple[bytes, int]:
    """`read_regular`, and the uid owning the file the bytes were read from (of the open file
    itself: a file swapped in between a stat and the read is never credited to the one it replaced)."""
    path = Path(path)
    target = path
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        if root is None:
            raise UnsafeFile(path, "is a symbolic link (not followed)")
        resolved = path.resolve()
        if not inside(resolved, Path(root).resolve()):
            raise UnsafeFile(path, "is a symbolic link out of the data folder (not followed)")
        target = resolved
        st = os.stat(target)
    if not stat.S_ISREG(st.st_mode):
        raise UnsafeFile(path, f"is not a regular file ({_kind(st.st_mode)}; not read)")
    if st.st_size > limit:
        raise UnsafeFile(path, f"is {st.st_size / MiB:.1f} MiB, over the {limit / MiB:g} MiB limit (not read)")
    # O_NONBLOCK: if the file was swapped for a FIFO since the lstat, open still returns at once.
    fd = os.open(target, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnsafeFile(path, f"is not a regular file ({_kind(st.st_mode)}; not read)")
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(1 * MiB, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise UnsafeFile(path, f"grew over the {limit / MiB:g} MiB limit while being read (not read)")
        return b"".join(chunks), st.st_uid
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a plain file"
