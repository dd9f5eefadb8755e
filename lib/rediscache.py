"""Django's Redis cache, with one redis-py client per connection pool instead of one per operation.

Django's RedisCacheClient builds a new `redis.Redis` for every get and set; building one copies redis-py's
~170 response callbacks, which cost more than the round trip itself (about 0.3 ms of CPU each time, a dozen
times per filing: issue 20). A client is a thin, thread-safe wrapper around its pool, so one per pool is kept.
"""
from __future__ import annotations

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class _ReusingClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class ReusingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusingClient
