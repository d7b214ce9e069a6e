"""`paratui` on the command line: open the board, or read and write the same journal from scripts,
screen readers and SSH sessions without a terminal UI.

Every write goes through paratui.model.commands (the same functions the board's keys call) and
paratui.store.room.Room.apply. Each command's parser is built next to its handler, one module per
group of commands, and bound to it (`set_defaults(run=…)`): `main` parses and runs what was chosen.
Exit codes: see EXIT_CODES.
"""

from __future__ import annotations

import argparse
import sys

from paratui import __version__
from paratui.cli import (
    board,
    changes,
    corrections,
    datalog,
    encoding,
    keys,
    meeting,
    moves,
    pin,
    plan,
    reports,
    setup,
    tasks,
)
from paratui.cli import building as building_cli
from paratui.cli import progress as progress_cli
from paratui.cli import sync as sync_cli
from paratui.cli.common import EXIT_CODES, Commands, Run, UsageProblem, acting_staff, add_common, say
from paratui.model.commands import Refused
from paratui.model.text import clean
from paratui.store import identity, paths
from paratui.store.folder import FolderError
from paratui.store.journal import PROCESS, JournalWriteError

__all__ = ["EXIT_CODES", "UsageProblem", "acting_staff", "build_parser", "main"]

# The commands, in the order `paratui --help` lists them.
COMMANDS = (board.add_board, moves.add_move, moves.add_back, moves.add_assign, moves.add_absent, tasks.add_task,
            tasks.add_note, tasks.add_ack, datalog.add_log, datalog.add_abc, datalog.add_timer,
            datalog.add_session, datalog.add_phase,
            progress_cli.add_progress, reports.add_report,
            reports.add_history, changes.add_change, setup.add_check, meeting.add_meeting,
            meeting.add_meeting_items, plan.add_plan, corrections.add_undo, corrections.add_retract, setup.add_init,
            setup.add_themes, keys.add_keys, pin.add_pin, sync_cli.add_sync, building_cli.add_building)


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r}: the interval must be above 0 seconds")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="paratui", description="A live room board for classroom teams. With no command, opens the "
        "board in this terminal (over SSH: `ssh -t`).",
        epilog="examples:\n  paratui --as JT                      open the board as Mr. T\n"
               "  paratui move E.M. --to bathroom --as JT\n  paratui board --plain\n\n"
               "`paratui COMMAND --help` describes each command.\n\n" + EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"paratui {__version__}")
    add_common(p, True)
    p.add_argument("--theme", metavar="NAME", help="board theme (see `paratui themes`)")
    p.add_argument("--poll", nargs="?", const=1.0, type=_positive_seconds, metavar="SECONDS",
                   help="watch the folder by polling every SECONDS (network shares; default 1)")
    board.add_wall_option(p)
    p.set_defaults(run=board.open_board, doing=PROCESS)  # no command: the board in this terminal
    sub: Commands = p.add_subparsers(metavar="COMMAND")
    for add in COMMANDS:
        add(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    encoding.fit_output()  # a stream that cannot carry every character: ASCII, said once
    args = build_parser().parse_args(argv)
    run: Run = args.run
    try:
        encoding.typed_arguments(args)
    except ValueError as e:
        say(str(e))
        return 2
    try:
        identity.now()  # a malformed PARATUI_NOW is a usage problem, said once, up front
        return run(args)
    except (UsageProblem, identity.ClockError) as e:
        say(str(e))
        return 2
    except Refused as e:
        say(e.message)
        return e.exit_code
    except FolderError as e:
        say("the data folder cannot be used:")
        for p in e.problems:
            print(f"  {clean(p)}", file=sys.stderr)
        # a folder that is gone (unmounted share, mid-restore) is a failure of the folder: 1;
        # one with no good classroom.toml / schedule.toml ever read is a problem to fix: 2
        return 2 if paths.data_folder(getattr(args, "data", None)).is_dir() else 1
    except JournalWriteError as e:
        say(f"NOT recorded: {e}")
        return 1
