"""One start-up, in a fresh process: `python bench/_startup_child.py bare|board [DATA]`.

Prints one JSON line: wall-clock stamps (time.time()) at the first line of this script, after the
imports, after the app is built, and when the first screen has been painted; and VmHWM (peak RSS).
"""

import time

T_START = time.time()

import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

mode = sys.argv[1]
stamps = {"start": T_START}

if mode == "bare":
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Header

    stamps["imported"] = time.time()

    class Bare(App):
        def compose(self) -> ComposeResult:
            yield Header()
            yield Footer()

    app = Bare()
else:
    # What `paratui --data DIR` does (paratui.cli.board.open_board), with the Textual import where the CLI has it.
    import gc

    gc.disable()  # as paratui.cli.board.open_board does; the board re-enables it after the first paint
    from paratui.app.board_app import BoardApp
    from paratui.store import paths
    from paratui.store.room import Room

    stamps["imported"] = time.time()
    data = Path(sys.argv[2])
    room = Room(data)
    room.snapshot()
    app = BoardApp(room, as_staff="JT", theme_folders=[paths.builtin_themes(), data / "themes"])
stamps["built"] = time.time()


async def first_paint(pilot) -> None:
    await pilot.pause()
    stamps["painted"] = time.time()
    if mode == "board":
        stamps["tasks_on_board"] = len(pilot.app.state.tasks) if pilot.app.state else -1
    pilot.app.exit()


app.run(headless=True, size=(120, 40), auto_pilot=first_paint)


def vm(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return -1


stamps["hwm_kib"] = vm("VmHWM")
print(json.dumps(stamps), flush=True)
