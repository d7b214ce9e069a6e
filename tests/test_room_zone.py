"""The room's time zone (issue 22): `timezone = "America/Chicago"` in classroom.toml is the room's
local time for the board, logging and reports, whatever the zone of the computer running paratui
(a teacher over SSH from a machine in UTC); PARATUI_NOW keeps working; a zone this computer does not
know is a warning naming the file, the line and the field, and the times are this computer's.

Each check runs paratui as its own process (the zone is a process's: paratui.store.room_zone)."""

from __future__ import annotations

import json
import zoneinfo
from datetime import datetime
from pathlib import Path

import pytest

from paratui.model.classroom import parse_classroom
from paratui.store.room_zone import zone_problem
from tests.helpers import run_cli

UTC_MACHINE = {"TZ": "UTC"}
AT_1615_UTC = "2026-11-23T16:15+00:00"  # 10:15 in Chicago (CST, -06:00): math groups


def with_zone(room_dir: Path, zone: str) -> Path:
    toml = room_dir / "classroom.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace('room = "Room 12"', f'room = "Room 12"\ntimezone = {json.dumps(zone)}', 1),
                    encoding="utf-8")
    return room_dir


def header(room_dir: Path, **env: str) -> str:
    out = run_cli("board", "--plain", data=room_dir, env={**UTC_MACHINE, **env}, check=True)
    return out.stdout.splitlines()[0]


def test_the_board_shows_the_rooms_time_on_a_machine_in_utc(room_dir: Path) -> None:
    assert header(room_dir, PARATUI_NOW=AT_1615_UTC) == "Room 12 — Monday 2026-11-23 16:15 — outside school hours"
    with_zone(room_dir, "America/Chicago")
    assert header(room_dir, PARATUI_NOW=AT_1615_UTC) == "Room 12 — Monday 2026-11-23 10:15 — 10:15-11:00 Math groups"
    # a PARATUI_NOW without an offset is the room's own local time, as before
    assert header(room_dir, PARATUI_NOW="2026-11-23T10:15").startswith("Room 12 — Monday 2026-11-23 10:15 — ")
    assert run_cli("check", data=room_dir, env=UTC_MACHINE).returncode == 0


def test_what_is_written_carries_the_rooms_offset_and_reads_back_in_its_time(
        room_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with_zone(room_dir, "America/Chicago")
    monkeypatch.delenv("PARATUI_NOW", raising=False)  # the real clock
    run_cli("move", "K.B.", "--to", "bathroom", "--as", "JT", data=room_dir, env=UTC_MACHINE, check=True)
    (path,) = [p for p in (room_dir / "journal").glob("*/*.json")]
    (event,) = json.loads(path.read_text(encoding="utf-8"))["_default"].values()
    written = datetime.fromisoformat(event["time"])  # as stored: with the writer's UTC offset
    assert written.utcoffset() == datetime.now(zoneinfo.ZoneInfo("America/Chicago")).utcoffset()
    said = run_cli("history", data=room_dir, env=UTC_MACHINE, check=True).stdout
    local = written.astimezone(zoneinfo.ZoneInfo("America/Chicago"))
    assert f"{local:%Y-%m-%d %H:%M}" in said  # history in the room's time, not the machine's


def test_a_zone_this_computer_does_not_know_names_file_line_and_field(room_dir: Path) -> None:
    with_zone(room_dir, "Mars/Olympus")
    board = run_cli("board", "--plain", data=room_dir, env={**UTC_MACHINE, "PARATUI_NOW": AT_1615_UTC})
    assert board.returncode == 0  # the room still works, on this computer's clock
    assert board.stdout.startswith("Room 12 — Monday 2026-11-23 16:15")
    said = ("classroom.toml:14: timezone: 'Mars/Olympus' is not a time zone this computer knows (e.g. "
            "America/Chicago, Europe/Paris); the times are this computer's (UTC)")
    assert said in board.stderr
    assert said in board.stdout  # also among the board's file warnings
    check = run_cli("check", data=room_dir, env=UTC_MACHINE)
    assert check.returncode == 1 and said in check.stdout


def test_a_malformed_zone_is_a_warning_of_the_classroom_parser() -> None:
    import tomllib

    from paratui.store import paths

    raw = tomllib.loads((paths.demo_data() / "classroom.toml").read_text(encoding="utf-8"))
    assert parse_classroom({**raw, "timezone": "America/Chicago"}).timezone == "America/Chicago"
    bad = parse_classroom({**raw, "timezone": "rm -rf /"})
    assert bad.timezone is None and [w.field for w in bad.warnings] == ["timezone"]
    assert zone_problem("Europe/Paris") is None and zone_problem("Nowhere/City", "UTC") is not None
