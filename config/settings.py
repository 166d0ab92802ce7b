"""Ledenstem settings: one module, driven by environment variables.

Embedded default (no variables set): SQLite in var/, in-memory channel layer, local-memory
cache, emails on the console. Production sets DATABASE_URL, REDIS_URL, SECRET_KEY,
ALLOWED_HOSTS and EMAIL_URL (see platform/env.example for every variable).
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_list, mailers_from_url, secret_key, site_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LEDENSTEM_VAR_DIR", BASE_DIR / "var"))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = secret_key(VAR_DIR)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

ASSOCIATION_NAME = os.environ.get("ASSOCIATION_NAME", "Vereniging van Huisartsen (demo)")
# The site's public address (no trailing slash): every absolute link, in emails (ours and
# allauth's, members.adapters) and in the signed result document, is made from it. Required
# with DEBUG off (config.env.site_url); certification also refuses to sign when a request
# arrives at another address (ballots.certification).
SITE_URL = site_url(DEBUG)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "channels",
    "huey.contrib.djhuey",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "members",
    "faq",
    "ballots",
    "meetings",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "config.middleware.WholeFilesUnderASGIMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "members.middleware.EndLapsedSessionsMiddleware",
    "members.middleware.RequireSecondFactorMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "members.context_processors.site",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work beside the one writer; IMMEDIATE takes the write lock at BEGIN so
    # two concurrent writers queue on the busy timeout instead of failing on lock upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
    }
    # The test database in a file too, as the embedded default runs: Django's in-memory test
    # database shares one cache between threads, where a write meets a reader's table lock
    # with "database table is locked" at once (no busy timeout, no WAL). The browser tests
    # serve pages and live sockets from other threads while the test votes, and failed so.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
    VAR_DIR.mkdir(parents=True, exist_ok=True)
else:
    # PostgreSQL plans a query each time it is sent as text: 0.85 ms for the vote path's one
    # join of elector and ballot (EXPLAIN ANALYZE, 0.27 ms to run it). With server-side
    # binding, psycopg prepares a statement after its first use on a connection, so a worker
    # plans each of its queries once. Nothing sits between us and PostgreSQL that could not
    # keep prepared statements (no PgBouncer in transaction mode: DATABASE_PREPARE=0 if one
    # comes).
    if env_bool("DATABASE_PREPARE", True):
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=1
        )
    if env_bool("DATABASE_POOL", False):
        # Under ASGI every request runs in a new thread; a pool keeps connections bounded.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer and cache ------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": "ledenstem"},
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "config.cache.SharedClientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "ledenstem",
        }
    }
    # Sessions in the database with a copy in Redis: a member's request reads no session row
    # (issue #18), and Redis being down costs a query, never a request (members.sessions).
    # Only with Redis: a copy in each process's own memory would outlive a logout elsewhere.
    SESSION_ENGINE = "members.sessions"
    # FAQ question bodies rendered once for every reader (faq.page_cache): only in a cache
    # every process shares, or a change made in one process would not reach another's copy.
    FAQ_PAGE_CACHE = env_bool("FAQ_PAGE_CACHE", True)
else:
    FAQ_PAGE_CACHE = False
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Authentication ----------------------------------------------------------------------
AUTH_USER_MODEL = "members.User"
# Django's and allauth's backends, loading a session's user with the role flags in one query
# (members.backends; issue #18: every request asks for both).
AUTHENTICATION_BACKENDS = [
    "members.backends.RegisterModelBackend",
    "members.backends.RegisterAccountBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

# django-allauth: no open sign-up (members.adapters), email is the login, verified by code.
ACCOUNT_ADAPTER = "members.adapters.RegisterAccountAdapter"
MFA_ADAPTER = "members.adapters.SecondFactorAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PREVENT_ENUMERATION = True
# The same answer for every address on "wachtwoord vergeten" and "e-mailadres toevoegen"
# (see the forms): neither may tell who is in the register.
ACCOUNT_FORMS = {
    "reset_password": "members.forms.ResetPasswordForm",
    "add_email": "members.forms.AddEmailForm",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Ledenstem] "
# Explicit (these match allauth's defaults) so a reader sees what is limited. They live in
# the cache, which is Redis, shared by all workers, when REDIS_URL is set.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/300s/key",
    "request_login_code": "20/m/ip,3/m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    # Ours, counted by the same machinery: the public PDF check reads up to 20 MB per try.
    "verify_document": "10/m/ip,60/h/ip",
}
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "Ledenstem"
# MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN: under the security headers, from HTTPS.

# --- Email (Django 6.1 MAILERS; never EMAIL_BACKEND beside it) ----------------------------
MAILERS = mailers_from_url(os.environ.get("EMAIL_URL", "console://"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Ledenstem <noreply@ledenstem.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation ----------------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Nederlands")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# --- Static files and uploads ------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Uploads are never served as static files: a view checks who may see each one. Behind nginx
# set this to the internal location that maps to MEDIA_ROOT (platform/nginx), and nginx sends
# the file after the check; empty: Django streams it.
MEDIA_ACCEL_REDIRECT = os.environ.get("MEDIA_ACCEL_REDIRECT", "")
# Hashed, compressed names from collectstatic in production. Without them (DEBUG, or
# STATIC_MANIFEST=0 as make run sets) WhiteNoise serves the files straight from the code.
STATIC_MANIFEST = not DEBUG and env_bool("STATIC_MANIFEST", True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
REGISTER_UPLOAD_MAX_BYTES = 5 * 1024 * 1024

# --- Security headers ---------------------------------------------------------------------
# Behind TLS (production) these default on; the embedded default (DEBUG) serves plain http.
HTTPS = env_bool("HTTPS", not DEBUG)
# Passkeys over plain http only where the site has no TLS at all: make run on 127.0.0.1 or
# localhost, the only http origins on which browsers offer them.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not HTTPS
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# Trust X-Forwarded-Proto only when a proxy is declared in front: without one, a client could
# claim its plain-http request came over https.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if ALLAUTH_TRUSTED_PROXY_COUNT else None
)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# No inline scripts anywhere: scripts come from our own static files.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# --- Logging: never log request bodies (votes, codes) -------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # run_huey adds its own handler to a "huey" logger that has none: every line twice.
        "huey": {"handlers": ["console"], "propagate": False},
    },
}

# --- Ledenstem ------------------------------------------------------------------------------
# Roles whose members must have a second factor before they reach any page but account pages.
MFA_REQUIRED_EXEMPT_PATHS = [
    "/accounts/",
    "/static/",
    "/media/",
    "/i18n/",
    "/healthz",
    "/favicon.ico",
]
# Serve static files straight from the app folders when nothing was collected (make run,
# DEBUG): no collectstatic needed.
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
WHITENOISE_AUTOREFRESH = DEBUG

# --- Background worker (huey): opens and closes ballots on time, reminders, sealing ---------
# `python manage.py run_huey` runs it (make run starts it beside the web server). Redis is
# its queue when REDIS_URL is set, else a SQLite file in var/.
HUEY = {
    "name": "ledenstem",
    "huey_class": "huey.RedisHuey" if REDIS_URL else "huey.SqliteHuey",
    "immediate": env_bool("HUEY_IMMEDIATE", False),
    "utc": True,
    "consumer": {
        "workers": 2,
        "worker_type": "thread",
        "periodic": True,
        "check_worker_health": True,
    },
}
if REDIS_URL:
    HUEY["connection"] = {"url": REDIS_URL}
else:
    HUEY["filename"] = str(VAR_DIR / "huey.sqlite3")
# The association's signing certificate for result documents (PKCS#12). Without it a
# self-signed development certificate is generated into var/ on first use.
SIGNING_P12 = os.environ.get("SIGNING_P12", "")
SIGNING_P12_PASSWORD = os.environ.get("SIGNING_P12_PASSWORD", "")
# Secret ballots (issue #12): pending votes are encrypted under a per-ballot key kept in this
# directory, never in the database; the key file is deleted once the ballot is counted. Keep
# it on the server's own disk (not in backups): see the README's security section.
BALLOT_KEY_DIR = Path(os.environ.get("BALLOT_KEY_DIR", VAR_DIR / "ballot-keys"))
# Secret ballots report results only per group of at least this many electors (and voters).
REPORTING_GROUP_MINIMUM = int(os.environ.get("REPORTING_GROUP_MINIMUM", "10"))
# Electors who have not voted get a reminder this many hours before a ballot closes.
BALLOT_REMINDER_HOURS = int(os.environ.get("BALLOT_REMINDER_HOURS", "24"))

# --- Live tallies (ballots.live) -----------------------------------------------------------
# At most this many updates per second per ballot reach watchers; the last change always
# arrives within about one interval.
LIVE_UPDATES_PER_SECOND = float(os.environ.get("LIVE_UPDATES_PER_SECOND", "2"))
