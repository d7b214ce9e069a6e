"""Theme files (themes/*.toml) read and checked. Turning them into Textual themes is the app's job."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

COLOR_KEYS = ("primary", "secondary", "accent", "foreground", "background", "surface", "panel",
              "warning", "error", "success", "boost")
BOARD_VARIABLES = ("paratui-out", "paratui-over", "paratui-overdue", "paratui-uncovered", "paratui-covered")
_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")
DEFAULT_THEME = "paratui-dark"


@dataclass(frozen=True)
class ThemeSpec:
    name: str
    dark: bool
    colors: dict[str, str]
    variables: dict[str, str] = field(default_factory=dict)
    large: bool = False
    source: Path | None = None


def parse_theme(path: Path) -> ThemeSpec:
    """Raises ValueError naming the file (and line or field) when something is wrong."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise ValueError(f"{path}: {e}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ValueError(f"{path}: cannot read: {e}") from None
    allowed = {"name", "dark", "large", "variables", *COLOR_KEYS}
    for key in data:
        if key not in allowed:
            raise ValueError(f"{path}: field {key!r}: unknown (allowed: {', '.join(sorted(allowed))})")
    if not isinstance(data.get("dark"), bool):
        raise ValueError(f"{path}: field 'dark': required, true or false")
    if not isinstance(data.get("large", False), bool):
        raise ValueError(f"{path}: field 'large': expected true or false")
    if "primary" not in data:
        raise ValueError(f"{path}: field 'primary': required (a colour like \"#4EA1D3\")")
    colors = {}
    for key in COLOR_KEYS:
        if key in data:
            value = data[key]
            if not isinstance(value, str) or not _HEX.match(value):
                raise ValueError(f"{path}: field {key!r}: {value!r} is not a colour like \"#4EA1D3\"")
            colors[key] = value
    variables = data.get("variables", {})
    if not isinstance(variables, dict):
        raise ValueError(f"{path}: field 'variables': expected a table")
    for key, value in variables.items():
        if key not in BOARD_VARIABLES:
            raise ValueError(f"{path}: field 'variables.{key}': unknown (allowed: {', '.join(BOARD_VARIABLES)})")
        if not isinstance(value, str) or not _HEX.match(value):
            raise ValueError(f"{path}: field 'variables.{key}': {value!r} is not a colour like \"#E5534B\"")
    name = data.get("name", path.stem)
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        raise ValueError(f"{path}: field 'name': {name!r} must be letters, digits, - or _")
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
                spec = parse_theme(path)
            except ValueError as e:
                problems.append(str(e))
                continue
            themes[spec.name] = spec
    return list(themes.values()), problems
