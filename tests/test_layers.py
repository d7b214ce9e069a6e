"""The layers point down only: store and model never load Textual; the model never touches the store
or the app. Checked in a fresh interpreter, by what is really imported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def _modules_after_import(module: str) -> set[str]:
    code = f"import sys, json, {module}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout))


def _modules(package: str) -> list[str]:
    """Every module of a layer, found on disk: a new module is checked without editing this test."""
    folder = Path(__file__).resolve().parents[1] / package.replace(".", "/")
    return sorted(f"{package}.{p.stem}" for p in folder.glob("*.py") if p.stem != "__init__")


STORE = _modules("paratui.store")
MODEL = _modules("paratui.model")


def test_the_layers_are_found():
    assert "paratui.store.journal" in STORE and "paratui.model.board" in MODEL
    assert "paratui.model.commands" in MODEL


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
