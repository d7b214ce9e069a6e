"""A real board, headless, that says when it has each event: for checks across processes and machines.

    python bench/board_probe.py DATA_DIR [--poll SECONDS]

Runs paratui's BoardApp (120×40, no terminal) on DATA_DIR. Prints `ready` once the first board is
drawn, then `seen EVENT_ID TIME` (time.time()) the first time a reload of the board holds that event.
Exits when its standard input closes.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import threading
import time
from pathlib import Path

from paratui.app.board_app import BoardApp
from paratui.store.room import Room


async def main(folder: Path, poll: float | None) -> None:
    app = BoardApp(Room(folder), as_staff="MR", poll=poll, theme_folders=[])
    seen: set[str] = set()
    original = app.reload

    def reload() -> None:
        original()
        now = time.time()
        for e in app.snapshot.events if app.snapshot else ():
            if e.id not in seen:
                seen.add(e.id)
                print(f"seen {e.id} {now!r}", flush=True)

    app.reload = reload
    done = asyncio.Event()
    loop = asyncio.get_running_loop()
    threading.Thread(target=lambda: (sys.stdin.read(), loop.call_soon_threadsafe(done.set)),
                     daemon=True).start()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        reload()
        print("ready", flush=True)
        await done.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("data", type=Path)
    parser.add_argument("--poll", type=float)
    args = parser.parse_args()
    asyncio.run(main(args.data, args.poll))
