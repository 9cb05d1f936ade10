"""Reading /metrics as Prometheus does: the text format parsed by prometheus-client's own
parser, samples by name and labels."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families


def scrape(client, **extra) -> dict[str, list]:
    """GET /metrics from loopback; every family's samples, by sample name."""
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    return samples_of(response.content.decode())


def samples_of(text: str) -> dict[str, list]:
    samples: dict[str, list] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append(sample)
    return samples


def value(samples: dict, name: str, **labels) -> float:
    """The sum of the samples named `name` whose labels include `labels` (0 when none)."""
    return sum(
        sample.value
        for sample in samples.get(name, [])
        if all(sample.labels.get(key) == wanted for key, wanted in labels.items())
    )


def label_values(samples: dict, name: str, label: str) -> set[str]:
    return {sample.labels[label] for sample in samples.get(name, [])}
