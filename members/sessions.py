"""Sessions kept in the database, with a copy in the shared cache (Redis) so that a member's
request needs no session query (issue #18: every page and every vote read its session row).

The database stays the truth; the cache may only make requests cheaper, never wrong, and never
make one fail. Django's own cached_db did neither when Redis was down (its refill after a
database read is not guarded: every request failed) and can bring a logged-out session back
(a request that read the row just before a logout writes its copy after it). Here:

- reading: the cache; on a miss or when Redis cannot be reached, the database. A row read from
  the database after a miss goes into the cache only where the cache holds nothing for that
  key (add, not set), and is checked against the database once more after it went in: a logout that
  happened in between finds its copy again and ends it.
- saving: the database, then the copy, then the same check (a save that raced a logout
  must not leave its copy over the logout's marker). A new key needs no check: only the
  request that made it knows it.
- ending (logout, the old key at login): the cache gets a marker "ended" for the session's
  lifetime, then the row is deleted, then the marker is written again (a copy refilled in
  between is overwritten). When Redis cannot be reached and the session carries a logged-in
  member, it is not ended at all (SessionNotEnded, before anything changed): deleting the row
  alone would leave the copy to come back with Redis, and a logout that seems to work but does
  not is worse than one that says to try again. An anonymous session (the old key at login)
  is ended in the database anyway: its copy holds no one's login.

What a copy left behind while Redis was unreachable can hold is an older state of a live
session; every state that takes something away from a session (logout, a new key) ends it.
Everything the session grants is checked again on every request anyway: the member's password
hash (Django's session hash), their membership and roles (members.backends).
"""

import logging

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.core.cache import caches

logger = logging.getLogger(__name__)

KEY_PREFIX = "ledenstem.session."
ENDED = "ended"  # the marker: any value that is not a session's dict


class SessionNotEnded(Exception):
    """A logged-in session could not be ended because the cache could not be reached."""


class SessionStore(DatabaseStore):
    cache_key_prefix = KEY_PREFIX

    def __init__(self, session_key=None):
        self._cache = caches[settings.SESSION_CACHE_ALIAS]
        super().__init__(session_key)

    def _key(self, session_key: str) -> str:
        return self.cache_key_prefix + session_key

    # --- reading ---------------------------------------------------------------------------
    def load(self):
        if self.session_key is None:
            return {}
        try:
            copy = self._cache.get(self._key(self.session_key))
        except Exception:
            logger.warning("session cache unreachable while reading; asking the database")
            return self._read_from_database(copy_into_cache=False)  # no second wait on Redis
        if isinstance(copy, dict):
            return copy
        if copy is not None:  # ended
            self._session_key = None
            return {}
        return self._read_from_database(copy_into_cache=True)

    def _read_from_database(self, *, copy_into_cache: bool) -> dict:
        row = self._get_session_from_db()
        if row is None:
            return {}
        data = self.decode(row.session_data)
        if copy_into_cache:
            self._copy(data, self.get_expiry_age(expiry=row.expire_date), over_another=False)
        return data

    # --- saving ----------------------------------------------------------------------------
    def save(self, must_create=False):
        made_by_create = self.session_key is None  # create() calls save(must_create=True)
        super().save(must_create)
        if not made_by_create:
            # A new key is known to this request alone: nothing can have ended it yet.
            self._copy(self._session, self.get_expiry_age(), checked=not must_create)

    def _copy(self, data: dict, seconds: int, *, over_another=True, checked=True) -> None:
        """Puts this session's copy into the cache: over whatever is there (a save), or only
        where nothing is (a read from the database, which may already be outdated). Then,
        unless the key is new, asks the database whether the row is still there: a logout
        between our database read and our copy has to find its marker again."""
        key = self._key(self.session_key)
        try:
            if over_another:
                self._cache.set(key, data, seconds)
            elif not self._cache.add(key, data, seconds):
                return
            if checked and not self.model.objects.filter(session_key=self.session_key).exists():
                self._cache.set(key, ENDED, seconds)
        except Exception:
            # Then an older state of this live session may stay in the cache (module docstring).
            logger.warning("session cache unreachable while copying a session into it")

    # --- ending ----------------------------------------------------------------------------
    def delete(self, session_key=None):
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        self._end(session_key)

    def flush(self):
        # Django's flush empties the data before it deletes; the data says whether it was a login.
        if self.session_key is not None:
            self._end(self.session_key)
        self.clear()
        self._session_key = None

    def _end(self, session_key: str) -> None:
        key = self._key(session_key)
        seconds = settings.SESSION_COOKIE_AGE
        try:
            self._cache.set(key, ENDED, seconds)
        except Exception as unreachable:
            if SESSION_KEY in self._session:
                logger.error("session cache unreachable: a logged-in session was not ended")
                raise SessionNotEnded(
                    "The session cache cannot be reached; the session was not ended."
                ) from unreachable
            logger.warning("session cache unreachable while ending an anonymous session")
            super().delete(session_key)
            return
        super().delete(session_key)
        try:
            self._cache.set(key, ENDED, seconds)
        except Exception:
            logger.warning("session cache unreachable after ending a session; marker kept")

    # --- the async API (Channels, async views): the same steps, in a worker thread ---------
    async def aload(self):
        return await sync_to_async(self.load)()

    async def aexists(self, session_key):
        return await sync_to_async(self.exists)(session_key)

    async def asave(self, must_create=False):
        await sync_to_async(self.save)(must_create)

    async def adelete(self, session_key=None):
        await sync_to_async(self.delete)(session_key)

    async def aflush(self):
        await sync_to_async(self.flush)()
