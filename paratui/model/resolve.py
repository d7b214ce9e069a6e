"""Finding a student, adult or place from what a person typed: id, initials or label, any case."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Generic, Iterable, TypeVar

from paratui.model.classroom import Classroom, Location, Staff, Student, normalize

T = TypeVar("T")


@dataclass
class NotFound(Exception, Generic[T]):
    """Nothing (candidates = everything) or more than one thing (candidates = the matches) fits."""

    kind: str
    query: str
    candidates: list[str]
    ambiguous: bool = False

    def __str__(self) -> str:
        what = "matches more than one" if self.ambiguous else "matches no"
        return f"{self.query!r} {what} {self.kind}: {', '.join(self.candidates)}"


def _match(query: str, items: Iterable[T], names: Callable[[T], Iterable[str]],
           describe: Callable[[T], str], kind: str) -> T:
    items = list(items)
    q = normalize(query)
    exact = [i for i in items if any(normalize(n) == q for n in names(i) if n)]
    if len(exact) == 1:
        return exact[0]
    if not exact and q:
        exact = [i for i in items if any(normalize(n).startswith(q) for n in names(i) if n)]
        if len(exact) == 1:
            return exact[0]
    if exact:
        raise NotFound(kind, query, [describe(i) for i in exact], ambiguous=True)
    raise NotFound(kind, query, [describe(i) for i in items])


def find_student(classroom: Classroom, query: str) -> Student:
    # Full names are deliberately not matched: they must never be needed on a shared screen.
    return _match(query, classroom.students, lambda s: (s.id, s.initials),
                  lambda s: f"{s.id} ({s.initials})", "student")


def find_staff(classroom: Classroom, query: str) -> Staff:
    return _match(query, classroom.staff, lambda s: (s.id, s.short, s.name, *s.logins),
                  lambda s: f"{s.id} ({s.short})", "staff")


def find_location(classroom: Classroom, query: str) -> Location:
    return _match(query, classroom.locations, lambda loc: (loc.id, loc.label),
                  lambda loc: f"{loc.id} ({loc.label})", "location")


def staff_for_login(classroom: Classroom, login: str) -> Staff | None:
    matches = [s for s in classroom.staff if login in s.logins]
    return matches[0] if len(matches) == 1 else None
