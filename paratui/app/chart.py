"""A goal's trend across sessions, drawn by plotext through textual-plotext's `Plot` wrapper.

One plotext figure is shared by every chart (textual-plotext's `PlotextPlot` widget makes a figure,
and a widget, per chart: the student screen draws each goal's text and chart as one widget instead).
A chart is drawn again only when its numbers or its size change (`draw` is cached). The "clear"
plotext theme draws in the widget's own colours, so the chart reads in every board theme. Labels
are dates and numbers only: no text from a file reaches plotext or `Text.from_ansi`.

Memory: plotext is imported on the first chart drawn (~1.5 MiB, most of it plotext's own docs and
global figure), not with the screen's module: by then the student's year of events is folded and
freed, and the import reuses that memory instead of adding to it. `release()` (the screen closing)
drops the drawn charts and the figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from rich.text import Text

if TYPE_CHECKING:
    from textual_plotext import Plot

UNIT_LABEL = {"%": "%", "s": "seconds", "count": "count"}


@dataclass(frozen=True)
class ChartData:
    days: tuple[str, ...]  # "MM-DD", one per session
    levels: tuple[float, ...]
    unit: str  # "%" | "s" | "count"
    line: float | None = None  # the mastery criterion, drawn across


_figure: Plot | None = None


@lru_cache(maxsize=16)  # a screen's goals at a size or two
def draw(data: ChartData, width: int, height: int) -> Text:
    """The chart as styled text, `width` × `height` cells."""
    global _figure
    if _figure is None:
        from textual_plotext import Plot

        _figure = Plot()
    plt = _figure
    plt.clear_data()
    plt.clear_figure()
    plt.theme("clear")
    plt.plotsize(width, height)
    plt._set_size(width, height)  # as PlotextPlot.render does (textual-plotext issue #5)
    xs = [float(i) for i in range(1, len(data.levels) + 1)]
    plt.plot(xs, list(data.levels), marker="braille")
    if data.unit == "%":
        plt.ylim(0, 100)
    if data.line is not None:
        plt.hline(data.line)
    ticks = xs[:: max(1, len(xs) // 4)]
    plt.xticks(ticks, [data.days[int(i) - 1] for i in ticks])
    plt.ylabel(UNIT_LABEL.get(data.unit, ""))
    return Text.from_ansi(plt.build(), no_wrap=True)


def release() -> None:
    """Forget the drawn charts and plotext's figure (its last chart's matrices): the screen closed."""
    global _figure
    draw.cache_clear()
    _figure = None
