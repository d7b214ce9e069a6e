"""Problems found in a teacher's file, said in words that point at the exact place."""

from __future__ import annotations

from dataclasses import dataclass

from paratui.model.text import clean


@dataclass(frozen=True)
class Problem:
    """One mistake in a file: where (`field`, a dotted path like ``staff[2].role``) and what.

    `hint` is a more exact path used only to find the line (e.g. ``monday[0].with.Evander``) when
    the shown `field` leaves out a value that could be a person's name. It is never shown.
    """

    field: str
    message: str
    line: int | None = None
    file: str | None = None
    hint: str | None = None

    def __str__(self) -> str:
        where = self.file or "?"
        if self.line:
            where += f":{self.line}"
        field = f" {self.field}:" if self.field else ""
        return clean(f"{where}:{field} {self.message}")


class ConfigError(Exception):
    """Raised by the parsers when a file cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))
