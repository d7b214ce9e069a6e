"""`paratui sync`: what this machine's Syncthing says about the data folder (the board's top-bar words
and one line per peer), for a script or an SSH session."""

from __future__ import annotations

import argparse
import json

from paratui.cli.common import Commands, command, say
from paratui.model.sync import as_json, words
from paratui.model.text import clean
from paratui.store import identity, paths


def add_sync(sub: Commands) -> None:
    p = command(sub, "sync", "sync health: whether this machine's Syncthing has the room in sync with its "
                "peers, and one line per peer (exit 0 in sync or syncing; 1 an alarm: not synced, changes "
                "waiting, Syncthing unreadable; 2 no [sync] in classroom.toml)", "paratui sync --json", _sync)
    p.add_argument("--json", action="store_true", help="the state as JSON (peers, completion, pending, errors)")
    p.add_argument("--timeout", type=float, default=5.0, metavar="SECONDS",
                   help="the longest one request to Syncthing may take (default 5)")


def _sync(args: argparse.Namespace) -> int:
    from paratui.store.room_zone import use_room_zone
    from paratui.store.sync_health import SyncHealth, read_settings

    root = paths.data_folder(args.data)
    zone = use_room_zone(root)  # the room's local time, as every command opening the room
    if zone is not None:
        say(zone)
    settings, problems = read_settings(root)
    for p in problems:
        say(p)
    if settings is None:
        if args.json:
            print(json.dumps({"configured": False}))
        say("no [sync] in classroom.toml: nothing to check (docs/running.md: Sync health)")
        return 2
    timeout = min(max(args.timeout, 0.1), 60.0)
    state = SyncHealth(root, settings, identity.now, timeout=timeout).check_once()
    now = identity.now()
    said = words(state, now)
    assert said is not None  # configured: there are always words
    if args.json:
        print(json.dumps(as_json(state, now), ensure_ascii=False, indent=1))
    else:
        print(clean(said.text))
        for line in said.details:
            print(f"  {clean(line)}")
    return 1 if said.alarm else 0
