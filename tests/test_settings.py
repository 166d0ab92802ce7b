"""Settings from the environment, the production check, and the platform/ folder rule."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, mailers_from_url, site_url

REPO_ROOT = Path(__file__).resolve().parents[1]

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "stem.vereniging.example",
    "SITE_URL": "https://stem.vereniging.example",
    "EMAIL_URL": "smtp://mailer:secret@smtp.vereniging.example:587",
}


def run_manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_check_deploy_refuses_console_mail_in_production():
    env = {**PRODUCTION_ENV, "EMAIL_URL": "console://"}
    result = run_manage("check", "--deploy", env=env)
    assert result.returncode != 0
    assert "mail.E001" in result.stderr


def test_smtp_url_becomes_mailers_setting():
    mailers = mailers_from_url("smtp://user%40x:p%3Ass@smtp.example.nl:587")
    assert mailers == {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": "smtp.example.nl",
                "port": 587,
                "use_tls": True,
                "use_ssl": False,
                "timeout": 20,
                "username": "user@x",
                "password": "p:ss",
            },
        }
    }
    assert mailers_from_url("smtps://smtp.example.nl")["default"]["OPTIONS"]["port"] == 465
    assert mailers_from_url("console://")["default"]["BACKEND"].endswith("console.EmailBackend")


@pytest.mark.parametrize("url", ["carrier-pigeon://x", "smtp://", "file://"])
def test_bad_email_url_is_a_clear_configuration_error(url):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        mailers_from_url(url)


def test_boolean_variables_refuse_nonsense(monkeypatch):
    monkeypatch.setenv("DEBUG", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env_bool("DEBUG", False)


def settings_seen_by_a_fresh_process(env: dict, *expressions: str) -> list[str]:
    """Each expression about `s` (django.conf.settings) as a new process with `env` sees it."""
    script = "from django.conf import settings as s; print(" + ", ".join(expressions) + ")"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        cwd=REPO_ROOT,
        env={"DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_embedded_default_uses_sqlite_and_in_memory_layer_without_variables(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", LEDENSTEM_VAR_DIR=str(tmp_path))
    assert settings_seen_by_a_fresh_process(
        env,
        "s.DATABASES['default']['ENGINE']",
        "s.CHANNEL_LAYERS['default']['BACKEND']",
        "s.CACHES['default']['BACKEND']",
        "s.LANGUAGE_CODE",
        "s.TIME_ZONE",
    ) == [
        "django.db.backends.sqlite3",
        "channels.layers.InMemoryChannelLayer",
        "django.core.cache.backends.locmem.LocMemCache",
        "nl",
        "Europe/Amsterdam",
    ]
    assert (tmp_path / "secret_key").exists()  # generated once for the embedded default


def test_redis_url_switches_channel_layer_and_cache():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "REDIS_URL": "redis://127.0.0.1:6379/9",
    }
    assert settings_seen_by_a_fresh_process(
        env, "s.CHANNEL_LAYERS['default']['BACKEND']", "s.CACHES['default']['BACKEND']"
    ) == [
        "channels_redis.core.RedisChannelLayer",
        "config.cache.SharedClientRedisCache",
    ]


def test_platform_folder_holds_no_python():
    platform_dir = REPO_ROOT / "platform"
    assert platform_dir.is_dir()
    assert not list(platform_dir.rglob("*.py"))


def test_standard_library_is_not_shadowed_from_the_repository_root():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import uuid, platform; print(platform.system(), uuid.uuid4().version)",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[1] == "4"


def test_generated_secrets_are_private_and_one_per_machine(tmp_path):
    """Keys were written, then chmod-ed (readable by others for a moment), and workers
    starting together could each write their own."""
    import stat
    from concurrent.futures import ThreadPoolExecutor

    from config.env import secret_key

    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: secret_key(tmp_path), range(8)))
    assert len(keys) == 1
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no temporary files left


# --- SITE_URL: one address for every absolute link ------------------------------------------


def test_production_refuses_to_start_without_site_url():
    """It defaulted to http://127.0.0.1:8000, and that address went into emails and signed
    documents of a site served elsewhere."""
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "SITE_URL"}
    result = run_manage("check", env={**env, "SITE_URL": ""})
    assert result.returncode != 0
    assert "ImproperlyConfigured: SITE_URL is not set" in result.stderr


@pytest.mark.parametrize(
    "raw",
    ["stem.vereniging.nl", "ftp://stem.vereniging.nl", "https://x.nl/ledenstem", "http://x:port"],
)
def test_site_url_must_be_scheme_host_and_port(monkeypatch, raw):
    monkeypatch.setenv("SITE_URL", raw)
    with pytest.raises(ImproperlyConfigured, match="SITE_URL"):
        site_url(debug=False)


def test_site_url_is_kept_without_trailing_slash_and_defaults_only_for_debug(monkeypatch):
    monkeypatch.setenv("SITE_URL", "https://stem.vereniging.nl:8443/")
    assert site_url(debug=False) == "https://stem.vereniging.nl:8443"
    monkeypatch.delenv("SITE_URL")
    assert site_url(debug=True) == "http://127.0.0.1:8000"
    with pytest.raises(ImproperlyConfigured, match="SITE_URL is not set"):
        site_url(debug=False)
