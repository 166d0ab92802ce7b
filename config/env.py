"""Reading settings from the environment: small parsers, each with a clear error.

Kept apart from settings.py so the parsing rules can be tested without reloading settings.
"""

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse, urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false).")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# Where a development server (DEBUG on) is reached when SITE_URL is not given.
DEVELOPMENT_SITE_URL = "http://127.0.0.1:8000"


def site_url(debug: bool) -> str:
    """SITE_URL, the site's public address (scheme://host[:port], no trailing slash): every
    absolute link is made from it, in emails and in the signed result document, where a wrong
    one stays forever. So with DEBUG off it must be given; guessing (it used to default to
    http://127.0.0.1:8000) froze that address into documents served from elsewhere."""
    raw = os.environ.get("SITE_URL", "").strip()
    if not raw:
        if debug:
            return DEVELOPMENT_SITE_URL
        raise ImproperlyConfigured(
            "SITE_URL is not set. It is the site's public address, e.g. "
            "SITE_URL=https://stem.vereniging.nl, from which every link in emails and in "
            "signed result documents is made; with DEBUG off it must be set "
            "(make run sets it from HOST and PORT; see platform/env.example)."
        )
    parts = urlsplit(raw.rstrip("/"))
    try:
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError:
        parts = parts._replace(scheme="")
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path:
        raise ImproperlyConfigured(
            f"SITE_URL={raw!r} is not a site address: use scheme://host[:port] without a "
            "path, e.g. https://stem.vereniging.nl or http://127.0.0.1:8000."
        )
    if parts.query or parts.fragment or parts.username:
        raise ImproperlyConfigured(f"SITE_URL={raw!r} may not have a query, fragment or user.")
    return raw.rstrip("/")


def secret_key(var_dir: Path) -> str:
    """SECRET_KEY from the environment, or one generated once and kept in var/.

    Generating it once (rather than per start) keeps sessions valid across restarts of the
    embedded default; production sets SECRET_KEY explicitly.
    """
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    key_file = var_dir / "secret_key"
    if not key_file.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        write_private_file(key_file, secrets.token_urlsafe(64).encode())
    return key_file.read_text().strip()


def write_private_file(path: Path, data: bytes) -> bool:
    """Create `path` readable by its owner only, atomically: never readable by others, not even
    for a moment, and never seen half-written by a process starting at the same time (all
    workers of a first start generate a key). False if another process created it first:
    its content stands."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        return True
    finally:
        temporary.unlink(missing_ok=True)


def mailers_from_url(url: str) -> dict:
    """Django 6.1's MAILERS setting from an EMAIL_URL.

    Supported: console://, locmem://, dummy://, file:///path, smtp://user:pass@host:port
    (STARTTLS with ?tls=1, the default on port 587) and smtps://... (implicit TLS).
    """
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    simple = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "dummy": "django.core.mail.backends.dummy.EmailBackend",
    }
    if scheme in simple:
        return {"default": {"BACKEND": simple[scheme]}}
    if scheme == "file":
        if not parsed.path:
            raise ImproperlyConfigured("EMAIL_URL file:// needs a directory, e.g. file:///var/mail")
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "OPTIONS": {"file_path": parsed.path},
            }
        }
    if scheme in {"smtp", "smtps"}:
        if not parsed.hostname:
            raise ImproperlyConfigured(f"EMAIL_URL {scheme}:// needs a host name.")
        query = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
        use_ssl = scheme == "smtps"
        port = parsed.port or (465 if use_ssl else 587)
        use_tls = not use_ssl and query.get("tls", "1" if port == 587 else "0") in TRUE_WORDS
        options = {
            "host": parsed.hostname,
            "port": port,
            "use_tls": use_tls,
            "use_ssl": use_ssl,
            "timeout": int(query.get("timeout", "20")),
        }
        if parsed.username:
            options["username"] = unquote(parsed.username)
            options["password"] = unquote(parsed.password or "")
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": options,
            }
        }
    raise ImproperlyConfigured(
        f"EMAIL_URL scheme {scheme!r} is not supported "
        "(use console, locmem, dummy, file, smtp or smtps)."
    )
