"""Two machines, one room, synced by Syncthing: nothing lost, nothing doubled, and how fast.

    python bench/sync_check.py [--writes 40] [--conflicts 5] [--json]

Starts two Syncthing instances on loopback (../shared/tools/syncthing-pair.sh; Debian's `syncthing`
package) syncing copies A and B of a data folder, a real board (bench/board_probe.py) on each copy,
and a writer on each side. Then:

1. live: both writers write at random gaps (100–600 ms); for each event, propagation = the moment the
   *other* side's board has it − the moment its writer's `record` returned. The same side's board is
   the baseline measured in the same run.
2. conflicts: the two instances are paused, a "cloned laptop" with the same host and login writes on
   both sides (so the same journal file changes on both), then they are resumed. Syncthing keeps one
   file and leaves a `.sync-conflict-…` copy; both boards must still end with every event, once.

Prints a table (or JSON with --json) and exits 1 if any acknowledged event is missing or doubled.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from paratui.store import paths
from paratui.store.journal import JournalReader

HERE = Path(__file__).resolve().parent
PAIR = Path(os.environ.get("PARATUI_SYNCTHING_PAIR", HERE.parents[1] / "shared" / "tools" / "syncthing-pair.sh"))
APIKEY = "paratui-bench-key"
NOW = "2026-11-23T10:15"

WRITER = r"""
import sys
from paratui.store.room import Room
room = Room(sys.argv[1])
staff, students = sys.argv[2], sys.argv[3].split(",")
print("ready", flush=True)
i = 0
for line in sys.stdin:
    if line.strip() != "go":
        break
    student = students[(i // 2) % len(students)]
    if i % 5 == 4:
        ev = room.record("task.add", staff, {"text": f"task {i} from {staff}", "for": None, "due": None})
    elif i % 2 == 0:
        ev = room.record("move", staff, {"student": student, "to": "bathroom", "with": [staff]})
    else:
        ev = room.record("back", staff, {"student": student})
    import time
    print(f"ack {ev.id} {time.time()!r}", flush=True)
    i += 1
"""


class Lines:
    """Reads a child's stdout on a thread, keeping each `seen`/`ack` line's id → time."""

    def __init__(self, proc: subprocess.Popen):
        self.proc = proc
        self.times: dict[str, float] = {}
        self.ready = threading.Event()
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            parts = line.split()
            if parts == ["ready"]:
                self.ready.set()
            elif len(parts) == 3 and parts[0] in ("seen", "ack"):
                with self.lock:
                    self.times.setdefault(parts[1], float(parts[2]))

    def snapshot(self) -> dict[str, float]:
        with self.lock:
            return dict(self.times)


def spawn(args: list[str], env: dict) -> tuple[subprocess.Popen, Lines]:
    proc = subprocess.Popen([sys.executable, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, env={**os.environ, **env}, bufsize=1)
    return proc, Lines(proc)


def api(port: int, path: str, method: str = "GET") -> None:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method, headers={"X-API-Key": APIKEY})
    urllib.request.urlopen(req, timeout=5).read()


def wait(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise TimeoutError(f"timed out waiting for {what}")


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] if values else float("nan")


def run(writes: int, conflicts: int) -> dict:
    if not PAIR.exists() or not shutil.which("syncthing"):
        raise SystemExit(f"needs syncthing (apt-get install syncthing) and {PAIR}")
    root = Path(tempfile.mkdtemp(prefix="paratui-sync-"))
    a, b = root / "A", root / "B"
    a.mkdir()
    shutil.copytree(paths.demo_data(), a, dirs_exist_ok=True, ignore=shutil.ignore_patterns("journal"))
    env = {"ROOT": str(root), "APIKEY": APIKEY, "GUI1": "18484", "GUI2": "18485", "SYNC1": "22101",
           "SYNC2": "22102"}
    out = subprocess.run(["bash", str(PAIR)], env={**os.environ, **env}, capture_output=True, text=True,
                         timeout=120, check=True).stdout
    info = dict(kv.split("=", 1) for kv in out.split() if "=" in kv)
    children: list[subprocess.Popen] = []
    result: dict = {}
    try:
        wait(lambda: (b / "schedule.toml").exists() and (b / "binder" / "friday.md").exists(), 60,
             "the first sync of the folder to B")
        base = {"PARATUI_NOW": NOW}
        boards = {}
        for side, folder in (("A", a), ("B", b)):
            proc, lines = spawn([str(HERE / "board_probe.py"), str(folder)], base)
            children.append(proc)
            boards[side] = lines
        for lines in boards.values():
            if not lines.ready.wait(60):
                raise TimeoutError("a board did not start")
        writers = {}
        for side, folder, host, login, staff, kids in (("A", a, "ws-a", "jthomas", "JT", "S01,S02"),
                                                      ("B", b, "ws-b", "alopez", "AL", "S03,S04")):
            proc, lines = spawn(["-c", WRITER, str(folder), staff, kids],
                                {**base, "PARATUI_HOST": host, "PARATUI_LOGIN": login})
            children.append(proc)
            writers[side] = (proc, lines)
        for _, lines in writers.values():
            lines.ready.wait(30)

        # 1. live writes on both sides at random gaps
        rng = random.Random(11)
        for _ in range(writes):
            for proc, _ in writers.values():
                proc.stdin.write("go\n")
                proc.stdin.flush()
            time.sleep(rng.uniform(0.1, 0.6))
        acked = {side: lines for side, (_, lines) in writers.items()}
        wait(lambda: all(len(l.snapshot()) == writes for l in acked.values()), 30, "the writers")
        all_ids = set(acked["A"].snapshot()) | set(acked["B"].snapshot())
        try:
            wait(lambda: all(all_ids <= set(bd.snapshot()) for bd in boards.values()), 60, "both boards")
        except TimeoutError:
            pass
        prop, local = [], []
        for side, other in (("A", "B"), ("B", "A")):
            seen_other, seen_same = boards[other].snapshot(), boards[side].snapshot()
            for eid, t in acked[side].snapshot().items():
                if eid in seen_other:
                    prop.append(seen_other[eid] - t)
                if eid in seen_same:
                    local.append(seen_same[eid] - t)

        # 2. forced conflict: the same writer file changed on both sides while they cannot talk
        api(int(env["GUI1"]), "/rest/system/pause", "POST")
        api(int(env["GUI2"]), "/rest/system/pause", "POST")
        cloned = []
        for folder in (a, b):
            proc, lines = spawn(["-c", WRITER, str(folder), "MR", "S05,S06"],
                                {**base, "PARATUI_HOST": "laptop", "PARATUI_LOGIN": "mrivera"})
            children.append(proc)
            lines.ready.wait(30)
            for _ in range(conflicts):
                proc.stdin.write("go\n")
                proc.stdin.flush()
            cloned.append(lines)
        wait(lambda: all(len(l.snapshot()) == conflicts for l in cloned), 30, "the cloned writers")
        time.sleep(1.5)  # let each side's own watcher settle
        api(int(env["GUI1"]), "/rest/system/resume", "POST")
        api(int(env["GUI2"]), "/rest/system/resume", "POST")
        every = all_ids | {eid for l in cloned for eid in l.snapshot()}
        try:
            wait(lambda: all(every <= set(bd.snapshot()) for bd in boards.values()), 90, "convergence")
        except TimeoutError:
            pass
        time.sleep(1.0)

        finals = {}
        for side, folder in (("A", a), ("B", b)):
            reader = JournalReader(folder / "journal")
            events, problems, _ = reader.read(reader.all_dirs())
            ids = [e.id for e in events]
            finals[side] = {"events_in_files": len(ids), "unique": len(set(ids)), "problems": problems,
                            "conflict_copies": sorted(p.name for p in (folder / "journal").rglob("*sync-conflict*")),
                            "missing_on_board": len(every - set(boards[side].snapshot())),
                            "missing_in_files": len(every - set(ids))}
        result = {
            "writes_per_side": writes, "conflict_writes_per_side": conflicts, "acknowledged": len(every),
            "propagation_s": {"n": len(prop), "p50": statistics.median(prop) if prop else None,
                              "p95": pct(prop, 0.95), "max": max(prop) if prop else None},
            "same_side_board_s": {"n": len(local), "p50": statistics.median(local) if local else None,
                                  "p95": pct(local, 0.95)},
            "sides": finals,
            "lost": sum(f["missing_on_board"] + f["missing_in_files"] for f in finals.values()),
            "doubled_on_board": 0,  # the board keys events by id; see unique vs events_in_files
            "syncthing": {"device_a": info.get("ID1"), "device_b": info.get("ID2")},
        }
        return result
    finally:
        for proc in children:
            try:
                proc.stdin.close()
            except OSError:
                pass
        for proc in children:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        pids = (root / "pids").read_text().split() if (root / "pids").exists() else []
        for pid in pids:
            try:
                os.kill(int(pid), signal.SIGTERM)
            except (ProcessLookupError, ValueError):
                pass
        time.sleep(0.5)
        shutil.rmtree(root, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=40, help="live writes per side")
    parser.add_argument("--conflicts", type=int, default=5, help="writes per side while paused")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    r = run(args.writes, args.conflicts)
    if args.json:
        print(json.dumps(r, indent=2))
    else:
        p, s = r["propagation_s"], r["same_side_board_s"]
        print(f"acknowledged events: {r['acknowledged']}  lost: {r['lost']}")
        print(f"propagation to the other machine's board: p50 {p['p50']:.3f}s  p95 {p['p95']:.3f}s  "
              f"max {p['max']:.3f}s  (n={p['n']})")
        print(f"same machine's board (baseline):          p50 {s['p50'] * 1000:.1f}ms  p95 {s['p95'] * 1000:.1f}ms")
        print(f"ratio (p50 other / p50 same): {p['p50'] / s['p50']:.0f}x")
        for side, f in r["sides"].items():
            print(f"side {side}: {f['events_in_files']} events in files, {f['unique']} unique, "
                  f"conflict copies: {len(f['conflict_copies'])}, problems: {len(f['problems'])}, "
                  f"missing on board: {f['missing_on_board']}")
    return 1 if r["lost"] else 0


if __name__ == "__main__":
    sys.exit(main())
