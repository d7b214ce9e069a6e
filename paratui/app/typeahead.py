"""Keys typed ahead of the screens they are meant for, and every key of a flow in the order typed.

In the middle of chaos a para types `m` `2` `b` ("K.B. to the bathroom") in one burst, or `m1b` and
then `b1` before the first picker is even drawn. The first key starts a flow that opens a picker; the
others arrive before that picker is on screen, used to land on the board (`b` started "Who is back?"),
or on a picker already dismissed (it popped the board: `ScreenStackError`), or in a form's first field
after an Enter meant for the next one.

So the app routes keys itself (`BoardApp.on_event` → `route`): from the key that starts a flow until
the flow ends and the board has re-read what it wrote, every key goes into one queue, `TypeAhead.keys`,
and is handed out in order by one pump (`pump`):

- to the screen on top when it takes keys (`Taker`: a picker, a form, the logging sheet), one key at a
  time, awaited (a write in the sheet finishes before the next key is looked at);
- to nobody while a flow runs and its next picker or form is not up yet (it pumps once it is);
- once the flow has ended and the board has re-read the folder, to the screen on top as if typed
  there: a key bound to a flow there starts it at once (the keys after it wait for its pickers),
  any other key is forwarded to the screen as usual. So `m1b` `b1` is a move, then a back, in order.

A key that fits no choice of a picker or the sheet is refused on the spot (the bell and a toast saying
what was expected) and dropped: it is never passed to the board behind.

A picker with one choice is not shown: the flow acts on it at once (`b` with one student out). The
key typed for that choice (`b` `1`) is then taken by nobody (`absorb`): the next key meant for the
board, if it is that key and comes within ABSORB_S, is dropped, so `b1` never opens student 1's sheet.
"""

from __future__ import annotations

import functools
import time
from collections import deque
from typing import Any, Callable, Protocol, runtime_checkable

from textual import events, work

ABSORB_S = 2.0  # how long the key of a one-choice picker acted on at once is still taken by nobody


@runtime_checkable
class Taker(Protocol):
    """A screen that takes its keys from the queue, in order (pickers, forms, the logging sheet)."""

    takes_ready: bool  # mounted and not yet dismissed: keys can be handed to it

    async def take_key(self, key: str, character: str | None) -> None: ...


class TypeAhead:
    def __init__(self) -> None:
        self.keys: deque[tuple[str, str | None]] = deque()  # (key name, character) in typed order
        self.flows = 0  # flows running (pickers, forms or a write still to come)
        self.pumping = False
        self.busy: Callable[[], bool] = lambda: False  # the board is still re-reading a write
        self._absorbing: tuple[str, float] | None = None  # (character, until when: monotonic)

    def absorb(self, character: str | None) -> None:
        """A one-choice picker was acted on without being shown: its key, typed next, goes nowhere."""
        self._absorbing = (character.lower(), time.monotonic() + ABSORB_S) if character else None

    def absorbed(self, character: str | None) -> bool:
        """Whether this key, next for the board, is the one-choice picker's (then dropped). Any key
        ends the absorbing."""
        pending, self._absorbing = self._absorbing, None
        return (pending is not None and character is not None and character.lower() == pending[0]
                and time.monotonic() <= pending[1])

    def routing(self) -> bool:
        return self.flows > 0 or bool(self.keys) or self.pumping


def flow_action(screen: Any, key: str) -> str | None:
    """The action a key is bound to on `screen` when that action is a flow (e.g. "log('2')")."""
    bindings = getattr(screen, "_bindings", None)
    if bindings is None:
        return None
    for binding in bindings.key_to_bindings.get(key, ()):
        if starts_flow(screen, binding.action):
            return str(binding.action)
    return None


def taker(screen: Any) -> Taker | None:
    return screen if isinstance(screen, Taker) else None


async def route(app: Any, event: events.Key) -> bool:
    """A key as the terminal delivered it: True when the queue (or a flow it starts) has it, False for
    Textual's usual way (no flow runs and the key starts none)."""
    ahead: TypeAhead = app.typeahead
    top = app.screen
    if not ahead.routing() and taker(top) is None:
        if ahead.absorbed(event.character):
            return True
        action = flow_action(top, event.key)
        if action is None:
            return False
        await top.run_action(action)  # the flow counts from here: the next key waits for its picker
        return True
    ahead.keys.append((event.key, event.character))
    pump(app)
    return True


def pump(app: Any) -> None:
    """Hand the queued keys out (at most one pump runs at a time)."""
    ahead = typed_ahead(app)
    if ahead is None or ahead.pumping or not ahead.keys:
        return
    ahead.pumping = True
    app.run_worker(_pump(app, ahead), group="keys")


async def _pump(app: Any, ahead: TypeAhead) -> None:
    try:
        while ahead.keys:
            top = app.screen
            if (t := taker(top)) is not None:
                if not t.takes_ready:
                    break  # not up yet: it pumps once mounted
                key, character = ahead.keys.popleft()
                await t.take_key(key, character)
                continue
            if ahead.flows or ahead.busy():
                break  # a picker is on its way, or the board is reading what was just written
            key, character = ahead.keys.popleft()
            if ahead.absorbed(character):
                continue
            action = flow_action(top, key)
            if action is not None:
                await top.run_action(action)
                continue
            target = app.focused if app.focused is not None and app.focused.screen is top else top
            target._forward_event(events.Key(key, character))
    finally:
        ahead.pumping = False
    # keys that came while the last one was handed out, for a screen that is ready now
    if ahead.keys and (taker(app.screen) is not None and app.screen.takes_ready
                       or not (ahead.flows or ahead.busy())):
        pump(app)


def flow(method: Callable[..., Any]) -> Callable[..., Any]:
    """A board action that asks with pickers and forms, run as a worker (group "action"): from the
    key that starts it until it ends, the keys typed after it are queued for its pickers and forms,
    and whatever is left goes to the board once it has ended."""

    @functools.wraps(method)
    async def run(self: Any, *args: Any, **kwargs: Any) -> None:
        try:
            await method(self, *args, **kwargs)
        finally:
            ahead: TypeAhead = self.app.typeahead
            ahead.flows -= 1
            pump(self.app)

    worker = work(group="action")(run)

    @functools.wraps(method)
    def start(self: Any, *args: Any, **kwargs: Any) -> Any:
        ahead: TypeAhead = self.app.typeahead
        ahead.flows += 1  # from now until the flow ends, the keys after it are queued
        return worker(self, *args, **kwargs)

    start.starts_flow = True  # type: ignore[attr-defined]
    return start


def starts_flow(namespace: Any, action: str) -> bool:
    """Whether `action` (as bound: "move", "log('2')") on `namespace` is a flow."""
    method = getattr(namespace, "action_" + action.split("(", 1)[0], None)
    return bool(getattr(method, "starts_flow", False))


def typed_ahead(app: Any) -> TypeAhead | None:
    """The app's type-ahead (None for an app without one, e.g. a test harness)."""
    ahead = getattr(app, "typeahead", None)
    return ahead if isinstance(ahead, TypeAhead) else None


def refuse(screen: Any, typed: str, expected: str) -> None:
    """A key that fits nothing here: the bell and a toast saying what was expected; it goes no further."""
    screen.app.bell()
    shown = typed if len(typed) == 1 else typed.replace("_", " ")
    screen.notify(f"“{shown}” is not a choice here: {expected}", title="Key not used", severity="warning",
                  markup=False, timeout=4)


def became_ready(screen: Any) -> None:
    """A taker is up (mounted): the keys queued for it are handed to it now."""
    screen.takes_ready = True
    pump(screen.app)
