"""The request itself, against raw sockets on 127.0.0.1 that misbehave: a huge answer is read
only up to a few KB, and a receiver that drips its answer byte by byte does not hold the
worker for longer than the timeouts."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from webhooks import http
from webhooks.targets import target_resolve


@pytest.fixture
def raw_server():
    """`raw_server(handle)`: a loopback server calling handle(connection) per connection."""
    servers = []

    def start(handle) -> str:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        servers.append(listener)

        def serve():
            while True:
                try:
                    conn, _ = listener.accept()
                except OSError:
                    return
                threading.Thread(target=handle, args=(conn,), daemon=True).start()

        threading.Thread(target=serve, daemon=True).start()
        return f"http://127.0.0.1:{listener.getsockname()[1]}/hooks"

    yield start
    for listener in servers:
        listener.close()


def _read_request(conn: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        data += conn.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    headers = dict(line.split(b":", 1) for line in head.split(b"\r\n")[1:])
    length = int({name.lower(): value for name, value in headers.items()}[b"content-length"])
    while len(body) < length:
        body += conn.recv(65536)


def test_a_huge_answer_is_read_only_up_to_the_limit(raw_server, settings):
    def huge(conn):
        _read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\n\r\n")
        try:
            for _ in range(1000):
                conn.sendall(b"x" * 10_000)
        except OSError:
            pass  # the client stopped reading and closed: what we want
        conn.close()

    answer = http.post(target_resolve(raw_server(huge)), body=b"{}", headers={})

    assert answer.status == 200
    assert len(answer.excerpt) == http.RESPONSE_EXCERPT_CHARS


def test_a_receiver_dripping_its_answer_is_cut_off_after_the_timeouts(raw_server, settings):
    settings.WEBHOOK_CONNECT_TIMEOUT_SECONDS = 0.2
    settings.WEBHOOK_READ_TIMEOUT_SECONDS = 0.3

    def drip(conn):
        _read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 4000\r\n\r\n")
        try:
            for _ in range(4000):
                conn.sendall(b"y")
                time.sleep(0.05)  # the receiver's misbehaviour, not a wait of the test's
        except OSError:
            pass
        conn.close()

    started = time.monotonic()
    answer = http.post(target_resolve(raw_server(drip)), body=b"{}", headers={})

    assert time.monotonic() - started < 2
    assert answer.status == 200 and 0 < len(answer.excerpt) < 100
