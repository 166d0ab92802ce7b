import os
import shutil

import pytest
from django.core.cache import cache
from hypothesis import settings

# In CI a missing tool must fail the run, never skip tests silently (.ci/run sets this).
STRICT = os.environ.get("LEDENSTEM_STRICT_SKIPS") == "1"

# Property-based tests explore new examples on every local run; in CI (strict mode) they run a
# fixed, reproducible set, so a red CI always means a change broke something, never a new draw.
# A failure found locally is kept in .hypothesis/ and replayed first, and goes into a test.
settings.register_profile("ci", derandomize=True, print_blob=True)
if STRICT:
    settings.load_profile("ci")


# Tests for one database backend skip on the other with this reason prefix. CI runs the suite
# on both, so these skips are expected; every other skip fails a strict run.
OTHER_BACKEND = "[runs in the other database pass]"


def only_on(vendor: str):
    """Mark a test that exercises one backend's own code path (PostgreSQL or SQLite)."""
    from django.db import connection

    return pytest.mark.skipif(connection.vendor != vendor, reason=f"{OTHER_BACKEND} needs {vendor}")


def skip_or_fail(reason: str) -> None:
    if STRICT:
        pytest.fail(f"{reason} (LEDENSTEM_STRICT_SKIPS=1: not allowed to skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True, scope="session")
def _ballot_keys_in_a_temporary_directory(tmp_path_factory):
    # Secret ballots write a key file when they open (ballots.vote_keys); a test run's keys
    # stay out of var/ and go with the run.
    from django.conf import settings as django_settings

    django_settings.BALLOT_KEY_DIR = tmp_path_factory.mktemp("ballot-keys")


@pytest.fixture(autouse=True)
def _fresh_cache():
    # allauth's rate limits live in the cache; one test's login attempts must not throttle
    # the next. With REDIS_URL the tests use their own Redis database (see .ci/run).
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    # Per-process caches keyed by ballot id: a rolled-back test's ids come back in the next.
    from ballots.live import snapshot
    from config import stored_parts

    with snapshot._recent_lock:
        snapshot._recent.clear()
    snapshot.forget_electorates()
    stored_parts.forget_all()
    yield


@pytest.fixture
def cached_pages(settings):
    """The FAQ page cache on (faq.page_cache; production turns it on with Redis), on the
    run's cache, which _fresh_cache empties around every test."""
    settings.FAQ_PAGE_CACHE = True


@pytest.fixture
def chromium_path() -> str:
    path = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not shutil.which(path):
        skip_or_fail(f"Chromium not found at {path} (apt-get install chromium)")
    return path


def pytest_sessionfinish(session, exitstatus):
    """In strict mode (CI) a skipped test fails the run: nothing may pass by not running."""
    if not STRICT or exitstatus != 0:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = [
        report
        for report in (reporter.stats.get("skipped", []) if reporter else [])
        if OTHER_BACKEND not in str(report.longrepr)
    ]
    if skipped:
        reporter.write_line(
            f"LEDENSTEM_STRICT_SKIPS=1: {len(skipped)} test(s) skipped; failing the run.", red=True
        )
        session.exitstatus = 1
