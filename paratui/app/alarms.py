"""Large counts across the top of a big screen, readable from across the room: students out too
long, students with no adult, overdue tasks (red when not zero), and students out of the room.

Shown only when the screen is big enough (board_screen.tcss); the panes below say who and where."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Digits, Label

from paratui.model.board import BoardState


class AlarmTile(Vertical):
    def __init__(self, label: str, *, alarm: bool, id: str) -> None:
        super().__init__(id=id, classes="alarm" if alarm else "count")
        self.label = label
        self._value: int | None = None

    def compose(self) -> ComposeResult:
        yield Digits("0")
        yield Label(Text(self.label))

    def set(self, value: int) -> None:
        if value == self._value:
            return
        self._value = value
        self.query_one(Digits).update(str(value))
        if self.has_class("-on") != (value > 0):
            self.set_class(value > 0, "-on")


class AlarmBar(Horizontal):
    def compose(self) -> ComposeResult:
        yield AlarmTile("out too long", alarm=True, id="tile-over")
        yield AlarmTile("no adult", alarm=True, id="tile-uncovered")
        yield AlarmTile("tasks overdue", alarm=True, id="tile-overdue")
        yield AlarmTile("out of room", alarm=False, id="tile-out")

    def show(self, state: BoardState) -> None:
        timed = [s for s in state.out_of_room if not s.placed]
        self.query_one("#tile-over", AlarmTile).set(sum(s.over for s in timed))
        self.query_one("#tile-uncovered", AlarmTile).set(len(state.uncovered))
        self.query_one("#tile-overdue", AlarmTile).set(sum(t.overdue for t in state.tasks))
        self.query_one("#tile-out", AlarmTile).set(len(timed))
