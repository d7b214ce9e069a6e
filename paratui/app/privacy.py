"""The privacy screen: covers the whole board (no student initials, no tasks, no binder), for when a
parent or a visitor walks in, and on the shared account after an idle time. The same key brings the
board back; after an idle time the board then asks who is using it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Static

from paratui.app.host import host
from paratui.model.text import clean

PRIVACY_KEY = "z"  # also in paratui.app.actions (the board's key) and the README


class PrivacyScreen(Screen[None]):
    CSS_PATH = "privacy.tcss"
    BINDINGS = [(PRIVACY_KEY, "show_board", "Show the board"), ("q", "app.quit", "Quit")]

    def __init__(self, room: str, idle: bool = False):
        super().__init__(id="privacy")
        self.room = room
        self.idle = idle

    def compose(self) -> ComposeResult:
        why = "Hidden after a quiet while." if self.idle else "Student details hidden."
        with Middle():
            with Center():
                yield Static(Text(clean(self.room, limit=40), style="bold"), id="privacy-room")
            with Center():
                yield Static(Text(f"{why}  Press {PRIVACY_KEY} to show the board."), id="privacy-hint")

    def action_show_board(self) -> None:
        app = host(self)
        app.set_private(False)
        if self.idle and app.me_id is None and app.may_choose_me() is None:
            app.ask_who()
