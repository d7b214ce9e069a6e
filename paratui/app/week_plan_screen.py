"""The week's plan per student, edited in place (F3 in the Friday meeting screen for the week after,
`w` on the student screen for this week): plans/2026-W48.toml as text, prefilled from the newest
earlier week's plans when the week has no file yet. ctrl+s checks it as strictly as `paratui check`
(every problem with its line and field, nothing saved until it is clean) and saves it; a file someone
else saved meanwhile is never overwritten. The board shows it through its watcher like any file.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Footer, Static, TextArea

from paratui.app.host import Host, host
from paratui.model.text import clean
from paratui.model.week_plan import monday_of
from paratui.store import week_plans


class WeekPlanScreen(ModalScreen[None]):
    CSS_PATH = "week_plan_screen.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "close", "Close", priority=True),
    ]

    def __init__(self, root: Path, week: str):
        super().__init__(id="week-plan")
        self.root = Path(root)
        self.week = week
        self.rel = week_plans.plan_rel(week)
        self.stamp: str | None = None
        self.saved_text: str | None = None  # what the file holds, as far as this screen knows
        self.source: str | None = None
        self.initial = ""  # the text as opened
        self.loaded = False
        self.warned = False

    @property
    def board(self) -> Host:
        return host(self)

    def compose(self) -> ComposeResult:
        yield Static("", id="week-plan-title")
        yield Static("", id="week-plan-help")
        yield TextArea("", id="week-plan-text", show_line_numbers=True, soft_wrap=True, read_only=True)
        yield Footer()

    def on_mount(self) -> None:
        snap = self.board.snapshot
        area = self.query_one("#week-plan-text", TextArea)
        if snap is None:
            self._help(Text("The room is not read yet.", style="bold"))
            return
        try:
            text, self.stamp, self.source = week_plans.opening_text(self.root, self.week, snap.classroom)
        except (OSError, UnicodeDecodeError) as e:
            self._title()
            self._help(Text(f"{self.rel}: cannot open it ({clean(str(e), limit=200)}); nothing will be "
                            "written over it from here", style="bold"))
            return
        self.saved_text = text if self.stamp is not None else None
        self.initial = text
        area.load_text(text)
        area.read_only = False
        self.loaded = True
        self._title()
        self._help(Text("Priority goals (goal ids, most important first), strategies, accommodations, "
                        "[[ID.data]] (goal or what, how, when, who), communication, frequency · ctrl+s "
                        "checks and saves", style="dim"))
        area.focus()

    def _title(self) -> None:
        monday = monday_of(self.week)
        state = ("unsaved changes" if self.dirty else "saved" if self.saved_text is not None else
                 f"new, from {self.source}'s plans (ctrl+s saves it)" if self.source else "new (ctrl+s saves it)")
        self.query_one("#week-plan-title", Static).update(
            Text(f"The week's plan — {self.week} (from Monday {monday:%d %b %Y}) · {self.rel} · {state}"))

    def _help(self, text: Text) -> None:
        self.query_one("#week-plan-help", Static).update(text)

    @property
    def dirty(self) -> bool:
        if not self.loaded:
            return False
        text = self.query_one("#week-plan-text", TextArea).text
        return text != (self.saved_text if self.saved_text is not None else self.initial)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self.warned = False
        if self.loaded:
            self._title()

    def action_save(self) -> None:
        app = self.board
        if not self.loaded:
            return
        if app.acting is not None and app.acting.read_only:
            app.toast(app.acting.refusal or "this board is read-only", title="Not saved", severity="warning")
            return
        snap = app.snapshot
        if snap is None:
            return
        text = self.query_one("#week-plan-text", TextArea).text
        try:
            self.stamp = week_plans.save(self.root, self.week, text, self.stamp, snap.classroom)
        except week_plans.WeekPlanError as e:
            shown = Text()
            for i, p in enumerate(e.problems[:6]):
                shown.append(("\n" if i else "") + clean(p, limit=300), style="bold")
            if len(e.problems) > 6:
                shown.append(f"\n… and {len(e.problems) - 6} more", style="bold")
            self._help(shown)
            app.toast(f"{len(e.problems)} problem{'s' if len(e.problems) != 1 else ''}: nothing saved, your text "
                      "is kept", title="Not saved", severity="error", timeout=15)
            return
        except OSError as e:
            app.toast(f"NOT saved: {clean(str(e), limit=200)}", title="Not saved", severity="error", timeout=20)
            return
        self.saved_text = text
        self._title()
        self._help(Text("Saved and checked: every board shows it.", style="dim"))
        app.toast("Saved", title=self.rel)
        app.reload()

    def action_close(self) -> None:
        if self.dirty and not self.warned:
            self.warned = True
            self.board.toast("Not saved yet: ctrl+s saves. Esc again closes without saving.",
                             title="Unsaved plan", severity="warning")
            return
        self.dismiss(None)
