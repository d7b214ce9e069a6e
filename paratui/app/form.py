"""A small form of labelled text fields, for the few actions that need words (a task, an assignment)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    placeholder: str = ""
    value: str = ""


class FormScreen(ModalScreen[dict[str, str] | None]):
    CSS_PATH = "form.tcss"
    BINDINGS = [("escape", "cancel", "Cancel")]

    def __init__(self, title: str, fields: list[Field]):
        super().__init__()
        self.title_text = title
        self.fields = fields

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield Label(self.title_text, id="form-title")
            for f in self.fields:
                yield Label(f.label, classes="form-label")
                yield Input(value=f.value, placeholder=f.placeholder, id=f"field-{f.name}")
            yield Label("Enter: next / save · Esc cancels", id="form-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = list(self.query(Input))
        index = inputs.index(event.input)
        if index + 1 < len(inputs):
            inputs[index + 1].focus()
            return
        self.dismiss({f.name: self.query_one(f"#field-{f.name}", Input).value.strip() for f in self.fields})

    def action_cancel(self) -> None:
        self.dismiss(None)
