"""Sessions with a copy in the cache (members.sessions, issue #18): a member's request reads
no session row, a logout ends the session for whoever else holds its cookie, also when it
races a request that is copying the session, and Redis being down costs a query, never a
request. Runs on both suite passes: the engine is chosen here, over the pass's own cache (and
over a Redis server that is not there for the outage tests)."""

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members import sessions
from members.sessions import SessionNotEnded, SessionStore
from tests.factories import member

pytestmark = pytest.mark.django_db

MEMBER_PAGE = "faq:my_questions"
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused at once


@pytest.fixture
def cached_sessions(settings):
    settings.SESSION_ENGINE = "members.sessions"


@pytest.fixture
def redis_down(settings):
    settings.SESSION_ENGINE = "members.sessions"
    settings.CACHES = {
        **django_settings.CACHES,
        "sessions": {
            "BACKEND": "config.cache.SharedClientRedisCache",
            "LOCATION": UNREACHABLE_REDIS,
        },
    }
    settings.SESSION_CACHE_ALIAS = "sessions"


def _logged_in(user) -> tuple[Client, str]:
    client = Client()
    client.force_login(user)
    return client, client.cookies[django_settings.SESSION_COOKIE_NAME].value


def _with_cookie(key: str) -> Client:
    client = Client()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = key
    return client


def _is_logged_in(client: Client) -> bool:
    page = client.get(reverse(MEMBER_PAGE))
    assert page.status_code in (200, 302), page.status_code
    return page.status_code == 200


def test_a_members_request_reads_no_session_row(cached_sessions):
    client, _ = _logged_in(member())
    with CaptureQueriesContext(connection) as queries:
        assert _is_logged_in(client)
    assert not [q["sql"] for q in queries if "django_session" in q["sql"]]
    assert len([q for q in queries if 'FROM "members_user"' in q["sql"]]) == 1


def test_a_copy_lost_by_the_cache_is_read_from_the_database_once(cached_sessions):
    client, key = _logged_in(member())
    SessionStore()._cache.delete(sessions.KEY_PREFIX + key)  # Redis restarted empty
    with CaptureQueriesContext(connection) as first:
        assert _is_logged_in(client)
    reads = [q["sql"] for q in first if 'FROM "django_session"' in q["sql"]]
    assert reads and "session_data" in reads[0]  # the row, from the database
    with CaptureQueriesContext(connection) as second:
        assert _is_logged_in(client)
    assert not [q["sql"] for q in second if "django_session" in q["sql"]]


def test_a_logout_ends_the_session_for_anyone_holding_its_cookie(cached_sessions):
    client, key = _logged_in(member())
    thief = _with_cookie(key)
    assert _is_logged_in(thief)  # the copy is in the cache now
    client.post(reverse("account_logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert not _is_logged_in(thief)


def test_a_copy_read_just_before_a_logout_is_not_left_behind_it(cached_sessions, monkeypatch):
    """A request that read the row before a logout and copies it into the cache after the
    logout finished (Django's cached_db brings the session back for its whole lifetime)."""
    _, key = _logged_in(member())
    SessionStore()._cache.delete(sessions.KEY_PREFIX + key)  # the next read goes to the database
    read_row = DatabaseStore._get_session_from_db
    logged_out = []

    def read_then_logout_elsewhere(store):
        row = read_row(store)
        if not logged_out:
            logged_out.append(True)
            SessionStore(key).flush()  # the member logs out in another request, right then
        return row

    monkeypatch.setattr(SessionStore, "_get_session_from_db", read_then_logout_elsewhere)
    late = SessionStore(key)
    assert late.load()  # the request in flight still sees what it read
    monkeypatch.undo()
    assert not _is_logged_in(_with_cookie(key))
    assert SessionStore(key).load() == {}


def test_a_save_racing_a_logout_does_not_bring_the_session_back(cached_sessions, monkeypatch):
    _, key = _logged_in(member())
    saving = SessionStore(key)
    saving["language_hint"] = "en"  # any change this request makes to the session
    save_row = DatabaseStore.save

    def save_then_logout_elsewhere(store, must_create=False):
        save_row(store, must_create)
        if store.session_key == key:
            SessionStore(key).flush()  # the logout lands between our row and our copy

    monkeypatch.setattr(DatabaseStore, "save", save_then_logout_elsewhere)
    saving.save()
    monkeypatch.undo()
    assert not _is_logged_in(_with_cookie(key))


def test_with_redis_down_members_go_on_from_the_database(redis_down):
    client, key = _logged_in(member())
    assert Session.objects.filter(session_key=key).exists()
    assert _is_logged_in(client)
    assert _is_logged_in(client)


def test_with_redis_down_a_logout_is_refused_and_changes_nothing(redis_down):
    """Deleting the row alone would leave the copy to come back with Redis: the logout fails
    visibly (the error page, "try again"), and the session is exactly as it was."""
    client, key = _logged_in(member())
    client.raise_request_exception = False
    refused = client.post(reverse("account_logout"))
    assert refused.status_code == 500
    assert Session.objects.filter(session_key=key).exists()
    assert _is_logged_in(_with_cookie(key))
    with pytest.raises(SessionNotEnded):
        SessionStore(key).flush()


def test_with_redis_down_an_anonymous_session_still_ends_so_logging_in_works(redis_down):
    before = SessionStore()
    before["allauth_stage"] = "login"  # what a session holds on its way to a login
    before.create()
    old_key = before.session_key
    before.cycle_key()  # what login() does
    assert before.session_key != old_key
    assert not Session.objects.filter(session_key=old_key).exists()
    client, _ = _logged_in(member())  # a whole login, through the refused cache
    assert _is_logged_in(client)
