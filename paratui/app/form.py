"""A small form of labelled text fields, for the few actions that need words (a task, an assignment).

The form stays open until what was typed is recorded. Each field can check itself as it is typed
(`Field.check`: a time that is not a time, a required field left empty) and is marked at once; a
refusal from the command layer (an unknown name, a time already over) is shown under the form, wrapped
inside it, the field at fault is marked and focused, and nothing typed is lost.

Esc on a half-filled form keeps what was typed (as the meeting screen keeps its notes) and says so:
the same form opens with it next time on this board, until it is recorded. A PIN is never kept.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Awaitable, Callable

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, Label

from paratui.app.typeahead import became_ready
from paratui.model.commands import Refused, parse_time
from paratui.model.text import clean

EDITS = {"backspace": "delete_left", "delete": "delete_right", "left": "cursor_left", "right": "cursor_right",
         "home": "home", "end": "end", "ctrl+u": "delete_left_all", "ctrl+w": "delete_left_word"}

# Gets what was typed (field name → text); returns None once it is recorded, or (field, message).
Submit = Callable[[dict[str, str]], Awaitable["tuple[str | None, str] | None"]]


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    placeholder: str = ""
    value: str = ""
    # What is wrong with a text for this field (None: nothing); run on every key and on Enter.
    check: Callable[[str], str | None] | None = None
    password: bool = False  # what is typed is shown masked (a PIN)


def required(label: str) -> Callable[[str], str | None]:
    return lambda text: None if text.strip() else f"{label}: cannot be empty"


def time_or_empty(now: datetime, field: str) -> Callable[[str], str | None]:
    """HH:MM or a date, as the command layer reads it (empty is fine: the command has a default)."""
    def check(text: str) -> str | None:
        if not text.strip():
            return None
        try:
            parse_time(text, now, field)
        except Refused as refused:
            return str(refused)
        return None
    return check


class _FieldCheck(Validator):
    def __init__(self, check: Callable[[str], str | None]):
        super().__init__()
        self.check = check

    def validate(self, value: str) -> ValidationResult:
        problem = self.check(value)
        return self.success() if problem is None else self.failure(problem)


# Per board (app): a form's title and field names → what was typed when Esc closed it half-filled.
_DRAFTS: "weakref.WeakKeyDictionary[Any, dict[tuple[str, tuple[str, ...]], dict[str, str]]]" = \
    weakref.WeakKeyDictionary()


class FormScreen(ModalScreen[bool]):
    CSS_PATH = "form.tcss"
    BINDINGS = [("escape", "cancel", "Cancel")]

    def __init__(self, title: str, fields: list[Field], submit: Submit):
        super().__init__()
        self.title_text = title
        self.fields = fields
        self.submit = submit
        self._busy = False
        self._at = 0  # the field typed into (paratui.app.typeahead: keys come faster than focus moves)
        self._draft: dict[str, str] | None = None  # a draft kept from an earlier Esc, filled in

    @property
    def _draft_key(self) -> tuple[str, tuple[str, ...]]:
        return self.title_text, tuple(f.name for f in self.fields)

    def _drafts(self) -> dict[tuple[str, tuple[str, ...]], dict[str, str]]:
        return _DRAFTS.setdefault(self.app, {})

    def compose(self) -> ComposeResult:
        self._draft = self._drafts().pop(self._draft_key, None)
        draft = self._draft or {}
        with VerticalScroll(id="form", can_focus=False):
            yield Label(Text(self.title_text), id="form-title")
            for f in self.fields:
                yield Label(Text(f.label), classes="form-label")
                yield Input(value=draft.get(f.name, f.value), placeholder=f.placeholder, id=f"field-{f.name}",
                            password=f.password,
                            validators=[_FieldCheck(f.check)] if f.check else None,
                            validate_on=["changed", "submitted"])
            yield Label("", id="form-error")
            yield Label("Enter: next / save · Esc cancels", id="form-hint")

    takes_ready = False  # paratui.app.typeahead: up, and not yet closed

    def on_mount(self) -> None:
        self._go(0)
        if self._draft is not None:
            self._say("Your draft, kept when Esc closed this form: Enter saves it, ctrl+u clears a field.",
                      error=False)
        became_ready(self)  # what was typed before the form was up, in order, field by field

    def _field(self) -> Input:
        """The field a key typed now is for: the one this form moved to (focus follows later)."""
        inputs = list(self.query(Input))
        return inputs[min(self._at, len(inputs) - 1)]

    async def take_key(self, key: str, character: str | None) -> None:
        """One key, in the order typed (paratui.app.typeahead): a character goes into the field it
        was typed for, Enter goes on to the next field (or saves), Esc cancels."""
        field = self._field()
        if key == "escape":
            self.action_cancel()
        elif key in ("enter", "tab", "shift+tab"):
            if key == "enter":
                await self._enter(field)
            else:
                self._go(self._at + (1 if key == "tab" else -1))
        elif character is not None and character.isprintable() and len(character) == 1:
            field.insert_text_at_cursor(character)
        elif key in EDITS:
            getattr(field, "action_" + EDITS[key])()
        else:
            field._forward_event(events.Key(key, character))

    def _go(self, index: int) -> None:
        inputs = list(self.query(Input))
        self._at = max(0, min(index, len(inputs) - 1))
        inputs[self._at].focus()

    def on_click(self, event: events.Click) -> None:
        """A click on a field: keys go there from now on (focus events come too late to follow)."""
        inputs = list(self.query(Input))
        if event.widget in inputs:
            self._at = inputs.index(event.widget)

    def values(self) -> dict[str, str]:
        return {f.name: self.query_one(f"#field-{f.name}", Input).value.strip() for f in self.fields}

    def on_input_changed(self, event: Input.Changed) -> None:
        """Say what is wrong with a field while it is typed (and clear it once it is right)."""
        result = event.validation_result
        error = self.query_one("#form-error", Label)
        if result is not None and not result.is_valid:
            self._say(result.failure_descriptions[0])
        elif error.has_class("-shown") and self._first_problem() is None:
            error.remove_class("-shown")

    def _first_problem(self) -> tuple[str, str] | None:
        for f in self.fields:
            if f.check and (problem := f.check(self.query_one(f"#field-{f.name}", Input).value)):
                return f.name, problem
        return None

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        await self._enter(event.input)

    async def _enter(self, field: Input) -> None:
        inputs = list(self.query(Input))
        index = inputs.index(field)
        result = field.validate(field.value)
        if result is not None and not result.is_valid:
            self._say(result.failure_descriptions[0])
            return  # stay on the field until it is right
        if index + 1 < len(inputs):
            self._go(index + 1)
            return
        if (problem := self._first_problem()) is not None:
            self.show_refusal(*problem)
            return
        if self._busy:
            return
        self._busy = True
        try:
            refusal = await self.submit(self.values())
        finally:
            self._busy = False
        if refusal is None:
            self.takes_ready = False
            self._drafts().pop(self._draft_key, None)
            self.dismiss(True)
            return
        self.show_refusal(*refusal)

    def show_refusal(self, field: str | None, message: str) -> None:
        for f in self.fields:
            self.query_one(f"#field-{f.name}", Input).set_class(f.name == field, "-invalid")
        self._say(message)
        if field and any(f.name == field for f in self.fields):
            self._go([f.name for f in self.fields].index(field))

    def _say(self, message: str, error: bool = True) -> None:
        label = self.query_one("#form-error", Label)
        label.update(Text(clean(message)))
        label.add_class("-shown")
        label.set_class(not error, "-note")

    def action_cancel(self) -> None:
        if self.takes_ready:
            self.takes_ready = False
            self._keep_draft()
            self.dismiss(False)

    def _keep_draft(self) -> None:
        """Esc on a half-filled form: what was typed is kept for the next time it opens, said in a toast."""
        if any(f.password for f in self.fields):
            return
        typed = {f.name: self.query_one(f"#field-{f.name}", Input).value for f in self.fields}
        if all(typed[f.name].strip() == f.value.strip() for f in self.fields):
            return  # nothing typed (or only what it opened with): nothing to keep
        self._drafts()[self._draft_key] = typed
        self.app.notify(clean(f"Not recorded. What you typed in \u201c{self.title_text}\u201d is kept: "
                              "the form opens with it next time."), title="Draft kept", markup=False)
