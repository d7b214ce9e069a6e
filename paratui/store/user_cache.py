"""Where this account keeps its caches of a data folder: its own cache folder, never the data folder.

A cache holds the same student data as the journal, must never be synced, and is this account's
alone: `$XDG_CACHE_HOME/paratui/KIND/<folder hash>/` (default `~/.cache`). When XDG_CACHE_HOME (or
the home) lies inside the data folder, the next candidate is used; when every candidate does, there
is no cache (every run reads in full): nothing is ever written into the shared folder this way.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from paratui.store.safe_read import inside


def cache_folder(data_root: Path, kind: str) -> Path | None:
    """This account's cache folder of `kind` (e.g. "history") for the data folder `data_root`, or
    None when every place for it lies inside that folder."""
    root = Path(data_root).resolve()
    digest = hashlib.sha256(os.fsencode(root)).hexdigest()[:16]
    try:
        home: str | None = str(Path.home() / ".cache")
    except RuntimeError:  # no home at all
        home = None
    for base in (os.environ.get("XDG_CACHE_HOME"), home):
        if not base or not os.path.isabs(base):  # a relative XDG_CACHE_HOME is invalid (the spec)
            continue
        folder = Path(base).resolve() / "paratui" / kind / digest
        if not inside(folder, root):
            return folder
    return None


def digest(raw: bytes) -> str:
    """What a cache is keyed on: the bytes a file held when the cache was made (never its size and
    time alone: a same-size rewrite with its time put back must be seen)."""
    return hashlib.blake2b(raw, digest_size=16).hexdigest()
