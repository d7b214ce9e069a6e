"""`paratui sync`: what this machine's Syncthing says about the data folder (the board's top-bar words
and one line per peer), for a script or an SSH session."""

from __future__ import annotations

import argparse
import json
from typing import Any

from paratui.cli.common import Commands, command, say
from paratui.model.sync import as_json, words
from paratui.model.text import clean
from paratui.store import identity, paths


def add_sync(sub: Commands) -> None:
    p = command(sub, "sync", "sync health: whether this machine's Syncthing has the room in sync with its "
                "peers, and one line per peer; on a network share, the share's mount and each host's newest "
                "change (exit 0 in sync or syncing; 1 an alarm: not synced, changes waiting, Syncthing "
                "unreadable, the share not answering or gone, a host quiet; 2 neither [sync] in "
                "classroom.toml nor a network share)", "paratui sync --json", _sync)
    p.add_argument("--json", action="store_true", help="the state as JSON (peers, completion, pending, errors)")
    p.add_argument("--timeout", type=float, default=5.0, metavar="SECONDS",
                   help="the longest one request to Syncthing, or the share's look, may take (default 5)")


def _sync(args: argparse.Namespace) -> int:
    from paratui.model.share import share_json, share_words
    from paratui.store.room_zone import use_room_zone
    from paratui.store.share_health import ShareHealth
    from paratui.store.sync_health import SyncHealth, read_settings

    root = paths.data_folder(args.data)
    zone = use_room_zone(root)  # the room's local time, as every command opening the room
    if zone is not None:
        say(zone)
    timeout = min(max(args.timeout, 0.1), 60.0)
    share = ShareHealth(root, identity.now, timeout=min(timeout, 10.0)).check_once()
    settings, problems = read_settings(root)
    for p in problems:
        say(p)
    now = identity.now()
    shared = share_words(share, now)
    if settings is None and shared is None:
        if args.json:
            print(json.dumps({"configured": False}))
        say("no [sync] in classroom.toml and not on a network share: nothing to check "
            "(docs/running.md: Sync health)")
        return 2
    said = None
    if settings is not None:
        state = SyncHealth(root, settings, identity.now, timeout=timeout).check_once()
        now = identity.now()
        said = words(state, now)
        assert said is not None  # configured: there are always words
    if args.json:
        out: dict[str, Any] = as_json(state, now) if settings is not None else {"configured": False}
        if shared is not None:
            out["share"] = share_json(share, now)
        print(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        for w in (said, shared):
            if w is None:
                continue
            print(clean(w.text))
            for line in w.details:
                print(f"  {clean(line)}")
    return 1 if (said and said.alarm) or (shared and shared.alarm) else 0
