"""`manage.py evaluate_extraction`: the assistant on the five seed articles, compared with
the seed dataset. The figures are held at the level reached (README, "Staff workflow")."""

import re

import pytest
from django.core.management import call_command

from commitments.models import Actor, Commitment
from commitments.seed_data import seed_data_load
from intake.evaluation import extraction_evaluate

pytestmark = pytest.mark.django_db


def test_the_assistant_finds_the_seed_commitments_and_their_deadlines():
    seed_data_load()

    result = extraction_evaluate()

    assert result.commitments.expected == Commitment.objects.count()
    assert result.commitments.recall >= 0.95
    assert result.commitments.precision >= 0.78
    assert result.deadlines.recall == 1.0
    assert result.deadlines.precision >= 0.85
    assert result.actors.recall >= 0.55
    assert result.actors.precision >= 0.8
    assert result.missed_deadlines == []


def test_the_command_prints_recall_and_precision_and_leaves_the_database_as_it_was(capsys):
    call_command("evaluate_extraction")

    out = capsys.readouterr().out
    # "commitments    0.96 ( 27/28 )     0.80 ( 33/41 )": recall, then precision.
    figures = {
        line.split()[0]: [float(f) for f in re.findall(r"\d\.\d\d(?= \()", line)]
        for line in out.splitlines()
        if line.strip()
    }
    for name in ("commitments", "deadlines", "actors"):
        recall, precision = figures[name]
        assert 0 < recall <= 1 and 0 < precision <= 1
    assert figures["commitments"][0] >= 0.8
    assert figures["deadlines"][0] >= 0.9
    assert "missed commitments:" in out
    assert not Actor.objects.exists() and not Commitment.objects.exists()
