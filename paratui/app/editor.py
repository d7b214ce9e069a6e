"""Editing a binder page in the person's own editor (`e` on the board): the board steps aside
(Textual's `App.suspend`, which works over SSH too), the editor runs in the same terminal, and the
board comes back and re-reads the folder; every other board sees the change through its watcher.

The page is a file in the shared folder: only a regular `.md` file directly in `binder/` is opened,
never a link leading elsewhere, and the editor command comes from this person's own environment
($VISUAL, $EDITOR), never from the shared folder.
"""

from __future__ import annotations

import os
import shlex
import shutil
import stat
import subprocess
from pathlib import Path

from textual.app import App, SuspendNotSupported

FALLBACKS = ("nano", "vi")


def editor_command() -> list[str] | None:
    for name in ("VISUAL", "EDITOR"):
        value = os.environ.get(name, "").strip()
        if value:
            try:
                return shlex.split(value)
            except ValueError:
                continue
    for name in FALLBACKS:
        if shutil.which(name):
            return [name]
    return None


def page_path(root: Path, page: str) -> Path | str:
    """binder/<page>.md inside `root`, or why it cannot be edited."""
    if not page or "/" in page or "\\" in page or page.startswith("."):
        return f"{page!r} is not a binder page name"
    path = root / "binder" / f"{page}.md"
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return path  # a new page: the editor creates it
    except OSError as e:
        return f"binder/{page}.md: {e.strerror or e}"
    if not stat.S_ISREG(st.st_mode):
        return f"binder/{page}.md is not a regular file (a link or a device): not opened"
    return path


def edit(app: App, root: Path, page: str) -> str | None:
    """Open binder/<page>.md in the editor with the board suspended. Returns a problem to show, or
    None once the editor has closed."""
    path = page_path(root, page)
    if isinstance(path, str):
        return path
    command = editor_command()
    if command is None:
        return "no editor found: set EDITOR (e.g. EDITOR=nano)"
    try:
        with app.suspend():
            subprocess.run([*command, str(path)], check=False)
    except SuspendNotSupported:
        return "this terminal cannot hand over to an editor; edit the file directly: " + str(path)
    except OSError as e:
        return f"could not start {command[0]}: {e.strerror or e}"
    return None
