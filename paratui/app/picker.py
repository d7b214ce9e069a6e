"""A one-key picker: every choice has a key (a digit or a letter), so "taking E.M. to the bathroom"
is `m`, `1`, `b`. Arrow keys and Enter work too; Escape cancels.

Labels and titles are data (initials, location labels, task text, binder titles): they are shown as
plain text (`rich.text.Text`), never parsed as markup, and pass through `clean` first."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from paratui.app.typeahead import became_ready, refuse
from paratui.model.text import clean

MOVES = {"up": "cursor_up", "down": "cursor_down", "home": "first", "end": "last",
         "pageup": "page_up", "pagedown": "page_down"}
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

    takes_ready = False  # paratui.app.typeahead: up, and not yet answered

    def on_mount(self) -> None:
        became_ready(self)  # the keys typed before this picker was up, in order

    async def take_key(self, key: str, character: str | None) -> None:
        """One key, in the order typed (paratui.app.typeahead): a choice's key answers; anything
        else is refused (bell and toast) and goes nowhere else."""
        options = self.query_one(OptionList)
        if key == "escape":
            self._answer(None)
        elif character and character.lower() in self.by_key:
            self._answer(self.by_key[character.lower()].value)
        elif key == "enter" and options.highlighted is not None:
            self._answer(self.choices[options.highlighted].value)
        elif key in MOVES:
            getattr(options, "action_" + MOVES[key])()
        else:
            refuse(self, character if character and character.isprintable() else key, self.expected())

    def expected(self) -> str:
        keys = [c.key for c in self.choices if c.key]
        shown = " ".join(keys) if len(keys) <= 12 else f"{' '.join(keys[:10])} … {keys[-1]}"
        return f"{clean(self.title_text, limit=60)} — press {shown}, or Esc to cancel"

    def _answer(self, value: str | None) -> None:
        if self.takes_ready:  # once: a second dismiss would pop the screen below
            self.takes_ready = False
            self.dismiss(value)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._answer(self.choices[int(event.option.id or 0)].value)

    def action_cancel(self) -> None:
        self._answer(None)
