"""Profile one URL through the real WSGI application, in process, with cProfile.

    python -m bench.profile /api/v1/commitments/1/ [-n 300] [--header 'If-None-Match: "…"']
        [--sort tottime] [--scale 0.05] [--queries]

The request goes through Django's WSGI handler exactly as gunicorn hands it over (every
middleware, DRF, the renderer), against the bench's database, with production settings.
`--queries` prints the SQL of one request instead. For a running server under load,
`py-spy record --pid <worker pid>` (pinned in the bench extra) gives the same picture.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import secrets
import sys
import time
from urllib.parse import urlsplit


def environ_for(url: str, headers: dict[str, str]) -> dict:
    parts = urlsplit(url)
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": parts.path,
        "QUERY_STRING": parts.query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    for name, value in headers.items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("url")
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--limit", type=int, default=45)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--queries", action="store_true")
    parser.add_argument("--experiments", default="", help="bench.experiments to apply first")
    args = parser.parse_args(argv)

    from bench.run import DATABASE, django_env

    suffix = "" if args.scale == 1 else "_x" + f"{args.scale:g}".replace(".", "_")
    os.environ.update(django_env(DATABASE + suffix, secrets.token_urlsafe(50)))
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    if args.experiments:
        from bench.experiments import apply

        apply(args.experiments.split(","))
    headers = dict(h.split(":", 1) for h in args.header)
    headers = {k.strip(): v.strip() for k, v in headers.items()}

    def one() -> tuple[str, int]:
        answer: dict = {}

        def start_response(status, response_headers, exc_info=None):
            answer["status"] = status
            answer["headers"] = response_headers

        body = b"".join(application(environ_for(args.url, headers), start_response))
        etags = [v for k, v in answer["headers"] if k.lower() == "etag"]
        return answer["status"] + (f", ETag {etags[0]}" if etags else ""), len(body)

    for _ in range(5):  # warm: connections, imports, caches
        status, size = one()
    print(f"{args.url}: {status}, {size} bytes")
    if args.queries:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            one()
        for query in queries.captured_queries:
            print(f"-- {query['time']}s\n{query['sql']}\n")
        return 0
    started = time.perf_counter()
    for _ in range(args.n):
        one()
    plain = (time.perf_counter() - started) / args.n
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.n):
        one()
    profiler.disable()
    print(f"{plain * 1000:.2f} ms per request without the profiler ({args.n} requests)")
    stats = pstats.Stats(profiler)
    stats.sort_stats(args.sort).print_stats(args.limit)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
