"""The board: in this terminal (`paratui` with no command), or printed once (`paratui board`).
Only the terminal board loads Textual (paratui.app), inside its handler: printing the board is for
scripts and SSH without a terminal, and does not pay for it."""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Callable

from paratui.cli.common import Commands, UsageProblem, command, open_room, theme_folders
from paratui.cli.encoding import carries
from paratui.model.export import board_to_dict, board_to_text
from paratui.store import identity, paths


def add_board(sub: Commands) -> None:
    b = command(sub, "board", "print the board once, without the terminal UI", "paratui board --json", _print)
    g = b.add_mutually_exclusive_group()
    g.add_argument("--plain", action="store_true", help="plain text, one fact a line (the default)")
    g.add_argument("--json", action="store_true", help="JSON (the schema is in docs/cli.md)")
    g.add_argument("--wall", action="store_true",
                   help="open the board in this terminal in wall mode (as `paratui --wall`), not print it")


def add_wall_option(p: argparse.ArgumentParser) -> None:
    """`paratui --wall`: the board's wall mode at any size (by itself from 160×45: docs/running.md)."""
    p.add_argument("--wall", action="store_true",
                   help="wall mode: who is out, for how long, who is uncovered, in large text "
                        "(by itself on a terminal of 160×45 and up)")


def _print(args: argparse.Namespace) -> int:
    if getattr(args, "wall", False):
        return open_board(args)
    state = open_room(args).board()
    if args.json:
        # an output that cannot carry every character gets JSON's escapes (\u00e9), never a lossy é → e
        print(json.dumps(board_to_dict(state), indent=2, ensure_ascii=not carries(sys.stdout)))
    else:
        print(board_to_text(state), end="")
    return 0


def open_board(args: argparse.Namespace) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        # e.g. `ssh host paratui` without -t: a full-screen board would stream escape codes down
        # the pipe and never exit.
        raise UsageProblem("no terminal here: the board needs one (over SSH use `ssh -t HOST paratui`), "
                           "or print it with `paratui board --plain`")
    # Start-up allocates a lot that lives as long as the board (Textual, a year of tasks): no
    # garbage collection until the first paint, when the board freezes it all (see BoardApp).
    gc.disable()
    _fewer_malloc_arenas()
    from paratui.app.board_app import BoardApp  # Textual only loads when a board opens

    room = open_room(args)
    room.clock = board_clock(room.root)
    room.snapshot()  # a folder that was never usable fails here, with the CLI's clear message
    app = BoardApp(room, as_staff=args.as_, theme_name=args.theme, poll=args.poll,
                   theme_folders=theme_folders(room.root), wall=bool(getattr(args, "wall", False)))
    app.run()
    return app.return_code or 0


def _fewer_malloc_arenas() -> None:
    """glibc gives each thread that allocates its own heap (up to 8 per core): the board's reads,
    writes and the history run on worker threads, and memory freed in one heap is not reused by the
    others, so a board that runs all day holds several half-empty ones. One is enough: the threads
    take turns on the interpreter anyway (issue 9: its peak ≤ 60 MiB). Set before any thread starts;
    elsewhere than glibc, nothing."""
    try:
        import ctypes

        ctypes.CDLL(None).mallopt(-8, 1)  # M_ARENA_MAX
    except (AttributeError, OSError):
        pass


def board_clock(root: Path) -> Callable[[], datetime]:
    """The terminal board's clock: the classroom clock (PARATUI_NOW, frozen, when set: tests and
    drills), except in the embedded demo room, where a PARATUI_NOW is where the clock starts and runs."""
    if paths.is_demo(root) and os.environ.get("PARATUI_NOW"):
        return identity.running_clock()
    return identity.now
