"""A small form of labelled text fields, for the few actions that need words (a task, an assignment).

The form stays open until what was typed is recorded: a refusal (an unknown name, a time already
over) is shown under the form, the field at fault is marked and focused, and nothing typed is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Awaitable, Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from paratui.model.text import clean

# Gets what was typed (field name → text); returns None once it is recorded, or (field, message).
Submit = Callable[[dict[str, str]], Awaitable["tuple[str | None, str] | None"]]


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    placeholder: str = ""
    value: str = ""


class FormScreen(ModalScreen[bool]):
    CSS_PATH = "form.tcss"
    BINDINGS = [("escape", "cancel", "Cancel")]

    def __init__(self, title: str, fields: list[Field], submit: Submit):
        super().__init__()
        self.title_text = title
        self.fields = fields
        self.submit = submit
        self._busy = False

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="form", can_focus=False):
            yield Label(Text(self.title_text), id="form-title")
            for f in self.fields:
                yield Label(Text(f.label), classes="form-label")
                yield Input(value=f.value, placeholder=f.placeholder, id=f"field-{f.name}")
            yield Label("", id="form-error")
            yield Label("Enter: next / save · Esc cancels", id="form-hint")

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    def values(self) -> dict[str, str]:
        return {f.name: self.query_one(f"#field-{f.name}", Input).value.strip() for f in self.fields}

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = list(self.query(Input))
        index = inputs.index(event.input)
        if index + 1 < len(inputs):
            inputs[index + 1].focus()
            return
        if self._busy:
            return
        self._busy = True
        try:
            refusal = await self.submit(self.values())
        finally:
            self._busy = False
        if refusal is None:
            self.dismiss(True)
            return
        self.show_refusal(*refusal)

    def show_refusal(self, field: str | None, message: str) -> None:
        for f in self.fields:
            self.query_one(f"#field-{f.name}", Input).set_class(f.name == field, "-invalid")
        error = self.query_one("#form-error", Label)
        error.update(Text(clean(message)))
        error.add_class("-shown")
        if field and any(f.name == field for f in self.fields):
            self.query_one(f"#field-{field}", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(False)
