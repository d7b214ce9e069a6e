"""Today's binder tab, drawn once per width.

Textual's Markdown widget builds a widget per block (~150 for a day's tab) and Rich's Markdown
re-parses and re-renders on every layout pass; both made start-up and every redraw slow. This renders
the page with Rich once per pane width and replays the result.

The page comes from a file in the shared folder: control characters are shown as symbols and bidi
overrides dropped before Rich sees it (Rich keeps ESC, and a terminal would obey it); Rich's Markdown
parses no content markup, and with hyperlinks off a link is shown as text, not made clickable.
"""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.markdown import Markdown, TableElement
from rich.measure import Measurement
from rich.segment import Segment
from rich.table import Table
from rich.theme import Theme

from paratui.model.text import clean_block

# Headings read as headings, not as alarms: bold, never red or underlined (red means act now).
CALM = Theme({
    "markdown.h1": "bold", "markdown.h1.border": "dim", "markdown.h2": "bold", "markdown.h3": "bold",
    "markdown.h4": "bold italic", "markdown.h5": "italic", "markdown.h6": "dim italic",
})



class WholeWordTable(TableElement):
    """A Markdown table whose columns are never narrower than their longest word (up to 14 columns):
    a time like 08:00–08:30 is shown whole, not cut to "08:00…"; long text wraps instead."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for table in super().__rich_console__(console, options):
            if isinstance(table, Table):
                for column in table.columns:
                    words = [w for cell in column.cells for w in str(cell).split()]
                    column.min_width = min(14, max((len(w) for w in words), default=1))
            yield table


class BinderMarkdown(Markdown):
    elements = {**Markdown.elements, "table_open": WholeWordTable}


class BinderPage:
    def __init__(self, markdown: str):
        self.markdown = BinderMarkdown(clean_block(markdown), hyperlinks=False)
        self._by_width: dict[int, list[Segment]] = {}

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        if width not in self._by_width:
            with console.use_theme(CALM):
                self._by_width[width] = list(console.render(self.markdown, options))
        yield from self._by_width[width]

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(1, options.max_width)
