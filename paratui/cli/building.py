"""`paratui building`: many rooms' alarms on one screen (live, in a terminal) or printed once
(`--plain`, `--json`). Each room is read as `paratui board` reads it; a room that cannot be read is a
line saying so. Textual loads only for the live view."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from paratui.cli.common import EXIT_CODES, Commands, UsageProblem, say
from paratui.store import identity

if TYPE_CHECKING:  # imported where used: every other command starts without the sync-health reader
    from paratui.store.building import BuildingRoom, RoomFolder

SCHEMA_VERSION = 1


def add_building(sub: Commands) -> None:
    # not `command()`: its --data, --as and --pin-stdin are about one room and acting in it; the
    # building view names its rooms and never acts
    help = ("many rooms' alarms on one screen (live, read-only), or printed once: counts per room, "
            "what needs someone first")
    b: argparse.ArgumentParser = sub.add_parser(
        "building", help=help, description=help,
        epilog=f"examples:\n  paratui building ~/rooms/room12 ~/rooms/room14\n"
               f"  paratui building --list building.toml --plain\n\n{EXIT_CODES}",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    b.set_defaults(run=_run, doing=b.prog)
    b.add_argument("rooms", nargs="*", metavar="ROOM_DIR", help="the rooms' data folders")
    b.add_argument("--list", metavar="FILE", help="a building.toml listing the rooms' folders "
                   "(rooms = [\"room12\", …], relative to the file)")
    g = b.add_mutually_exclusive_group()
    g.add_argument("--plain", action="store_true", help="print one line per room, once")
    g.add_argument("--json", action="store_true", help="print JSON once (the schema is in docs/building.md)")
    b.add_argument("--theme", metavar="NAME", help="theme of the live view (see `paratui themes`)")


def folders(args: argparse.Namespace) -> list[RoomFolder]:
    from paratui.store.building import BuildingFileError, read_building, room_folders

    found: list[RoomFolder] = []
    if args.list:
        try:
            found += read_building(Path(args.list).expanduser())
        except BuildingFileError as e:
            if e.missing:
                say(str(e))
                raise SystemExit(1) from None
            raise UsageProblem(str(e)) from None
    found += room_folders(args.rooms)
    if not found:
        raise UsageProblem("no rooms: name their data folders (paratui building ROOM_DIR…) or a "
                           "building.toml (--list FILE)")
    return found


def _run(args: argparse.Namespace) -> int:
    from paratui.model.building import shown_names, sort_rooms, summary_line, summary_to_dict
    from paratui.store.building import BuildingRoom

    rooms = [BuildingRoom(f, identity.now) for f in folders(args)]
    if not (args.plain or args.json):
        return _live(args, rooms)
    summaries = sort_rooms(r.read() for r in rooms)
    if args.json:
        doc = {"schema": SCHEMA_VERSION, "now": identity.now().isoformat(timespec="seconds"),
               "rooms": [summary_to_dict(s) for s in summaries]}
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        names = shown_names(summaries)
        for s in summaries:
            print(summary_line(s, names[s.folder]))
    return 1 if any(s.problem is not None for s in summaries) else 0


def _live(args: argparse.Namespace, rooms: list[BuildingRoom]) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageProblem("no terminal here: the building view needs one (over SSH use `ssh -t`), "
                           "or print it with `paratui building --plain`")
    from paratui.app.board_app import BoardApp
    from paratui.app.building_screen import BuildingApp
    from paratui.cli.board import _fewer_malloc_arenas
    from paratui.cli.common import theme_folders
    from paratui.store.room import Room

    _fewer_malloc_arenas()  # one heap for the readers' threads, as a board (paratui.cli.board)

    while True:  # Enter on a room: its board, read-only; `q` there comes back here
        app = BuildingApp(rooms, theme_name=args.theme, theme_folders=theme_folders(None))
        app.run()
        chosen = app.return_value
        if chosen is None:
            return 0
        board = BoardApp(Room(chosen.root), theme_name=args.theme, read_only=True,
                         theme_folders=theme_folders(chosen.root))
        board.run()
