"""Keys typed ahead of the screens they are meant for.

In the middle of chaos a para types `m` `2` `b` ("K.B. to the bathroom") in one burst. The first key
starts a flow that opens a picker; the others arrive before that picker is on screen, and used to
land on the board — `b` started "Who is back?" and the move was lost. While a board flow runs, the
board keeps such keys (BoardScreen.on_key) in `TypeAhead`, and each picker or form the flow opens
takes them in order, as if typed there (PickerScreen, FormScreen). When the flow ends, whatever is
left is dropped: nothing typed ahead ever runs a board action of its own.
"""

from __future__ import annotations

import functools
import time
from contextvars import ContextVar
from typing import Any, Callable

from textual import work

REPLAYED = ("escape",)  # keys without a character that are kept too (Escape cancels a picker)


STARTING_S = 1.0  # a flow's key seen, its action not yet run: how long keys wait for it


class TypeAhead:
    def __init__(self) -> None:
        self.keys: list[str] = []  # characters, or a key name from REPLAYED
        self.flows = 0  # board flows running (pickers and forms still to come)
        # A burst reaches the board's on_key before the first key's binding has run (bindings run
        # when the key has gone up to the app), so the board notes "a flow is starting" there.
        self.starting = 0.0

    def flow_key(self) -> None:
        self.starting = time.monotonic()

    def keep(self, character: str | None, key: str) -> bool:
        """A key the board got while a flow runs: kept for the flow's next picker or form."""
        if not self.flows and time.monotonic() - self.starting > STARTING_S:
            self.keys.clear()  # kept for a flow that never started (its key did nothing): dropped
            return False
        if character and character.isprintable():
            self.keys.append(character)
        elif key in REPLAYED:
            self.keys.append(key)
        else:
            return False
        return True

    def take(self) -> str | None:
        return self.keys.pop(0) if self.keys else None


def flow(method: Callable[..., Any]) -> Callable[..., Any]:
    """A board action that asks with pickers and forms, run as a worker (one at a time, as
    `@work(exclusive=True, group="action")`): from the key that starts it until it ends, keys
    typed ahead go to its pickers and forms."""

    @functools.wraps(method)
    async def run(self: Any, *args: Any, **kwargs: Any) -> None:
        asking = _Asking(self.app.typeahead)
        _ASKING.set(asking)  # this worker's own task: `done_asking` from inside the flow finds it
        try:
            await method(self, *args, **kwargs)
        finally:
            asking.done()

    worker = work(exclusive=True, group="action")(run)

    @functools.wraps(method)
    def start(self: Any, *args: Any, **kwargs: Any) -> Any:
        ahead: TypeAhead = self.app.typeahead
        ahead.flows += 1  # from now until the flow ends, the keys after it are kept
        ahead.starting = 0.0
        return worker(self, *args, **kwargs)

    start.starts_flow = True  # type: ignore[attr-defined]
    return start


class _Asking:
    """One running flow, until its questions are answered."""

    def __init__(self, ahead: TypeAhead):
        self.ahead, self.open = ahead, True

    def done(self) -> None:
        if self.open:
            self.open = False
            self.ahead.flows -= 1
            if not self.ahead.flows:
                self.ahead.keys.clear()


_ASKING: ContextVar[_Asking | None] = ContextVar("paratui_flow_asking", default=None)


def done_asking() -> None:
    """The running flow has asked everything and now writes: keys are the board's again (a slow
    write must not swallow the next key)."""
    asking = _ASKING.get()
    if asking is not None:
        asking.done()


def starts_flow(namespace: Any, action: str) -> bool:
    """Whether `action` (as bound: "move", "log('2')") on `namespace` is a flow."""
    method = getattr(namespace, "action_" + action.split("(", 1)[0], None)
    return bool(getattr(method, "starts_flow", False))


def typed_ahead(app: Any) -> TypeAhead | None:
    """The app's type-ahead (None for an app without one, e.g. a test harness)."""
    ahead = getattr(app, "typeahead", None)
    return ahead if isinstance(ahead, TypeAhead) else None
