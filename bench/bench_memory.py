"""The board's peak memory as a person runs it: the real `paratui` in a real terminal (tmux), on the
generated school year with its logging, the student screen opened and closed again and again.

    python bench/bench_memory.py [--opens 6] [--runs 2]

Each run starts `python -m paratui --data <year> --as JT` in its own tmux server (its own socket,
120×40), waits for the board and the room's quick-logging history (read on a thread after start),
then opens a student's screen the way a para does (`s`, then the student's key), waits for it, and
closes it (Escape): R.N., R.N., L.S., E.M., Z.C., R.N. (`--opens` of them). The figure is the
process's VmHWM (its peak resident memory, from /proc) after the board is up, after the first
screen, and after all of them. Target (issue 9): ≤ 60 MiB. Baseline in the same run: the same
terminal running a bare Textual app (Header + Footer).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from _common import NOW, Row, median, print_table, pristine_year, save

BARE = "from textual.app import App\nfrom textual.widgets import Footer, Header\n" \
       "class A(App):\n    def compose(self):\n        yield Header()\n        yield Footer()\nA().run()\n"
KEYS = ["5", "5", "3", "1", "7", "5"]
TARGET_MIB = 60.0


def _tmux(sock: str, *args: str) -> str:
    return subprocess.run(["tmux", "-L", sock, *args], capture_output=True, text=True, timeout=30).stdout


def _hwm(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB → MiB
    return float("nan")


def _start(sock: str, command: list[str], env: dict[str, str]) -> int:
    _tmux(sock, "kill-server")
    shell = " ".join(f"{k}={v}" for k, v in env.items()) + " " + " ".join(command)
    _tmux(sock, "new-session", "-d", "-s", "m", "-x", "120", "-y", "40", f"env {shell}")
    return int(_tmux(sock, "list-panes", "-t", "m", "-F", "#{pane_pid}").strip())


def one_run(year: Path, opens: int) -> dict[str, float]:
    sock = f"paratui-mem-{os.getpid()}"
    env = {"PARATUI_NOW": NOW, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    pid = _start(sock, [sys.executable, "-m", "paratui", "--data", str(year), "--as", "JT"], env)
    try:
        time.sleep(7)  # the board, then the history read a second after it
        out = {"board": _hwm(pid)}
        for i, key in enumerate((KEYS * 4)[:opens]):
            _tmux(sock, "send-keys", "-t", "m", "s")
            time.sleep(0.6)
            _tmux(sock, "send-keys", "-t", "m", key)
            time.sleep(3)
            _tmux(sock, "send-keys", "-t", "m", "Escape")
            time.sleep(1.2)
            if i == 0:
                out["first"] = _hwm(pid)
        out["all"] = _hwm(pid)
        return out
    finally:
        _tmux(sock, "kill-server")


def bare_run() -> float:
    sock = f"paratui-mem-bare-{os.getpid()}"
    script = Path(os.environ.get("TMPDIR", "/tmp")) / f"paratui-bare-{os.getpid()}.py"
    script.write_text(BARE)
    try:
        pid = _start(sock, [sys.executable, str(script)], {})
        time.sleep(3)
        return _hwm(pid)
    finally:
        _tmux(sock, "kill-server")
        script.unlink(missing_ok=True)


def run(opens: int = 6, runs: int = 2) -> list[Row]:
    if shutil.which("tmux") is None:
        print("needs tmux", file=sys.stderr)
        return []
    year, _count = pristine_year(180)
    results = [one_run(year, opens) for _ in range(runs)]
    bare = bare_run()
    for r in results:
        print(f"  board {r['board']:.1f} MiB; after the first student screen {r['first']:.1f}; "
              f"after {opens} {r['all']:.1f}", file=sys.stderr)
    board, first, everything = (median([r[k] for r in results]) for k in ("board", "first", "all"))
    rows = [
        Row("peak memory (VmHWM), the board in tmux, year + history", f"{board:.1f} MiB",
            f"{bare:.1f} MiB (bare Textual app)", board / bare, f"≤ {TARGET_MIB:g} MiB", board <= TARGET_MIB),
        Row("… after the first student screen (s 5, Escape)", f"{first:.1f} MiB", "", None,
            f"≤ {TARGET_MIB:g} MiB", first <= TARGET_MIB),
        Row(f"… after {opens} student screens opened and closed", f"{everything:.1f} MiB", "", None,
            f"≤ {TARGET_MIB:g} MiB", everything <= TARGET_MIB),
    ]
    save("memory", rows, {"runs": results, "bare": bare})
    return rows


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--opens", type=int, default=6)
    p.add_argument("--runs", type=int, default=2)
    a = p.parse_args()
    print_table(run(a.opens, a.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
