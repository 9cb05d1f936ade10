"""A time limit on the assistant's work in a request: the loops over a text's sentences ask
`time_is_up()` and stop there, and the answer says that it stopped (the worker has Celery's
time limits instead, and sets none here)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class _Limit:
    stop_at: float | None
    reached: bool = False


_LIMIT: ContextVar[_Limit | None] = ContextVar("intake_time_limit", default=None)


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Work within `seconds` from now (None: no limit) until the block ends."""
    token = _LIMIT.set(_Limit(None if seconds is None else time.monotonic() + seconds))
    try:
        yield
    finally:
        _LIMIT.reset(token)


def time_is_up() -> bool:
    limit = _LIMIT.get()
    if limit is None or limit.stop_at is None:
        return False
    limit.reached = limit.reached or time.monotonic() >= limit.stop_at
    return limit.reached


def time_ran_out() -> bool:
    """Whether some loop stopped for the limit in the current block."""
    limit = _LIMIT.get()
    return bool(limit and limit.reached)
