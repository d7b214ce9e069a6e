"""issue 21: every alarm and text colour of the built-in themes is readable from across the room.

The WCAG 2.x contrast ratio (relative luminance, sRGB) of each against the background it is drawn on:
at least 7:1 in the contrast theme (WCAG 1.4.6, enhanced) and 4.5:1 in the others (1.4.3). Text is
drawn on the screen's background and on the panes' and pickers' surface; the status and key bars are
the panel colour, with the foreground and the warning count on them."""

from __future__ import annotations

from pathlib import Path

import pytest

from paratui.store import paths
from paratui.store.themes import ThemeSpec, load_themes

TEXT = ("foreground", "warning", "error", "success")  # Textual's theme colours drawn as text
ON_PANEL = ("foreground", "warning")  # the status bar (⚠ N warnings, reversed) and the key line
GROUNDS = ("background", "surface")


def luminance(colour: str) -> float:
    """WCAG relative luminance of #RRGGBB."""
    h = colour.lstrip("#")
    assert len(h) == 6, colour

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(int(h[i:i + 2], 16) / 255) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_formula():
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21)
    assert contrast("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
    assert contrast("#FF3030", "#000000") == pytest.approx(5.72, abs=0.01)  # the contrast theme's red before


def builtin_themes() -> list[ThemeSpec]:
    themes, problems = load_themes([paths.builtin_themes()])
    assert problems == []
    return themes


def test_every_theme_file_is_checked():
    files = sorted(p.stem for p in Path(paths.builtin_themes()).glob("*.toml"))
    assert files == sorted(t.name for t in builtin_themes()) and "paratui-contrast" in files


@pytest.mark.parametrize("theme", builtin_themes(), ids=lambda t: t.name)
def test_alarm_and_text_colours_against_their_backgrounds(theme):
    need = 7.0 if theme.name == "paratui-contrast" else 4.5
    colours = {k: theme.colors[k] for k in TEXT if k in theme.colors}
    colours.update({k: v for k, v in theme.variables.items() if k.startswith("paratui-")})
    assert {"paratui-out", "paratui-over", "paratui-overdue", "paratui-uncovered", "paratui-covered",
            "paratui-timer"} <= set(colours)
    pairs = [(name, colour, ground) for name, colour in colours.items() for ground in GROUNDS]
    pairs += [(name, colours[name], "panel") for name in ON_PANEL]
    short = [f"{name} {colour} on {ground} {theme.colors[ground]}: {contrast(colour, theme.colors[ground]):.2f}:1"
             for name, colour, ground in pairs if contrast(colour, theme.colors[ground]) < need]
    assert short == [], f"{theme.name}: below {need}:1"
