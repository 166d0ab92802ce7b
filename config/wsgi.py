"""WSGI entry point: plain HTTP in production (gunicorn), see platform/ and STACK.md."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Import every view now, not on a worker's first request: with gunicorn --preload the master
# holds them and a recycled worker starts as a fork (the bench saw ~1.7 s of CPU per worker
# restart, mostly importing the URLconf with WeasyPrint, pyHanko and Markdown behind it).
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018
