"""Django's Redis cache, with one client object per connection pool instead of one per call.

Django's RedisCache builds a new `redis.Redis` for every cache call, and that constructor
fills a table of response callbacks: on the API's hottest path (the throttle's one Redis call
per request) building the client cost more than the round trip. A client holds no connection
of its own (its pool does, and the pool notices a fork), so one per pool is safe to share.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class _SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict = {}

    def get_client(self, key=None, *, write: bool = False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class SharedClientRedisCache(RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = _SharedClientRedisCacheClient
