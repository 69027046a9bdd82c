"""The shared cache (Redis in production) may be down for a while: what it keeps can always be
built again, so a cache that does not answer is a miss, never an error on a user's page.
`/halsa/` is what reports it (operations.health)."""

from redis.exceptions import RedisError

# What the cache backends raise when their server does not answer.
CACHE_DOWN = (RedisError, OSError)
