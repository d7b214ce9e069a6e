"""Where the demo room and the built-in themes live: beside the package in a checkout (editable
install), or inside it in a wheel."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]


def _first(*candidates: Path) -> Path:
    for c in candidates:
        if c.is_dir():
            return c
    return candidates[0]


def demo_data() -> Path:
    return _first(_PACKAGE.parent / "data", _PACKAGE / "_embedded" / "data")


def builtin_themes() -> Path:
    return _first(_PACKAGE.parent / "themes", _PACKAGE / "_embedded" / "themes")


def data_folder(explicit: str | None = None) -> Path:
    """--data, else $PARATUI_DATA, else the embedded demo room."""
    chosen = explicit or os.environ.get("PARATUI_DATA")
    return Path(chosen).expanduser() if chosen else demo_data()


def is_demo(root: Path) -> bool:
    """Whether `root` is the embedded demo room itself (not a copy of it, nor a room of one's own)."""
    try:
        return Path(root).resolve() == demo_data().resolve()
    except OSError:
        return False
