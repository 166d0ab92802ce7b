"""What machine a figure came from: recorded with every result."""

import os
import platform
import sys
from importlib import metadata

PACKAGES = (
    "django",
    "weasyprint",
    "pyhanko",
    "channels",
    "channels-redis",
    "psycopg",
    "gunicorn",
    "uvicorn",
    "websockets",
    "matplotlib",
    "redis",
)


def describe() -> dict:
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            cpu = next(
                line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    memory_gb = None
    try:
        with open("/proc/meminfo") as meminfo:
            kb = int(next(line.split()[1] for line in meminfo if line.startswith("MemTotal")))
            memory_gb = round(kb / 1024 / 1024, 1)
    except (OSError, StopIteration, ValueError):
        pass
    versions = {}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "versions": versions,
        # The knobs of the served stack a side-by-side run changes (scripts/serve-prod and
        # config.settings defaults when unset), so two results say what differed.
        "server_settings": {
            name: os.environ.get(name, default)
            for name, default in (
                ("DATABASE_PREPARE", "1"),
                ("WSGI_WORKERS", "4"),
                ("WSGI_THREADS", "2"),
                ("WS_DEFLATE", "0"),
            )
        },
    }


def services(database_url: str, redis_url: str) -> dict:
    """Versions of the servers the production shape runs on (nginx, PostgreSQL, Redis)."""
    import subprocess

    found = {}
    try:
        nginx = subprocess.run(["nginx", "-v"], capture_output=True, text=True, timeout=5)
        found["nginx"] = nginx.stderr.strip().split("/")[-1]
    except (OSError, subprocess.SubprocessError):
        found["nginx"] = None
    try:
        import psycopg

        with psycopg.connect(database_url) as conn:
            found["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
    except Exception:
        found["postgresql"] = None
    try:
        import redis

        client = redis.Redis.from_url(redis_url)
        found["redis"] = client.info("server").get("redis_version")
        client.close()
    except Exception:
        found["redis"] = None
    return found
