"""Counters for lockouts and rate limits, kept where every process sees them.

A per-process memory cache gives each web worker its own count, so N workers allow N times the limit (and a
restart forgets it). Every throttle (the API's token endpoint, the exam-room login) therefore counts in the
`throttle` cache: Redis when `REDIS_URL` is set, otherwise a database table (`THROTTLE_CACHE_TABLE`) that the
web processes and the worker of the embedded mode share. django-axes keeps its failures in its own database
tables, and the public tip-off limits in `PublicHit` rows, so both are shared already.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import BaseCache, caches
from django.core.management import call_command

THROTTLE_CACHE = "throttle"


def throttle_cache() -> BaseCache:
    return caches[THROTTLE_CACHE]


def count_hit(key: str, window: int) -> int:
    """Add one to the counter `key` (created for `window` seconds) and return the new count."""
    cache = throttle_cache()
    cache.add(key, 0, window)
    try:
        return cache.incr(key)
    except ValueError:
        # Expired between add() and incr().
        cache.set(key, 1, window)
        return 1


def hits(key: str) -> int:
    return int(throttle_cache().get(key, 0) or 0)


def create_cache_tables(*, using: str = "default", **kwargs: Any) -> None:
    """After `migrate`: create the database cache table if the throttle cache is one (idempotent)."""
    call_command("createcachetable", database=using, verbosity=0)
