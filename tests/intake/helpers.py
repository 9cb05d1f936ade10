import csv
import io

from tests.factories import make_commitment, make_source

QUOTE = "Officials said the programme was approved by the Cabinet."


def commitments_for_review(count: int, *, source=None):
    source = source or make_source(title="Cabinet news")
    return source, [
        make_commitment(source=source, reference=f"REV-{number:04d}") for number in range(count)
    ]


def status_csv(rows: list[dict]) -> str:
    columns = ["reference", "title", "new_status", "effective_on", "source_id", "quote", "note"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({"title": "ignored", "note": "", **row})
    return out.getvalue()


def change_row(commitment, source, status: str, *, on: str = "2025-01-15", **extra) -> dict:
    return {
        "reference": commitment.reference,
        "new_status": status,
        "effective_on": on,
        "source_id": source.pk,
        "quote": QUOTE,
        **extra,
    }


def suggestions_computed(source):
    """What the worker does when the suggestion page asks for it (intake.tasks): computed
    here, in the test's transaction, so the page shows them from storage."""
    from intake.services import source_suggestions_compute

    return source_suggestions_compute(source_id=source.pk)


def candidate_fields(source, number: int) -> dict[str, str]:
    """What the page's forms post to name candidate `number` of the kept suggestions."""
    from intake.models import SourceSuggestions
    from intake.selectors import suggestions_stored

    kept = SourceSuggestions.objects.get(source=source)
    suggestion = next(s for s in suggestions_stored(kept, source) if s.number == number)
    return {"number": str(number), "candidate": suggestion.key}
