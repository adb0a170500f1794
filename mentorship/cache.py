"""Django's Redis cache backend, keeping its Redis client objects.

The stock backend builds a new `redis.Redis` client for every call, which costs more than
the network round trip on a cache hit; the connection pool behind it is shared either way.
Client objects are thread-safe, so one per pool serves every call.
"""

from functools import cached_property

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _ReusingClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._client(connection_pool=self._get_connection_pool(write))
            self._clients[index] = client
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusingClient

    # INCR, and on a new counter EXPIRE, atomically in one round trip.
    _COUNT_SCRIPT = """
    local n = redis.call('INCR', KEYS[1])
    if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
    return n
    """

    def count(self, key, timeout: int) -> int:
        """Add one to the counter under `key` (created with `timeout` seconds to live) and
        return the new count. For rate limits: the stock `incr` costs two round trips and
        refuses a missing key."""
        key = self.make_and_validate_key(key)
        return self._count_script(keys=[key], args=[timeout])

    @cached_property
    def _count_script(self):
        return self._cache.get_client(write=True).register_script(self._COUNT_SCRIPT)
