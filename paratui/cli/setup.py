"""Setting a room up and keeping it sound: `check`, `init`, `themes`."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

from paratui.cli.common import EXIT_CODES, Commands, UsageProblem, command, say, theme_folders
from paratui.model.text import clean
from paratui.store import identity, paths
from paratui.store.folder import JOURNAL
from paratui.store.themes import load_themes


def add_check(sub: Commands) -> None:
    ck = sub.add_parser("check", help="validate the whole data folder (exit 1 when anything is wrong)",
                        description="validate the whole data folder: every TOML field, ids that point nowhere, "
                        "binder pages, the journal's files, and nothing that looks like a stored password; "
                        "each problem as FILE:LINE: what. Exit 0 clean, 1 when anything is wrong",
                        epilog="example:\n  paratui check --data ~/room12",
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    ck.add_argument("--data", metavar="DIR", default=argparse.SUPPRESS, help="the data folder (default as above)")
    what = ck.add_mutually_exclusive_group()
    what.add_argument("--conflicts", action="store_true",
                      help="only the conflict copies of the room's files (a sync tool's NAME.sync-conflict-….toml), "
                      "each as a diff against the real file (exit 1 when there are any)")
    what.add_argument("--keep-copy", metavar="COPY", help="resolve a conflict: the copy's version becomes the real "
                      "file; the real file's old version is moved into conflicts-kept/ (never deleted)")
    what.add_argument("--keep-original", metavar="COPY", help="resolve a conflict: keep the real file as it is; "
                      "the copy is moved into conflicts-kept/ (never deleted)")
    ck.set_defaults(run=_check, doing=ck.prog)


def _check(args: argparse.Namespace) -> int:
    """`paratui check`: every problem on stdout (FILE:LINE: what), a summary on stderr; exit 1 if any."""
    from paratui.store.check import check_folder

    root = paths.data_folder(args.data)
    if getattr(args, "conflicts", False):
        return _conflicts(root)
    if getattr(args, "keep_copy", None) or getattr(args, "keep_original", None):
        return _keep(root, args.keep_copy or args.keep_original, "copy" if args.keep_copy else "original")
    problems, checked = check_folder(root)
    for p in problems:
        print(clean(p))
    if problems:
        say(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {root}")
        return 1
    print(f"{clean(str(root))}: no problems ({', '.join(checked)})")
    return 0


def _conflicts(root: Path) -> int:
    """`paratui check --conflicts`: each conflict copy as a diff against its real file; exit 1 if any."""
    from paratui.store.conflicts import diff, find_conflicts

    found = find_conflicts(root)
    for c in found:
        for line in diff(root, c):
            print(line)
    if found:
        say(f"{len(found)} conflict cop{'ies' if len(found) != 1 else 'y'} in {root}: keep one version of each "
            "with `paratui check --keep-copy COPY` or `--keep-original COPY`")
        return 1
    print(f"{clean(str(root))}: no conflict copies")
    return 0


def _keep(root: Path, given: str, which: str) -> int:
    """`paratui check --keep-copy/--keep-original COPY`: one of the two versions kept, the other moved
    aside into conflicts-kept/ (nothing deleted; the real file written atomically)."""
    from paratui.store.conflicts import KeepError, keep, resolve_copy

    try:
        conflict = resolve_copy(root, given)
        done = keep(root, conflict, which, identity.now())
    except KeepError as e:
        raise UsageProblem(str(e)) from None
    except OSError as e:
        say(f"not done: cannot write {e.filename or root}: {e.strerror or e}")
        return 1
    for line in done:
        print(clean(line))
    return 0


def add_init(sub: Commands) -> None:
    i = sub.add_parser("init", help="write a starter data folder (a copy of the demo room)",
                       description="write a starter data folder (a copy of the demo room), set up to be "
                       "shared by several accounts", epilog=f"example:\n  paratui init ~/room12\n\n{EXIT_CODES}",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    i.add_argument("dir", help="a new folder (its parent must exist)")
    i.set_defaults(run=_init, doing=i.prog)


def _init(args: argparse.Namespace) -> int:
    from paratui.store.sharing import setup_shared

    target = Path(args.dir)
    parent = target.expanduser().absolute().parent
    if target.exists() and not target.is_dir():
        raise UsageProblem(f"{target} is a file; choose a new folder name")
    if (target / "classroom.toml").exists():
        raise UsageProblem(f"{target} already has a classroom.toml; not overwriting it")
    if not parent.is_dir():
        raise UsageProblem(f"{parent} does not exist; create it first (or check the spelling)")
    if not os.access(parent, os.W_OK | os.X_OK) and not target.is_dir():
        raise UsageProblem(f"cannot create {target}: {parent} is not writable for you")
    try:
        target.mkdir(exist_ok=True)
        shutil.copytree(paths.demo_data(), target, dirs_exist_ok=True,
                        ignore=lambda d, names: [n for n in names if n == JOURNAL])
        (target / JOURNAL).mkdir(exist_ok=True)
        shared = _own_shared_login(target / "classroom.toml")
        done = setup_shared(target)
    except OSError as e:
        raise UsageProblem(f"cannot write {e.filename or target}: {e.strerror or e}") from None
    print(f"wrote a starter classroom in {target}: edit classroom.toml, schedule.toml and binder/,")
    print(f"  the shared (workstation) login is {clean(shared, limit=32)!r}, the account that ran init: other"
          " logins get a read-only board until they are listed (docs/roles-and-privacy.md: Who is acting)")
    for line in done:
        print(f"  {line}")
    print(f"then run: paratui --data {target}")
    return 0


def _own_shared_login(toml: Path) -> str:
    """A new room is not the demo: instead of every login being the shared account ("*", so the
    demo can be tried as anyone), only the account setting it up is; the rest read only until
    they are mapped in `logins` or listed in `shared_logins`."""
    login = identity.login()
    text = toml.read_text(encoding="utf-8")
    text = text.replace('shared_logins = ["*"]', f"shared_logins = [{json.dumps(login)}]  # the account that ran "
                        "`paratui init`: list the classroom workstation's account(s) here", 1)
    text = text.replace("\npins = false\n",
                        "\npins = true  # at the shared login, the teacher's PIN (`paratui pin set`)\n", 1)
    toml.write_text(text, encoding="utf-8")
    return login


def add_themes(sub: Commands) -> None:
    command(sub, "themes", "list the board themes (built in, and the data folder's themes/)", "paratui themes",
            _themes)


def _themes(args: argparse.Namespace) -> int:
    themes, problems = load_themes(theme_folders(paths.data_folder(args.data)))
    for t in themes:
        traits = ", ".join(x for x in ("dark" if t.dark else "light", "large text" if t.large else "") if x)
        print(f"{clean(t.name, limit=40):24} {traits:20} {clean(t.source)}")
    for p in problems:
        print(f"problem: {clean(p)}", file=sys.stderr)
    return 0
