"""Shared helpers for the bench scripts: the cached school year, statistics and the result table."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out"
NOW = os.environ.get("PARATUI_NOW") or "2026-11-23T10:15"

sys.path.insert(0, str(BENCH))
from make_year import make_year  # noqa: E402


@dataclass
class Row:
    figure: str
    value: str
    baseline: str = ""
    ratio: float | None = None
    target: str = ""
    ok: bool | None = None  # None: informational

    @property
    def verdict(self) -> str:
        return "" if self.ok is None else ("pass" if self.ok else "MISS")


GENERATION = 4  # make_year's data changed (breaks, late undos, logging entries, the log stream): made again


def pristine_year(days: int = 180, workdir: Path = OUT) -> tuple[Path, int]:
    """The generated year (made once, then reused): (folder, event count). Never write into it."""
    root = workdir / f"year-{days}d"
    stamp = root / f".count-v{GENERATION}"
    if not stamp.exists():
        if root.exists():
            shutil.rmtree(root)
        n = make_year(root, days, NOW)
        stamp.write_text(str(n))
    return root, int(stamp.read_text())


def fresh_copy(source: Path, name: str, workdir: Path = OUT) -> Path:
    """A throw-away copy of `source` for a bench that writes."""
    target = workdir / "work" / name
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".count*"))
    return target


def pct(values: list[float], p: float) -> float:
    """Percentile p (0–100), nearest-rank on the sorted values."""
    s = sorted(values)
    if not s:
        return float("nan")
    k = max(0, min(len(s) - 1, round(p / 100 * (len(s) - 1))))
    return s[k]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def print_table(rows: list[Row], file=sys.stdout) -> None:
    head = ("figure", "value", "baseline", "ratio", "target", "")
    cells = [head] + [(r.figure, r.value, r.baseline, "" if r.ratio is None else f"{r.ratio:.2f}",
                       r.target, r.verdict) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(head))]
    for i, c in enumerate(cells):
        print("  ".join(x.ljust(w) for x, w in zip(c, widths)).rstrip(), file=file)
        if i == 0:
            print("  ".join("-" * w for w in widths), file=file)
    file.flush()


def save(name: str, rows: list[Row], extra: dict | None = None) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    data = {"rows": [asdict(r) for r in rows], **(extra or {})}
    (OUT / f"{name}.json").write_text(json.dumps(data, indent=2, default=str))
