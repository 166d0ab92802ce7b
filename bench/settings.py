"""The project's settings, unchanged, plus the bench's two baseline views (bench/urls.py).

Only `python -m bench` runs the servers with DJANGO_SETTINGS_MODULE=bench.settings; production
never mounts these URLs. Everything else (middleware, sessions, CSRF, HTTPS rules) is exactly
config.settings as the environment sets it.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
