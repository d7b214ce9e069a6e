"""A board whose terminal is gone leaves within seconds, whatever Textual's output thread is doing.

When the terminal goes away mid-redraw (an ssh connection drops, a tmux server is killed), Textual's
writer thread may die on the dead terminal or block writing to it; its bounded queue then fills and
the event loop blocks for good in `Queue.put`, inside a redraw or in the driver's shutdown. A signal
handler registered with the loop never runs then, and the process hangs holding its memory and its
inotify watches. So the watch lives outside the event loop: a daemon thread that notices the
hang-up (SIGHUP, or the terminal failing `tcgetattr`), asks the app to exit politely, and ends the
process itself if that has not happened within `GRACE_S`. Ending it abruptly loses nothing: every
journal write is a complete file renamed into place, and locks are `flock`s the kernel releases.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import termios
import threading
from typing import Any, Callable

POLL_S = 0.5  # how often the thread looks at the terminal when no SIGHUP comes (nohup, a launcher)
GRACE_S = 1.2  # time given to the polite exit before the process ends itself
EXIT_CODE = 128 + signal.SIGHUP  # what a shell reports for a process ended by a hang-up


def terminal_gone(fd: int) -> bool:
    """A hung-up terminal fails tcgetattr (EIO); a closed descriptor fails too."""
    try:
        termios.tcgetattr(fd)
    except (termios.error, OSError, ValueError):
        return True
    return False


def guard(app: Any) -> HangupGuard | None:
    """A started guard that makes a running Textual `app` exit when its terminal goes away (None:
    headless, or no terminal on stdin). Stop it when the app unmounts."""
    if app.is_headless or sys.__stdin__ is None:
        return None
    loop = asyncio.get_running_loop()

    def leave() -> None:
        loop.call_soon_threadsafe(app.exit)
    found = HangupGuard(sys.__stdin__.fileno(), leave)
    found.start()
    return found


class HangupGuard:
    """Watches the terminal on `fd` from a thread of its own. `leave` asks the app to exit and must be
    safe to call from another thread (it only schedules the exit on the app's loop); `end` ends the
    process (a parameter so tests can watch it instead)."""

    def __init__(self, fd: int, leave: Callable[[], None], end: Callable[[int], None] = os._exit) -> None:
        self._fd = fd
        self._leave = leave
        self._end = end
        self._hung_up = threading.Event()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="paratui-hangup", daemon=True)

    def start(self) -> None:
        # A Python-level handler, not the loop's: it runs even while the loop is blocked (a lock wait
        # is interrupted to run it), and it only sets a flag the thread acts on.
        signal.signal(signal.SIGHUP, self._on_sighup)
        self._thread.start()

    def stop(self) -> None:
        """The app ended with its terminal still there: nothing to watch any more."""
        self._stopped.set()

    def _on_sighup(self, signum: int, frame: object) -> None:
        self._hung_up.set()

    def _watch(self) -> None:
        while not self._hung_up.wait(POLL_S):
            if self._stopped.is_set():
                return
            if terminal_gone(self._fd):
                break
        try:
            self._leave()
        except Exception:  # the loop may be closed already; ending below is what matters
            pass
        # Once the terminal is gone, even a normal exit may block in the driver's shutdown: no
        # `stop` cancels this. A process that does finish in time takes this daemon thread with it.
        threading.Event().wait(GRACE_S)
        self._end(EXIT_CODE)
