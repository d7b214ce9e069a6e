"""A full-screen Markdown page: help, a standing binder page, the list of file warnings.

Binder pages are Markdown from the shared folder, so the page is data: control characters never
reach the terminal (`clean_block`), Textual's Markdown widget never parses content markup, and a
link in a page opens nothing and runs no action: clicking it only shows its address.
"""

from __future__ import annotations

import re
from typing import Iterable

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Markdown

from paratui.model.text import clean, clean_block

# What starts an inline construct (code, emphasis, links, autolinks, HTML, entities, strikethrough,
# table cells) anywhere in a line, and, at its start, a block (heading, quote, list, fence).
_INLINE = re.compile(r"([\\`*_\[\]<>&~|])")
_BLOCK_START = re.compile(r"^([#>+\-=:!]|\d+[.)])")


def markdown_literal(value: object) -> str:
    """`value` as one line of Markdown that shows exactly as written: nothing in it can become
    code, a link, emphasis, a heading or a list item (backslash escapes, as CommonMark defines)."""
    text = clean(value).strip()
    text = _INLINE.sub(r"\\\1", text)
    return _BLOCK_START.sub(lambda m: m.group()[:-1] + "\\" + m.group()[-1], text)


def warnings_markdown(warnings: Iterable[str]) -> str:
    """The warnings page: one item per warning, each shown literally (a warning can quote a file)."""
    body = "\n".join(f"- {markdown_literal(w)}" for w in warnings) or "No problems found in the data folder."
    return f"# Warnings\n\n{body}\n"


class PageScreen(ModalScreen[None]):
    CSS_PATH = "page.tcss"
    BINDINGS = [("escape", "close", "Close"), ("q", "close", "Close")]

    def __init__(self, markdown: str, page_id: str = "page"):
        super().__init__(id=page_id)
        self.markdown = clean_block(markdown)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="page-body"):
            # open_links=False: a click posts LinkClicked, handled below; nothing is opened
            yield Markdown(self.markdown, open_links=False)
        yield Footer()

    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        """A link in a page (written by whoever edits the binder) neither opens a browser on this
        machine nor runs an app action: the board shows the address, as text."""
        event.stop()
        self.notify(clean(event.href, limit=200), title="Link (not opened)", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
