"""Warn when pyproject.toml names a dependency that requirements.lock does not pin.

`make` installs the pinned versions from the lock and then the project itself, so a
dependency added to pyproject.toml without `make lock` is still installed (at the newest
allowed version), but unpinned: this says so, and which command fixes it.
"""

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def normalise(name: str) -> str:
    """A package name as PEP 503 compares them: pdfminer.six, pdfminer_six and pdfminer-six
    are one package."""
    return re.sub(r"[-_.]+", "-", name).lower()


def name_of(requirement: str) -> str:
    return normalise(re.split(r"[\s\[<>=!~;]", requirement.strip(), maxsplit=1)[0])


def unpinned() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    wanted = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        wanted += extra
    pinned = {
        normalise(match.group(1))
        for match in re.finditer(
            r"^([A-Za-z0-9_.\-]+)==", (ROOT / "requirements.lock").read_text(), re.M
        )
    }
    return sorted({name_of(r) for r in wanted} - pinned)


if __name__ == "__main__":
    missing = unpinned()
    if missing:
        print(
            "VARNING: requirements.lock låser inte "
            + ", ".join(missing)
            + " (tillagda i pyproject.toml). Kör `make lock` och checka in requirements.lock.",
            file=sys.stderr,
        )
