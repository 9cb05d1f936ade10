"""The Grafana dashboard and the Prometheus alert rules (deploy/), parsed: every metric they
name is one the service exports, read from a real scrape of /metrics (the web's figures, and
the worker's task metrics, whose module the web imports too); and the compose file's
monitoring profile mounts what exists."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from prometheus_client.parser import text_string_to_metric_families

from tests.factories import make_commitment
from tracker.services import deadlines_scan

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "deploy" / "grafana" / "dashboards" / "commitment-tracker.json"
RULES = ROOT / "deploy" / "prometheus" / "alerts.yml"
PROMETHEUS = ROOT / "deploy" / "prometheus" / "prometheus.yml"

# What a PromQL expression names that is not a metric.
PROMQL_WORDS = {
    "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or",
    "unless", "offset", "le", "inf", "nan",
}  # fmt: skip
SAMPLE_SUFFIXES = {
    "counter": ("_total", "_created"),
    "gauge": ("",),
    "histogram": ("_bucket", "_count", "_sum", "_created"),
    "summary": ("", "_count", "_sum", "_created"),
    "unknown": ("",),
}


def metric_names(expr: str) -> set[str]:
    """The metric names in a PromQL expression."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', "", expr)  # strings
    text = re.sub(r"\{[^}]*\}", "", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", "", text)  # ranges
    text = re.sub(r"\boffset\s+\w+", "", text)  # offset 5m
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    names = set()
    for match in re.finditer(r"[A-Za-z_:][\w:]*", text):
        following = text[match.end() :].lstrip()
        if following.startswith("("):
            continue  # a function or an aggregation
        if match.group().lower() in PROMQL_WORDS:
            continue
        names.add(match.group())
    return names


def test_the_promql_reader_finds_metrics_and_skips_functions_labels_and_words():
    expr = (
        'histogram_quantile(0.95, sum by (le, task) (rate(a_seconds_bucket{task=~"x.+"}[5m])))'
        " / on(job) group_left b_total > bool 1 or absent(c_gauge) unless d offset 5m"
    )
    assert metric_names(expr) == {"a_seconds_bucket", "b_total", "c_gauge", "d"}


@pytest.fixture
def exported(client, db) -> set[str]:
    """Every sample name /metrics can serve, by each family's type."""
    import metrics.worker  # noqa: F401  the worker's task metrics, registered here as there

    make_commitment()
    deadlines_scan()
    client.get("/api/v1/")  # request, database and cache figures
    response = client.get("/metrics")
    assert response.status_code == 200
    names = set()
    for family in text_string_to_metric_families(response.content.decode()):
        names |= {family.name + suffix for suffix in SAMPLE_SUFFIXES[family.type]}
        names |= {sample.name for sample in family.samples}
    return names


# What Prometheus itself records of each scrape.
PROMETHEUS_OWN = {"up"}


def dashboard_exprs() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text())
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


def rules() -> list[dict]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def test_every_dashboard_panel_names_only_exported_metrics(exported):
    exprs = dashboard_exprs()
    assert len(exprs) >= 15
    for expr in exprs:
        unknown = metric_names(expr) - exported
        assert not unknown, f"{expr!r} names {unknown}, which /metrics does not export"


def test_every_alert_rule_names_only_exported_metrics(exported):
    for rule in rules():
        unknown = metric_names(rule["expr"]) - exported - PROMETHEUS_OWN
        assert not unknown, f"{rule['alert']} names {unknown}, which /metrics does not export"


def test_the_rules_cover_the_scan_webhooks_errors_and_latency_with_the_scans_interval():
    by_name = {rule["alert"]: rule for rule in rules()}
    assert set(by_name) >= {
        "TrackerDeadlineScanNotRun",
        "TrackerWebhookFailureRatio",
        "TrackerHttp5xxRatio",
        "TrackerHttpLatencyP95",
        "TrackerWebDown",
        "TrackerDatabaseFiguresMissing",
    }
    scan = by_name["TrackerDeadlineScanNotRun"]["expr"]
    window = int(re.search(r"> (\d+)", scan).group(1))
    assert window == 2 * settings.TRACKER_SCAN_INTERVAL_SECONDS
    # Missing (a fresh deploy, an emptied Redis) alerts only after two intervals too.
    missing = re.search(
        r"absent_over_time\(tracker_deadlines_scan_last_success_timestamp_seconds\[(\d+)m\]\)", scan
    )
    assert missing and int(missing.group(1)) * 60 == window
    for rule in rules():
        assert rule["labels"]["severity"] in {"warning", "critical"}
        assert rule["annotations"]["summary"]


def test_the_dashboard_is_importable_as_it_is():
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"] and dashboard["title"] and dashboard["schemaVersion"] >= 36
    # Its data source is a variable: the import form asks for one, provisioning finds it.
    [source] = dashboard["__inputs"]
    assert source["type"] == "datasource" and source["pluginId"] == "prometheus"
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in dashboard["panels"]:
        assert panel["datasource"]["uid"] == "${DS_PROMETHEUS}"
        assert panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24


def test_the_monitoring_profile_mounts_the_committed_files_and_scrapes_every_replica():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    for name in ("prometheus", "grafana"):
        assert services[name]["profiles"] == ["monitoring"]
        assert services[name]["healthcheck"]["test"]
        for volume in services[name]["volumes"]:
            source = volume.split(":", 1)[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), volume
    config = yaml.safe_load(PROMETHEUS.read_text())
    assert config["rule_files"] == ["/etc/prometheus/alerts.yml"]
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    web = jobs["tracker-web"]["dns_sd_configs"][0]
    worker = jobs["tracker-worker"]["dns_sd_configs"][0]
    assert (web["names"], web["port"]) == (["web"], 8000)
    worker_env = services["worker"]["environment"]
    assert (worker["names"], str(worker["port"])) == (["worker"], worker_env["METRICS_WORKER_PORT"])
    # Prometheus's address is internal to the app: the compose network's subnet.
    subnet = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["networks"]["default"]
    [block] = subnet["ipam"]["config"]
    assert services["web"]["environment"]["METRICS_INTERNAL_NETWORKS"] == block["subnet"]
    datasource = yaml.safe_load(
        (ROOT / "deploy/grafana/provisioning/datasources/prometheus.yml").read_text()
    )["datasources"][0]
    assert datasource["url"] == "http://prometheus:9090"
