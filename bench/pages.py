"""The public pages on the bench's 100k-commitment dataset: server time and queries per page.

    python -m bench.pages                      # 200 requests per page, about a minute
    python -m bench.pages --requests 50 --scale 0.05

Separate from `make bench` (python -m bench) so it can be run alone; it reuses that bench's
database, making it first if needed (`python -m bench --prepare-only --skip-scan`).

Each page is requested in one child process under the production settings through Django's
full request cycle (every middleware, the template rendering, the real PostgreSQL and Redis)
without a socket: the time is the server's alone. One request per page is made first with
its queries counted; the stats cache is warm after it, as it is on a live site. Output:
bench/out/pages/pages.md and pages.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from bench import children, run

TARGET_MS = 200.0  # the list's and the timeline's median, per the issue


def _pages(sample: dict) -> dict[str, str]:
    return {
        "overview": "/en/",
        "list": "/en/commitments/",
        "list, filtered": "/en/commitments/?status=in_progress&tag=climate",
        "list, search": "/en/commitments/?q=programme",
        "list, page 200": "/en/commitments/?page=200",
        "commitment": "/en/commitments/{reference}/",
        "source": "/en/sources/{source_id}/",
        "timeline": "/en/timeline/",
        "timeline, by tag": "/en/timeline/?tag=climate",
        "timeline, by actor": f"/en/timeline/?actor={sample['actor']}",
    }


class QueryCounter:
    """An execute wrapper counting statements (CaptureQueriesContext's log is reset by
    every request's start, so it would count none)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __len__(self) -> int:
        return self.count


def child(requests: int) -> dict:
    """In the child: time every page, `requests` times each (random records for the
    commitment and source pages)."""
    import random

    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from commitments.models import Actor, Citation, Commitment

    rng = random.Random(16)
    ids = list(
        Commitment.objects.filter(is_published=True).values_list("reference", flat=True)[:5000]
    )
    sources = list(Citation.objects.values_list("source_id", flat=True)[:5000])
    actor = Actor.objects.order_by("id").values_list("slug", flat=True).first()
    client = Client(SERVER_NAME="127.0.0.1", HTTP_HOST="127.0.0.1", HTTP_ACCEPT="text/html")
    results = {}
    for name, template in _pages({"actor": actor}).items():

        def path(template: str = template) -> str:
            return template.format(reference=rng.choice(ids), source_id=rng.choice(sources))

        queries = QueryCounter()
        with connection.execute_wrapper(queries):
            response = client.get(path())
        if response.status_code != 200:
            raise SystemExit(f"{name}: {response.status_code} for {template}")
        times = []
        for _ in range(requests):
            url = path()
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        times.sort()
        results[name] = {
            "path": template,
            "queries": len(queries),
            "median_ms": statistics.median(times),
            "p99_ms": times[min(len(times) - 1, int(len(times) * 0.99))],
            "bytes": len(response.content),
        }
    return results


def markdown(results: dict, meta: dict) -> str:
    lines = [
        f"Public pages, {meta['data']}: {meta['requests']} requests per page, server time "
        f"(Django's request cycle, no socket), production settings; {meta['finished']}.",
        "",
        "| page | path | queries | median ms | p99 ms | KB |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | `{r['path']}` | {r['queries']} | {r['median_ms']:.1f} | "
            f"{r['p99_ms']:.1f} | {r['bytes'] / 1024:.0f} |"
        )
    over = [
        name
        for name, r in results.items()
        if name.startswith(("list", "timeline")) and r["median_ms"] > TARGET_MS
    ]
    lines += ["", f"Over {TARGET_MS:.0f} ms median: {', '.join(over) or 'none'}."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.pages", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--requests", type=int, default=200, help="requests per page")
    parser.add_argument("--scale", type=float, default=1.0, help="data size (1 = 100k)")
    parser.add_argument(
        "--database",
        help="measure this database (a copy of the bench's, migrated here) instead of making or "
        "reusing the bench's own",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.child:
        print(json.dumps(child(args.requests)))
        return 0

    out = run.OUT_DIR / "pages"
    out.mkdir(parents=True, exist_ok=True)
    scale = [] if args.scale == 1 else ["--scale", str(args.scale)]
    secret = "bench-pages-" + os.urandom(16).hex()
    if args.database:
        env = run.django_env(args.database, secret)
        children.migrate(env, out / "migrate.log")
    else:
        # Migrated, data made or reused; its logs in out/, not over a full bench's.
        run.main(["--prepare-only", "--skip-scan", "--out", str(out), *scale])
        env = run.django_env(run.parse_args(scale).database(), secret)
    # Production serves static files from collectstatic's manifest, as the Dockerfile builds.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        env=env,
        cwd=children.BASE_DIR,
        check=True,
    )
    done = subprocess.run(
        [sys.executable, "-m", "bench.pages", "--child", "--requests", str(args.requests)],
        env=env,
        cwd=children.BASE_DIR,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    results = json.loads(done.stdout.strip().splitlines()[-1])
    counts = run.data.Counts.at_scale(args.scale)
    meta = {
        "data": f"{counts.commitments:,} commitments",
        "requests": args.requests,
        "finished": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    text = markdown(results, meta)
    (out / "pages.json").write_text(json.dumps({"meta": meta, "pages": results}, indent=2))
    (out / "pages.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
