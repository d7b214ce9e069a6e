"""Theme files → Textual themes. Reading and checking the files is paratui.store.themes' job."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.color import Color, ColorParseError
from textual.theme import Theme

from paratui.model.text import clean
from paratui.store.themes import ThemeSpec, load_themes

# Used when a theme does not set them (and by Textual's own themes).
BOARD_VARIABLE_DEFAULTS = {
    "paratui-out": "#E0A526",
    "paratui-over": "#E5534B",
    "paratui-overdue": "#E5534B",
    "paratui-uncovered": "#FF5F5F",
    "paratui-covered": "#57AB5A",
    "paratui-timer": "#6CC4E8",  # a running timer's m:ss: not an alarm, not the out-of-room colour
    "paratui-warning": "#F2A33A",  # the file-warning count on the top bar
}


def board_color(app: App, variable: str) -> str:
    """One of the board's colours (BOARD_VARIABLE_DEFAULTS' names) in the app's current theme.

    Read from the theme itself, not the app's CSS variables: those are refreshed only after a theme
    switch has been applied, which is later than the redraw that the switch triggers."""
    return app.current_theme.variables.get(variable) or BOARD_VARIABLE_DEFAULTS.get(variable, "")


def to_theme(spec: ThemeSpec) -> Theme:
    for key, value in {**spec.colors, **spec.variables}.items():
        try:
            Color.parse(value)
        except ColorParseError:
            where = clean(f"{spec.source.parent.name}/{spec.source.name}") if spec.source else clean(spec.name)
            raise ValueError(f"{where}: field {clean(repr(key), limit=40)}: {clean(repr(value), limit=40)} "
                             "is not a colour") from None
    return Theme(name=spec.name, dark=spec.dark, variables=dict(spec.variables), **spec.colors)  # type: ignore[arg-type]


def register_themes(app: App, folders: list[Path]) -> tuple[set[str], list[str]]:
    """Register every good theme; return the names of large-text themes and the problems found."""
    specs, problems = load_themes(folders)
    large = set()
    for spec in specs:
        try:
            app.register_theme(to_theme(spec))
        except (ValueError, TypeError) as e:
            problems.append(clean(e))
            continue
        if spec.large:
            large.add(spec.name)
    return large, problems
