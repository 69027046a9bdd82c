"""Warn when pyproject.toml names a dependency that the locks do not pin.

`make` installs the pinned versions from requirements-dev.lock and then the project itself, so
a dependency added to pyproject.toml without `make lock` is still installed (at the newest
allowed version), but unpinned: this says so, and which command fixes it. The service's
requirements.lock must pin every main dependency, requirements-dev.lock every one, and the two
must agree on every package they share (the service runs what CI tested).
"""

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def name_of(requirement: str) -> str:
    return normalised(re.split(r"[\s\[<>=!~;]", requirement.strip(), maxsplit=1)[0])


def pins(lock: Path) -> dict[str, str]:
    if not lock.is_file():
        return {}
    return {
        normalised(match.group(1)): match.group(2)
        # A pin may name extras (psycopg[binary]==…): the locks keep them, see the Makefile.
        for match in re.finditer(
            r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==(\S+)", lock.read_text(), re.M
        )
    }


def problems(root: Path = ROOT) -> list[str]:
    project = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))["project"]
    main = {name_of(r) for r in project["dependencies"]}
    dev = {name_of(r) for extra in project.get("optional-dependencies", {}).values() for r in extra}
    service, tests = pins(root / "requirements.lock"), pins(root / "requirements-dev.lock")
    found = []
    if missing := sorted(main - set(service)):
        found.append("requirements.lock låser inte " + ", ".join(missing))
    if missing := sorted((main | dev) - set(tests)):
        found.append("requirements-dev.lock låser inte " + ", ".join(missing))
    if differ := sorted(n for n in set(service) & set(tests) if service[n] != tests[n]):
        found.append("låsfilerna har olika versioner av " + ", ".join(differ))
    return found


if __name__ == "__main__":
    for problem in problems():
        print(
            f"VARNING: {problem} (ändrat i pyproject.toml?). Kör `make lock` och checka in "
            "requirements.lock och requirements-dev.lock.",
            file=sys.stderr,
        )
