"""The one helper that hands a child process the test database (tests/hardening/servers.py)
names the same connection, read back as the settings read it (django-environ): TCP and
Unix sockets, IPv6, a port, a password with URL characters, options."""

from __future__ import annotations

import environ
import pytest

from tests.hardening.servers import database_url_of

BASE = {"USER": "postgres", "PASSWORD": "", "HOST": "", "PORT": "", "NAME": "test_tracker"}


@pytest.mark.parametrize(
    "db",
    [
        {**BASE, "HOST": "127.0.0.1", "PORT": 5432},
        {**BASE, "HOST": "db.internal", "PORT": "6543", "PASSWORD": "p@ss:w/rd #%"},
        {**BASE, "HOST": "::1", "PORT": 5432},
        {**BASE, "OPTIONS": {"host": "/work/.data/postgres"}},  # the embedded PostgreSQL
        {**BASE, "HOST": "/var/run/postgresql", "PORT": "5433"},
        {**BASE, "HOST": "127.0.0.1", "OPTIONS": {"connect_timeout": 5, "sslmode": "disable"}},
        BASE,  # libpq's default socket
    ],
    ids=["tcp", "password", "ipv6", "embedded", "socket-port", "options", "default-socket"],
)
def test_a_child_reads_back_the_connection_it_was_given(db):
    url = database_url_of(db)
    read = environ.Env.db_url_config(url)

    host = db["HOST"] or db.get("OPTIONS", {}).get("host", "")
    options = {k: str(v) for k, v in db.get("OPTIONS", {}).items() if k != "host"}
    socket = host.startswith("/")
    assert (read["USER"], read["PASSWORD"], read["NAME"]) == (
        db["USER"],
        db["PASSWORD"],
        db["NAME"],
    )
    assert (read["HOST"] or read.get("OPTIONS", {}).get("host", "")) == host, url
    got_port = str(read.get("PORT") or read.get("OPTIONS", {}).get("port", "") or "")
    assert got_port == str(db["PORT"] or ""), url
    got_options = {
        k: str(v)
        for k, v in read.get("OPTIONS", {}).items()
        if k not in ({"host", "port"} if socket else set())
    }
    if not socket:
        got_options.pop("host", None)
    assert got_options == options, url


def test_another_database_on_the_same_server():
    url = database_url_of({**BASE, "HOST": "127.0.0.1", "PORT": 5432}, "postgres")

    assert environ.Env.db_url_config(url)["NAME"] == "postgres"
