"""A goal's trend across sessions, drawn by plotext through textual-plotext's `Plot` wrapper.

One plotext figure is shared by every chart (textual-plotext's `PlotextPlot` widget makes a figure,
and a widget, per chart: the student screen draws each goal's text and chart as one widget instead).
A chart is drawn again only when its numbers or its size change (`draw` is cached). The "clear"
plotext theme draws in the widget's own colours, so the chart reads in every board theme. Labels
are dates and numbers, and the phases' names (through `clean`, so no control character reaches
plotext or `Text.from_ansi`). The data path is drawn a run at a time: never across a phase change,
where a vertical condition line is drawn, labelled with the new phase's name, nor across a gap (a
school day with no session) (Cooper et al.). Each session has its own x position, several a day in
the order of their start; a day's first session is labelled with its date ("11-23"), the next ones
with their number in the day ("11-23·2"), and the x axis's ticks fall on the days' first sessions.

Memory (issue 9: a board's peak ≤ 60 MiB): plotext is imported on the first chart drawn, not with
the screen's module, and only its figure class and what that needs: `import plotext` (and
textual-plotext, which imports it) first builds the colourised documentation of every function
and a global figure, ~0.9 of its 1.6 MiB, kept for the life of the process. The figure class is
what textual-plotext's `Plot` is (it adds static helpers only): the charts are drawn the same.
`release()` (the screen closing) drops the drawn charts and the figure.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Sequence

from rich.text import Text

from paratui.model.text import clean

UNIT_LABEL = {"%": "%", "s": "seconds", "count": "count"}


@dataclass(frozen=True)
class ChartData:
    days: tuple[str, ...]  # one label per session: "MM-DD", "MM-DD·2" for a day's second (session_labels)
    levels: tuple[float, ...]
    unit: str  # "%" | "s" | "count"
    line: float | None = None  # the mastery criterion, drawn across
    phases: tuple[tuple[int, str], ...] = ()  # (index of a phase's first session, its name), after the first
    gaps: tuple[int, ...] = ()  # indices of sessions after a gap (a school day with none): the path breaks there
    # the aim line (paratui.model.datalog.AimLine) at each session's day from its start on: (index, aim level)
    aim: tuple[tuple[int, float], ...] = ()


def session_labels(days: Sequence[date]) -> tuple[str, ...]:
    """Each session's x label, sessions in order: "11-23" for a day's first, "11-23·2" for its second."""
    out: list[str] = []
    for i, d in enumerate(days):
        n = 1
        while i - n >= 0 and days[i - n] == d:
            n += 1
        out.append(f"{d:%m-%d}" if n == 1 else f"{d:%m-%d}·{n}")
    return tuple(out)


def ticks_of(labels: Sequence[str]) -> list[int]:
    """The sessions (0-based) the x axis labels: the days' first sessions, every one up to 7, else
    every (n // 4)th."""
    firsts = [i for i, label in enumerate(labels) if "·" not in label] or [0]
    return firsts[:: max(1, len(firsts) // 4)]


_figure: Any = None  # plotext's figure, shared by every chart


@lru_cache(maxsize=16)  # a screen's goals at a size or two
def draw(data: ChartData, width: int, height: int) -> Text:
    """The chart as styled text, `width` × `height` cells."""
    global _figure
    if _figure is None:
        _figure = figure_class()()
    plt = _figure
    plt.clear_data()
    plt.clear_figure()
    plt.theme("clear")
    plt.plotsize(width, height)
    plt._set_size(width, height)  # as PlotextPlot.render does (textual-plotext issue #5)
    xs = [float(i) for i in range(1, len(data.levels) + 1)]
    cuts = sorted({0, *(i for i, _ in data.phases), *data.gaps, len(xs)})
    for a, b in zip(cuts, cuts[1:]):  # one data path per phase
        if b > a:
            plt.plot(xs[a:b], list(data.levels[a:b]), marker="braille")
    top = 100.0 if data.unit == "%" else max(data.levels, default=1.0) or 1.0
    if data.unit == "%":
        plt.ylim(0, 100)
    if data.line is not None:
        plt.hline(data.line)
    if data.aim:  # as on the report's chart: from the baseline's level on its start to the criterion
        plt.plot([xs[i] for i, _ in data.aim], [v for _, v in data.aim], marker="dot")
        i, v = data.aim[-1]
        plt.text("aim", xs[i], min(v, top), alignment="right")
    for i, name in data.phases:  # the condition lines, between the sessions either side
        plt.vline(i + 0.5)
        plt.text(clean(name, limit=16), i + 0.6, top, alignment="left")
    ticks = ticks_of(data.days)
    plt.xticks([xs[i] for i in ticks], [data.days[i] for i in ticks])
    plt.ylabel(UNIT_LABEL.get(data.unit, ""))
    return Text.from_ansi(plt.build(), no_wrap=True)


def figure_class() -> type:
    """plotext's `_figure_class`, imported without running `plotext/__init__.py` (its documentation
    and global figure): the package is stood in for by an empty module while its submodules load,
    and `_doc_utils.add` (which attaches each method's docstring, and warns on stdout when the
    documentation was not built) does nothing meanwhile. Once plotext is imported by anyone, or if
    this fails, the regular import."""
    global _class
    if _class is None:
        try:
            _class = _lean_figure_class() if "plotext" not in sys.modules else _plot_class()
        except Exception:  # noqa: BLE001  # any surprise: the regular import
            for name in [m for m in sys.modules if m == "plotext" or m.startswith("plotext.")]:
                del sys.modules[name]
            _class = _plot_class()
    return _class


_class: type | None = None


def _plot_class() -> type:
    from textual_plotext import Plot

    return Plot


def _lean_figure_class() -> type:
    spec = importlib.util.find_spec("plotext")
    if spec is None or spec.submodule_search_locations is None:
        raise ImportError("plotext")
    stand_in = types.ModuleType("plotext")
    stand_in.__path__ = list(spec.submodule_search_locations)
    sys.modules["plotext"] = stand_in
    try:
        docs: Any = importlib.import_module("plotext._doc_utils")
        add = docs.add
        docs.add = lambda *_args, **_kwargs: None
        try:
            figure: type = importlib.import_module("plotext._figure")._figure_class
        finally:
            docs.add = add
    finally:
        del sys.modules["plotext"]  # a later `import plotext` runs the package as usual
    return figure


def release() -> None:
    """Forget the drawn charts and plotext's figure (its last chart's matrices): the screen closed."""
    global _figure
    draw.cache_clear()
    _figure = None
