"""What a PIN at the shared login costs (docs/trust.md: The shared classroom login), and what that
means for someone guessing it offline against the hash.

    python bench/bench_pins.py [--tries 20]

* check: `PinGate.check` with the right PIN (reading pins/MR.json, one scrypt at n=2^14, r=8, p=1,
  clearing the count), p50 of `tries`, against the baseline of one signed `Room.record` in the same
  run (interleaved), and the ratio;
* offline: p50 of one bare scrypt × 10^digits, for PINs of 4, 6, 8 and 10 digits, on one core.
Keys, caches and the rate limit's count live in a throw-away folder.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _human(seconds: float) -> str:
    for unit, size in (("years", 365 * 86400), ("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.0f} s"


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--tries", type=int, default=20)
    a = p.parse_args()
    base = Path(tempfile.mkdtemp(prefix="paratui-bench-pins-"))
    os.environ["XDG_CONFIG_HOME"] = str(base / "config")
    os.environ["XDG_CACHE_HOME"] = str(base / "cache")
    try:
        from paratui.store import paths, pins
        from paratui.store.room import Room

        room_dir = base / "room"
        shutil.copytree(paths.demo_data(), room_dir, ignore=shutil.ignore_patterns("journal"))
        (room_dir / "journal").mkdir()
        when = datetime(2026, 11, 23, 10, 15)
        room = Room(room_dir, clock=lambda: when)
        room.writer.signer.key()  # made before timing
        pins.write_pin(room_dir, "MR", "73918264", when)
        classroom = room.snapshot().classroom
        gate = pins.PinGate(room_dir, lambda: when)
        checks: list[float] = []
        writes: list[float] = []
        for i in range(a.tries):
            t = time.perf_counter()
            verdict = gate.check(classroom, "MR", "73918264")
            checks.append(time.perf_counter() - t)
            assert verdict.ok, verdict.message
            t = time.perf_counter()
            if i % 2 == 0:
                room.record("move", "JT", {"student": "S01", "to": "bathroom", "with": ["JT"]})
            else:
                room.record("back", "JT", {"student": "S01"})
            writes.append(time.perf_counter() - t)
        salt = os.urandom(16)
        bare: list[float] = []
        for _ in range(a.tries):
            t = time.perf_counter()
            hashlib.scrypt(b"73918264", salt=salt, n=pins.N, r=pins.R, p=pins.P, maxmem=128 * 1024 * 1024, dklen=32)
            bare.append(time.perf_counter() - t)
        check, write, one = (statistics.median(x) for x in (checks, writes, bare))
        print(f"PIN check (right PIN) p50 {check * 1000:.1f} ms vs one signed write p50 {write * 1000:.2f} ms: "
              f"{check / write:.1f}x")
        print(f"one scrypt (n=2^{pins.N.bit_length() - 1}, r={pins.R}, p={pins.P}) p50 {one * 1000:.1f} ms; "
              "every PIN of a length tried offline on one core:")
        for digits in (4, 6, 8, 10):
            print(f"  {digits:2} digits: {_human(one * 10 ** digits)}")
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
