"""Shared fixtures: every test gets its own copy of the demo room and a fixed classroom clock,
and never sees the developer's own PARATUI_* settings."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import NOW, demo_copy


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(os.environ):
        if key.startswith("PARATUI_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))  # never this machine's ~/.cache
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))  # signing keys: never ~/.config
    monkeypatch.setenv("PARATUI_NOW", NOW)
    monkeypatch.setenv("PARATUI_LOGIN", "tester")  # not in any staff's logins
    monkeypatch.setenv("PARATUI_HOST", "testhost")


@pytest.fixture(autouse=True)
def machine_zone_back() -> Iterator[None]:
    """A room opened in this process makes its `timezone` the process's (paratui.store.room_zone):
    each test ends with the zone it began with, so no test runs in the zone an earlier one opened."""
    before = os.environ.get("TZ")
    yield
    if os.environ.get("TZ") != before:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


@pytest.fixture
def room_dir(tmp_path: Path) -> Path:
    """A fresh copy of the demo room (tests/test_tasks_notes.py adds its recurring.toml back)."""
    return demo_copy(tmp_path / "room")


@pytest.fixture
def fault_room(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A demo room for the fault suite, written as host "ws", login "jthomas"."""
    monkeypatch.setenv("PARATUI_HOST", "ws")
    monkeypatch.setenv("PARATUI_LOGIN", "jthomas")
    return demo_copy(tmp_path / "room")
