"""The layers point down only: store and model never load Textual; the model never touches the store
or the app. Checked in a fresh interpreter, by what is really imported. And no module imports itself
by a way round (no import circles), read from the source."""

from __future__ import annotations

import ast
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


# What a read-only command never needs: Textual, and what only other commands use (the building view's
# sync-health reader, with its HTTP and XML modules; the data-logging commands).
NOT_FOR_READING = ("textual", "paratui.app", "paratui.store.sync_health", "paratui.store.building", "http.client",
                   "xml.sax", "paratui.model.data_commands")


@pytest.mark.parametrize("argv", [["--version"], ["report", "K.B."], ["report", "K.B.", "--format", "html",
                                                                      "--chart", "builtin"],
                                  ["report", "K.B.", "--format", "csv"], ["report", "K.B.", "--format", "json"],
                                  ["history"], ["history", "--format", "csv"]],
                         ids=lambda a: " ".join(a))
def test_report_history_and_version_load_neither_textual_nor_what_writing_needs(argv, tmp_path):
    """`paratui report`, `history` and `--version` start up without Textual, or the modules only the
    building view or a write uses: each is checked by what a fresh interpreter really loaded."""
    from tests.helpers import demo_copy

    room = demo_copy(tmp_path / "room")
    code = ("import sys, json, contextlib, io\nimport paratui.cli as c\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    try:\n        c.main(json.loads(sys.argv[1]))\n    except SystemExit:\n        pass\n"
            "print(json.dumps(sorted(sys.modules)), file=sys.stderr)")
    args = json.dumps([*argv, *(["--data", str(room)] if argv != ["--version"] else [])])
    out = subprocess.run([sys.executable, "-c", code, args], capture_output=True, text=True, check=True)
    loaded = set(json.loads(out.stderr.strip().splitlines()[-1]))
    assert not {m for m in loaded if any(m == n or m.startswith(n + ".") for n in NOT_FOR_READING)}


PACKAGE = Path(__file__).resolve().parents[1] / "paratui"
# Circles still to be broken, each as the set of its modules.
KNOWN_CIRCLES: list[set[str]] = []


def _import_graph() -> dict[str, set[str]]:
    """Each paratui module → the paratui modules it imports. Imports under TYPE_CHECKING and inside
    functions count: a reader follows them all the same."""
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                imported.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from the package, `level - 1` packages up
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                # `from a.b import c`: the module a.b.c if there is one, else a.b
                imported.update(f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names)
        graph[name] = {m for m in imported if m in modules and m != name}
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import circles: the strongly connected components of more than one module, each sorted."""
    def reachable(start: str) -> set[str]:
        seen: set[str] = set()
        todo = list(graph[start])
        while todo:
            m = todo.pop()
            if m not in seen:
                seen.add(m)
                todo.extend(graph[m])
        return seen

    reach = {m: reachable(m) for m in graph}
    components = {frozenset({m} | {o for o in reach[m] if m in reach[o]}) for m in graph}
    return sorted(sorted(c) for c in components if len(c) > 1)


def test_the_import_graph_sees_late_imports():
    graph = _import_graph()
    assert "paratui.model.board" in graph["paratui.store.room"]
    # the privacy screen and the watcher are imported inside functions, the watcher under TYPE_CHECKING too
    assert {"paratui.app.privacy", "paratui.store.watcher"} <= graph["paratui.app.board_app"]
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_circles():
    circles = _circles(_import_graph())
    new = [c for c in circles if set(c) not in KNOWN_CIRCLES]
    assert not new, "import circles (modules importing each other, some way round): " + "; ".join(
        ", ".join(c) for c in new)
    gone = [sorted(k) for k in KNOWN_CIRCLES if sorted(k) not in circles]
    assert not gone, f"no longer circles: drop them from KNOWN_CIRCLES: {gone}"
