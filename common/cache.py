"""The shared cache (Redis in production) may be down for a while: what it keeps can always be
built again, so a cache that does not answer is a miss, never an error on a user's page.
`/halsa/` is what reports it (operations.health)."""

import contextlib
import hashlib

from django.core.cache import cache
from redis.exceptions import RedisError

# What the cache backends raise when their server does not answer.
CACHE_DOWN = (RedisError, OSError)


def kept(what: tuple, build, seconds: int):
    """What build() returns, kept in the shared cache under `what` (a tuple that names it and
    the version of everything it is made from, so that new data is a new key and nothing kept
    is ever stale); built here, and not kept, when the cache does not answer."""
    key = "kept:" + hashlib.sha256(repr(what).encode()).hexdigest()
    try:
        value = cache.get(key)
    except CACHE_DOWN:
        return build()
    if value is None:
        value = build()
        with contextlib.suppress(*CACHE_DOWN):
            cache.set(key, value, seconds)
    return value
