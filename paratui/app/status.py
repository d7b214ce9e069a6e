"""The top bar: room, day, clock, current block, who is acting, and whether the board is live.

The room name, the block's activity and the acting adult's short name come from files: cleaned,
and appended as plain text (never markup)."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from paratui.model.board import BoardState
from paratui.model.text import clean


class StatusBar(Static):
    def show(self, state: BoardState, *, acting: str | None, watch_mode: str,
             last_change: datetime | None, warnings: int) -> None:
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append(f" {clean(state.room)} ", style="bold reverse")
        t.append(f" {state.now:%a %d %b} ")
        t.append(f"{state.now:%H:%M}", style="bold")
        block = state.block
        t.append(f"  {block.start:%H:%M}-{block.end:%H:%M} {clean(block.activity)}" if block else (
            "  no block now" if state.in_session else "  outside school hours"))
        t.append("  │ ")
        t.append(f"you: {clean(acting)}" if acting else "you: ? (press i)", style="bold" if acting else "italic")
        t.append("  │ ")
        live = watch_mode != "off"
        t.append("● " if live else "○ ", style="green" if live else "red")
        t.append(f"live ({clean(watch_mode)})" if live else "not watching")
        if last_change:
            t.append(f" · changed {last_change:%H:%M:%S}", style="dim")
        if warnings:
            t.append(f"  ⚠ {warnings} warning{'s' if warnings != 1 else ''} (w)", style="bold yellow")
        self.update(t, layout=False)  # always one line: no layout pass needed
