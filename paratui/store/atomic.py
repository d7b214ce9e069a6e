"""One small helper for every file paratui writes: readers see the old file or the new one, never half."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def fsync_dir(folder: Path) -> None:
    """Make a rename inside `folder` durable (the directory entry itself must reach the disk)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # e.g. platforms without directory fds; the rename is still atomic
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_UMASK = os.umask(0)
os.umask(_UMASK)


def _mode_for(path: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual 0644-ish (mkstemp's 0600 would
    hide it from the other accounts that share the folder). Never looks through a symlink: the
    replace below replaces the link itself, so the link's target is not ours to copy from."""
    try:
        st = os.lstat(path)
        if stat.S_ISREG(st.st_mode):
            return st.st_mode & 0o777
    except OSError:
        pass
    return 0o666 & ~_UMASK


def atomic_write(path: Path, data: bytes, mode: int | None = None, durable: bool = True) -> None:
    """Write `data` to `path` atomically and (unless not `durable`: a cache) durably.

    Temp file in the same folder (same filesystem, so the rename is atomic), flushed and fsynced,
    `os.replace`d over the target, then the folder fsynced. Returns only when the data is on disk.
    The temp name starts with a dot and ends in `.tmp`, so readers and watchers skip it.

    `mode`: the file's permissions whatever the umask (the journal passes 0o644 so the other
    accounts sharing the folder can always read it); default: the old file's, or 0o666 & ~umask.
    Never follows a symlink: mkstemp creates a new name (O_EXCL), and `os.replace` over a symlink
    replaces the link, not the file it points to.
    """
    folder = path.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        os.fchmod(fd, _mode_for(path) if mode is None else mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            if durable:
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    if durable:
        fsync_dir(folder)
