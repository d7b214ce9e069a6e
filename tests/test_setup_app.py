"""`paratui init DIR` in a terminal (paratui/app/setup_app.py): a whole room set up with keys typed as a
burst, Esc going back with what was typed kept, bad answers said on the screen, and each question as
a picture at 80×24."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from paratui.app import setup_app
from paratui.app.setup_app import SetupApp
from paratui.store import paths
from paratui.store.check import check_folder
from tests.helpers import wait_for

STAFF = [("Jordan Thomas", "Mr. T", "para", "jthomas"), ("Ana Lopez", "Ms. L", "aide", "alopez"),
         ("Dana Patel", "Ms. P", "1:1", "dpatel"), ("Sara Kowalski", "Ms. K", "speech", "skowalski"),
         ("Substitute", "Sub", "sub", "")]
STUDENTS = [("Evander Moonbeam", "", "", ""), ("", "K.B.", "", ""), ("Lark Saltmarsh", "", "", ""),
            ("", "O.W.", "", ""), ("Rowan Nettlefield", "R.N.", "", "Ms. P"), ("", "T.H.", "", ""),
            ("Emma Morales", "", "", ""), ("", "I.F.", "S08", "")]


def keys(text: str) -> list[str]:
    """What a person types, as Pilot's key names."""
    return ["space" if ch == " " else ch for ch in text]


def fields(*values: str) -> list[str]:
    """Each value then Enter (the next field; on the last one, the next question)."""
    out: list[str] = []
    for v in values:
        out += [*keys(v), "enter"]
    return out


def whole_room() -> list[str]:
    out = ["ctrl+a", "ctrl+k", *fields("Room 12"), "ctrl+a", "ctrl+k", *fields("America/Chicago")]
    for adult in STAFF:
        out += fields(*adult)
    out += ["enter"]  # an empty name: the staff are done
    for pupil in STUDENTS:
        out += fields(*pupil)
    out += ["enter", "enter"]  # no name, no initials: the students are done
    out += ["down", "down", "down", "space", "enter"]  # the places: library unticked
    out += ["ctrl+a", "ctrl+k", *fields("08:30"), "ctrl+a", "ctrl+k", *fields("14:30"), "ctrl+a", "ctrl+k",
            *fields("45")]
    out += ["enter"]  # write
    return out


def make(target: Path) -> SetupApp:
    return SetupApp(target, login="tester", time_zone="UTC", full_name="Maria Rivera",
                    theme_folders=[paths.builtin_themes()])


def said(app: SetupApp) -> str:
    return str(app.screen.query_one("#setup-error", Static).render())


async def test_a_whole_room_from_keys_typed_at_once_passes_check(tmp_path: Path) -> None:
    target = tmp_path / "room12"
    app = make(target)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*whole_room())
        assert await wait_for(pilot, lambda: isinstance(app.screen, setup_app.DoneScreen)), said(app)
        shown = str(app.screen.query_one("#setup-hint", Static).render())
        assert "paratui check: no problems" in shown and f"paratui --data {target}" in shown
        await pilot.press("enter")
    assert app.return_value == target
    assert check_folder(target)[0] == []
    room = tomllib.loads((target / "classroom.toml").read_text(encoding="utf-8"))
    assert room["room"] == "Room 12"
    staff = {s["id"]: s for s in room["staff"]}
    assert staff["MR"]["role"] == "teacher" and staff["MR"]["logins"] == ["tester"]  # the account running it
    assert [staff[i]["role"] for i in ("JT", "AL", "DP", "SK", "SUB")] == ["para", "para", "one-to-one",
                                                                           "related-service", "sub"]
    pupils = {p["id"]: p for p in room["students"]}
    assert [pupils[f"S0{n}"]["initials"] for n in range(1, 9)] == ["E.M.", "K.B.", "L.S.", "O.W.", "R.N.",
                                                                   "T.H.", "E.Mo.", "I.F."]
    assert pupils["S05"]["one_to_one"] == "DP" and pupils["S01"]["name"] == "Evander Moonbeam"
    assert [p["id"] for p in room["locations"]] == ["room", "bathroom", "nurse", "office", "gened", "absent"]
    week = tomllib.loads((target / "schedule.toml").read_text(encoding="utf-8"))
    assert [b["time"] for b in week["monday"]][:2] == ["08:30-09:15", "09:15-10:00"]
    assert sorted(week["friday"][0]["with"]) == ["AL", "JT", "MR"]


async def test_esc_goes_back_keeping_what_was_typed(tmp_path: Path) -> None:
    app = make(tmp_path / "room")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+a", "ctrl+k", *fields("Room 7"), "enter")
        assert await wait_for(pilot, lambda: isinstance(app.screen, setup_app.StaffQuestion))
        await pilot.press(*fields("Jordan Thomas", "Mr. T"), *keys("pa"))  # half an adult typed
        await pilot.press("escape")
        assert await wait_for(pilot, lambda: isinstance(app.screen, setup_app.RoomQuestion))
        assert app.screen.query_one("#room", Input).value == "Room 7"
        await pilot.press("enter")  # on the time zone, where it was left
        assert await wait_for(pilot, lambda: isinstance(app.screen, setup_app.StaffQuestion))
        values = [app.screen.query_one(f"#{f}", Input).value for f in ("name", "short", "role")]
        assert values == ["Jordan Thomas", "Mr. T", "pa"]
        await pilot.press(*keys("ra"), "enter", "enter", "enter")  # role para, no login: added; then next
        assert await wait_for(pilot, lambda: isinstance(app.screen, setup_app.StudentsQuestion)), said(app)
        await pilot.press("enter", *fields("E.M."), "escape")
        assert await wait_for(pilot, lambda: isinstance(app.screen, setup_app.StaffQuestion))
        assert [s.id for s in app.draft.staff] == ["MR", "JT"]
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: isinstance(app.screen, setup_app.StudentsQuestion))
        assert app.screen.query_one("#fullname", Input).value == ""
        assert app.screen.query_one("#initials", Input).value == "E.M."
    assert not (tmp_path / "room").exists()  # nothing written before the last question


async def test_bad_answers_are_said_on_the_screen(tmp_path: Path) -> None:
    app = make(tmp_path / "room")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter", "ctrl+a", "ctrl+k", *fields("Mars/Olympus"))
        assert "time zone: not one this computer knows" in said(app)
        await pilot.press("ctrl+a", "ctrl+k", *fields("UTC"))
        assert await wait_for(pilot, lambda: isinstance(app.screen, setup_app.StaffQuestion))
        await pilot.press(*fields("Jordan Thomas", "", "para", "tester"))
        assert "login 'tester': already Maria Rivera's (MR)" in said(app)
        await pilot.press("ctrl+a", "ctrl+k", *fields("jthomas"))
        await pilot.press(*fields("Ana Lopez", "", "janitor", ""))
        assert "role: one of teacher" in said(app)
        await pilot.press("ctrl+a", "ctrl+k", *fields("para", ""), "enter")
        assert await wait_for(pilot, lambda: isinstance(app.screen, setup_app.StudentsQuestion))
        await pilot.press("enter", "enter")
        assert "at least one student" in said(app)
        await pilot.press(*fields("Emma Moss", "", "", ""), *fields("Eli Morales", "", "", ""))
        assert "E.M. is already a student's initials: this one is E.Mo." in said(app)
        await pilot.press(*fields("", "K.B.", "", "Mr. X"))
        assert "para: not on the staff list" in said(app)
        await pilot.press("ctrl+a", "ctrl+k", "enter", "enter", "enter")
        assert await wait_for(pilot, lambda: isinstance(app.screen, setup_app.PlacesQuestion))
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: isinstance(app.screen, setup_app.DayQuestion))
        await pilot.press("ctrl+a", "ctrl+k", *fields("15:00"), "ctrl+a", "ctrl+k", *fields("08:00"), "enter")
        assert "the day ends (08:00) before it starts (15:00)" in said(app)
        assert isinstance(app.screen, setup_app.DayQuestion)
        await pilot.press("ctrl+a", "ctrl+k", *fields("16:00"), "enter")  # the cursor was put on the end
        assert await wait_for(pilot, lambda: isinstance(app.screen, setup_app.ReviewQuestion)), said(app)
    assert [p.initials for p in app.draft.students] == ["E.M.", "E.Mo.", "K.B."]


ROSTER = ("\ufeffStudent ID,Last Name,First Name,Grade,1:1\nS01,Moonbeam,Evander,3,\nS02,Bloom,Kai,2,Ms. P\n"
          "S03,Morales,Emma,3,\nS04,Fern,,2,nobody\n")


async def test_a_roster_csv_is_shown_for_confirmation_then_added(tmp_path: Path) -> None:
    (tmp_path / "students.csv").write_text(ROSTER, encoding="utf-8")
    target = tmp_path / "room"
    app = make(target)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter", "enter", *fields("Dana Patel", "Ms. P", "1:1", "dpatel"), "enter")
        assert await wait_for(pilot, lambda: isinstance(app.screen, setup_app.StudentsQuestion))
        await pilot.press("ctrl+o")
        assert await wait_for(pilot, lambda: isinstance(app.screen, setup_app.RosterQuestion))
        await pilot.press(*fields(str(tmp_path / "nothing.csv")))
        assert "nothing.csv: no such file" in said(app)
        await pilot.press("ctrl+a", "ctrl+k", *fields(str(tmp_path / "students.csv")))
        shown = str(app.screen.query_one("#setup-listing", Static).render())
        assert "S01   E.M.         line 2" in shown and "S03   E.Mo.        line 4" in shown
        assert "S02   K.B.         line 3  one-to-one: DP" in shown
        assert "refused: students.csv:5: column 5 (1:1): not someone on the staff list" in shown
        assert "Moonbeam" not in shown and "Evander" not in shown  # initials for confirmation, never names
        assert app.draft.students == []  # nothing added before a second Enter
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: isinstance(app.screen, setup_app.StudentsQuestion))
        assert [(p.id, p.initials) for p in app.draft.students] == [("S01", "E.M."), ("S02", "K.B."),
                                                                     ("S03", "E.Mo.")]
        assert "E.Mo." in str(app.screen.query_one("#setup-listing", Static).render())
        await pilot.press("enter", "enter", "enter", "enter", "enter", "enter", "enter")
        assert await wait_for(pilot, lambda: isinstance(app.screen, setup_app.DoneScreen)), said(app)
    assert check_folder(target)[0] == []


STAFF_CSV = ("Name;Short name;Role;Login\r\nDana Patel;Ms. P;1:1;dpatel\r\nSara Kowalski;Ms. K;speech;skowalski\r\n"
             "Jo Thorne;Mr. T;para;jthomas\r\nBad Login;Ms. B;para;no way!\r\n")


async def test_a_staff_csv_is_shown_for_confirmation_then_added_and_a_taken_login_left_out(tmp_path: Path) -> None:
    (tmp_path / "staff.csv").write_text(STAFF_CSV, encoding="cp1252")
    target = tmp_path / "room"
    app = make(target)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter", "enter", *fields("Jordan Thomas", "Mr. T", "para", "jthomas"), "ctrl+o")
        assert await wait_for(pilot, lambda: isinstance(app.screen, setup_app.StaffRosterQuestion))
        await pilot.press(*fields(str(tmp_path / "staff.csv")))
        shown = str(app.screen.query_one("#setup-listing", Static).render())
        assert "DP    Ms. P                one-to-one" in shown and "SK    Ms. K" in shown, shown
        assert "left out: Mr. T: login 'jthomas' is already Mr. T's (JT); one login is one person" in shown
        assert "refused: staff.csv:5: column 4 (Login): not a computer user name" in shown
        assert [s.id for s in app.draft.staff] == ["MR", "JT"]  # you, then typed: nothing added before Enter again
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: isinstance(app.screen, setup_app.StaffQuestion))
        assert [s.id for s in app.draft.staff] == ["MR", "JT", "DP", "SK"]
        assert "Ms. K" in str(app.screen.query_one("#setup-listing", Static).render())
        await pilot.press("enter")  # empty name: the students, and the teacher is this account
        assert await wait_for(pilot, lambda: isinstance(app.screen, setup_app.StudentsQuestion))
        await pilot.press(*fields("", "K.B.", "", "Ms. P"), "enter", "enter", "enter", "enter", "enter", "enter",
                          "enter")
        assert await wait_for(pilot, lambda: isinstance(app.screen, setup_app.DoneScreen)), said(app)
    assert check_folder(target)[0] == []
    written = tomllib.loads((target / "classroom.toml").read_text(encoding="utf-8"))
    assert {s["id"]: s.get("logins") for s in written["staff"]} == {
        "MR": ["tester"], "JT": ["jthomas"], "DP": ["dpatel"], "SK": ["skowalski"]}


# -- each question as a picture at 80×24 -------------------------------------------------------------
TO_STUDENTS = ["enter", "enter", "enter"]  # the room as it comes, the staff as it comes (just the teacher)
TO_PLACES = [*TO_STUDENTS, "enter", *fields("K.B."), "enter", "enter", "enter", "enter"]
SCREENS: dict[str, list[str]] = {
    "room": [],
    "staff": ["enter", "enter", *fields("Jordan Thomas", "Mr. T", "para", "jthomas")],
    "students": [*TO_STUDENTS, *fields("Emma Moss", "", "", ""), *fields("Eli Morales", "", "", "")],
    "roster": [*TO_STUDENTS, "ctrl+o"],
    "staff-roster": ["enter", "enter", "ctrl+o"],
    "places": [*TO_PLACES, "down", "space"],
    "day": [*TO_PLACES, "enter", "ctrl+a", "ctrl+k", *fields("15:00"), "ctrl+a", "ctrl+k", *fields("08:00"), "enter"],
    "review": [*TO_PLACES, "enter", "enter", "enter", "enter"],
}


@pytest.mark.parametrize("name", list(SCREENS))
def test_setup_screen_snapshot(tmp_path: Path, snap_compare: Any, name: str) -> None:
    async def reach(pilot: Pilot[Any]) -> None:
        await pilot.press(*SCREENS[name])
        for _ in range(3):
            await pilot.pause()

    app = SetupApp(Path("/rooms/room12"), login="tester", time_zone="America/Chicago", full_name="Maria Rivera")
    assert snap_compare(app, terminal_size=(80, 24), run_before=reach)


@pytest.mark.parametrize("theme", ["paratui-dark", "paratui-light", "paratui-contrast"])
async def test_every_question_fits_80x24_in_every_theme(tmp_path: Path, theme: str) -> None:
    """Each question's fields and its line of keys are on the screen (none pushed off) in each theme."""
    app = SetupApp(tmp_path / "room", login="tester", time_zone="UTC", theme_name=theme,
                   theme_folders=[paths.builtin_themes()])
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.theme == theme
        seen = []
        for step in (["enter", "enter"], ["enter"], ["enter", *fields("K.B."), "enter", "enter", "enter", "enter"],
                     ["enter"], ["enter", "enter", "enter"], ["enter"]):
            screen = app.screen
            seen.append(type(screen).__name__)
            for widget in [*screen.query(Input), *screen.query("#setup-places"), screen.query_one("#setup-keys")]:
                region = widget.region
                assert region.height >= 1 and region.bottom <= 24 and region.right <= 80, (seen[-1], widget)
            await pilot.press(*step)
            await pilot.pause()
        assert seen == ["RoomQuestion", "StaffQuestion", "StudentsQuestion", "PlacesQuestion", "DayQuestion",
                        "ReviewQuestion"]


def test_init_at_a_terminal_asks_on_screen_and_from_a_script_copies_the_demo(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from paratui.cli import main
    from paratui.cli import setup as cli_setup

    ran: list[Path] = []

    def run(self: SetupApp) -> Path | None:
        ran.append(self.target)
        return None  # left before writing

    monkeypatch.setattr(SetupApp, "run", run)
    monkeypatch.setattr(cli_setup, "_interactive", lambda: True)
    assert main(["init", str(tmp_path / "asked")]) == 1
    assert ran == [tmp_path / "asked"] and not (tmp_path / "asked").exists()
    assert main(["init", str(tmp_path / "demo"), "--from-demo"]) == 0  # --from-demo: the copy, no questions
    assert ran == [tmp_path / "asked"] and (tmp_path / "demo" / "classroom.toml").exists()
    monkeypatch.setattr(cli_setup, "_interactive", lambda: False)
    assert main(["init", str(tmp_path / "script")]) == 0  # a script: today's copy of the demo
    assert ran == [tmp_path / "asked"] and (tmp_path / "script" / "classroom.toml").exists()
