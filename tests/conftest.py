"""Shared fixtures: every test gets its own copy of the demo room and a fixed classroom clock,
and never sees the developer's own PARATUI_* settings."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from paratui.store import paths

NOW = "2026-11-23T10:15"  # a Monday, during math groups


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch, tmp_path):
    for key in list(os.environ):
        if key.startswith("PARATUI_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))  # never this machine's ~/.cache
    monkeypatch.setenv("PARATUI_NOW", NOW)
    monkeypatch.setenv("PARATUI_LOGIN", "tester")  # not in any staff's logins
    monkeypatch.setenv("PARATUI_HOST", "testhost")


@pytest.fixture
def room_dir(tmp_path) -> Path:
    """A fresh copy of the demo room (without whatever journal the checkout has, and without its
    recurring.toml: a test sees only the tasks it writes; tests/test_tasks_notes.py adds it back)."""
    target = tmp_path / "room"
    shutil.copytree(paths.demo_data(), target, ignore=shutil.ignore_patterns("journal", "recurring.toml"))
    (target / "journal").mkdir()
    return target


@pytest.fixture
def fault_room(tmp_path, monkeypatch) -> Path:
    """A demo room for the fault suite, written as host "ws", login "jthomas"."""
    import fault_helpers as fh

    monkeypatch.setenv("PARATUI_HOST", "ws")
    monkeypatch.setenv("PARATUI_LOGIN", "jthomas")
    return fh.demo_copy(tmp_path / "room")


def run_cli(*args: str, data: Path | None = None, env: dict | None = None,
            check: bool = False) -> subprocess.CompletedProcess:
    """`paratui ARGS` in a separate process, as a person or a script would run it."""
    argv = [sys.executable, "-m", "paratui", *args]
    if data is not None:
        argv += ["--data", str(data)]
    full_env = {**os.environ, **(env or {})}
    result = subprocess.run(argv, capture_output=True, text=True, env=full_env, timeout=60)
    if check and result.returncode != 0:
        raise AssertionError(f"paratui {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return result
