"""The docs stay findable: every relative link leads to a file that exists, the README stays a short
page for users, and nothing cites notes that are not in the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted([ROOT / "README.md", ROOT / "ARCHITECTURE.md", ROOT / "CONTRIBUTING.md",
                *(ROOT / "docs").glob("*.md")])
# [text](target) and ![alt](target); the target ends at a space (a title) or the closing parenthesis
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)[^)]*\)")


def _relative_links(page: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)  # code is not a link
    return [t for t in LINK.findall(text) if not re.match(r"[a-z][a-z0-9+.-]*:|#", t)]


def test_the_pages_are_found() -> None:
    names = {p.name for p in PAGES}
    assert {"README.md", "ARCHITECTURE.md", "CONTRIBUTING.md", "cli.md", "data-folder.md"} <= names


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_points_to_a_file(page: Path) -> None:
    missing = [t for t in _relative_links(page) if not (page.parent / t.split("#")[0]).exists()]
    assert not missing, f"{page.relative_to(ROOT)}: links to nothing: {missing}"


def test_the_link_reader_sees_links() -> None:
    assert LINK.findall("see [the CLI](docs/cli.md#exit-codes) and ![x](docs/board.svg \"t\")") == [
        "docs/cli.md#exit-codes", "docs/board.svg"]


def test_the_readme_is_short() -> None:
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 250


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_page_cites_field_notes(page: Path) -> None:
    assert "FIELD.md" not in page.read_text(encoding="utf-8")
