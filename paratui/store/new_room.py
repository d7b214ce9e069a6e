"""Writing a new room's files (paratui.model.room_setup) into a folder: all of them or none.

Every file is written and fsynced into a hidden folder beside the target, then moved into place by
rename (the whole folder at once when the target does not exist yet). Nothing already in the
target is ever replaced: a name that is there already refuses the lot before anything moves.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Mapping

from paratui.store.atomic import fsync_dir

JOURNAL = "journal"

_UMASK = os.umask(0)
os.umask(_UMASK)


def write_new_room(target: Path, files: Mapping[str, str]) -> None:
    """Write `files` (path inside the folder → text) and an empty journal/ into `target`, a new folder
    or an existing one holding none of those names. FileExistsError names the first one there."""
    target = Path(target)
    parent = target.absolute().parent
    tops = sorted({Path(rel).parts[0] for rel in files} | {JOURNAL})
    if target.exists():
        for name in tops:
            if os.path.lexists(target / name):
                raise FileExistsError(0, "already there; not overwriting it", str(target / name))
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.init-", dir=parent))
    try:
        for rel, text in files.items():
            path = staging / rel
            if staging not in path.parents or ".." in Path(rel).parts:
                raise ValueError(f"not a path inside the room: {rel!r}")
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "xb") as f:
                f.write(text.encode("utf-8"))
                f.flush()
                os.fsync(f.fileno())
        (staging / JOURNAL).mkdir()
        for folder in [staging, *(p for p in staging.rglob("*") if p.is_dir())]:
            fsync_dir(folder)
        if not target.exists():
            os.chmod(staging, 0o777 & ~_UMASK)  # mkdtemp's 0700 would hide it from the team
            os.rename(staging, target)
        else:
            for name in tops:
                os.rename(staging / name, target / name)
            staging.rmdir()
            fsync_dir(target)
        fsync_dir(parent)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
