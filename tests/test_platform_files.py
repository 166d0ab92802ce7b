"""The deployment files in platform/ agree with the settings and with the tested production
shape (scripts/serve-prod): no Docker engine or systemd runs here, so these checks are what
keeps the container and service files honest.

- every environment variable the settings read is documented in platform/env.example, and
  env.example holds nothing stale and nothing systemd would misread;
- env.example as it stands (with a real SECRET_KEY) passes `check --deploy`;
- platform/ledenstem-run (the image's entrypoint, the systemd units' ExecStart) runs gunicorn,
  uvicorn and huey with serve-prod's flags and per-process database settings;
- compose.yaml sets only variables the settings read, runs each role through ledenstem-run
  and matches the proxy's upstreams; the systemd units and the Dockerfile are wired the same;
- the compose proxy's nginx routing equals nginx/ledenstem.conf's;
- requirements-prod.lock pins exactly requirements.lock's versions, without the dev tools.
"""

import ast
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import skip_or_fail

REPO_ROOT = Path(__file__).resolve().parents[1]
PLATFORM = REPO_ROOT / "platform"
SERVE_PROD = REPO_ROOT / "scripts" / "serve-prod"
RUN_SCRIPT = PLATFORM / "ledenstem-run"
ENV_EXAMPLE = PLATFORM / "env.example"
COMPOSE = PLATFORM / "compose.yaml"
SYSTEMD = PLATFORM / "systemd"
NGINX_SITE = PLATFORM / "nginx" / "ledenstem.conf"
NGINX_COMPOSE = PLATFORM / "nginx" / "compose.conf.template"
NGINX_LOCAL = PLATFORM / "nginx" / "ledenstem.conf.template"
# Where the project reads its environment.
SOURCE_DIRS = ["config", "meetings", "ballots", "members", "faq"]
# Flags whose value depends on where the process runs (loopback, container, systemd runtime
# directory); they must be present on both sides, their values may differ.
PLACE_FLAGS = {"--bind", "--host", "--port", "--forwarded-allow-ips", "--control-socket"}


# --- Which variables the settings read ------------------------------------------------------
def _is_environ(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def _env_helpers() -> set[str]:
    """Functions of config/env.py that read os.environ with their first parameter as the name
    (env_bool, env_list, ... and any helper added later)."""
    helpers = set()
    for function in ast.walk(ast.parse((REPO_ROOT / "config" / "env.py").read_text())):
        if not isinstance(function, ast.FunctionDef) or not function.args.args:
            continue
        first = function.args.args[0].arg
        for node in ast.walk(function):
            if (
                isinstance(node, ast.Call)
                and _environ_read_argument(node) is not None
                and isinstance(_environ_read_argument(node), ast.Name)
                and _environ_read_argument(node).id == first
            ):
                helpers.add(function.name)
    return helpers


def _environ_read_argument(node: ast.AST) -> ast.AST | None:
    """The name argument of os.environ.get(...), os.getenv(...) or os.environ[...]."""
    if isinstance(node, ast.Call) and node.args:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "get" and _is_environ(func.value):
            return node.args[0]
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "getenv"
            and isinstance(func.value, ast.Name)
            and func.value.id == "os"
        ):
            return node.args[0]
    if isinstance(node, ast.Subscript) and _is_environ(node.value):
        return node.slice
    return None


def variables_read_by_the_project() -> dict[str, str]:
    """{name: file} of every environment variable the project's code reads. A read whose name
    is not a literal fails here: nobody could document it."""
    helpers = _env_helpers()
    found: dict[str, str] = {}
    unreadable = []
    files = [REPO_ROOT / "manage.py"] + [
        path
        for directory in SOURCE_DIRS
        for path in sorted((REPO_ROOT / directory).rglob("*.py"))
        if "migrations" not in path.parts and path.name != "settings_test.py"
    ]
    for path in files:
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            argument = _environ_read_argument(node)
            if argument is None and isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if name in helpers and node.args:
                    argument = node.args[0]
            if argument is None:
                continue
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                found.setdefault(argument.value, str(path.relative_to(REPO_ROOT)))
            elif not (path.name == "env.py" and isinstance(argument, ast.Name)):
                unreadable.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}")
    assert not unreadable, f"environment reads with a computed name: {unreadable}"
    return found


def test_the_scan_finds_the_variables_it_must():
    read = variables_read_by_the_project()
    assert {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"} <= set(read)
    assert {"env_bool", "env_list"} <= _env_helpers()
    assert len(read) >= 25, sorted(read)


# --- env.example ---------------------------------------------------------------------------
ASSIGNMENT = re.compile(r"^(#\s?)?([A-Z][A-Z0-9_]*)=(.*)$")


def env_example() -> tuple[dict[str, str], set[str]]:
    """(active variables as systemd's EnvironmentFile reads them, commented-out defaults)."""
    active, documented = {}, set()
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = ASSIGNMENT.match(line.strip())
        if not match:
            continue
        documented.add(match.group(2))
        if not match.group(1):
            active[match.group(2)] = match.group(3).strip()
    return active, documented


def run_script_variables() -> set[str]:
    text = RUN_SCRIPT.read_text()
    return set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)(?::-|:\?|\})", text))


def compose_interpolated() -> set[str]:
    return set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", COMPOSE.read_text())) | {"COMPOSE_PROFILES"}


def test_every_variable_the_settings_read_is_in_env_example():
    _active, documented = env_example()
    missing = {name: where for name, where in variables_read_by_the_project().items()}
    missing = {
        name: where
        for name, where in missing.items()
        if name not in documented and name != "DJANGO_SETTINGS_MODULE"
    }
    assert not missing, f"read by the code, missing from platform/env.example: {missing}"


def test_env_example_holds_nothing_unknown():
    _active, documented = env_example()
    known = set(variables_read_by_the_project()) | run_script_variables() | compose_interpolated()
    assert documented - known == set()


def test_env_example_is_read_the_same_by_systemd_and_compose():
    """systemd's EnvironmentFile keeps an inline "# comment" as part of the value (compose strips
    it): DEBUG=0  # note would be the value '0  # note'. Quotes and $ differ between the two too."""
    active, _documented = env_example()
    for name, value in active.items():
        assert " #" not in value and "\t#" not in value, f"{name}: comment on the value's line"
        assert "$" not in value, f"{name}: compose would expand $ in .env, systemd would not"
        assert not value.startswith(("'", '"')), f"{name}: quotes are read differently"


def test_env_example_with_a_real_secret_key_passes_check_deploy(tmp_path):
    """The environment an operator gets by filling in env.example is deploy-clean: DEBUG=0,
    HTTPS=1, TRUSTED_PROXY_COUNT=1, PostgreSQL and Redis URLs, SMTP mail. Nothing connects:
    `check` does not touch the database or Redis."""
    active, _documented = env_example()
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env.update(active)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY=secrets.token_urlsafe(64),
        LEDENSTEM_VAR_DIR=str(tmp_path / "var"),
        MEDIA_ROOT=str(tmp_path / "media"),
        STATIC_ROOT=str(tmp_path / "static"),
    )
    assert env["DEBUG"] == "0" and env["HTTPS"] == "1" and env["TRUSTED_PROXY_COUNT"] == "1"
    assert env["DATABASE_URL"].startswith("postgres://") and env["REDIS_URL"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


# --- The commands: ledenstem-run against serve-prod ----------------------------------------
def shell_commands(path: Path) -> list[list[str]]:
    """The script's simple commands, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n\s*", " ", path.read_text())
    commands = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            commands.append(shlex.split(line, comments=True))
        except ValueError:  # an unbalanced quote in a heredoc or case pattern: not a command
            continue
    return commands


PROGRAMS = {  # role -> (the program word, the word after it)
    "web": ("gunicorn", "config.wsgi:application"),
    "ws": ("uvicorn", "config.asgi:application"),
    "worker": ("manage.py", "run_huey"),
}


def command_of(path: Path, role: str) -> tuple[dict[str, str], list[str]]:
    """(VAR=value assignments before it, its arguments) of the one command of `role`."""
    program, target = PROGRAMS[role]
    found = [
        (words, index)
        for words in shell_commands(path)
        for index in range(len(words) - 1)
        if words[index].endswith(program) and words[index + 1] == target
    ]
    assert len(found) == 1, f"{path.name}: {len(found)} commands run {program} {target}"
    words, index = found[0]
    env = dict(w.split("=", 1) for w in words[:index] if re.match(r"^[A-Z_]+=", w))
    return env, words[index + 2 :]


def flags(arguments: list[str]) -> dict[str, str | None]:
    result: dict[str, str | None] = {}
    position = 0
    while position < len(arguments):
        word = arguments[position]
        if word.startswith("--"):
            value = None
            if position + 1 < len(arguments) and not arguments[position + 1].startswith("--"):
                value = arguments[position + 1]
                position += 1
            result[word] = value
        else:
            result.setdefault("<positional>", "")
            result["<positional>"] = (result["<positional>"] + " " + word).strip()
        position += 1
    return result


def exports_of_role(role: str) -> dict[str, str]:
    """VAR=value exported in ledenstem-run's branch for `role`."""
    branch = re.search(rf"^  {role}\)\n(.*?)^    ;;", RUN_SCRIPT.read_text(), re.M | re.S)
    assert branch, f"no '{role})' branch in ledenstem-run"
    exports = {}
    for line in branch.group(1).splitlines():
        line = line.strip()
        if line.startswith("export "):
            for word in shlex.split(line)[1:]:
                name, _, value = word.partition("=")
                exports[name] = value
    return exports


@pytest.mark.parametrize("role", sorted(PROGRAMS))
def test_ledenstem_run_uses_serve_prods_flags(role):
    program = PROGRAMS[role][0]
    prod_env, prod_args = command_of(SERVE_PROD, role)
    _run_env, run_args = command_of(RUN_SCRIPT, role)
    prod_flags, run_flags = flags(prod_args), flags(run_args)
    assert prod_flags.keys() == run_flags.keys()
    for flag, value in prod_flags.items():
        if flag not in PLACE_FLAGS:
            assert run_flags[flag] == value, f"{program} {flag}: {run_flags[flag]} != {value}"
    # The database settings per process: pool for ASGI, kept connections for gunicorn.
    assert exports_of_role(role) == prod_env


def test_ledenstem_run_defaults_match_serve_prod():
    def defaults(path):
        return dict(
            re.findall(r"^\s*(?:export )?([A-Z_]+)=\$\{\1:-([^}]*)\}", path.read_text(), re.M)
        )

    prod, run = defaults(SERVE_PROD), defaults(RUN_SCRIPT)
    for name in ("WSGI_PORT", "WSGI_WORKERS", "WSGI_THREADS", "ASGI_PORT"):
        assert run[name] == prod[name], name


def test_scripts_are_executable_and_parse():
    for script in (RUN_SCRIPT, PLATFORM / "nginx" / "compose-tls.sh"):
        assert os.access(script, os.X_OK), f"{script.name} is not executable (chmod +x)"
    result = subprocess.run(["bash", "-n", str(RUN_SCRIPT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    result = subprocess.run(
        ["sh", "-n", str(PLATFORM / "nginx" / "compose-tls.sh")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


# --- compose.yaml ----------------------------------------------------------------------------
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def app_services() -> dict[str, dict]:
    return {
        name: service
        for name, service in compose()["services"].items()
        if service.get("build", {}).get("target") == "app"
    }


def test_compose_sets_only_variables_the_settings_read():
    read = set(variables_read_by_the_project())
    services = app_services()
    assert set(services) == {"migrate", "web", "ws-1", "ws-2", "worker"}
    for name, service in services.items():
        environment = service.get("environment", {})
        names = (
            set(environment)
            if isinstance(environment, dict)
            else {item.split("=", 1)[0] for item in environment}
        )
        assert names - read == set(), f"{name} sets variables no setting reads"
        assert service["env_file"] == [".env"]
        assert "ports" not in service, f"{name} must be reachable through the proxy only"
        assert environment["TRUSTED_PROXY_COUNT"] == "1"
        mounts = {volume.split(":")[1] for volume in service["volumes"]}
        assert {"/var/lib/ledenstem", "/var/lib/ledenstem/media"} <= mounts
        assert environment["LEDENSTEM_VAR_DIR"] == "/var/lib/ledenstem"
        assert environment["MEDIA_ROOT"] == "/var/lib/ledenstem/media"


def test_compose_runs_each_role_through_ledenstem_run():
    services = app_services()
    assert services["web"]["command"] == ["web"]
    assert services["worker"]["command"] == ["worker"]
    assert services["migrate"]["command"] == ["migrate"]
    upstream = re.search(r"upstream ledenstem_asgi \{(.*?)\}", NGINX_COMPOSE.read_text(), re.S)
    proxied = set(re.findall(r"server ([\w-]+:\d+)", upstream.group(1)))
    ws = {name: s for name, s in services.items() if name.startswith("ws-")}
    assert len(ws) == 2  # as serve-prod's default ASGI_WORKERS
    assert proxied == {f"{name}:{s['command'][1]}" for name, s in ws.items()}
    for service in ws.values():
        assert service["command"][0] == "ws"
        assert service["healthcheck"]["test"][-2:] == ["healthcheck", service["command"][1]]
    wsgi = re.search(r"upstream ledenstem_wsgi \{(.*?)\}", NGINX_COMPOSE.read_text(), re.S)
    assert "server web:8001" in wsgi.group(1)
    assert services["web"]["healthcheck"]["test"][-2:] == ["healthcheck", "8001"]
    dockerfile = (PLATFORM / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["/app/platform/ledenstem-run"]' in dockerfile
    for name in ("web", "ws-1", "ws-2", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )


def test_compose_proxy_publishes_tls_and_reads_media_read_only():
    proxy = compose()["services"]["proxy"]
    assert set(proxy["ports"]) == {"80:80", "443:443"}
    assert "media:/var/lib/ledenstem/media:ro" in proxy["volumes"]
    assert proxy["build"]["target"] == "proxy"


def test_dockerfile_is_slim_non_root_and_installs_the_locked_production_set():
    text = (PLATFORM / "Dockerfile").read_text()
    assert re.search(r"python:3\.1[2-9]-slim", text)
    user = re.findall(r"^USER (\S+)", text, re.M)
    assert user and all(u.split(":")[0] not in ("0", "root") for u in user)
    assert "--require-hashes" in text and "requirements-prod.lock" in text
    assert "collectstatic" in text
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "fonts-dejavu-core"):
        assert package in text
    ignored = (REPO_ROOT / ".dockerignore").read_text().split()
    assert {".git", ".env", ".venv", "var"} <= set(ignored)


# --- systemd -----------------------------------------------------------------------------------
def unit(name: str) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for line in (SYSTEMD / name).read_text().splitlines():
        if "=" in line and not line.startswith(("#", ";", "[")):
            key, _, value = line.partition("=")
            values.setdefault(key.strip(), []).append(value.strip())
    return values


SERVICES = {
    "ledenstem-web.service": "web",
    "ledenstem-ws@.service": "ws %i",
    "ledenstem-worker.service": "worker",
}


@pytest.mark.parametrize("name", [*SERVICES, "ledenstem-migrate.service"])
def test_systemd_units_run_ledenstem_run_as_an_unprivileged_hardened_user(name):
    values = unit(name)
    assert values["User"] == ["ledenstem"]
    assert values["EnvironmentFile"] == ["/etc/ledenstem/env"]
    for key, expected in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "PrivateTmp": "yes",
        "ProtectHome": "yes",
        "CapabilityBoundingSet": "",
    }.items():
        assert values.get(key) == [expected], key
    assert "ledenstem" in values["StateDirectory"]
    for command in values["ExecStart"]:
        assert command.startswith("/opt/ledenstem/platform/ledenstem-run ")
    if name in SERVICES:
        assert values["ExecStart"] == [f"/opt/ledenstem/platform/ledenstem-run {SERVICES[name]}"]
        assert values["Requires"] == ["ledenstem-migrate.service"]
        assert values["PartOf"] == ["ledenstem.target"]
        # Restarted like scripts/serve-prod restarts a process that dies (the fault tests).
        assert values["Restart"] == ["always"]


def test_systemd_target_starts_the_ws_ports_nginx_proxies_to():
    wants = " ".join(unit("ledenstem.target")["Wants"]).split()
    ports = {w.removeprefix("ledenstem-ws@").removesuffix(".service") for w in wants if "ws@" in w}
    upstream = re.search(r"upstream ledenstem_asgi \{(.*?)\}", NGINX_SITE.read_text(), re.S)
    assert ports == set(re.findall(r"^\s*server 127\.0\.0\.1:(\d+);", upstream.group(1), re.M))
    assert {"ledenstem-web.service", "ledenstem-worker.service"} <= set(wants)


def test_systemd_analyze_verify_accepts_the_units(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        skip_or_fail("systemd-analyze not found (apt-get install systemd)")
    # verify wants the ExecStart program to exist: point the units at this checkout.
    for path in SYSTEMD.iterdir():
        text = path.read_text().replace("/opt/ledenstem", str(REPO_ROOT))
        (tmp_path / path.name).write_text(text)
    (tmp_path / "ledenstem-ws@8101.service").write_text(
        (tmp_path / "ledenstem-ws@.service").read_text()
    )
    names = [p.name for p in tmp_path.iterdir() if p.name != "ledenstem-ws@.service"]
    result = subprocess.run(
        [analyze, "verify", "--man=no", *names],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    problems = [
        line
        for line in (result.stderr + result.stdout).splitlines()
        if line.strip() and "ledenstem" in line
    ]
    assert result.returncode == 0 and not problems, result.stderr + result.stdout


# --- nginx: the compose proxy routes like the real-server site file --------------------------
def nginx_blocks(text: str) -> list:
    """A tiny parser: [(directive words, children or None)], comments and quotes handled;
    envsubst placeholders (${NAME}) become plain words."""
    text = re.sub(r"\$\{([A-Z_]+)\}", r"@\1@", text)
    tokens, word, quote, comment = [], "", None, False
    for char in text:
        if comment:
            comment = char != "\n"
            continue
        if quote:
            word += char
            if char == quote:
                quote = None
            continue
        if char in "\"'":
            quote = char
            word += char
        elif char == "#":
            comment = True
        elif char.isspace() or char in "{};":
            if word:
                tokens.append(word)
                word = ""
            if char in "{};":
                tokens.append(char)
        else:
            word += char

    def parse(position: int) -> tuple[list, int]:
        items, words = [], []
        while position < len(tokens):
            token = tokens[position]
            position += 1
            if token == ";":
                if words:
                    items.append((tuple(words), None))
                words = []
            elif token == "{":
                children, position = parse(position)
                items.append((tuple(words), children))
                words = []
            elif token == "}":
                return items, position
            else:
                words.append(token)
        return items, position

    return parse(0)[0]


def tls_server(items: list) -> list:
    servers = [children for words, children in items if words == ("server",)]
    return next(c for c in servers if any(w[:2] == ("listen", "443") for w, _ in c))


def comparable(children: list, *, skip: set[str]) -> list:
    result = []
    for words, grandchildren in children:
        if words[0] in skip:
            continue
        result.append((words, comparable(grandchildren, skip=skip) if grandchildren else None))
    return result


def test_compose_proxy_routes_like_the_site_file():
    site, proxied = nginx_blocks(NGINX_SITE.read_text()), nginx_blocks(NGINX_COMPOSE.read_text())
    # Server-level settings that depend on the place: names, certificates, log files, and
    # http2 (a listen flag on Debian 12's nginx 1.22, a directive from nginx 1.25).
    place = {"listen", "server_name", "ssl_certificate", "ssl_certificate_key", "access_log",
             "error_log", "http2", "alias"}  # fmt: skip
    assert comparable(tls_server(site), skip=place) == comparable(tls_server(proxied), skip=place)

    def top(items):
        return {
            w for w, c in items if c is None and w[0] in ("client_max_body_size", "server_tokens")
        }

    assert top(site) == top(proxied) == {("client_max_body_size", "21m"), ("server_tokens", "off")}
    for name in ("ledenstem_asgi", "ledenstem_wsgi"):

        def policy(items, name=name):
            upstream = next(c for w, c in items if w == ("upstream", name))
            return {w for w, _ in upstream if w[0] in ("least_conn", "keepalive")}

        assert policy(site) == policy(proxied), name


def test_local_shape_has_the_same_locations_and_limits():
    """serve-prod's nginx (plain http, tested end to end) has the TLS files' locations."""
    local = nginx_blocks(NGINX_LOCAL.read_text())
    http = next(c for w, c in local if w == ("http",))
    server = next(c for w, c in http if w == ("server",))
    site_server = tls_server(nginx_blocks(NGINX_SITE.read_text()))

    def locations(children):
        return {w[1:]: c for w, c in children if w[0] == "location"}

    assert set(locations(server)) == set(locations(site_server))
    for path in (("/ws/",), ("/",)):
        timeouts = {
            w for w, _ in locations(server)[path] if w[0].startswith("proxy_") and "timeout" in w[0]
        }
        assert timeouts == {
            w
            for w, _ in locations(site_server)[path]
            if w[0].startswith("proxy_") and "timeout" in w[0]
        }
    assert ("client_max_body_size", "21m") in {w for w, _ in http}


# --- requirements-prod.lock --------------------------------------------------------------------
def pins(path: Path) -> dict[str, str]:
    return dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", path.read_text(), re.M))


def test_production_lock_pins_the_tested_versions_without_dev_tools():
    full, production = (
        pins(REPO_ROOT / "requirements.lock"),
        pins(REPO_ROOT / "requirements-prod.lock"),
    )
    drift = {name: (version, full.get(name)) for name, version in production.items()
             if full.get(name) != version}  # fmt: skip
    assert not drift, f"requirements-prod.lock differs from requirements.lock: {drift}"
    assert {"django", "gunicorn", "uvicorn", "weasyprint", "psycopg", "huey"} <= set(production)
    assert not {"pytest", "playwright", "hypothesis", "ruff", "matplotlib"} & set(production)
    lines = (REPO_ROOT / "requirements-prod.lock").read_text().splitlines()
    for number, line in enumerate(lines):
        if re.match(r"^[A-Za-z0-9_.-]+==", line):
            assert lines[number + 1].lstrip().startswith("--hash=sha256:"), f"no hash: {line}"
    with (REPO_ROOT / "pyproject.toml").open("rb") as handle:
        import tomllib

        declared = tomllib.load(handle)["project"]["dependencies"]
    for requirement in declared:
        name = re.split(r"[\[<>=!~ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")
        assert name in {n.lower() for n in production}, f"{name} is not in requirements-prod.lock"
