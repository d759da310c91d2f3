"""What the Help page explains for a role: its pages in menu order, their screenshots."""
from __future__ import annotations

from pathlib import Path

from pie.ui import navigation

# Drawn by the browser tests (tests/test_browser_help.py) when PIE_SCREENSHOTS is set.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "help"


def pages_explained(role: str) -> list[navigation.PageSpec]:
    """Every page of `role` except Help itself, in menu order."""
    return [spec for spec in navigation.pages_for(role) if spec.name != "help"]


def screenshot(page: str, lang: str) -> Path | None:
    """The screenshot of `page` in `lang`, else in French, else None."""
    for candidate in (SCREENSHOTS / f"{page}-{lang}.jpg", SCREENSHOTS / f"{page}-fr.jpg"):
        if candidate.is_file():
            return candidate
    return None


def sends_files(role: str) -> bool:
    """True when the role has the Import page (the submission steps concern it)."""
    return any(spec.name == "import" for spec in navigation.pages_for(role))
