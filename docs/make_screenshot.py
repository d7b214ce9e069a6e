"""Regenerate docs/board.svg: the demo room on Monday at 10:22, with a student out and a task due.

    PARATUI_NOW=2026-11-23T10:22 python docs/make_screenshot.py
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

os.environ.setdefault("PARATUI_NOW", "2026-11-23T10:22")
os.environ.setdefault("PARATUI_HOST", "room12-ws")
os.environ.setdefault("PARATUI_LOGIN", "jthomas")

from paratui.app.board_app import BoardApp  # noqa: E402
from paratui.store import paths  # noqa: E402
from paratui.store.room import Room  # noqa: E402


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "room"
        shutil.copytree(paths.demo_data(), data)
        room = Room(data)
        room.clock = lambda: datetime(2026, 11, 23, 10, 9)  # things happened a few minutes ago
        room.record("move", "JT", {"student": "S02", "to": "bathroom", "with": ["JT"]})
        room.record("assign", "MR", {"staff": "AL", "students": ["S04"], "at": "library",
                                     "activity": "Library book swap", "until": "2026-11-23T10:45"})
        room.record("task.add", "MR", {"text": "Print Tuesday's speech pull-out list", "for": "AL",
                                       "due": "2026-11-23T13:00"})
        app = BoardApp(Room(data), as_staff="JT", theme_folders=[paths.builtin_themes()])
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause(0.5)
            app.save_screenshot("board.svg", path=str(Path(__file__).parent))


if __name__ == "__main__":
    asyncio.run(main())
