"""The building view (issue 23): many rooms' alarms on one screen, what needs someone first.

Three rooms copied from the demo at 10:22 on a Monday plus one folder that is not there:
- room12: K.B. 20 minutes in the bathroom (10 expected), Ms. L out today with no sub, an urgent note
  to Mr. T nobody has acknowledged, a task due 10:15 still open;
- room14: a calm room (nothing written today);
- room15: a para marked Ms. L out (only the teacher may: that room's rules screen it out, so it
  counts nothing), and an old urgent note Mr. T acknowledged;
- gone: listed, missing.
What a user sees is checked through `paratui building` (--plain, --json, exit codes), the live screen
(Pilot: its lines, a change in one room, Enter, the read-only board) and pictures at 80×24 and
200×50 in each theme (pytest-textual-snapshot).
"""

from __future__ import annotations

import json
import re
import shutil
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from paratui.app.board_app import BoardApp
from paratui.app.building_screen import BuildingApp, RoomSlot
from paratui.cli import main
from paratui.model.access import Acting
from paratui.model.building import sort_rooms, summarize
from paratui.model.events import Event
from paratui.store import identity, paths
from paratui.store.building import BuildingRoom, read_building, room_folders
from paratui.store.room import Room
from tests.helpers import wait_for

NOW = datetime(2026, 11, 23, 10, 22)
THEMES = ["paratui-dark", "paratui-light", "paratui-contrast"]
SIZES = [(80, 24), (200, 50)]


def _event(n: int, type_: str, staff: str, payload: dict, hh_mm: str) -> dict:
    when = datetime.fromisoformat(f"2026-11-23T{hh_mm}")
    return Event(f"{n:02d}" + "b7" * 15, type_, when, n, staff, "ws", "ws", payload).to_doc()


def _room(root: Path, name: str, events: list[dict]) -> Path:
    shutil.copytree(paths.demo_data(), root, ignore=shutil.ignore_patterns("journal", "recurring.toml"))
    toml = root / "classroom.toml"
    toml.write_text(re.sub(r'(?m)^room = .*$', f'room = "{name}"', toml.read_text(), count=1))
    day = root / "journal" / "2026-11-23"
    day.mkdir(parents=True)
    if events:
        (day / "ws--ws.json").write_text(json.dumps({"_default": {str(i): e for i, e in enumerate(events, 1)}}))
    return root


@pytest.fixture
def building(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PARATUI_NOW", NOW.isoformat(timespec="minutes"))
    monkeypatch.chdir(tmp_path)  # the rooms are listed by relative names (pictures do not show tmp paths)
    _room(tmp_path / "room12", "Room 12", [
        _event(1, "absent", "MR", {"staff": "AL", "sub": None, "until": None}, "08:00"),
        _event(2, "note", "MR", {"text": "Fire drill at 11", "to": ["JT"], "kind": "handoff", "urgent": True}, "09:30"),
        _event(3, "move", "JT", {"student": "S02", "to": "bathroom", "with": ["JT"]}, "10:02"),
        _event(4, "task.add", "MR", {"text": "20 copies", "for": "JT", "due": "2026-11-23T10:15"}, "10:05"),
    ])
    _room(tmp_path / "room14", "Room 14", [])
    _room(tmp_path / "room15", "Room 15", [
        _event(1, "absent", "JT", {"staff": "AL", "sub": None, "until": None}, "08:10"),  # a para may not
        _event(2, "note", "MR", {"text": "Bus late", "to": ["JT"], "kind": "handoff", "urgent": True}, "08:20"),
        _event(3, "ack", "JT", {"note": "02" + "b7" * 15}, "08:25"),
    ])
    (tmp_path / "building.toml").write_text('# our rooms\nrooms = ["room14", "room12", "room15", "gone"]\n')
    return tmp_path


def _summaries(root: Path) -> dict[str, Any]:
    rooms = [BuildingRoom(f, lambda: NOW) for f in read_building(root / "building.toml")]
    return {r.folder.label: r.read() for r in rooms}


# -- the model, from each room's own board -------------------------------------------------------
def test_each_room_counts_what_needs_someone_by_its_own_rules(building: Path) -> None:
    s = _summaries(building)
    r12, r14, r15, gone = s["room12"], s["room14"], s["room15"], s["gone"]
    assert (r12.room, r12.block) == ("Room 12", "10:15-11:00 Math groups")
    assert (r12.out_too_long, r12.overdue, r12.urgent, r12.no_sub) == (1, 1, 1, 1)
    assert r12.uncovered == 2  # Mr. T's group (he went with K.B.) and Ms. L's (she is out)
    assert r12.last_change == datetime(2026, 11, 23, 10, 5)
    assert (r14.out_too_long, r14.uncovered, r14.overdue, r14.urgent, r14.no_sub) == (0, 0, 0, 0, 0)
    # room15: the para's "absent" is not applied there (its rules), and the note was acknowledged
    assert (r15.no_sub, r15.urgent, r15.uncovered) == (0, 0, 0)
    assert gone.problem == "gone: data folder is missing"
    assert [r.folder for r in sort_rooms(s.values())] == ["gone", "room12", "room15", "room14"]
    assert all(r.sync is None for r in s.values())  # the sync column waits for the sync-health reader


def test_initials_only_for_a_login_that_is_someone_in_that_room(building: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    assert _summaries(building)["room12"].initials == ()  # "tester": nobody's in the room: counts only
    monkeypatch.setattr(identity, "login", lambda: "mrivera")  # the teacher's own login
    assert _summaries(building)["room12"].initials == ("K.B.", "O.W.", "I.F.")  # out too long, uncovered
    state = Room(building / "room12", clock=lambda: NOW).board()
    assert summarize("room12", state, None, Acting(None, "shared")).initials == ()  # the shared login
    assert summarize("room12", state, None, Acting("MR", "personal")).initials == ("K.B.", "O.W.", "I.F.")


# -- the command line ----------------------------------------------------------------------------
def test_plain_one_line_per_room_broken_ones_said_and_exit_1(building: Path, capsys: Any) -> None:
    assert main(["building", "--list", "building.toml", "--plain"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "gone: CANNOT BE READ: gone: data folder is missing"
    assert lines[1].startswith("Room 12: 10:15-11:00 Math groups: 1 out too long, ")
    assert "1 overdue, 1 urgent unread, 1 out without a sub; last change 10:05; sync —" in lines[1]
    assert [line.split(":")[0] for line in lines] == ["gone", "Room 12", "Room 15", "Room 14"]
    assert "K.B." not in "\n".join(lines)


def test_json_and_room_dirs_on_the_command_line(building: Path, capsys: Any) -> None:
    assert main(["building", "room14", "room12", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [r["room"] for r in doc["rooms"]] == ["Room 12", "Room 14"]
    r12 = doc["rooms"][0]
    assert r12["counts"] == {"out_too_long": 1, "uncovered": r12["counts"]["uncovered"], "overdue": 1,
                             "urgent": 1, "no_sub": 1}
    assert r12["ok"] and r12["sync"] is None and r12["initials"] == [] and r12["last_change"] == "2026-11-23T10:05:00"


def test_rooms_sharing_a_name_are_told_apart_by_their_folders(building: Path, capsys: Any) -> None:
    """Copies of the demo room, or two schools' "Room 12": each line says which folder it is."""
    _room(building / "east" / "room12", "Room 12", [])
    assert main(["building", "room12", "room14", "east/room12", "--plain"]) == 0
    names = sorted(line.split(": ")[0] for line in capsys.readouterr().out.splitlines())
    assert names == ["Room 12 · east/room12", "Room 12 · room12", "Room 14"]
    _room(building / "copy", "room 14", [])  # the same name in other letters: still told apart
    assert main(["building", "room14", "copy", "--plain"]) == 0
    assert sorted(line.split(": ")[0] for line in capsys.readouterr().out.splitlines()) == [
        "Room 14 · room14", "room 14 · copy"]


async def test_the_screen_tells_rooms_sharing_a_name_apart(building: Path) -> None:
    _room(building / "other", "Room 12", [])
    for size in SIZES:
        app = BuildingApp([BuildingRoom(f, lambda: NOW) for f in room_folders(["room12", "other"])],
                          theme_folders=[paths.builtin_themes()], clock=lambda: NOW, watch=False)
        async with app.run_test(size=size) as pilot:
            assert await wait_for(pilot, lambda app=app: app.shown > 0)
            shown = lines(app)
        if size == (80, 24):  # a line each: the folders stay on screen, the names' own part cut
            assert [x[1:12] for x in shown] == ["Roo…·room12", "Room…·other"]
        else:  # the large tiles
            assert shown[0].startswith("▶ Room 12 · room12 · ") and shown[1].startswith("Room 12 · other · ")


def test_a_broken_room_is_a_line_and_never_stops_the_others(building: Path, capsys: Any) -> None:
    (building / "room14" / "classroom.toml").write_text("room = [\n")  # never good here
    assert main(["building", "room14", "room12", "--plain"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("room14: CANNOT BE READ: classroom.toml:")
    assert out[1].startswith("Room 12: ")


@pytest.mark.parametrize("text, message", [
    ("rooms = 3\n", "building.toml: rooms: a list of data folders is needed"),
    ("rooms = [\n", "building.toml: "),
    ('rooms = ["a", 2]\n', "building.toml: rooms[2]: a folder name (text) is needed"),
])
def test_a_bad_building_toml_is_exit_2_naming_the_field(building: Path, capsys: Any, text: str,
                                                        message: str) -> None:
    (building / "building.toml").write_text(text)
    assert main(["building", "--list", "building.toml", "--plain"]) == 2
    assert message in capsys.readouterr().err


def test_no_rooms_is_exit_2_and_a_missing_list_exit_1(building: Path, capsys: Any) -> None:
    assert main(["building", "--plain"]) == 2
    with pytest.raises(SystemExit) as e:
        main(["building", "--list", "nope.toml", "--plain"])
    assert e.value.code == 1
    assert "nope.toml: cannot be read" in capsys.readouterr().err


# -- the live screen ---------------------------------------------------------------------------
def building_app(root: Path, theme: str = "paratui-dark", watch: bool = False) -> BuildingApp:
    rooms = [BuildingRoom(f, lambda: NOW) for f in read_building(root / "building.toml")]
    return BuildingApp(rooms, theme_name=theme, theme_folders=[paths.builtin_themes()], watch=watch,
                       clock=lambda: NOW)


def lines(app: BuildingApp) -> list[str]:
    return [str(slot.render()) for slot in app.query(RoomSlot)]


async def test_the_screen_lists_rooms_needing_someone_first_and_opens_one(building: Path) -> None:
    app = building_app(building)
    async with app.run_test(size=(80, 24)) as pilot:
        assert await wait_for(pilot, lambda: app.shown > 0)
        shown = lines(app)
        assert shown[0].startswith("▶gone") and "CANNOT BE READ" in shown[0]
        assert shown[1].split()[:2] == ["Room", "12"] and shown[1].split()[-7:] == ["1", "2", "1", "1", "1",
                                                                                   "10:05", "—"]
        assert [x.split()[1] for x in shown[1:]] == ["12", "15", "14"]
        await pilot.press("enter")  # a broken room does not open
        await pilot.pause()
        assert app.is_running
        await pilot.press("down", "enter")
        await pilot.pause()
    assert app.return_value is not None and app.return_value.folder.label == "room12"


async def test_a_change_in_one_room_shows_live_and_resorts(building: Path) -> None:
    app = building_app(building, watch=True)
    async with app.run_test(size=(80, 24)) as pilot:
        assert await wait_for(pilot, lambda: app.shown > 0 and len(app.watchers) == 3)
        assert lines(app)[-1].split()[:2] == ["Room", "14"]
        room = Room(building / "room14", clock=lambda: NOW)
        for _ in range(3):  # urgent notes nobody has read: Room 14 now needs someone, Room 15 not
            room.record("note", "MR", {"text": "Call the office", "to": ["JT"], "kind": "handoff", "urgent": True})
        assert await wait_for(pilot, lambda: lines(app)[2].split()[-4] == "3")  # its urgent column
        assert lines(app)[2].split()[:2] == ["Room", "14"] and lines(app)[3].split()[:2] == ["Room", "15"]


async def test_the_room_opened_from_the_building_is_read_only(building: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(identity, "login", lambda: "mrivera")  # even the teacher's own login
    app = BoardApp(Room(building / "room12", clock=lambda: NOW), read_only=True, watch=False,
                   theme_folders=[paths.builtin_themes()])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.acting is not None and app.acting.read_only
        assert app.acting_label == "read-only"
        result = await app.submit(lambda ctx: None)
        assert result is not None and "read-only" in result[1]


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_building_snapshot(building: Path, snap_compare: Any, size: tuple[int, int], theme: str) -> None:
    async def drawn(pilot: Any) -> None:
        assert await wait_for(pilot, lambda: pilot.app.shown > 0)
        await pilot.pause()

    assert snap_compare(building_app(building, theme), terminal_size=size, run_before=drawn)


def test_room_folders_keep_their_labels() -> None:
    assert [f.label for f in room_folders(["a", "b/c"])] == ["a", "b/c"]


def test_the_building_view_writes_nothing_into_a_room(building: Path) -> None:
    """A receive-only folder stays as synced: no last-good copies from the building view or the
    board it opens, where a room's own board (the shared login here) keeps them."""
    kept = building / "room12" / "journal" / ".last-good"
    _summaries(building)
    assert not kept.exists()
    BoardApp(Room(building / "room12", clock=lambda: NOW), read_only=True).room.snapshot()
    assert not kept.exists()
    Room(building / "room12", clock=lambda: NOW).snapshot()  # the room's own board
    assert kept.is_dir()


def test_enter_opens_the_rooms_board_read_only_and_q_comes_back(building: Path) -> None:
    """The real `paratui building` in a terminal (tmux): Enter on the room at the top opens its
    board, read-only; `q` there is the building again; `q` quits."""
    import shlex
    import sys
    import time

    from tests.terminal import CHECKOUT, Tmux

    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    tmux = Tmux()
    try:
        command = " ".join(["cd", shlex.quote(str(building)), "&&", "env",
                            f"PARATUI_NOW={NOW.isoformat(timespec='minutes')}", f"PYTHONPATH={CHECKOUT}",
                            "TEXTUAL_ANIMATIONS=none", shlex.quote(sys.executable), "-m", "paratui", "building",
                            "room14", "room12", "; sleep 30"])
        tmux("new-session", "-d", "-s", "B", "-x", "100", "-y", "30", command)
        screen = tmux.wait_screen("B", "paratui building · 2 rooms", "Room 14", "▶Room 12")
        assert screen.index("Room 12") < screen.index("Room 14")  # what needs someone first
        tmux("send-keys", "-t", "B", "Enter")
        tmux.wait_screen("B", "you: read-only", "Out of room")
        tmux("send-keys", "-t", "B", "m")  # a move: refused on this board
        tmux.wait_screen("B", "read-only")
        tmux("send-keys", "-t", "B", "q")
        tmux.wait_screen("B", "paratui building · 2 rooms")
        tmux("send-keys", "-t", "B", "q")
        deadline = time.monotonic() + 20
        while "paratui building" in tmux.screen("B") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "paratui building" not in tmux.screen("B")
    finally:
        tmux.close()
    assert not list((building / "room12" / "journal").glob("2026-11-23/*testhost*"))  # nothing written
    # and no process stays behind (one did, spinning on the dead terminal once tmux was gone)
    import subprocess

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and subprocess.run(["pgrep", "-f", "paratui building room14 room12"],
                                                         capture_output=True).returncode == 0:
        time.sleep(0.1)
    left = subprocess.run(["pgrep", "-f", "paratui building room14 room12"], capture_output=True, text=True)
    subprocess.run(["pkill", "-9", "-f", "paratui building room14 room12"], check=False)
    assert not left.stdout.split(), f"a building view outlived its terminal: {left.stdout}"


def test_a_room_with_sync_shows_its_sync_words_and_one_without_shows_none(building: Path) -> None:
    """The sync column comes from each room's own [sync] reader: a room whose Syncthing does not
    answer reads "⚠ not synced …" in words; a room with no [sync] shows nothing ("—")."""
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cfg = building / "syncthing-home" / "config.xml"
    cfg.parent.mkdir()
    cfg.write_text(f'<configuration><folder id="room12" path="{building / "room12"}"></folder>'
                   '<gui><apikey>k</apikey></gui></configuration>', encoding="utf-8")
    with open(building / "room12" / "classroom.toml", "a", encoding="utf-8") as f:
        f.write(f'\n[sync]\naddress = "http://127.0.0.1:{port}"\nconfig = "{cfg}"\nfolder = "room12"\n')
    listed = read_building(building / "building.toml")
    rooms = {r.folder.label: r for r in (BuildingRoom(f, lambda: NOW) for f in listed)}
    try:
        deadline = time.monotonic() + 20
        while "not synced" not in (rooms["room12"].read().sync or "") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "⚠ not synced" in (rooms["room12"].summary.sync or "")
        assert rooms["room14"].read().sync is None
    finally:
        for r in rooms.values():
            r.close()


def test_the_building_view_leaves_when_its_terminal_goes_away(building: Path) -> None:
    """The coordinator's terminal closes (tmux killed): the building view must not stay behind,
    spinning on the dead terminal (it did: 100% of a core, for good)."""
    import shlex
    import subprocess
    import sys

    from tests.terminal import CHECKOUT, Tmux

    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    marker = str(building / "room14")

    def running() -> list[str]:
        found = subprocess.run(["pgrep", "-f", f"paratui building {marker}"], capture_output=True, text=True)
        return found.stdout.split()

    tmux = Tmux()
    try:
        command = " ".join(["env", f"PARATUI_NOW={NOW.isoformat(timespec='minutes')}", f"PYTHONPATH={CHECKOUT}",
                            "TEXTUAL_ANIMATIONS=none", shlex.quote(sys.executable), "-m", "paratui", "building",
                            shlex.quote(marker), shlex.quote(str(building / "room12"))])
        tmux("new-session", "-d", "-s", "B", "-x", "100", "-y", "30", command)
        tmux.wait_screen("B", "paratui building · 2 rooms")
        assert running()
    finally:
        tmux.close()
    deadline = time.monotonic() + 10
    while running() and time.monotonic() < deadline:
        time.sleep(0.1)
    left = running()
    for pid in left:
        subprocess.run(["kill", "-9", pid], check=False)
    assert not left, f"the building view outlived its terminal: {left}"


def test_a_room_on_a_network_share_says_so_in_its_sync_column(building: Path, monkeypatch: pytest.MonkeyPatch,
                                                               capsys: Any) -> None:
    """Room 12's folder on an NFS share (a fixture mount table; paratui.store.share_health): its sync
    column has the share's words from the room's first read (a script's --plain too), the newest change
    from another host by its journal file's name; the rooms on local disk still show "—"."""
    import os

    from paratui.store import share_health

    early = (NOW - timedelta(minutes=30)).timestamp()
    for f in (building / "room12" / "journal").rglob("*.json"):  # the fixture's own writer ("ws")
        os.utime(f, (early, early))
    day = building / "room12" / "journal" / NOW.date().isoformat()
    day.mkdir(parents=True, exist_ok=True)
    other = day / "ws-b--alopez.json"
    other.write_text('{"_default": {}}')
    t = (NOW - timedelta(minutes=6)).timestamp()
    os.utime(other, (t, t))
    table = building / "mountinfo"
    table.write_text(f"22 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
                     f"50 22 0:40 / {os.path.realpath(building / 'room12')} rw - nfs4 fs1:/rooms/12 rw\n")
    monkeypatch.setattr(share_health, "MOUNTINFO", table)
    s = _summaries(building)
    assert s["room12"].sync == "share nfs4 fs1:/rooms/12 · last change from ws-b 6 min ago"
    assert s["room14"].sync is None
    assert main(["building", "room12", "room14", "--plain"]) == 0
    out = capsys.readouterr().out
    assert "sync share nfs4 fs1:/rooms/12 · last change from ws-b 6 min ago" in out
