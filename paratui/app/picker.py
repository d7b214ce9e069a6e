"""A one-key picker: every choice has a key (a digit or a letter), so "taking E.M. to the bathroom"
is `m`, `1`, `b`. Arrow keys and Enter work too; Escape cancels.

Labels and titles are data (initials, location labels, task text, binder titles): they are shown as
plain text (`rich.text.Text`), never parsed as markup, and pass through `clean` first."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from paratui.app.typeahead import typed_ahead
from paratui.model.text import clean

KEYS = "123456789abcdefghijklnoprstuvwxyz"  # no m or q: they mean move and quit on the board


@dataclass(frozen=True)
class Choice:
    label: str
    value: str
    key: str | None = None


def with_keys(choices: list[Choice]) -> list[Choice]:
    """Give every choice without a key the next free one."""
    taken = {c.key.lower() for c in choices if c.key}
    free = iter(k for k in KEYS if k not in taken)
    return [c if c.key else Choice(c.label, c.value, next(free, None)) for c in choices]


def prompt(choice: Choice) -> Text:
    """An option's text: its key in bold, then the label exactly as written (made safe)."""
    text = Text()
    text.append(clean(choice.key or " "), style="bold")
    text.append("  ")
    text.append(clean(choice.label))
    return text


class PickerScreen(ModalScreen[str | None]):
    CSS_PATH = "picker.tcss"
    BINDINGS = [("escape", "cancel", "Cancel")]

    def __init__(self, title: str, choices: list[Choice]):
        super().__init__()
        self.title_text = title
        self.choices = with_keys(choices)
        self.by_key = {c.key.lower(): c for c in self.choices if c.key}

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Label(Text(clean(self.title_text)), id="picker-title")
            yield OptionList(*[Option(prompt(c), id=str(i)) for i, c in enumerate(self.choices)])
            yield Label("key or ↑↓ Enter · Esc cancels", id="picker-hint")

    def on_mount(self) -> None:
        self.call_after_refresh(self._typed_ahead)

    def _typed_ahead(self) -> None:
        """Keys typed before this picker was up, in order (paratui.app.typeahead)."""
        ahead = typed_ahead(self.app)
        while ahead is not None and (key := ahead.take()) is not None:
            if key == "escape":
                self.dismiss(None)
                return
            if key.lower() in self.by_key:
                self.dismiss(self.by_key[key.lower()].value)
                return  # the rest is for the next picker or form

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.choices[int(event.option.id or 0)].value)

    def on_key(self, event: events.Key) -> None:
        if event.character and event.character.lower() in self.by_key:
            event.stop()
            self.dismiss(self.by_key[event.character.lower()].value)

    def action_cancel(self) -> None:
        self.dismiss(None)
