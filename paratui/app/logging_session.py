"""An interval-recording or momentary-time-sampling session, docked at the bottom of the board while
it runs (the board stays live and its keys keep working). An interval goal's key opens a run of
intervals in the logging sheet (the para keeps the time: one key per interval); its `t` hands it here,
where the board keeps the time.

At the end of each interval (the goal's `interval_seconds`, a Textual timer) the session prompts, on
screen and with the terminal bell. One key records the observation: `+` (or `=`, the same key unshifted)
it happened, `-` it did not. A prompt still unanswered when the next one comes is recorded as `missed`
(an event too), and so is one left open when the session ends (`x`). Each answer is one `data` event
through the same command as `paratui log STUDENT GOAL +|-|missed`.

`advance()` is what the timer calls: tests call it directly, so no test waits on a clock.

Each run on the board (this session, a logging sheet's run of trials or task-analysis run) is one
observation session (docs/reports.md, "What a session is"): its entries carry the run's id,
`new_run()`, in their payload's `session`; the run's start and end are its first and last entries.
"""

from __future__ import annotations

import uuid

from rich.text import Text
from textual.timer import Timer
from textual.widgets import Static

from paratui.app.host import Host, host
from paratui.model import data_commands
from paratui.model.goals import Goal
from paratui.model.text import clean

KEYS = {"+": "+", "=": "+", "-": "-", "x": "end"}
QUESTION = {"partial": "did it happen at any time in that interval?",
            "whole": "did it last the whole interval?",
            "mts": "is it happening right now?"}


def new_run() -> str:
    """A board run's session id ("run-…"): every entry of the run carries it."""
    return f"run-{uuid.uuid4().hex[:16]}"


class IntervalSession(Static):
    def __init__(self, student: str, initials: str, goal: Goal, *, id: str = "session") -> None:
        super().__init__("", id=id)
        self.student = student
        self.initials = initials
        self.goal = goal
        self.seconds = goal.interval_seconds or 10
        self.number = 0  # intervals ended so far
        self.pending: int | None = None  # the interval whose prompt is waiting for a key
        self.answers: list[str] = []
        self._timer: Timer | None = None
        self.ended = False
        self.run = new_run()  # the session id of this run's entries

    @property
    def board(self) -> Host:
        return host(self)

    def on_mount(self) -> None:
        kind = "MTS" if self.goal.kind == "mts" else f"{self.goal.interval_type or ''} interval"
        self.border_title = f"{kind}: {clean(self.initials)} · {clean(self.goal.id)} · every {self.seconds} s"
        self._timer = self.set_interval(self.seconds, self.advance)
        self.paint()

    def paint(self) -> None:
        text = Text()
        if self.pending is not None:
            question = QUESTION["mts" if self.goal.kind == "mts" else (self.goal.interval_type or "partial")]
            text.append(f" Interval {self.pending}: ", style="bold reverse")
            text.append(f" {clean(self.goal.title, limit=50)} — {question}  ", style="bold")
            text.append(" + ", style="bold reverse")
            text.append(" yes  ")
            text.append(" - ", style="bold reverse")
            text.append(" no\n")
        else:
            text.append(f"Watching interval {self.number + 1} ({self.seconds} s): "
                        f"{clean(self.goal.title, limit=60)}\n", style="italic")
        yes, no, missed = (self.answers.count(v) for v in ("+", "-", "missed"))
        text.append(f"{len(self.answers)} recorded: {yes} yes, {no} no, {missed} missed", style="dim")
        if yes + no:
            text.append(f" · {100 * yes // (yes + no)}% yes", style="dim")
        text.append(" · x ends the session", style="dim")
        self.update(text)

    async def advance(self) -> None:
        """An interval ended: an unanswered prompt is recorded as missed, then the next prompt."""
        if self.ended:
            return
        if self.pending is not None:
            await self._record("missed")
        self.number += 1
        self.pending = self.number
        self.app.bell()
        self.paint()

    async def key(self, char: str) -> bool:
        """A key pressed on the board while the session runs; True when it was the session's."""
        what = KEYS.get(char)
        if what is None:
            return False
        if what == "end":
            await self.end()
        elif self.pending is not None:
            await self._record(what)
            self.paint()
        else:
            self.board.toast(f"No prompt yet: the interval ends in at most {self.seconds} s.")
        return True

    async def end(self) -> None:
        if self.ended:
            return
        self.ended = True
        if self._timer is not None:
            self._timer.stop()
        if self.pending is not None:
            await self._record("missed")
        yes, no, missed = (self.answers.count(v) for v in ("+", "-", "missed"))
        self.board.toast(f"Session ended: {clean(self.initials)} · {clean(self.goal.id)}: "
                         f"{yes} yes, {no} no, {missed} missed")
        await self.remove()

    async def _record(self, value: str) -> None:
        interval = self.pending
        self.pending = None
        refusal = await self.board.submit(lambda ctx: data_commands.log(ctx, self.student, self.goal.id, value,
                                                                        session=self.run))
        if refusal is not None:
            self.board.toast(f"Interval {interval} not recorded: {refusal[1]}", severity="error")
            return
        self.answers.append(value)
