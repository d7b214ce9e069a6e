"""A full-screen Markdown page: help, a standing binder page, the list of file warnings."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Markdown


class PageScreen(ModalScreen[None]):
    CSS_PATH = "page.tcss"
    BINDINGS = [("escape", "close", "Close"), ("q", "close", "Close")]

    def __init__(self, markdown: str, page_id: str = "page"):
        super().__init__(id=page_id)
        self.markdown = markdown

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="page-body"):
            yield Markdown(self.markdown)
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)
