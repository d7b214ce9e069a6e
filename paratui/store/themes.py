"""Theme files (themes/*.toml) read and checked. Turning them into Textual themes is the app's job.

A theme in the data folder is as untrusted as any file there: it is read with `read_regular`
(bounded, never a FIFO), and a problem names the file and the field with any quoted value cleaned
and cut short, so a name or value holding markup or control characters only ever shows as text.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from paratui.model.text import clean
from paratui.store.safe_read import read_regular

COLOR_KEYS = ("primary", "secondary", "accent", "foreground", "background", "surface", "panel",
              "warning", "error", "success", "boost")
BOARD_VARIABLES = ("paratui-out", "paratui-over", "paratui-overdue", "paratui-uncovered", "paratui-covered",
                   "paratui-timer")
_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")  # fullmatch: no "\n" after
DEFAULT_THEME = "paratui-dark"
MAX_THEME_BYTES = 64 * 1024  # a theme is a dozen lines


@dataclass(frozen=True)
class ThemeSpec:
    name: str
    dark: bool
    colors: dict[str, str]
    variables: dict[str, str] = field(default_factory=dict)
    large: bool = False
    source: Path | None = None


def _quote(value: object) -> str:
    """A value from a theme file, quoted for a message: one safe line, cut short."""
    return clean(repr(value), limit=40)


def _where(path: Path) -> str:
    """The file as messages name it: `themes/NAME.toml` (the folder is the data folder's or paratui's)."""
    return clean(f"{path.parent.name}/{path.name}")


def parse_theme(path: Path, root: Path | None = None) -> ThemeSpec:
    """Raises ValueError naming the file (and line or field) when something is wrong.
    `root`: the themes folder (a symlink is followed only inside it)."""
    path = Path(path)
    where = _where(path)
    try:
        raw = read_regular(path, MAX_THEME_BYTES, root=root)
        data = tomllib.loads(raw.decode("utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise ValueError(f"{where}: {clean(e)}") from None
    except UnicodeDecodeError:
        raise ValueError(f"{where}: cannot read: not UTF-8 text") from None
    except OSError as e:
        raise ValueError(f"{where}: cannot read: {clean(e.strerror or e)}") from None
    allowed = {"name", "dark", "large", "variables", *COLOR_KEYS}
    for key in data:
        if key not in allowed:
            raise ValueError(f"{where}: field {_quote(key)}: unknown (allowed: {', '.join(sorted(allowed))})")
    if not isinstance(data.get("dark"), bool):
        raise ValueError(f"{where}: field 'dark': required, true or false")
    if not isinstance(data.get("large", False), bool):
        raise ValueError(f"{where}: field 'large': expected true or false")
    if "primary" not in data:
        raise ValueError(f"{where}: field 'primary': required (a colour like \"#4EA1D3\")")
    colors = {}
    for key in COLOR_KEYS:
        if key in data:
            value = data[key]
            if not isinstance(value, str) or not _HEX.fullmatch(value):
                raise ValueError(f"{where}: field {key!r}: {_quote(value)} is not a colour like \"#4EA1D3\"")
            colors[key] = value
    variables = data.get("variables", {})
    if not isinstance(variables, dict):
        raise ValueError(f"{where}: field 'variables': expected a table")
    for key, value in variables.items():
        if key not in BOARD_VARIABLES:
            raise ValueError(f"{where}: field 'variables.{clean(key, limit=40)}': unknown "
                             f"(allowed: {', '.join(BOARD_VARIABLES)})")
        if not isinstance(value, str) or not _HEX.fullmatch(value):
            raise ValueError(f"{where}: field 'variables.{key}': {_quote(value)} is not a colour like \"#E5534B\"")
    name = data.get("name", path.stem)
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", name):
        raise ValueError(f"{where}: field 'name': {_quote(name)} must be 1 to 40 letters, digits, - or _")
    return ThemeSpec(name, data["dark"], colors, dict(variables), data.get("large", False), path)


def load_themes(folders: list[Path]) -> tuple[list[ThemeSpec], list[str]]:
    """Every theme in the folders (later folders win on a name clash) and the problems found."""
    themes: dict[str, ThemeSpec] = {}
    problems: list[str] = []
    for folder in folders:
        try:
            paths = sorted(folder.glob("*.toml"))
        except OSError:
            continue
        for path in paths:
            try:
                spec = parse_theme(path, root=folder)
            except ValueError as e:
                problems.append(str(e))
                continue
            themes[spec.name] = spec
    return list(themes.values()), problems
