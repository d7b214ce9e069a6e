"""`paratui history` and `paratui meeting-items` at scale (issue 18): the whole journal of a busy
room, ~1M events, and a meeting of 300 / 1,000 / 3,000 action items; this tree against a baseline
tree (another checkout, e.g. main's) in the same run.

    python bench/bench_history_scale.py [--base /tmp/base] [--days 1350] [--items 300,1000,3000]
                                        [--formats text,csv,json] [--first text] [--runs 3]

* history: a fresh process `paratui --data YEAR history [--format F] > /dev/null`, with a throw-away
  cache folder (XDG_CACHE_HOME): the first run (every file read, the cache made; `--first` formats)
  and `--runs` cached runs of each format (nothing changed), the trees taking turns. Wall time (best
  run), CPU time (user + system: steadier on a shared machine) and the child's peak RSS (os.wait4).
* meeting-items: a copy of the demo room with binder/meetings/2026-11-27.md holding N pending items
  (`- [ ] Task n @AL friday`); `paratui meeting-items 2026-11-27 --as MR`, wall time; and the time
  per item, whose growth from the smallest N to the largest says whether it is linear.

The year (`make_year.py --days 1350`: 1,350 school days, ~1.0M events, ~25k files, 217 MiB; the 540
days of three school years hold ~0.4M, so this is three years of a room ~2.5 × as busy, spread over
more files: the harder case for a cached run) is made once in $TMPDIR/paratui-bench-scale/ (never in
the repository) and reused. `--base` (default: none) is a tree with another version's `paratui/`:
without one only this tree is measured.
Targets: history ≤ 5 s on a first run, ≤ 2 s cached, peak memory ≤ 300 MiB; meeting-items linear.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import NOW, Row, print_table, save

REPO = Path(__file__).resolve().parents[1]
SCRATCH = Path(tempfile.gettempdir()) / "paratui-bench-scale"
FIRST_S, CACHED_S, PEAK_MIB = 5.0, 2.0, 300.0


def the_year(days: int) -> tuple[Path, int]:
    """The generated folder (made once, then reused; never written into)."""
    sys.path.insert(0, str(REPO))
    from make_year import make_year

    root = SCRATCH / f"year-{days}d"
    stamp = root / ".count"
    if not stamp.exists():
        if root.exists():
            shutil.rmtree(root)
        print(f"making {root} ({days} school days; about a minute)…", file=sys.stderr)
        stamp_n = make_year(root, days, NOW)
        stamp.write_text(str(stamp_n))
    return root, int(stamp.read_text())


def child(tree: Path, args: list[str], env: dict[str, str], out: str = os.devnull) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS MiB) of `python -m paratui ARGS` run from `tree`. CPU time
    (user + system) is the steadier figure on a shared machine: other jobs stretch the wall time."""
    env = {**env, "PYTHONPATH": str(tree)}
    with open(out, "w") as sink:
        t0 = time.perf_counter()
        p = subprocess.Popen([sys.executable, "-m", "paratui", *args], env=env, cwd=tree, stdout=sink,
                             stderr=subprocess.PIPE)
        err = p.stderr.read().decode() if p.stderr else ""
        _pid, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise SystemExit(f"{tree}: paratui {' '.join(args)} failed ({p.returncode}): {err[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def history(trees: dict[str, Path], root: Path, formats: list[str], runs: int,
            first_formats: list[str]) -> dict[str, dict[str, list]]:
    """Per tree: the first run (no cache) of each of `first_formats`, then `runs` cached runs of each
    format, the trees taking turns. (The cache holds rows, not text: one cache serves every format.)"""
    res: dict[str, dict[str, list]] = {k: {} for k in trees}
    caches = {k: tempfile.mkdtemp(prefix=f"paratui-hcache-{k}-") for k in trees}

    def one(k: str, fmt: str, kind: str, fresh: bool) -> None:
        env = {**os.environ, "PARATUI_NOW": NOW, "XDG_CACHE_HOME": caches[k]}
        if fresh:
            shutil.rmtree(Path(caches[k]) / "paratui", ignore_errors=True)
        m = child(trees[k], ["--data", str(root), "history", *([] if fmt == "text" else ["--format", fmt])], env)
        res[k].setdefault(f"{fmt} {kind}", []).append(m)
        print(f"  {k}: history {fmt} {kind}: {m[0]:.2f} s wall, {m[1]:.2f} s CPU, {m[2]:.0f} MiB", file=sys.stderr)

    try:
        for fmt in first_formats:
            for k in trees:
                one(k, fmt, "first", True)
        for i in range(runs):
            for fmt in formats:
                for k in (list(trees) if i % 2 == 0 else list(reversed(trees))):
                    one(k, fmt, "cached", False)
    finally:
        for c in caches.values():
            shutil.rmtree(c, ignore_errors=True)
    return res


def meeting_room(n: int) -> Path:
    sys.path.insert(0, str(REPO))
    from paratui.store import paths

    room = SCRATCH / f"meeting-{n}"
    if room.exists():
        shutil.rmtree(room)
    shutil.copytree(paths.demo_data(), room, ignore=shutil.ignore_patterns("journal"))
    (room / "journal").mkdir()
    notes = room / "binder" / "meetings"
    notes.mkdir(parents=True, exist_ok=True)
    lines = ["# Friday meeting notes", "", "## Action items", ""]
    lines += [f"- [ ] Task number {i} for the week @{('AL', 'JT', 'MR', 'anyone')[i % 4]} friday" for i in range(n)]
    (notes / "2026-11-27.md").write_text("\n".join(lines) + "\n")
    return room


def meeting(trees: dict[str, Path], sizes: list[int]) -> dict[str, dict[int, float]]:
    res: dict[str, dict[int, float]] = {k: {} for k in trees}
    for n in sizes:
        for k, tree in trees.items():
            room = meeting_room(n)
            env = {**os.environ, "PARATUI_NOW": NOW, "XDG_CACHE_HOME": str(SCRATCH / "cache"),
                   "XDG_CONFIG_HOME": str(SCRATCH / "config")}
            wall, _cpu, _peak = child(tree, ["--data", str(room), "meeting-items", "2026-11-27", "--as", "MR"], env)
            res[k][n] = wall
            print(f"  {k}: meeting-items {n}: {wall:.2f} s ({wall / n * 1000:.1f} ms per item)", file=sys.stderr)
            shutil.rmtree(room, ignore_errors=True)
    return res


def run(base: Path | None, days: int, sizes: list[int], formats: list[str], runs: int,
        first_formats: list[str]) -> list[Row]:
    SCRATCH.mkdir(parents=True, exist_ok=True)
    trees = {"new": REPO} | ({"base": base} if base else {})
    rows: list[Row] = []
    if formats:
        root, count = the_year(days)
        h = history(trees, root, formats, runs, first_formats)
        for fig in h["new"]:
            wall, cpu = min(x[0] for x in h["new"][fig]), min(x[1] for x in h["new"][fig])
            peak = max(x[2] for x in h["new"][fig])
            target = FIRST_S if fig.endswith("first") else CACHED_S
            b = h.get("base", {}).get(fig)
            bw, bc, bp = (min(x[0] for x in b), min(x[1] for x in b), max(x[2] for x in b)) if b else (0, 0, 0)
            rows.append(Row(f"history {fig} ({count / 1e6:.2f}M events), wall (best of {len(h['new'][fig])})",
                            f"{wall:.2f} s", f"{bw:.2f} s (base)" if b else "", wall / bw if b else None,
                            f"≤ {target:g} s", wall <= target))
            rows.append(Row(f"history {fig}, CPU time", f"{cpu:.2f} s", f"{bc:.2f} s (base)" if b else "",
                            cpu / bc if b else None, "info"))
            rows.append(Row(f"history {fig}, peak RSS", f"{peak:.0f} MiB", f"{bp:.0f} MiB (base)" if b else "",
                            peak / bp if b else None, f"≤ {PEAK_MIB:g} MiB", peak <= PEAK_MIB))
    if sizes:
        m = meeting(trees, sizes)
        lo, hi = min(sizes), max(sizes)
        for k in trees:
            for n in sizes:
                rows.append(Row(f"meeting-items, {n} items ({k})", f"{m[k][n]:.2f} s",
                                f"{m['base'][n]:.2f} s (base)" if k == "new" and "base" in m else "",
                                m[k][n] / m["base"][n] if k == "new" and "base" in m else None, "info"))
            growth = (m[k][hi] / hi) / (m[k][lo] / lo)
            rows.append(Row(f"meeting-items per item, {hi} vs {lo} items ({k})",
                            f"{m[k][hi] / hi * 1000:.1f} ms", f"{m[k][lo] / lo * 1000:.1f} ms", growth,
                            "≤ 1.5 (linear)" if k == "new" else "info", growth <= 1.5 if k == "new" else None))
    save("history_scale", rows, {"days": days, "sizes": sizes, "formats": formats})
    return rows


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--base", type=Path, help="a tree with the baseline's paratui/ (e.g. an export of main)")
    p.add_argument("--days", type=int, default=1350)
    p.add_argument("--items", default="300,1000,3000")
    p.add_argument("--formats", default="text,csv,json")
    p.add_argument("--first", default="text", help="formats run without a cache (each ~1 min on 1M events)")
    p.add_argument("--runs", type=int, default=3, help="cached runs of each format and tree")
    a = p.parse_args()
    sizes = [int(x) for x in a.items.split(",") if x]
    formats = [x for x in a.formats.split(",") if x]
    print_table(run(a.base, a.days, sizes, formats, a.runs, [x for x in a.first.split(",") if x]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
