"""What many test files need: the demo room at a fixed moment, the board on a data folder, waiting
for the board's work to show, and `paratui` run as its own process (as a person or script runs it)."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from textual.pilot import Pilot
from textual.widget import Widget

from paratui.app.board_app import BoardApp
from paratui.store import identity, paths
from paratui.store.room import Room

NOW = "2026-11-23T10:15"  # a Monday, during math groups
NOW_DT = datetime.fromisoformat(NOW)
DAY = NOW_DT.date()


def demo_copy(target: Path) -> Path:
    """A fresh copy of the demo room (never write into the checkout's data/), without whatever
    journal the checkout has and without its recurring.toml: a test sees only the tasks it writes."""
    shutil.copytree(paths.demo_data(), target, ignore=shutil.ignore_patterns("journal", "recurring.toml"))
    (target / "journal").mkdir(exist_ok=True)
    return target


# -- the board -----------------------------------------------------------------------------------
def make_app(data: Path, clock: Callable[[], datetime] = identity.now, **kwargs: Any) -> BoardApp:
    """The board on `data` (with the built-in themes and the folder's own unless told otherwise)."""
    kwargs.setdefault("theme_folders", [paths.builtin_themes(), data / "themes"])
    return BoardApp(Room(data, clock=clock), **kwargs)


def text(app: BoardApp, pane: type[Widget]) -> str:
    """What one pane of the board says."""
    return str(app.query_one(pane).content)  # type: ignore[attr-defined]


async def settle(pilot: Pilot[Any]) -> None:
    """Let a key's work finish: the write runs on a thread, then the board re-reads on another. Not
    while a picker is open: the key's worker waits for it."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def wait_for(pilot: Pilot[Any], condition: Callable[[], object], seconds: float = 10.0) -> bool:
    """Let the board work (watcher thread, timers) until `condition()` holds; False if it never does."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline:
        if condition():
            return True
        await pilot.pause(0.02)
    return bool(condition())


def entries(root: Path, type_: str | None = None) -> list[Any]:
    """The live journal events of the room, read from its files as another process would."""
    from paratui.model.events import live_events

    events = live_events(Room(root).snapshot().events)
    return [e for e in events if type_ is None or e.type == type_]


# -- the command line ----------------------------------------------------------------------------
def env_for(host: str = "testhost", login: str = "tester", **extra: str) -> dict[str, str]:
    """This process's environment without its PARATUI_* settings, at NOW, as `login` on `host`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARATUI_")}
    env.update(PARATUI_NOW=NOW, PARATUI_HOST=host, PARATUI_LOGIN=login, **extra)
    return env


def run_cli(*args: str, data: Path | None = None, env: dict[str, str] | None = None,
            check: bool = False, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`paratui ARGS [--data DATA]` in a separate process, with this environment plus `env`."""
    argv = [sys.executable, "-m", "paratui", *args]
    if data is not None:
        argv += ["--data", str(data)]
    full_env = {**os.environ, **(env or {})}
    result = subprocess.run(argv, capture_output=True, text=True, env=full_env, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"paratui {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return result
