"""Log lines the region's IT looks for, in one place: refused file imports."""

import logging

log = logging.getLogger("statsbidrag.imports")


def log_refused_import(request, kind: str, file_name: str, problems) -> None:
    """A refused upload: who, which file, how many problems and the first few."""
    problems = [str(problem) for problem in problems]
    user = getattr(request, "user", None)
    log.warning(
        "import nekad",
        extra={
            "event": "import_refused",
            "kind": kind,
            "file": file_name,
            "user": user.get_username() if user is not None and user.is_authenticated else "",
            "problems": len(problems),
            "first_problems": " | ".join(problems[:5]),
        },
    )
