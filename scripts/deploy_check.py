"""The deployment check (make deploy-check, run by CI): the README's install, as far as a
machine without systemd can follow it.

- The service's lock (requirements.lock) installs with `pip install --require-hashes` into a
  venv made by the deployment's Python (Debian 12's /usr/bin/python3, 3.11.2), and
  `pip check` agrees. The venv is cached per lock and Python, so a rerun takes seconds.
- In a simulated install tree (`/srv/statsbidrag` with that venv, `/etc/statsbidrag/env` made
  from .env.example as the README says), `manage.py check --deploy` has no issues and gunicorn,
  started by the unit's own ExecStart line, answers /halsa/ and writes only JSON lines.
- `nginx -t` passes on the shipped site (deploy/nginx.conf) with a test certificate.
- Every Exec line of the systemd units points at files that exist in that tree, every
  `manage.py` command they run exists, and every timer has its service.
- Every environment variable the code reads is in .env.example and named in the README.

Standard library only: it runs with any Python 3.11. Exit status 1 when any check fails.
"""

import ast
import hashlib
import json
import os
import re
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTALL_DIR = "/srv/statsbidrag"
ENV_FILE = "/etc/statsbidrag/env"
WORK = ROOT / "var" / "deploy-check"
DEPLOY_PYTHON = os.environ.get("DEPLOY_PYTHON", "/usr/bin/python3")
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "statsbidrag"

# How the code reads the environment: env.str("X"), env("X"), os.environ.get("X"), …
_ENV_METHODS = {"str", "bool", "int", "float", "list", "path", "json", "dict", "tuple", "url"}
_ENV_METHODS |= {"db_url", "cache_url", "email_url", "search_url", "__call__"}


class CheckFailed(Exception):
    pass


# --- Pure parts (tested in tests/operations/test_deploy_check.py) ----------------------------


def variables_read(source: str) -> set[str]:
    """Names of the environment variables a Python source reads through django-environ's
    `env` object or os.environ / os.getenv."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and node.args:
            first = node.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            func = node.func
            if isinstance(func, ast.Name) and func.id == "env":
                names.add(first.value)
            elif isinstance(func, ast.Attribute):
                owner = func.value
                if isinstance(owner, ast.Name) and owner.id == "env" and func.attr in _ENV_METHODS:
                    names.add(first.value)
                elif _is_os_environ(owner) and func.attr in ("get", "setdefault", "pop"):
                    names.add(first.value)
                elif isinstance(owner, ast.Name) and owner.id == "os" and func.attr == "getenv":
                    names.add(first.value)
        elif isinstance(node, ast.Subscript) and _is_os_environ(node.value):
            key = node.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                names.add(key.value)
    return names - {"DJANGO_SETTINGS_MODULE"}


def _is_os_environ(node) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def undocumented(names: set[str], env_example: str, readme: str) -> list[str]:
    """Problems: names missing from .env.example (set or commented out) or the README."""
    problems = []
    for name in sorted(names):
        if not re.search(rf"^#?\s*{re.escape(name)}=", env_example, re.M):
            problems.append(f"{name} saknas i .env.example")
        if not re.search(rf"(?<![A-Z0-9_]){re.escape(name)}(?![A-Z0-9_])", readme):
            problems.append(f"{name} nämns inte i README.md")
    return problems


def exec_lines(unit: str) -> list[list[str]]:
    """The command lines of a systemd unit's Exec* settings, prefixes (-@:+!) removed."""
    commands = []
    for line in unit.splitlines():
        match = re.match(r"^(Exec(?:Start|StartPre|StartPost|Reload|Stop|StopPost))=(.*)$", line)
        if match:
            words = shlex.split(match.group(2))
            if words:
                words[0] = words[0].lstrip("-@:+!")
                commands.append(words)
    return commands


def unit_problems(name: str, unit: str, tree: Path) -> list[str]:
    """What a unit points at that does not exist in the install tree `tree` (a folder standing
    for /, holding srv/statsbidrag and etc/statsbidrag) or on this system."""

    def real(path: str) -> Path:
        if path.startswith((INSTALL_DIR + "/", "/etc/statsbidrag/")) or path == INSTALL_DIR:
            return tree / path.lstrip("/")
        return Path(path)

    problems = []
    settings = dict(re.findall(r"^(WorkingDirectory|EnvironmentFile)=-?(.*)$", unit, re.M))
    for key, value in settings.items():
        if not real(value).exists():
            problems.append(f"{name}: {key}={value} finns inte")
    for words in exec_lines(unit):
        program = real(words[0])
        if not (program.is_file() and os.access(program, os.X_OK)):
            problems.append(f"{name}: {words[0]} finns inte eller är inte körbar")
        for word in words[1:]:
            if word.startswith(INSTALL_DIR + "/") and not real(word).exists():
                problems.append(f"{name}: {word} finns inte")
        if "manage.py" in words:
            command = words[words.index("manage.py") + 1]
            code = real(settings.get("WorkingDirectory", INSTALL_DIR))
            if not list(code.glob(f"*/management/commands/{command}.py")):
                problems.append(f"{name}: manage.py {command} finns inte")
    return problems


def env_file_values(text: str) -> dict[str, str]:
    """KEY=value lines as systemd's EnvironmentFile reads them (comments and blanks skipped)."""
    values = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


# --- The checks ----------------------------------------------------------------------------


def run(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        # Without pip's notes on this machine's extra package folders.
        output = "\n".join(
            line
            for line in (result.stdout + result.stderr).splitlines()
            if not line.startswith("WARNING: Location")
        )
        raise CheckFailed(
            f"`{' '.join(map(str, command))}` gav {result.returncode}:\n{output[-3000:]}"
        )
    return result


def tracked_top_level() -> list[str]:
    files = run(["git", "ls-files"], cwd=ROOT).stdout.split()
    return sorted({name.split("/", 1)[0] for name in files})


def service_venv() -> Path:
    """The production venv made from requirements.lock by the deployment's Python, cached per
    lock and Python in ~/.cache/statsbidrag."""
    python = run([DEPLOY_PYTHON, "--version"]).stdout.split()[-1]
    lock = (ROOT / "requirements.lock").read_bytes()
    key = hashlib.sha256(lock + python.encode()).hexdigest()[:16]
    venv = CACHE / f"deploy-venv-{key}"
    if (venv / ".complete").is_file():
        print(f"     (venv från cachen: {venv.name})")
        return venv
    shutil.rmtree(venv, ignore_errors=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    run([DEPLOY_PYTHON, "-m", "venv", str(venv)])
    try:
        run(
            [venv / "bin" / "pip", "install", "--quiet", "--require-hashes"]
            + ["-r", ROOT / "requirements.lock"]
        )
        run([venv / "bin" / "pip", "check"])
    except CheckFailed:
        shutil.rmtree(venv, ignore_errors=True)
        raise
    (venv / ".complete").write_text(python)
    for old in CACHE.glob("deploy-venv-*"):
        if old != venv:
            shutil.rmtree(old, ignore_errors=True)
    return venv


def make_tree(venv: Path) -> Path:
    """/srv/statsbidrag (the tracked files and the venv) and /etc/statsbidrag/env under WORK."""
    tree = WORK / "root"
    shutil.rmtree(tree, ignore_errors=True)
    code = tree / INSTALL_DIR.lstrip("/")
    code.mkdir(parents=True)
    for name in tracked_top_level():
        (code / name).symlink_to(ROOT / name)
    (code / ".venv").symlink_to(venv)
    env = env_file_values((ROOT / ".env.example").read_text("utf-8"))
    # What the README says to fill in; SQLite and folders in the tree stand for the server's.
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"sqlite:///{tree}/var/lib/statsbidrag/db.sqlite3",
        FILES_ROOT=f"{tree}/var/lib/statsbidrag/files",
        BACKUP_DIR=f"{tree}/var/backups/statsbidrag",
        CACHE_URL="locmemcache://",
    )
    for folder in ("var/lib/statsbidrag/files", "var/backups/statsbidrag", "etc/statsbidrag"):
        (tree / folder).mkdir(parents=True, exist_ok=True)
    (tree / ENV_FILE.lstrip("/")).write_text(
        "".join(f"{key}={value}\n" for key, value in env.items())
    )
    return tree


def service_environment(tree: Path) -> dict:
    env = env_file_values((tree / ENV_FILE.lstrip("/")).read_text())
    # No developer's .env: only what systemd would pass.
    env["STATSBIDRAG_ENV_FILE"] = str(tree / "no-env-file")
    env["PATH"] = os.environ.get("PATH", "/usr/bin:/bin")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def check_deploy(tree: Path) -> None:
    code = tree / INSTALL_DIR.lstrip("/")
    run(
        [code / ".venv/bin/python", "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=code,
        env=service_environment(tree),
    )


def gunicorn_answers(tree: Path) -> str:
    """Start gunicorn with the service's ExecStart (one worker, a free port), ask /halsa/ as
    the proxy would, and check that every line it wrote is JSON."""
    code = tree / INSTALL_DIR.lstrip("/")
    unit = (ROOT / "deploy" / "statsbidrag.service").read_text()
    (command,) = [w for w in exec_lines(unit) if "gunicorn" in w[0]]
    command = [w.replace(INSTALL_DIR, str(code)) for w in command]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = WORK / "gunicorn.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            command + ["--bind", f"127.0.0.1:{port}", "--workers", "1"],
            cwd=code,
            env=service_environment(tree),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        status, body = None, ""
        for _ in range(60):
            if server.poll() is not None:
                break
            request = urllib.request.Request(
                # As the SSO callback is called: its code and state must reach no log line.
                f"http://127.0.0.1:{port}/halsa/?code=HEMLIG-KOD&state=HEMLIGT-TILLSTAND",
                headers={"Host": "statsbidrag.example.se", "X-Forwarded-Proto": "https"},
            )
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    status, body = response.status, response.read().decode()
            except urllib.error.HTTPError as error:
                status, body = error.code, error.read().decode()
            except OSError:
                time.sleep(0.5)
                continue
            break
    finally:
        server.terminate()
        server.wait(timeout=30)
    lines = log.read_text().splitlines()
    if status not in (200, 503):
        raise CheckFailed(f"/halsa/ svarade {status}:\n{body[:500]}\n" + "\n".join(lines[-20:]))
    not_json = [line for line in lines if not _is_json_object(line)]
    if not_json:
        raise CheckFailed("gunicorn skrev rader som inte är JSON:\n" + "\n".join(not_json[:10]))
    if leaked := [line for line in lines if "HEMLIG" in line]:
        raise CheckFailed("en kod eller ett tillstånd syns i loggen:\n" + "\n".join(leaked[:5]))
    return f"/halsa/ {status}, {len(lines)} loggrader, alla JSON, ingen kod"


def _is_json_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def nginx_accepts_site(site: str | None = None, folder: Path | None = None) -> str:
    """`nginx -t` on the site (deploy/nginx.conf unless given) with a test certificate."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise CheckFailed("nginx saknas (make deploy-check-packages installerar Debians nginx)")
    folder = folder or WORK / "nginx"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "tmp").mkdir(parents=True)
    run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"]
        + ["-subj", "/CN=statsbidrag.example.se", "-keyout", folder / "privkey.pem"]
        + ["-out", folder / "fullchain.pem"]
    )
    site = site if site is not None else (ROOT / "deploy" / "nginx.conf").read_text()
    site = site.replace("/etc/ssl/statsbidrag/", f"{folder}/")
    (folder / "site.conf").write_text(site)
    (folder / "nginx.conf").write_text(
        f"pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\nevents {{}}\nhttp {{\n"
        "    include /etc/nginx/mime.types;\n"
        f"    access_log off;\n    client_body_temp_path {folder}/tmp;\n"
        f"    include {folder}/site.conf;\n}}\n"
    )
    result = run([nginx, "-t", "-p", folder, "-c", folder / "nginx.conf"])
    version = run([nginx, "-v"]).stderr.strip()
    warnings = [line for line in result.stderr.splitlines() if "[warn]" in line]
    return version + (f"; varningar: {warnings}" if warnings else "")


def units_point_at_files(tree: Path) -> str:
    problems, units = [], sorted((ROOT / "deploy").glob("statsbidrag*.service"))
    for path in units:
        problems += unit_problems(path.name, path.read_text(), tree)
    for timer in sorted((ROOT / "deploy").glob("*.timer")):
        wanted = re.search(r"^Unit=(.*)$", timer.read_text(), re.M)
        service = wanted.group(1) if wanted else timer.with_suffix(".service").name
        if not (ROOT / "deploy" / service).is_file():
            problems.append(f"{timer.name}: {service} finns inte")
    if problems:
        raise CheckFailed("\n".join(problems))
    return f"{len(units)} enheter"


def variables_documented() -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    packages = [p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]]
    sources = [ROOT / "manage.py", *(ROOT / "deploy").glob("*.py")]
    for package in packages:
        sources += [p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts]
    names = set()
    for source in sources:
        names |= variables_read(source.read_text("utf-8"))
    problems = undocumented(
        names,
        (ROOT / ".env.example").read_text("utf-8"),
        (ROOT / "README.md").read_text("utf-8"),
    )
    if problems:
        raise CheckFailed("\n".join(problems))
    return f"{len(names)} variabler"


def main() -> int:
    failed = 0
    WORK.mkdir(parents=True, exist_ok=True)
    tree = None

    def step(title, check):
        nonlocal failed
        started = time.monotonic()
        try:
            detail = check()
        except (CheckFailed, OSError, subprocess.SubprocessError) as error:
            failed += 1
            print(f"FEL  {title} ({time.monotonic() - started:.1f} s)\n     {error}", flush=True)
            return None
        note = detail if isinstance(detail, str) else ""
        print(f"OK   {title} ({time.monotonic() - started:.1f} s) {note}".rstrip(), flush=True)
        return detail

    venv = step(
        f"requirements.lock med --require-hashes i en venv av {DEPLOY_PYTHON}", service_venv
    )
    if venv is not None:
        tree = make_tree(venv)
        step("check --deploy med miljön från .env.example", lambda: check_deploy(tree))
        step("gunicorn enligt enheten svarar, loggar JSON", lambda: gunicorn_answers(tree))
        step("systemd-enheternas Exec-rader pekar på filer", lambda: units_point_at_files(tree))
    step("nginx -t på deploy/nginx.conf", nginx_accepts_site)
    step("varje miljövariabel koden läser finns i .env.example och README", variables_documented)
    print("Driftsättningskontrollen: " + ("godkänd" if not failed else f"{failed} fel"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
