"""`S` on the board: the setup screens (`paratui setup`), for the teacher only.

Who may: the teacher, acting from their own login (as `paratui setup` asks; a shared classroom
login, or anyone else, is told why not, in words). The board steps aside as it does for an editor
(Textual's `App.suspend`, over SSH too), `paratui setup` runs in the same terminal as this person,
and the board comes back and reads the folder again (every other board follows through its watcher).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Callable

from textual.app import App, SuspendNotSupported

from paratui.model.classroom import Staff
from paratui.model.text import clean
from paratui.store import identity


def refusal(me: Staff | None, mode: str | None) -> str | None:
    """Why this person may not open the setup screens from the board, or None."""
    if me is None:
        return "Setup changes the room's files: pick who you are first (the teacher opens it)"
    if me.role != "teacher":
        return (f"Setup changes the room's files, which only the teacher does: {clean(me.short, limit=24)} is "
                f"{'a ' + me.role if me.role != 'one-to-one' else 'a one-to-one para'}. Ask the teacher, or send "
                "them a note (N)")
    if mode != "personal" or identity.login() not in me.logins:
        return ("Setup changes the room's files: the teacher opens it from their own login, not the shared "
                "classroom account (run `paratui setup` there)")
    return None


def command(root: Path, staff_id: str, theme: str | None) -> list[str]:
    return [sys.executable, "-m", "paratui", *(["--theme", theme] if theme else []), "setup", "--data", str(root),
            "--as", staff_id]


def open_setup(app: App, root: Path, staff_id: str, theme: str | None,
               run: Callable[[list[str]], int] = lambda c: subprocess.run(c, check=False).returncode) -> str | None:
    """Run `paratui setup` with the board suspended. A problem to show, or None once it has closed."""
    try:
        with app.suspend():
            code = run(command(root, staff_id, theme))
        if code not in (0, 1):  # 1: closed with nothing saved; the rest said why on the terminal, now redrawn
            return f"`paratui setup` stopped (exit {code}): run it at a terminal to see why"
    except SuspendNotSupported:
        return f"this terminal cannot hand over to the setup screens: run `paratui setup --data {root}`"
    except OSError as e:
        return f"could not start `paratui setup`: {e.strerror or e}"
    return None
