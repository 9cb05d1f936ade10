"""PostgreSQL as Django's backend, with a health check that costs no round trip.

With CONN_HEALTH_CHECKS, Django asks `is_usable()` of a persistent connection before its first
use in each request or task, and Django's answer is a `SELECT 1`: a round trip to PostgreSQL
on every request. A server that ends a
connection (restarted, or the backend terminated) sends an error and closes the socket, so an
idle connection's socket turns readable. A zero-timeout poll of the socket — a system call,
no round trip — tells the two apart: nothing to read, the server still holds the connection;
something to read, and Django's `SELECT 1` decides (and fails, and Django reconnects).
tests/hardening/test_faults.py restarts PostgreSQL under a running app and worker to prove
the first request after it succeeds.

Neither check notices a server that vanished without a word (a host or network lost) before
a query times out.
"""

from __future__ import annotations

import select

from django_prometheus.db.backends.postgresql import base
from psycopg.pq import TransactionStatus


# django-prometheus's PostgreSQL backend: it counts connections, queries and their time.
class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        if connection.info.transaction_status != TransactionStatus.IDLE:
            return super().is_usable()
        poller = select.poll()
        poller.register(connection.fileno(), select.POLLIN | select.POLLPRI)
        if not poller.poll(0):
            return True
        return super().is_usable()
