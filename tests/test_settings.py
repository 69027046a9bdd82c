"""Settings read from the environment and refuse an unsafe production start."""

import os
import subprocess
import sys

from django.conf import settings
from django.utils import formats

CHECK = "import django; django.setup(); print('ok')"


def run_with(env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    env.update({"STATSBIDRAG_ENV_FILE": os.devnull, "DJANGO_SETTINGS_MODULE": "config.settings"})
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_with({"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY saknas" in result.stderr


def test_production_refuses_a_weak_or_default_key():
    assert run_with({"DEBUG": "0", "SECRET_KEY": "kort"}).returncode != 0
    insecure = "django-insecure-" + "x" * 50
    assert run_with({"DEBUG": "0", "SECRET_KEY": insecure}).returncode != 0


def test_production_starts_with_a_real_key():
    # Django's own rule (security.W009): 50 characters, at least 5 distinct.
    result = run_with({"DEBUG": "0", "SECRET_KEY": "k" * 46 + "ey-1"})
    assert result.returncode == 0, result.stderr


def test_development_starts_without_a_key():
    assert run_with({"DEBUG": "1"}).returncode == 0


def test_swedish_locale_and_iso_dates():
    assert settings.LANGUAGE_CODE == "sv"
    assert settings.TIME_ZONE == "Europe/Stockholm"
    assert formats.get_format("DATE_INPUT_FORMATS", lang="sv") == ["%Y-%m-%d"]
    assert formats.number_format(75422690, force_grouping=True) == "75\u00a0422\u00a0690"
