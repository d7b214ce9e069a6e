"""The top bar: room, day, clock, current block, who is acting, whether the board is live, when
something last changed and how many file warnings there are.

Always one line. When the line does not fit, words are abbreviated first ("changed 10:21:07" →
"chg 10:21"), then the least needed parts dropped (the date, the block's times, the room): the
warning count and the last change always stay.

The room name, the block's activity and the acting adult's short name come from files: cleaned,
and appended as plain text (never markup)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual import events
from textual.widgets import Static

from paratui.model.board import BoardState
from paratui.model.text import clean


@dataclass(frozen=True)
class Part:
    long: str
    short: str  # "" : dropped when short
    style: str = ""
    drop: int = 0  # 0 never dropped; higher numbers are dropped first


@dataclass(frozen=True)
class StatusInfo:
    state: BoardState
    acting: str | None
    watch_mode: str
    last_change: datetime | None
    warnings: int
    warn_style: str = "bold"
    # the sync part (paratui.app.sync_status.sync_part): None, a room with no [sync]: nothing shown
    sync: Part | None = None


def parts(info: StatusInfo) -> list[Part]:
    state = info.state
    block = state.block
    room = clean(state.room)
    out = [Part(f" {room} ", f" {clean(state.room, limit=10)} ", "bold reverse", drop=2),
           Part(f" {state.now:%a %d %b}", f" {state.now:%a}", drop=3),
           Part(f" {state.now:%H:%M}", f" {state.now:%H:%M}", "bold")]
    if block:
        out.append(Part(f"  {block.start:%H:%M}-{block.end:%H:%M}", "", drop=4))
        out.append(Part(f" {clean(block.activity)}", f" {clean(block.activity, limit=14)}", drop=1))
    else:
        out.append(Part("  no block now" if state.in_session else "  outside school hours",
                        " no block" if state.in_session else " after hours", drop=1))
    you = clean(info.acting) if info.acting else None
    out.append(Part(f"  │ you: {you}" if you else "  │ you: ? (press i)", f" │ {you}" if you else " │ i: who?",
                    "bold" if you else "italic"))
    live = info.watch_mode != "off"
    out.append(Part(f"  │ ● live ({clean(info.watch_mode)})" if live else "  │ ○ not watching",
                    " ●" if live else " ○ off", "green" if live else "bold red"))
    if info.last_change:
        # another day's change says which day: "chg 14:55" alone would read as today
        day = "" if info.last_change.date() == state.now.date() else f"{info.last_change:%a} "
        out.append(Part(f" · changed {day}{info.last_change:%H:%M:%S}", f" chg {day}{info.last_change:%H:%M}",
                        "dim"))
    if info.sync is not None:
        out.append(info.sync)
    if info.warnings:
        n = info.warnings
        out.append(Part(f"  ⚠ {n} warning{'s' if n != 1 else ''} (w)", f" ⚠{n} w", info.warn_style))
    return out


def render(info: StatusInfo, width: int) -> Text:
    """The bar for `width` columns: the long words where they fit; else the parts are shortened one
    by one (least needed first), then dropped (highest `drop` first)."""
    items = parts(info)
    chosen = [p.long for p in items]
    # shorten: the block's times and the date first, then the rest from the right
    order = sorted(range(len(items)), key=lambda i: (-items[i].drop, -i))
    for i in order:
        if sum(map(len, chosen)) <= width:
            break
        chosen[i] = items[i].short
    for level in (4, 3, 2, 1):
        if sum(map(len, chosen)) <= width:
            break
        chosen = ["" if p.drop == level else c for p, c in zip(items, chosen)]
    t = Text(no_wrap=True, overflow="ellipsis")
    for p, c in zip(items, chosen):
        if c:
            t.append(c, style=p.style)
    return t


class StatusBar(Static):
    _info: StatusInfo | None = None
    _shown: tuple | None = None

    def show(self, info: StatusInfo) -> None:
        self._info = info
        self._paint()

    def _paint(self) -> None:
        if self._info is not None:
            text = render(self._info, self.size.width or 80)
            key = (text.plain, tuple(text.spans), self.size.width)
            if key != self._shown:  # an unchanged bar is not repainted
                self._shown = key
                self.update(text, layout=False)  # always one line

    def on_resize(self, event: events.Resize) -> None:
        self._paint()
