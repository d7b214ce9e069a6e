"""What the screens ask of the app they run on: the room, what the board last read, who is acting, the
one write path (`submit`). The app (board_app.py) imports its screens; they take it as a `Host`, never
as the app itself, so the imports point one way.
"""

from __future__ import annotations

from datetime import datetime
from typing import Callable, Protocol, cast

from textual.dom import DOMNode
from textual.notifications import SeverityLevel

from paratui.app.status import StatusInfo
from paratui.app.typeahead import TypeAhead
from paratui.model.access import Acting
from paratui.model.board import BoardState
from paratui.model.classroom import Staff
from paratui.model.commands import Change, Context
from paratui.model.events import Event
from paratui.store.folder import Snapshot
from paratui.store.pins import PinGate
from paratui.store.room import Room


class Host(Protocol):
    room: Room
    snapshot: Snapshot | None  # the files and the journal as last read
    state: BoardState | None  # the board folded from them
    me_id: str | None  # who is acting (a staff id)
    acting: Acting | None  # how: a personal login, the shared account, or read-only
    typeahead: TypeAhead
    last_written: Event | None  # the event the last `submit` wrote

    @property
    def me(self) -> Staff | None: ...

    def status(self) -> StatusInfo | None:
        """What the top bar shows (None before the first read)."""
        ...

    def sync_lines(self, now: datetime) -> list[str]:
        """The room's sync health for `w`: the words, each peer, this machine, each folder error."""
        ...

    def toast(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
              timeout: float | None = None) -> None: ...

    async def submit(self, make: Callable[[Context], Change | None], *,
                     quiet: bool = False) -> tuple[str | None, str] | None: ...

    def reload(self) -> None: ...

    def board_ready(self) -> None: ...

    async def ready(self) -> BoardState | None:
        """The board's state once someone is acting (asks who first, one key)."""
        ...

    def may_choose_me(self) -> str | None: ...

    def needs_pin(self, staff_id: str) -> bool:
        """Whether picking `staff_id` here asks for their PIN (the shared login, above a para's role)."""
        ...

    @property
    def pin_gate(self) -> PinGate: ...

    def ask_who(self) -> None: ...

    def set_private(self, on: bool, why: str = "key") -> None: ...


def host(node: DOMNode) -> Host:
    """The app `node` runs on, as the screens see it."""
    return cast(Host, node.app)
