"""Several OS accounts sharing one data folder: who may read, write and replace what.

The permission model
--------------------
A classroom's data folder is shared by the team's accounts (one workstation with several logins,
or a network share). Everyone in the folder's group must be able to read every journal file, and
add their own; no one may erase or replace someone else's.

* **One group.** The data folder and `journal/` belong to the team's group (`paratui init` uses
  the folder's group, or the one you name). `journal/` and every folder in it are setgid, so each
  new day or month folder and each new file takes that group, whatever the writer's primary group.
* **Files readable by the group whatever the umask.** paratui sets each journal file it writes to
  0644 and each folder it makes to the journal's mode (at least 0750) explicitly, instead of
  trusting the umask: with `umask 077` a file would otherwise be 0600 and the other boards could not
  read it (moves silently missing). A file that cannot be read is a warning on the board (counted
  on the top bar), naming the file. Write permission on files is never needed: a write replaces the
  writer's own file by a rename, so 0644 also means only its owner can change its content.
* **Sticky folders.** `journal/` is 3775 (rwxrwsr-t: group-writable, setgid, sticky), and so is
  every folder made in it. The sticky bit means a member can add files but cannot rename over or
  delete another member's file (`mv mine.json theirs.json` fails). The owner of a folder is exempt
  (the kernel's rule): the account that made a day's folder could still replace files in it, so
  this stops accidents and casual tampering, not a determined colleague. Only the data folder's
  backups stop that.
* **Not as root.** `sudo -E paratui move …` would leave a root-owned file (and lock file) that the
  real account cannot replace: paratui refuses to write as root into a journal root does not own,
  and says whose folder it is. A file of the writer's own name owned by another account (left by
  such a run, or by a sync tool) is left alone: the writer quietly uses `NAME.1.json` instead.
* **Others.** paratui does not change what accounts outside the group can do with the data folder:
  to keep them out, `chmod o-rwx` the data folder (the files in it are then unreachable to them).

`setup_shared` applies this to a folder; `paratui init` calls it.
"""

from __future__ import annotations

import grp
import os
import stat
from pathlib import Path

JOURNAL = "journal"
PINS = "pins"
FOLDER_MODE = 0o3775  # rwxrwsr-t: group-writable, setgid (new entries take the group), sticky
FILE_MODE = 0o644  # the same as paratui.store.journal.FILE_MODE


def _group_id(name: str) -> int:
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        raise ValueError(f"there is no group named {name!r} on this machine") from None


def _group_name(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def setup_shared(root: Path, group: str | None = None) -> list[str]:
    """Set `root` (an existing data folder) up for several accounts, as the module docstring says:
    the data folder and everything in `journal/` in `group` (default: the data folder's group),
    `journal/` and its folders 3775, journal files 0644 and the room's own files group-readable.

    Returns one human line per thing done (and per thing that could not be done, e.g. a file
    another account owns: only its owner or root may change it). Raises ValueError for an unknown
    group, OSError when the folder itself cannot be changed.
    """
    root = Path(root)
    journal = root / JOURNAL
    lines: list[str] = []
    gid = _group_id(group) if group else os.stat(root).st_gid
    gname = _group_name(gid)

    st = os.stat(root)
    if st.st_gid != gid:
        os.chown(root, -1, gid)
    os.chmod(root, (st.st_mode & 0o7777) | 0o2050)  # group may enter and list; setgid
    lines.append(f"{root}: group {gname}, its members can read it (new files take the group)")

    journal.mkdir(exist_ok=True)
    pins = root / PINS
    pins.mkdir(exist_ok=True)  # the PINs of the shared login (paratui.store.pins): made like journal/
    if os.lstat(pins).st_gid != gid:
        os.chown(pins, -1, gid, follow_symlinks=False)
    os.chmod(pins, FOLDER_MODE)
    failed: list[str] = []
    folders = files = 0
    for path in [journal, *sorted(journal.rglob("*"))]:
        try:
            pst = os.lstat(path)
            if stat.S_ISLNK(pst.st_mode):
                continue  # never change what a link points to
            if stat.S_ISDIR(pst.st_mode):
                if pst.st_gid != gid:
                    os.chown(path, -1, gid, follow_symlinks=False)
                os.chmod(path, FOLDER_MODE)
                folders += 1
            elif stat.S_ISREG(pst.st_mode):
                if pst.st_gid != gid:
                    os.chown(path, -1, gid, follow_symlinks=False)
                os.chmod(path, FILE_MODE)
                files += 1
        except OSError as e:
            failed.append(f"{path.relative_to(root)}: {e.strerror} (its owner or root can fix it)")
    lines.append(f"{JOURNAL}/ and its {folders - 1} folders: group {gname}, mode 3775 (rwxrwsr-t): members "
                  "add their own files; no one can rename over or delete another's")
    if files:
        lines.append(f"{files} journal files: readable by the group (0644)")

    for path in sorted(p for p in root.iterdir() if p.name != JOURNAL):
        try:
            pst = os.lstat(path)
            if stat.S_ISLNK(pst.st_mode):
                continue
            targets = [path, *sorted(path.rglob("*"))] if stat.S_ISDIR(pst.st_mode) else [path]
            for t in targets:
                tst = os.lstat(t)
                if stat.S_ISLNK(tst.st_mode) or not (stat.S_ISDIR(tst.st_mode) or stat.S_ISREG(tst.st_mode)):
                    continue
                if tst.st_gid != gid:
                    os.chown(t, -1, gid, follow_symlinks=False)
                extra = 0o050 if stat.S_ISDIR(tst.st_mode) else 0o040
                os.chmod(t, (tst.st_mode & 0o7777) | extra)
        except OSError as e:
            failed.append(f"{path.relative_to(root)}: {e.strerror} (its owner or root can fix it)")
    lines.append(f"classroom.toml, schedule.toml, binder/, themes/: readable by group {gname}")
    lines.extend(f"could not set up {f}" for f in failed)
    return lines


def shared_problems(root: Path) -> list[str]:
    """What in `root` does not follow the model (for a board warning or `paratui doctor`): a journal
    folder that is not sticky while group-writable, or not readable by its group."""
    journal = Path(root) / JOURNAL
    try:
        st = os.stat(journal)
    except OSError:
        return []
    problems = []
    mode = st.st_mode
    if mode & 0o020 and not mode & stat.S_ISVTX:
        problems.append(f"{JOURNAL}/ is group-writable but not sticky: any member can replace another's "
                        "file (`paratui init` on the folder sets it up)")
    if not mode & 0o040:
        problems.append(f"{JOURNAL}/ is not readable by its group: other accounts' boards see nothing")
    return problems
