"""The deployment check's parts (scripts/deploy_check.py): reading which variables the code
reads, finding the undocumented ones, and what the systemd units point at. The whole check
runs in CI as `make deploy-check`; these show that each part catches what it is for."""

import importlib.util
import os
import shutil
import stat
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
_spec = importlib.util.spec_from_file_location("deploy_check", ROOT / "scripts/deploy_check.py")
deploy_check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(deploy_check)


def test_every_way_the_code_reads_a_variable_is_found():
    source = """
import os
env = object()
A = env.str("ONE", default="")
B = env.bool("TWO")
C = env("THREE")
D = os.environ.get("FOUR", "x")
E = os.environ["FIVE"]
F = os.getenv("SIX")
G = env.list("SEVEN", default=[])
H = other.str("NOT_ENV")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
"""
    assert deploy_check.variables_read(source) == {
        "ONE",
        "TWO",
        "THREE",
        "FOUR",
        "FIVE",
        "SIX",
        "SEVEN",
    }


def test_the_settings_read_the_variables_the_issue_found_undocumented():
    names = deploy_check.variables_read((ROOT / "config/settings.py").read_text("utf-8"))
    assert {"BACKUP_DIR", "ALLOCATION_TOLERANCE_KR", "OIDC_TIMEOUT", "SECURE_COOKIES"} <= names


def test_a_variable_missing_from_the_example_or_the_readme_is_named():
    example = "A=1\n# B=2\nAB_C=3\n"
    readme = "| `A` | … |\nB and `AB_C`\n"
    assert deploy_check.undocumented({"A", "B", "AB_C"}, example, readme) == []
    assert deploy_check.undocumented({"C", "AB"}, example, readme) == [
        "AB saknas i .env.example",
        "AB nämns inte i README.md",
        "C saknas i .env.example",
        "C nämns inte i README.md",
    ]


def test_the_shipped_example_and_readme_document_every_variable_the_code_reads():
    assert deploy_check.variables_documented().endswith("variabler")


def make_tree(tmp_path, *, with_gunicorn=True):
    code = tmp_path / "srv/statsbidrag"
    (code / ".venv/bin").mkdir(parents=True)
    (code / "operations/management/commands").mkdir(parents=True)
    (code / "operations/management/commands/backup.py").write_text("")
    (code / "deploy").mkdir()
    (code / "deploy/gunicorn.conf.py").write_text("")
    (tmp_path / "etc/statsbidrag").mkdir(parents=True)
    (tmp_path / "etc/statsbidrag/env").write_text("")
    programs = ["python"] + (["gunicorn"] if with_gunicorn else [])
    for program in programs:
        path = code / ".venv/bin" / program
        path.write_text("#!/bin/sh\n")
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return tmp_path


UNIT = """[Service]
WorkingDirectory=/srv/statsbidrag
EnvironmentFile=/etc/statsbidrag/env
ExecStart=/srv/statsbidrag/.venv/bin/gunicorn --config /srv/statsbidrag/deploy/gunicorn.conf.py
ExecReload=/bin/kill -s HUP $MAINPID
"""


def test_units_whose_files_exist_pass_and_a_missing_program_or_file_is_named(tmp_path):
    tree = make_tree(tmp_path)
    assert deploy_check.unit_problems("app.service", UNIT, tree) == []

    broken = UNIT.replace("gunicorn.conf.py", "saknas.py")
    assert deploy_check.unit_problems("app.service", broken, tree) == [
        "app.service: /srv/statsbidrag/deploy/saknas.py finns inte"
    ]
    os.remove(tree / "srv/statsbidrag/.venv/bin/gunicorn")
    assert deploy_check.unit_problems("app.service", UNIT, tree) == [
        "app.service: /srv/statsbidrag/.venv/bin/gunicorn finns inte eller är inte körbar"
    ]


def test_a_manage_py_command_that_does_not_exist_is_named(tmp_path):
    tree = make_tree(tmp_path)
    unit = (
        "WorkingDirectory=/srv/statsbidrag\n"
        "ExecStart=/srv/statsbidrag/.venv/bin/python manage.py backup\n"
        "ExecStartPost=-/srv/statsbidrag/.venv/bin/python manage.py tidy_up\n"
    )
    assert deploy_check.unit_problems("b.service", unit, tree) == [
        "b.service: manage.py tidy_up finns inte"
    ]


def test_the_shipped_units_point_at_files_of_a_real_install_tree(tmp_path):
    """The deploy folder's units against a tree of this checkout (the venv stands in)."""
    code = tmp_path / "srv/statsbidrag"
    code.mkdir(parents=True)
    for name in os.listdir(ROOT):
        if name not in (".venv", "var"):
            (code / name).symlink_to(ROOT / name)
    (code / ".venv").symlink_to(ROOT / ".venv")
    (tmp_path / "etc/statsbidrag").mkdir(parents=True)
    (tmp_path / "etc/statsbidrag/env").write_text("")
    for unit in sorted((ROOT / "deploy").glob("*.service")):
        assert deploy_check.unit_problems(unit.name, unit.read_text(), tmp_path) == []


@pytest.mark.skipif(not shutil.which("nginx"), reason="nginx: make deploy-check-packages")
def test_nginx_accepts_the_shipped_site_and_refuses_http2_on_before_1_25(tmp_path):
    """Debian 12's nginx 1.22 takes `listen … ssl http2`; `http2 on;` (1.25.1) broke it."""
    site = (ROOT / "deploy/nginx.conf").read_text()
    assert deploy_check.nginx_accepts_site(site, tmp_path / "ok").startswith("nginx version")
    if "nginx/1.22" in deploy_check.run(["nginx", "-v"]).stderr:
        broken = site.replace("listen 443 ssl http2;", "listen 443 ssl;\n    http2 on;")
        with pytest.raises(deploy_check.CheckFailed, match='unknown directive "http2"'):
            deploy_check.nginx_accepts_site(broken, tmp_path / "broken")
