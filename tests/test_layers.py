"""The layers point down only: store and model never load Textual; the model never touches the store
or the app. Checked in a fresh interpreter, by what is really imported."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def _modules_after_import(module: str) -> set[str]:
    code = f"import sys, json, {module}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout))


STORE = ["paratui.store.journal", "paratui.store.folder", "paratui.store.room", "paratui.store.watcher",
         "paratui.store.themes", "paratui.store.atomic", "paratui.store.identity", "paratui.store.paths"]
MODEL = ["paratui.model.board", "paratui.model.classroom", "paratui.model.schedule", "paratui.model.events",
         "paratui.model.export", "paratui.model.resolve", "paratui.model.describe"]


@pytest.mark.parametrize("module", STORE + MODEL)
def test_store_and_model_never_import_textual(module):
    loaded = _modules_after_import(module)
    assert not {m for m in loaded if m == "textual" or m.startswith("textual.")}


@pytest.mark.parametrize("module", MODEL)
def test_model_imports_neither_store_nor_app_nor_io_libraries(module):
    loaded = _modules_after_import(module)
    forbidden = {m for m in loaded if m.startswith(("paratui.store", "paratui.app", "paratui.cli",
                                                     "tinydb", "watchdog"))}
    assert not forbidden


def test_cli_commands_that_print_do_not_load_textual(tmp_path):
    """`paratui board --json` is for scripts and SSH without a TTY: it must not pay for Textual."""
    code = ("import sys, runpy; sys.argv=['paratui','board','--json'];"
            "import paratui.cli as c; c.main(['board','--json']);"
            "print('TEXTUAL' if any(m.startswith('textual') for m in sys.modules) else 'CLEAN', file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stderr.strip().endswith("CLEAN")
