"""A school's roster files (students, staff) read into the room's people: pure, from bytes already read.

What schools have is a spreadsheet export: UTF-8 with or without a BOM, or Windows-1252 (Excel's
"CSV" on Windows), cells split by `,` or `;` (Excel where the decimal point is a comma) or a tab
("Unicode text"), quoted fields, the columns in any order under whatever names the office uses.
This module finds the columns by their common names, works out each student's initials (E.M.; a
second E.M. becomes E.Mo.) and each adult's id, and sorts every row into kept or refused, each
refusal with its line and column, so the teacher fixes the file once.

The standard library's `csv` reads every one of those dialects (quotes, doubled quotes, quoted line
breaks, any one-character delimiter) and never evaluates anything: nothing more is needed, and a
spreadsheet library would bring formula engines and a large dependency for files of 40 rows.

A cell is only ever text: one that starts like a formula (`=`, `+`, `-`, `@`, a tab or a carriage
return) is kept as typed and flagged, and paratui writes it only into TOML strings, never into a
file a spreadsheet would open. Names are data: emoji and right-to-left scripts stay, control and
bidi-override characters are cleaned (`paratui.model.text.clean`). A message names the line and
the column, never a cell's value (it may be a child's name).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Iterator, Sequence

from paratui.model.text import clean

STUDENT_LIMIT = 40  # one classroom; a whole school's export is refused, not trimmed
STAFF_LIMIT = 25
BYTE_LIMIT = 512 * 1024  # far above any 40-row export (even one with fifty columns)
NAME_LIMIT = 80
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet would evaluate (OWASP's list)

# Header names, compared without case, spaces or punctuation ("Last Name" = "lastname", "1:1" = "11").
STUDENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "first": ("first", "firstname", "given", "givenname", "forename"),
    "last": ("last", "lastname", "surname", "family", "familyname"),
    "name": ("name", "fullname", "student", "studentname", "pupil", "pupilname"),
    "id": ("id", "studentid", "number", "studentnumber", "no", "code", "studentcode"),
    "initials": ("initials",),
    "grade": ("grade", "gradelevel", "gr", "year", "yeargroup"),
    "para": ("para", "11", "1to1", "onetoone", "aide", "11para", "11aide", "onetoonepara", "paraprofessional"),
}
STAFF_COLUMNS: dict[str, tuple[str, ...]] = {
    "first": ("first", "firstname", "given", "givenname"),
    "last": ("last", "lastname", "surname", "family", "familyname"),
    "name": ("name", "fullname", "staff", "staffname", "adult"),
    "short": ("short", "shortname", "display", "displayname", "boardname", "shown", "nickname"),
    "role": ("role", "position", "job", "jobtitle", "title"),
    "login": ("login", "logins", "username", "user", "account", "osuser", "userid"),
    "id": ("id", "code", "staffid", "initials"),
}

# What a role cell may say → the room's roles (classroom.ROLES), compared like headers.
ROLE_WORDS: dict[str, str] = {
    **dict.fromkeys(("teacher", "classroomteacher", "specialeducationteacher", "spedteacher", "specialedteacher",
                     "casemanager", "leadteacher", "interventionspecialist"), "teacher"),
    **dict.fromkeys(("para", "paraprofessional", "paraeducator", "aide", "classroomaide", "teachingassistant",
                     "ta", "instructionalassistant", "assistant", "educationalassistant", "ea", "lsa",
                     "learningsupportassistant"), "para"),
    **dict.fromkeys(("onetoone", "11", "11para", "11aide", "onetoonepara", "onetooneaide", "personalaide",
                     "1to1", "dedicatedaide"), "one-to-one"),
    **dict.fromkeys(("relatedservice", "speech", "slp", "speechtherapist", "speechlanguagepathologist", "ot",
                     "occupationaltherapist", "pt", "physicaltherapist", "counselor", "counsellor",
                     "psychologist", "schoolpsychologist", "socialworker", "bcba", "visionteacher",
                     "therapist"), "related-service"),
    **dict.fromkeys(("sub", "substitute", "supply", "supplyteacher", "cover", "relief"), "sub"),
}
_YES = {"yes", "y", "x", "true", "1", "✓", "✔"}
_NO = {"no", "n", "false", "0", "none", "-", "n/a", "na"}
_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,11}")
LOGIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}\$?")
_SEP_LINE = re.compile(r"sep=(.)\r?\n?")  # Excel's hint line: "sep=;"


class RosterError(Exception):
    """The file as a whole cannot be used (empty, too many rows, no name column, not text)."""


@dataclass(frozen=True)
class Finding:
    """A row refused, or a cell kept but worth a look: where it is and what, never the value."""

    line: int
    column: str  # `column 3 (Last Name)`, or "" for the whole row
    message: str

    def text(self, label: str) -> str:
        where = f" {self.column}:" if self.column else ""
        return f"{label}:{self.line}:{where} {self.message}"


@dataclass(frozen=True)
class RosterStaff:
    id: str
    name: str
    short: str
    role: str
    logins: tuple[str, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class RosterStudent:
    id: str
    initials: str
    name: str | None = None
    grade: str | None = None
    one_to_one: str | None = None  # a staff id
    line: int = 0
    first: str = field(default="", compare=False, repr=False)  # for telling two E.M. apart
    last: str = field(default="", compare=False, repr=False)


@dataclass(frozen=True)
class Roster:
    """What a file gave: the rows kept, the rows refused, the cells to look at, and notes."""

    label: str
    encoding: str
    delimiter: str
    students: tuple[RosterStudent, ...] = ()
    staff: tuple[RosterStaff, ...] = ()
    refused: tuple[Finding, ...] = ()
    flags: tuple[Finding, ...] = ()
    notes: tuple[str, ...] = ()

    def messages(self) -> list[str]:
        """Every refusal, then every flag, as `FILE:LINE: column N (Header): what`."""
        return ([f.text(self.label) for f in self.refused]
                + [f.text(self.label) for f in self.flags]
                + [f"{self.label}: {n}" for n in self.notes])


# -- bytes → text ---------------------------------------------------------------------------------
def decode(raw: bytes, label: str) -> tuple[str, str]:
    """(text, encoding): UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's "Unicode text"),
    else Windows-1252; anything else is refused rather than guessed."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw, bom = raw[3:], True
    else:
        bom = False
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            raise RosterError(f"{label}: starts like UTF-16 but is not: save it again as CSV (UTF-8)") from None
    if b"\x00" in raw:
        kind = " (a spreadsheet file, .xlsx or .ods?)" if raw.startswith(b"PK") else ""
        raise RosterError(f"{label}: not a text file{kind}: save it from the spreadsheet as CSV")
    try:
        return raw.decode("utf-8"), "UTF-8 with BOM" if bom else "UTF-8"
    except UnicodeDecodeError as e:
        if bom:
            line = raw[: e.start].count(b"\n") + 1
            raise RosterError(f"{label}:{line}: not UTF-8 although it starts with a UTF-8 mark: save it "
                              "again as CSV UTF-8") from None
    try:
        return raw.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise RosterError(f"{label}:{line}: neither UTF-8 nor Windows-1252 text: save it again as CSV "
                          "UTF-8") from None


def _sniff(first_line: str) -> str:
    """The delimiter the header line uses most, outside quotes (`,` when there is one column)."""
    counts = {",": 0, ";": 0, "\t": 0}
    quoted = False
    for ch in first_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _key(header: str) -> str:
    return "".join(ch for ch in header.casefold() if ch.isalnum())


@dataclass
class _Table:
    label: str
    encoding: str
    delimiter: str
    header: list[str]  # as in the file, cleaned
    columns: dict[str, int]  # our field → column index
    notes: list[str]
    rows: Iterator[tuple[int, list[str] | None, str | None]]  # (line, cells | None, csv problem)

    def where(self, name: str) -> str:
        i = self.columns[name]
        return f"column {i + 1} ({clean(self.header[i], limit=30)})"


def _table(raw: bytes, label: str, wanted: dict[str, tuple[str, ...]], complete: bool) -> _Table:
    if not complete:
        cut = raw.rfind(b"\n")
        if cut < 0:
            raise RosterError(f"{label}: larger than {BYTE_LIMIT // 1024} KiB in one line: not a roster")
        raw = raw[: cut + 1]
    text, encoding = decode(raw, label)
    if not text.strip():
        raise RosterError(f"{label}: empty: the first row should be the column names, then one row a person")
    offset = 0
    if m := _SEP_LINE.match(text):
        delimiter, text, offset = m.group(1), text[m.end():], 1
    else:
        delimiter = _sniff(text.lstrip("\r\n").split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)

    def rows() -> Iterator[tuple[int, list[str] | None, str | None]]:
        last = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                yield reader.line_num + offset, None, str(e)
                last = reader.line_num
                continue
            yield last + 1 + offset, cells, None
            last = reader.line_num

    it = rows()
    line, header, problem = next(it, (1, None, "no header row"))
    while header is not None and not any(h.strip() for h in header):
        line, header, problem = next(it, (line, None, "no header row"))
    if header is None:
        raise RosterError(f"{label}:{line}: the header row cannot be read ({problem}): the first row should be "
                          "the column names")
    names = [clean(h).strip() for h in header]
    columns: dict[str, int] = {}
    unused: list[str] = []
    by_key = {k: name for name, keys in wanted.items() for k in keys}
    for i, h in enumerate(names):
        ours = by_key.get(_key(h))
        if ours is None or ours in columns:
            if h:
                unused.append(clean(h, limit=30))
            continue
        columns[ours] = i
    if "name" not in columns and "first" not in columns and "last" not in columns:
        raise RosterError(f"{label}:{line}: no column of names (first, last or name) in the header row; the "
                          "first row should be the column names, e.g. First,Last,Grade")
    notes = [f"column{'s' if len(unused) > 1 else ''} not used: {', '.join(unused)}"] if unused else []
    return _Table(label, encoding, delimiter, names, columns, notes, it)


def _cells(table: _Table, line: int, cells: list[str], flags: list[Finding], refused: list[Finding],
           ) -> dict[str, str] | None:
    """One row's cells by our field names, cleaned; formula-like cells flagged; a shifted row refused."""
    if len(cells) > len(table.header) and any(c.strip() for c in cells[len(table.header):]):
        refused.append(Finding(line, "", f"{len(cells)} cells where the header has {len(table.header)}: a "
                               f"{'comma' if table.delimiter == ',' else 'separator'} inside a name needs the "
                               "cell in quotes"))
        return None
    out: dict[str, str] = {}
    for name, i in table.columns.items():
        raw = cells[i] if i < len(cells) else ""
        if raw.strip() and (raw.startswith(FORMULA_START) or raw.lstrip().startswith(FORMULA_START)):
            flags.append(Finding(line, table.where(name), "starts like a spreadsheet formula: kept as plain "
                                 "text, never evaluated"))
        out[name] = clean(raw).strip()
    return out


def _filled_rows(table: _Table, label: str, what: str, limit: int,
                 refused: list[Finding]) -> Iterator[tuple[int, list[str]]]:
    """The table's rows that hold something, as (line, cells): a row CSV cannot read is refused, a
    blank one skipped, and the one past `limit` ends the file with the limit's error."""
    count = 0
    for line, cells, problem in table.rows:
        if cells is None:
            refused.append(Finding(line, "", f"cannot be read as CSV ({problem})"))
            continue
        if not any(c.strip() for c in cells):
            continue
        count += 1
        if count > limit:
            raise _limit_error(label, line, what, limit)
        yield line, cells


def _limit_error(label: str, line: int, what: str, limit: int) -> RosterError:
    return RosterError(f"{label}:{line}: more than {limit} {what} (paratui is for one classroom: up to {limit} "
                       f"{what}); is this the whole school's export? Keep only your room's rows")


def _split_name(cells: dict[str, str]) -> tuple[str, str]:
    """(first, last) from first/last columns, else from a name: "Last, First" or "First … Last"."""
    first, last = cells.get("first", ""), cells.get("last", "")
    if first or last:
        return first, last
    name = cells.get("name", "")
    if "," in name:
        last, _, first = name.partition(",")
        return first.strip(), last.strip()
    return first_last(name)


def first_last(name: str) -> tuple[str, str]:
    """(first, last) of a name as typed: the last word is the last name."""
    parts = name.split()
    if len(parts) > 1:
        return " ".join(parts[:-1]), parts[-1]
    return name, ""


def _letter(text: str) -> str:
    return next((ch.upper() for ch in text if ch.isalpha()), "")


def initials_of(first: str, last: str) -> str:
    """E.M. from Evander Moonbeam: each part's first letter ('' when neither has one)."""
    letters = [x for x in (_letter(first), _letter(last)) if x]
    return ".".join(letters) + "." if letters else ""


def _name_column(table: _Table) -> str:
    return table.where(next(k for k in ("name", "first", "last") if k in table.columns))


# -- staff ----------------------------------------------------------------------------------------
def parse_staff(raw: bytes, label: str, complete: bool = True) -> Roster:
    """A staff CSV (name, short name, role, login; or first/last) → a Roster of staff."""
    table = _table(raw, label, STAFF_COLUMNS, complete)
    refused: list[Finding] = []
    flags: list[Finding] = []
    kept: list[RosterStaff] = []
    logins: dict[str, int] = {}
    ids: dict[str, int] = {}
    count = 0
    for line, cells in _filled_rows(table, label, "staff", STAFF_LIMIT, refused):
        count += 1
        got = _cells(table, line, cells, flags, refused)
        if got is not None and (person := _staff_row(table, line, got, logins, ids, refused, flags)):
            kept.append(person)
    if not complete:
        raise RosterError(f"{label}: larger than {BYTE_LIMIT // 1024} KiB: not a roster of {STAFF_LIMIT} staff")
    if count == 0:
        raise RosterError(f"{label}: no staff in it, only the header row")
    kept = _staff_ids(kept, ids)
    return Roster(label, table.encoding, table.delimiter, staff=tuple(kept), refused=tuple(refused),
                  flags=tuple(flags), notes=tuple(table.notes))


def _staff_row(table: _Table, line: int, cells: dict[str, str], logins: dict[str, int], ids: dict[str, int],
               refused: list[Finding], flags: list[Finding]) -> RosterStaff | None:
    first, last = _split_name(cells)
    name = " ".join(x for x in (first, last) if x)
    bad = len(refused)
    if not name:
        refused.append(Finding(line, _name_column(table), "no name"))
    elif len(name) > NAME_LIMIT:
        refused.append(Finding(line, _name_column(table), f"longer than {NAME_LIMIT} characters"))
    role_text = cells.get("role", "")
    role = ROLE_WORDS.get(_key(role_text)) if role_text else "para"
    if role is None:
        refused.append(Finding(line, table.where("role"), "not a role paratui knows: teacher, para, one-to-one, "
                               "related-service (speech, OT…) or sub"))
    elif not role_text and "role" in table.columns:
        flags.append(Finding(line, table.where("role"), "empty: taken as para"))
    found: list[str] = []
    for login in re.split(r"[\s,;]+", cells.get("login", "")):
        if not login:
            continue
        if not LOGIN.fullmatch(login):
            refused.append(Finding(line, table.where("login"), "not a computer user name (letters, digits, . _ -)"))
        elif login.casefold() in logins:
            refused.append(Finding(line, table.where("login"), f"already the login of line {logins[login.casefold()]}"))
        elif login not in found:
            found.append(login)
    sid = cells.get("id", "")
    if sid:
        if not _ID.fullmatch(sid) or len(sid) > 8:
            refused.append(Finding(line, table.where("id"), "expected a short code (letters and digits, e.g. MR)"))
        elif sid.upper() in ids:
            refused.append(Finding(line, table.where("id"), f"also the id on line {ids[sid.upper()]}"))
    if len(refused) > bad:
        return None
    for login in found:
        logins[login.casefold()] = line
    if sid:
        ids[sid.upper()] = line
    short = cells.get("short") or (f"{first} {_letter(last)}." if first and _letter(last) else name)
    return RosterStaff(sid.upper(), name, clean(short, limit=20), role or "para", tuple(found), line)


def _ascii_letters(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if "A" <= ch.upper() <= "Z").upper()


def _staff_ids(staff: list[RosterStaff], taken: dict[str, int]) -> list[RosterStaff]:
    """Each adult without an id gets one from their initials (Maria Rivera → MR; a second MR → MRI),
    a sub SUB; ids are ASCII (they are typed on the command line)."""
    used = set(taken)
    out: list[RosterStaff] = []
    for s in staff:
        if s.id:
            out.append(s)
            continue
        words = [_ascii_letters(w) for w in s.name.split()]
        words = [w for w in words if w] or ["ST"]
        first, last = words[0], words[-1] if len(words) > 1 else ""
        candidates = (["SUB"] if s.role == "sub" else []) + [first[:1] + last[:k] for k in range(1, len(last) + 1)]
        if not last:
            candidates += [first[:k] for k in range(2, len(first) + 1)]
        sid = next((c for c in candidates if len(c) >= 2 and c not in used), "")
        n = 2
        while not sid:
            base = (first[:1] + last[:1]) if len(first[:1] + last[:1]) >= 2 else (first[:2] or "ST")
            if f"{base}{n}" not in used:
                sid = f"{base}{n}"
            n += 1
        used.add(sid)
        out.append(replace(s, id=sid))
    return out


def with_teacher(staff: Sequence[RosterStaff], login: str, name: str | None = None) -> tuple[list[RosterStaff], str]:
    """The account setting the room up becomes its teacher: the adult with that login (made the
    teacher), else the one teacher listed (given the login), else a new teacher for it. (staff, what
    was done, in words)."""
    out = list(staff)
    for i, s in enumerate(out):
        if login in s.logins:
            if s.role != "teacher":
                out[i] = replace(s, role="teacher")
                return out, f"{s.id} (login {login}) is the teacher: the account setting the room up"
            return out, f"{s.id} (login {login}) is the teacher"
    teachers = [i for i, s in enumerate(out) if s.role == "teacher"]
    if teachers:
        i = teachers[0]
        out[i] = replace(out[i], logins=(*out[i].logins, login))
        return out, f"{out[i].id} is the teacher, with this account's login ({login})"
    who = name or login
    made = _staff_ids([RosterStaff("", who, clean(who, limit=20), "teacher", (login,))], {s.id: 0 for s in out})
    return [made[0], *out], f"{made[0].id} ({login}, the account setting the room up) added as the teacher"


# -- students -------------------------------------------------------------------------------------
def parse_students(raw: bytes, label: str, staff: Sequence[RosterStaff] = (), complete: bool = True) -> Roster:
    """A students CSV → a Roster of students: ids (S01… unless the file has short codes), initials
    worked out and told apart, the one-to-one para found among `staff`."""
    table = _table(raw, label, STUDENT_COLUMNS, complete)
    refused: list[Finding] = []
    flags: list[Finding] = []
    notes = list(table.notes)
    kept: list[RosterStudent] = []
    ids: dict[str, int] = {}
    numbers = 0
    count = 0
    for line, cells in _filled_rows(table, label, "students", STUDENT_LIMIT, refused):
        count += 1
        got = _cells(table, line, cells, flags, refused)
        if got is None:
            continue
        pupil = _student_row(table, line, got, staff, ids, refused)
        if pupil is not None:
            if got.get("id") and not pupil.id:
                numbers += 1
            kept.append(pupil)
    if not complete:
        raise RosterError(f"{label}: larger than {BYTE_LIMIT // 1024} KiB: not a roster of {STUDENT_LIMIT} "
                          "students")
    if count == 0:
        raise RosterError(f"{label}: no students in it, only the header row")
    if numbers:
        notes.append(f"{numbers} id{'s are' if numbers > 1 else ' is'} not a short code (a school ID number?): "
                     "those students get S01… instead; ID numbers never go into the data folder")
    kept = _student_ids(kept, set(ids))
    kept = tell_apart(kept)
    return Roster(label, table.encoding, table.delimiter, students=tuple(kept), refused=tuple(refused),
                  flags=tuple(flags), notes=tuple(notes))


def _student_row(table: _Table, line: int, cells: dict[str, str], staff: Sequence[RosterStaff],
                 ids: dict[str, int], refused: list[Finding]) -> RosterStudent | None:
    first, last = _split_name(cells)
    name = " ".join(x for x in (first, last) if x)
    bad = len(refused)
    initials = cells.get("initials", "")
    if not name and not initials:
        refused.append(Finding(line, _name_column(table), "no name"))
    elif len(name) > NAME_LIMIT:
        refused.append(Finding(line, _name_column(table), f"longer than {NAME_LIMIT} characters"))
    elif initials and len(initials) > 8:
        refused.append(Finding(line, table.where("initials"), "longer than 8 characters"))
    elif not initials and not _letter(first + last):
        refused.append(Finding(line, _name_column(table), "no letter to make initials from: add an Initials "
                               "column"))
    sid = cells.get("id", "")
    if sid and not _ID.fullmatch(sid):
        sid = ""  # a school number: replaced by S01… (see parse_students)
    if sid and sid.upper() in ids:
        refused.append(Finding(line, table.where("id"), f"also the id on line {ids[sid.upper()]}"))
    para = _para(table, line, cells.get("para", ""), staff, refused)
    if len(refused) > bad:
        return None
    if sid:
        ids[sid.upper()] = line
    if not initials:
        initials = initials_of(first, last)
    grade = cells.get("grade") or None
    return RosterStudent(sid, initials, name or None, clean(grade, limit=20) if grade else None, para, line,
                         first, last)


_TITLES = frozenset({"ms", "mrs", "mr", "miss", "mx", "dr", "sr", "sra", "srta"})


def _para(table: _Table, line: int, text: str, staff: Sequence[RosterStaff], refused: list[Finding]) -> str | None:
    """The one-to-one para named in a cell (id, short name, name, first name or login), or None."""
    if not text or text.casefold() in _NO:
        return None
    if text.casefold() in _YES:
        refused.append(Finding(line, table.where("para"), "says yes but names no one: write the para's name, "
                               "short name or id"))
        return None
    key = text.casefold()
    found = {s.id for s in staff if key in {s.id.casefold(), s.short.casefold(), s.name.casefold(),
                                            *(x.casefold() for x in s.logins)}}
    if not found:
        found = {s.id for s in staff if s.name.split() and s.name.split()[0].casefold() == key}
    if not found:  # "Ms. Lopez", "Mrs Lopez", "Lopez": how a school's list names a para
        words = key.replace(".", " ").split()
        if words and words[0] in _TITLES:
            words = words[1:]
        if len(words) == 1:
            found = {s.id for s in staff if len(s.name.split()) > 1 and s.name.split()[-1].casefold() == words[0]}
    if len(found) == 1:
        return found.pop()
    if found:
        refused.append(Finding(line, table.where("para"), "matches more than one adult on the staff list: use "
                               "their id"))
    elif not staff:
        refused.append(Finding(line, table.where("para"), "names a para, but there is no staff list: give it too "
                               "(--staff staff.csv)"))
    else:
        refused.append(Finding(line, table.where("para"), "not someone on the staff list"))
    return None


def _student_ids(students: list[RosterStudent], taken: set[str]) -> list[RosterStudent]:
    used = set(taken)
    out: list[RosterStudent] = []
    n = 1
    for s in students:
        if s.id:
            out.append(s)
            continue
        while f"S{n:02d}" in used:
            n += 1
        used.add(f"S{n:02d}")
        out.append(replace(s, id=f"S{n:02d}"))
    return out


def _norm(initials: str) -> str:
    """As the room compares initials (paratui.model.fields.normalize): no case, dots or spaces."""
    return "".join(ch for ch in initials.casefold() if ch.isalnum())


def tell_apart(students: Sequence[RosterStudent]) -> list[RosterStudent]:
    """Initials unique as the room compares them: the first E.M. keeps E.M., the next one gets more
    of the last name (E.Mo.), then of the first (Em.Mo.), then a number (E.M.2)."""
    used: set[str] = set()
    out: list[RosterStudent] = []
    for s in students:
        initials = s.initials
        if _norm(initials) in used:
            letters_f = [ch for ch in s.first if ch.isalpha()] or [""]
            letters_l = [ch for ch in s.last if ch.isalpha()]
            tries = []
            if letters_l:
                tries += [f"{letters_f[0].upper()}.{letters_l[0].upper()}{''.join(letters_l[1:k]).lower()}."
                          for k in range(2, len(letters_l) + 1)]
                tries += [f"{letters_f[0].upper()}{''.join(letters_f[1:k]).lower()}."
                          f"{letters_l[0].upper()}{''.join(letters_l[1:2]).lower()}."
                          for k in range(2, len(letters_f) + 1)]
            tries += [f"{initials}{n}" for n in range(2, STUDENT_LIMIT + 2)]
            initials = next(t for t in tries if _norm(t) not in used and len(t) <= 12)
        used.add(_norm(initials))
        out.append(replace(s, initials=initials))
    return out
