"""Test settings: the real settings, minus what only makes sense behind TLS, plus speed."""

import os

# The test client's own address (http://testserver). In the environment, because the settings
# refuse to start without SITE_URL when DEBUG is off, and so that the processes tests start
# (manage.py, serve-prod) have one too; tests of another address override SITE_URL.
os.environ["SITE_URL"] = "http://testserver"

from config.settings import *  # noqa: F403

# The test client and the browser tests' live server speak plain http.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
# PBKDF2 at full strength costs ~1 s per hash; tests hash thousands of times.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Rate limits stay on (they are tested), but generous enough for a test that logs in often.
# Tasks run in the test's own thread, synchronously, without a queue.
HUEY = {**HUEY, "immediate": True}  # noqa: F405
