"""scripts/check_lock.py: the service's lock pins every main dependency, the dev lock every one,
and both pin the same versions."""

import importlib.util
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
_spec = importlib.util.spec_from_file_location("check_lock", ROOT / "scripts/check_lock.py")
check_lock = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_lock)

PYPROJECT = """[project]
name = "x"
dependencies = ["Django>=5.2", "redis>=5"]
[project.optional-dependencies]
dev = ["pytest>=8", "pdfminer.six>=1"]
"""


def write(root, service, dev):
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "requirements.lock").write_text(service)
    (root / "requirements-dev.lock").write_text(dev)


def test_the_shipped_locks_agree_with_pyproject():
    assert check_lock.problems() == []


def test_a_missing_pin_or_two_versions_of_one_package_are_named(tmp_path):
    both = "django==5.2.1 \\\n    --hash=sha256:aa\nredis==8.1.0 \\\n"
    write(tmp_path, both, both + "pytest==9.0 \\\npdfminer-six==2025 \\\n")
    assert check_lock.problems(tmp_path) == []

    write(tmp_path, "django==5.2.1 \\\n", both + "pytest==9.0 \\\n")
    assert check_lock.problems(tmp_path) == [
        "requirements.lock låser inte redis",
        "requirements-dev.lock låser inte pdfminer-six",
    ]
    write(tmp_path, both, both.replace("8.1.0", "8.0.0") + "pytest==9 \\\npdfminer-six==1 \\\n")
    assert check_lock.problems(tmp_path) == ["låsfilerna har olika versioner av redis"]


def test_a_pin_with_extras_is_a_pin(tmp_path):
    """The locks keep extras (fonttools[woff]==…): Debian 12's pip 23.0.1 refuses, in
    --require-hashes mode, a dependency asked for with extras that the lock pins without them
    once a newer release is out."""
    both = "django[argon2]==5.2.1 \\\n    --hash=sha256:aa\nredis==8.1.0 \\\n"
    write(tmp_path, both, both + "pytest==9.0 \\\npdfminer-six==2025 \\\n")
    assert check_lock.problems(tmp_path) == []
