"""The results as a Markdown table (bench/out/results.md) and a plot (bench/out/throughput.png).

Every number is the median of the repeated runs; ratios are ours divided by the baseline's in
the same run, so that the machine's noise and speed cancel out as far as they can.
"""

from __future__ import annotations

import math
from pathlib import Path

# Scenario name → how the table names it.
LABELS = {
    "statuses": "floor: status vocabulary (no query)",
    "list": "list (page of 50, filtered)",
    "detail": "detail",
    "alerts_304": "alerts poll → 304",
    "alerts_200": "alerts poll → 200",
    "stats": "stats",
}


def _num(value: float | None, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:,.{digits}f}"


def _share(a: float, b: float) -> float | None:
    return a / b if b else None


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}x"


def http_table(results: dict) -> list[str]:
    lines = [
        "| endpoint | conc. | ours req/s | ours p50 ms | ours p99 ms | ours errors "
        "| baseline req/s | baseline p50 ms | baseline p99 ms | baseline errors "
        "| req/s ratio | p99 ratio | front door req/s | front door p99 ms | front door ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, scenario in results.get("http", {}).items():
        label = LABELS.get(name, name)
        if not scenario.get("available"):
            lines.append(
                f"| {label} | — | not available: {scenario.get('reason', '')} |" + " |" * 12
            )
            continue
        ours = scenario["points"].get("ours", {})
        base = scenario["points"].get("baseline", {})
        # nginx's cache in front of ours (bench.run.FRONT_DOOR scenarios only); ratio to the
        # baseline as well.
        door = scenario["points"].get("front_door", {})
        for concurrency in sorted(ours, key=int):
            o = ours[concurrency]
            b = base.get(concurrency)
            d = door.get(concurrency)
            door_ratio = (
                d["requests_per_s"] / b["requests_per_s"]
                if d and b and b["requests_per_s"]
                else None
            )
            rps_ratio = (
                o["requests_per_s"] / b["requests_per_s"] if b and b["requests_per_s"] else None
            )
            p99_ratio = o["p99_ms"] / b["p99_ms"] if b and b["p99_ms"] else None
            lines.append(
                f"| {label} | {concurrency} | {_num(o['requests_per_s'])} | {_num(o['p50_ms'], 2)} "
                f"| {_num(o['p99_ms'], 2)} | {o['errors']} "
                f"| {_num(b['requests_per_s']) if b else '—'} "
                f"| {_num(b['p50_ms'], 2) if b else '—'} | {_num(b['p99_ms'], 2) if b else '—'} "
                f"| {b['errors'] if b else '—'} | {_ratio(rps_ratio)} | {_ratio(p99_ratio)} "
                f"| {_num(d['requests_per_s']) if d else '—'} "
                f"| {_num(d['p99_ms'], 2) if d else '—'} | {_ratio(door_ratio)} |"
            )
    return lines


def experiments_table(results: dict) -> list[str]:
    """The app with candidate fixes (bench/experiments.py) beside the app as it is."""
    names = results.get("meta", {}).get("experiments")
    if not names:
        return []
    lines = [
        f"Experiment: the app with `{names}` applied (bench/experiments.py), same run.",
        "",
        "| endpoint | conc. | ours req/s | experiment req/s | speed-up | ours p99 ms "
        "| experiment p99 ms | experiment / baseline req/s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, scenario in results.get("http", {}).items():
        points = scenario.get("points") or {}
        if "experiment" not in points:
            continue
        for c in sorted(points["ours"], key=int):
            o, e = points["ours"][c], points["experiment"][c]
            b = (points.get("baseline") or {}).get(c)
            speedup = _share(e["requests_per_s"], o["requests_per_s"])
            versus = _share(e["requests_per_s"], b["requests_per_s"]) if b else None
            lines.append(
                f"| {LABELS.get(name, name)} | {c} | {_num(o['requests_per_s'])} "
                f"| {_num(e['requests_per_s'])} | {_ratio(speedup)} "
                f"| {_num(o['p99_ms'], 2)} | {_num(e['p99_ms'], 2)} | {_ratio(versus)} |"
            )
    if len(lines) == 4:  # no HTTP scenario ran with the experiments
        lines = [lines[0]]
    csv, csv_e = results.get("csv") or {}, results.get("csv_experiment") or {}
    if csv.get("available") and csv_e.get("available"):

        def export(result: dict) -> str:
            state = "" if result.get("complete", True) else " (cut short)"
            return (
                f"{result['rows']:,} of {result.get('expected_rows', result['rows']):,} rows in "
                f"{result['seconds']:.2f}s{state}, worker peak RSS {result['peak_rss_mb']:.0f} MB"
            )

        lines += ["", f"CSV export: ours {export(csv)}; experiment {export(csv_e)}."]
    return lines


def side_by_side_table(results: dict) -> list[str]:
    """Two configurations of the app measured in the same run (bench/run.py): a token
    reader's reads on the primary alone and with one replica, and the floor with and
    without the request metrics."""
    lines = [
        "| measured | conc. | first req/s | second req/s | second / first "
        "| p99 ms (first, second) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    pairs = [
        (f"token {name}: primary alone, with one replica", points, "primary_only", "with_replica")
        for name, points in (results.get("replicas") or {}).items()
    ]
    if results.get("metrics_overhead"):
        pairs.append(
            (
                "floor: without, with the metrics middleware",
                results["metrics_overhead"],
                "without_metrics",
                "with_metrics",
            )
        )
    for label, points, first, second in pairs:
        for c in sorted(points[first], key=int):
            a, b = points[first][c], points[second][c]
            lines.append(
                f"| {label} | {c} | {_num(a['requests_per_s'])} | {_num(b['requests_per_s'])} "
                f"| {_ratio(_share(b['requests_per_s'], a['requests_per_s']))} "
                f"| {_num(a['p99_ms'], 2)}, {_num(b['p99_ms'], 2)} |"
            )
    return lines


def targets_table(results: dict) -> list[str]:
    lines = ["| target | goal | measured | met |", "|---|---|---|---|"]
    for target in results.get("targets", []):
        met = {True: "yes", False: "**no**", None: "n/a"}[target["met"]]
        lines.append(f"| {target['name']} | {target['goal']} | {target['measured']} | {met} |")
    return lines


def csv_lines(results: dict) -> list[str]:
    csv = results.get("csv") or {}
    if not csv.get("available"):
        return [f"CSV export: not available ({csv.get('reason', 'not run')})."]
    cut = (
        []
        if csv.get("complete", True)
        else [
            f"**The export was cut short**: {csv['rows']:,} of {csv['expected_rows']:,} rows "
            f"arrived ({csv['error']}).",
            "",
        ]
    )
    return [
        *cut,
        "| CSV export | median | runs |",
        "|---|---:|---|",
        f"| rows | {csv['rows']:,} | |",
        f"| seconds to the last byte | {_num(csv['seconds'], 2)} "
        f"| {', '.join(_num(s, 2) for s in csv['runs_seconds'])} |",
        f"| MB sent | {_num(csv['megabytes'], 1)} | |",
        f"| serving worker's peak RSS, MB | {_num(csv['peak_rss_mb'])} "
        f"| {', '.join(_num(s) for s in csv['runs_peak_rss_mb'])} |",
        f"| the same worker's RSS before, MB | {_num(csv['rss_before_mb'])} | |",
    ]


def scan_lines(results: dict) -> list[str]:
    scan = results.get("scan") or {}
    if not scan.get("available"):
        return [f"Deadline scan: not available ({scan.get('reason', 'not run')})."]
    lines = [
        "| deadline scan | median s | runs |",
        "|---|---:|---|",
        f"| raw UPDATE (one statement, same rows) | {_num(scan['raw_seconds'], 3)} "
        f"| {', '.join(_num(s, 3) for s in scan['runs']['raw'])} |",
    ]
    if scan["runs"].get("raw_with_alerts"):
        lines.append(
            f"| raw UPDATE + INSERT of the overdue alerts (one statement) "
            f"| {_num(scan['raw_with_alerts_seconds'], 3)} "
            f"| {', '.join(_num(s, 3) for s in scan['runs']['raw_with_alerts'])} |"
        )
    lines += [
        f"| `tracker.services.deadlines_scan` | {_num(scan['service_seconds'], 3)} "
        f"| {', '.join(_num(s, 3) for s in scan['runs']['service'])} |",
    ]
    if scan["runs"].get("stale_in_scan"):
        lines.append(
            f"| of which its stale-evidence UPDATE | {_num(scan['stale_in_scan_seconds'], 3)} "
            f"| {', '.join(_num(s, 3) for s in scan['runs']['stale_in_scan'])} |"
        )
    lines += [
        f"| idle re-scan, right after the full scan | {_num(scan['idle_seconds'] * 1000, 1)} ms "
        f"| {', '.join(_num(s * 1000, 1) for s in scan['runs']['idle'])} ms |",
        f"| idle re-scan, after VACUUM (steady state) "
        f"| {_num(scan['idle_steady_seconds'] * 1000, 1)} ms "
        f"| {', '.join(_num(s * 1000, 1) for s in scan['runs']['idle_steady'])} ms |",
        f"| worker peak RSS | {_num(scan['peak_rss_mb'])} MB "
        f"| {', '.join(_num(s) for s in scan['runs']['peak_rss_mb'])} |",
    ]
    stale = scan.get("stale") or {}
    if stale.get("available"):
        runs = stale["runs"]
        lines += [
            f"| stale flag: raw UPDATE (one statement, same rows) "
            f"| {_num(stale['raw_seconds'], 3)} | {', '.join(_num(s, 3) for s in runs['raw'])} |",
            f"| stale flag: `commitments.services.commitments_refresh_stale_flags` alone "
            f"| {_num(stale['service_seconds'], 3)} "
            f"| {', '.join(_num(s, 3) for s in runs['service'])} |",
            f"| stale flag: idle re-scan, right after | {_num(stale['idle_seconds'] * 1000, 1)} ms "
            f"| {', '.join(_num(s * 1000, 1) for s in runs['idle'])} ms |",
            f"| stale flag: idle re-scan, after VACUUM "
            f"| {_num(stale['idle_steady_seconds'] * 1000, 1)} ms "
            f"| {', '.join(_num(s * 1000, 1) for s in runs['idle_steady'])} ms |",
        ]
    lines += [
        "",
        f"{scan['rows']:,} commitments; {scan['flagged']:,} flagged overdue per scan "
        f"({scan['flagged'] / scan['rows']:.1%}); {scan['alerts']:,} alerts recorded per scan"
        + (
            f" (the stale-evidence ones included); {stale['flagged']:,} flagged stale per scan "
            f"({_share(stale['flagged'], stale['open_rows']):.1%} of the "
            f"{stale['open_rows']:,} open ones)."
            if stale.get("available")
            else "."
        ),
    ]
    if stale.get("available"):
        both = scan["raw_seconds"] + stale["raw_seconds"]
        lines.append(
            f"The full scan sets both flags: against the two raw UPDATEs together "
            f"({_num(both, 2)} s) it takes {_ratio(_share(scan['service_seconds'], both))}."
        )
    if not stale.get("available") and stale:
        lines.append(f"Stale-evidence flag: not available ({stale.get('reason', 'not run')}).")
    experiment = scan.get("experiment")
    if experiment:
        lines += [
            "",
            f"With the experiment `{experiment.get('name', '?')}` "
            f"(bench/experiments.py): full scan {experiment['service']:.2f}s, idle re-scan "
            f"{experiment['idle'] * 1000:.1f} ms right after it, "
            f"{experiment['idle_steady'] * 1000:.1f} ms after VACUUM.",
        ]
    return lines


def meta_lines(results: dict) -> list[str]:
    meta = results.get("meta", {})
    return [
        f"- when: {meta.get('finished_at', '?')}; commit {meta.get('commit', '?')}",
        f"- machine: {meta.get('cpu', '?')}, {meta.get('cores', '?')} cores, "
        f"{meta.get('memory_gb', '?')} GB; load average before/after "
        f"{meta.get('load_before', '?')} / {meta.get('load_after', '?')}",
        f"- software: PostgreSQL {meta.get('postgres', '?')}, Python {meta.get('python', '?')}, "
        f"Django {meta.get('django', '?')}, gunicorn {meta.get('gunicorn', '?')}, "
        f"wrk {meta.get('wrk', '?')}",
        f"- servers: gunicorn {meta.get('gunicorn_args', '?')} for both, on loopback",
        f"- load: wrk, {meta.get('seconds', '?')} s per point, median of "
        f"{meta.get('repeats', '?')} runs, concurrency {meta.get('concurrency', '?')}",
        f"- data: {meta.get('data', '?')}",
        f"- command: `{meta.get('command', 'make bench')}`; wall time "
        f"{_num(meta.get('wall_seconds'), 0)} s",
    ]


def markdown(results: dict) -> str:
    parts = [
        "# Benchmark results",
        "",
        *meta_lines(results),
        "",
        "## Targets",
        "",
        *targets_table(results),
        "",
        "## HTTP (medians)",
        "",
        *http_table(results),
        "",
        "## CSV export",
        "",
        *csv_lines(results),
        "",
        "## Deadline scan",
        "",
        *scan_lines(results),
    ]
    if results.get("replicas") or results.get("metrics_overhead"):
        parts += ["", "## Token reads with a replica; the metrics middleware", ""]
        parts += side_by_side_table(results)
    experiments = experiments_table(results)
    if experiments:
        parts += ["", "## Experiments", "", *experiments]
    notes = results.get("notes") or []
    if notes:
        parts += ["", "## Notes", "", *[f"- {note}" for note in notes]]
    return "\n".join(parts) + "\n"


def plot(results: dict, path: Path) -> Path | None:
    """Throughput against concurrency, one panel per endpoint, ours beside the baseline."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    scenarios = [(name, s) for name, s in results.get("http", {}).items() if s.get("available")]
    if not scenarios:
        return None
    columns = min(3, len(scenarios))
    rows = math.ceil(len(scenarios) / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(5 * columns, 3.8 * rows), squeeze=False)
    for index, (name, scenario) in enumerate(scenarios):
        axis = axes[index // columns][index % columns]
        for server, style in (
            ("ours", "o-"),
            ("baseline", "s--"),
            ("experiment", "^:"),
            ("front_door", "d-."),
        ):
            points = scenario["points"].get(server) or {}
            if not points:
                continue
            xs = sorted(points, key=int)
            axis.plot(
                [int(x) for x in xs],
                [points[x]["requests_per_s"] for x in xs],
                style,
                label={
                    "ours": "Django API",
                    "baseline": "baseline (WSGI + SQL JSON)",
                    "experiment": "Django API + experiments",
                    "front_door": "Django API behind nginx (cache)",
                }[server],
            )
        axis.set_title(LABELS.get(name, name))
        axis.set_xscale("log", base=2)
        axis.set_xticks([int(c) for c in sorted(scenario["points"]["ours"], key=int)])
        axis.get_xaxis().set_major_formatter(matplotlib.ticker.ScalarFormatter())
        axis.set_xlabel("concurrent connections")
        axis.set_ylabel("requests/s (median)")
        axis.set_ylim(bottom=0)
        axis.grid(True, alpha=0.3)
        axis.legend(fontsize="small")
    for index in range(len(scenarios), rows * columns):
        axes[index // columns][index % columns].axis("off")
    meta = results.get("meta", {})
    figure.suptitle(
        f"Throughput vs concurrency — {meta.get('cores', '?')}-core machine, "
        f"gunicorn {meta.get('gunicorn_args', '')}",
        fontsize="medium",
    )
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def main(argv: list[str]) -> int:
    """`python -m bench.report [results.json]`: write results.md and throughput.png again."""
    import json
    import sys

    path = Path(argv[0] if argv else Path(__file__).parent / "out" / "results.json")
    results = json.loads(path.read_text())
    text = markdown(results)
    (path.parent / "results.md").write_text(text)
    plot(results, path.parent / "throughput.png")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
