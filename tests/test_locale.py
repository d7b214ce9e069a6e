"""issue 21: a terminal or locale that cannot carry every character (LC_ALL=C with Python's UTF-8
mode off, PYTHONIOENCODING=ascii): `paratui` never ends in a traceback, shows ASCII and says so
once, and what is typed is stored as typed. Real processes in those environments."""

from __future__ import annotations

import json

import pytest

from tests.helpers import run_cli

NARROW = {
    "C locale": {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": ""},
    "ascii io": {"PYTHONIOENCODING": "ascii"},
}
NOTICE = "cannot show every character: shown in ASCII"


def tasks_in_journal(room_dir) -> list[str]:
    texts = []
    for path in (room_dir / "journal").rglob("*.json"):
        raw = path.read_bytes()
        for doc in json.loads(raw.decode("utf-8"))["_default"].values():
            if doc["type"] == "task.add":
                texts.append(doc["payload"]["text"])
    return texts


@pytest.mark.parametrize("env", NARROW.values(), ids=NARROW.keys())
def test_task_add_cafe_stores_cafe_and_says_it_in_ascii(room_dir, env):
    out = run_cli("task", "add", "café ⚠ — R.N.", "--as", "MR", data=room_dir, env=env)
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr and out.stderr.count(NOTICE) == 1
    assert "recorded: task for anyone: cafe ! -- R.N." in out.stdout and out.stdout.isascii()
    assert tasks_in_journal(room_dir) == ["café ⚠ — R.N."]  # stored as typed
    listed = run_cli("task", "list", data=room_dir, env=env)
    assert listed.returncode == 0 and "cafe ! -- R.N." in listed.stdout
    assert "café ⚠ — R.N." in run_cli("task", "list", data=room_dir, check=True).stdout  # a UTF-8 terminal


@pytest.mark.parametrize("env", NARROW.values(), ids=NARROW.keys())
def test_board_plain_and_json_under_an_ascii_output(room_dir, env):
    run_cli("task", "add", "café", "--as", "MR", data=room_dir, check=True)
    wide = run_cli("board", "--plain", data=room_dir, check=True).stdout
    assert not wide.isascii()  # the board has glyphs to fall back from
    out = run_cli("board", "--plain", data=room_dir, env=env)
    assert out.returncode == 0 and "Traceback" not in out.stderr and out.stderr.count(NOTICE) == 1
    assert out.stdout.isascii() and "cafe" in out.stdout and " -- " in out.stdout
    assert len(out.stdout.splitlines()) == len(wide.splitlines())
    out = run_cli("board", "--json", data=room_dir, env=env)
    assert out.returncode == 0 and "Traceback" not in out.stderr
    assert "café" in [t["text"] for t in json.loads(out.stdout)["tasks"]]  # escaped, exact


def test_a_utf8_output_is_not_told_anything(room_dir):
    out = run_cli("board", "--plain", data=room_dir, env={"PYTHONIOENCODING": "utf-8"}, check=True)
    assert NOTICE not in out.stderr


def test_an_argument_that_is_not_utf8_is_refused_not_a_traceback(room_dir, tmp_path):
    import subprocess
    import sys

    env = {**__import__("os").environ, **NARROW["C locale"]}
    argv = [sys.executable.encode(), b"-m", b"paratui", b"task", b"add", b"caf\xe9", b"--as", b"MR",
            b"--data", str(room_dir).encode()]
    out = subprocess.run(argv, capture_output=True, env=env, timeout=60)
    assert out.returncode == 2 and b"Traceback" not in out.stderr and b"is not UTF-8 text" in out.stderr
    assert tasks_in_journal(room_dir) == []


def test_ascii_glyphs():
    from paratui.cli.encoding import ascii_glyph

    assert [ascii_glyph(c) for c in "—é␛⚠…Ω"] == ["--", "e", "^[", "!", "...", "?"]
