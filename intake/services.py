"""Every write of the intake. Commitments, citations and status changes are written by
commitments.services, as everywhere else; here only what the intake adds (aliases, imports,
the suggestions kept for each source) and the composition of those calls.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from commitments.choices import Status
from commitments.models import Actor, Citation, Commitment, StatusChange
from commitments.services import (
    CitationSpec,
    PartySpec,
    citation_add,
    commitment_create,
    commitment_record_status_change,
)
from intake.models import ActorAlias, ImportState, SourceSuggestions, StatusImport, SuggestionsState
from intake.selectors import suggestions_compute, suggestions_inputs, suggestions_to_json
from intake.status_csv import StatusRow, status_rows_read
from sources.models import Source

logger = logging.getLogger(__name__)

# Progress is written to the cache every this many rows: the rows themselves are written in
# one transaction, which no one else sees until it commits.
PROGRESS_EVERY = 20
PROGRESS_SECONDS = 6 * 3600


# --- actor aliases --------------------------------------------------------------------------


@transaction.atomic
def actor_alias_create(*, actor: Actor, alias: str) -> ActorAlias:
    row = ActorAlias(actor=actor, alias=" ".join((alias or "").split()))
    try:
        row.full_clean()
    except ValidationError as error:
        if "__all__" in error.message_dict:
            raise ValidationError({"alias": [f"{actor} already has this alias."]}) from None
        raise
    row.save()
    return row


@transaction.atomic
def actor_alias_delete(*, alias: ActorAlias) -> None:
    alias.delete()


# --- accepting a suggested commitment ---------------------------------------------------------


@dataclass(frozen=True)
class AcceptedCandidate:
    """What staff accept of a candidate, after their edits."""

    reference: str
    title: str
    kind: str
    status: str
    deadline: str
    quote: str
    parties: list[PartySpec]
    description: str = ""
    announced_on: date | None = None
    is_published: bool = False


def candidate_accept(*, source: Source, accepted: AcceptedCandidate, created_by) -> Commitment:
    """A new commitment from a candidate, cited with its quote from `source`."""
    return commitment_create(
        reference=accepted.reference,
        title=accepted.title,
        description=accepted.description,
        kind=accepted.kind,
        status=accepted.status,
        deadline=accepted.deadline or None,
        announced_on=accepted.announced_on,
        is_published=accepted.is_published,
        parties=accepted.parties,
        citations=[CitationSpec(source, accepted.quote)],
        created_by=created_by,
    )


def candidate_cite_on(
    *, commitment: Commitment, source: Source, quote: str, created_by
) -> Citation:
    """The candidate reports an existing commitment again: cite it there, no duplicate."""
    return citation_add(commitment=commitment, source=source, quote=quote, created_by=created_by)


def candidate_record_status(
    *, commitment: Commitment, source: Source, quote: str, status: str, recorded_by
) -> StatusChange:
    """The candidate is a follow-up: the status it supports, recorded on the commitment in one
    step, with the passage as the evidence and the source's date as when it took effect. The
    evidence rules of commitments.services apply (and refuse as they always do)."""
    return commitment_record_status_change(
        commitment=commitment,
        status=status,
        effective_on=source.published_on,
        source=source,
        quote=quote,
        recorded_by=recorded_by,
    )


# --- the suggestions kept for a source -----------------------------------------------------


@transaction.atomic
def source_suggestions_request(
    *, source: Source, again: bool = False
) -> tuple[SourceSuggestions, bool]:
    """The kept suggestions of `source`, and whether a computation must start now: when none
    were kept, when what they were computed from has changed, or when staff ask `again`. A
    computation that failed is not started again by itself (the same input would fail the
    same way); one under way is not started twice. A computation started is the row's
    `attempt`, which the task is given."""
    inputs = suggestions_inputs(source)
    kept, created = SourceSuggestions.objects.select_for_update().get_or_create(
        source=source, defaults={"inputs": inputs, "requested_at": timezone.now()}
    )
    if created:
        return kept, True
    if kept.is_computing and (again or kept.inputs == inputs):
        return kept, False
    if kept.inputs == inputs and not again:
        return kept, False
    kept.inputs = inputs
    kept.state = SuggestionsState.COMPUTING
    kept.error = ""
    kept.attempt += 1
    kept.requested_at = timezone.now()
    kept.started_at = None
    kept.save(update_fields=["inputs", "state", "error", "attempt", "requested_at", "started_at"])
    return kept, True


def _kept_for(source_id: int, attempt: int | None) -> SourceSuggestions | None:
    """The row, locked, if `attempt` is still its last computation (None: whatever it is); a
    newer computation asked for since is the one whose result counts."""
    rows = SourceSuggestions.objects.select_for_update().filter(source_id=source_id)
    return (rows if attempt is None else rows.filter(attempt=attempt)).first()


def source_suggestions_compute(
    *, source_id: int, attempt: int | None = None
) -> SourceSuggestions | None:
    """Work out the suggestions of a source and keep them (the worker's task), unless a newer
    computation was asked for meanwhile. The digest is taken first: anything written while
    this runs makes the result stale, not wrong."""
    source = Source.objects.filter(pk=source_id).first()
    if source is None:
        return None  # deleted since it was asked for
    with transaction.atomic():
        kept = _kept_for(source_id, attempt)
        if kept is None and attempt is not None:
            return None
        if kept is not None:
            kept.started_at = timezone.now()
            kept.save(update_fields=["started_at"])
    inputs = suggestions_inputs(source)
    suggestions, extraction = suggestions_compute(source)
    with transaction.atomic():
        kept = _kept_for(source_id, attempt)
        if kept is None and attempt is not None:
            return None
        kept = kept or SourceSuggestions(source=source, requested_at=timezone.now())
        kept.inputs = inputs
        kept.text_sha256 = source.text_sha256
        kept.state = SuggestionsState.READY
        kept.suggestions = suggestions_to_json(suggestions)
        kept.extent = extraction.extent
        kept.error = ""
        kept.computed_at = timezone.now()
        kept.save()
    return kept


@transaction.atomic
def source_suggestions_fail(
    *, source_id: int, message: str, attempt: int | None = None
) -> SourceSuggestions | None:
    """The computation could not be done: say why on the page; what was kept stays. A newer
    computation asked for meanwhile is left to say how it went."""
    kept = _kept_for(source_id, attempt)
    if kept is None:
        return None
    kept.state = SuggestionsState.FAILED
    kept.error = message
    kept.save(update_fields=["state", "error"])
    return kept


# --- status imports -------------------------------------------------------------------------


def status_import_progress_key(status_import_id: int) -> str:
    return f"intake:status-import:{status_import_id}:progress"


def _progress(status_import_id: int, done: int, total: int) -> None:
    try:
        cache.set(
            status_import_progress_key(status_import_id),
            {"done": done, "total": total},
            PROGRESS_SECONDS,
        )
    except Exception:  # progress is a courtesy: Redis down must not fail the import
        logger.warning("could not record the progress of status import %s", status_import_id)


@transaction.atomic
def status_import_create(*, csv_text: str, file_name: str, created_by) -> StatusImport:
    """Keep an uploaded file to check; refuse one that cannot be a status review."""
    rows = status_rows_read(csv_text)
    status_import = StatusImport(
        file_name=file_name[:255],
        csv_text=csv_text,
        row_count=len(rows),
        state=ImportState.PREVIEWING,
        created_by=created_by,
    )
    status_import.full_clean()
    status_import.save()
    return status_import


_STATUS_BY_LABEL = {label.lower(): value for value, label in Status.choices}


def _effective_on(value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            {"effective_on": [f"{value!r} is not a date in the form YYYY-MM-DD."]}
        ) from None


def _row_record(row: StatusRow, *, commitments, sources, recorded_by) -> dict:
    commitment = commitments.get(row.reference)
    if commitment is None:
        raise ValidationError(
            {"reference": [f"No commitment has the reference {row.reference!r}."]}
        )
    source = None
    if row.source_id:
        if not row.source_id.isascii() or not row.source_id.isdigit():
            raise ValidationError({"source_id": [f"{row.source_id!r} is not a source id."]})
        source = sources.get(int(row.source_id))
        if source is None:
            raise ValidationError({"source_id": [f"No source has the id {row.source_id}."]})
    replaced_by = None
    if row.replaced_by:
        replaced_by = Commitment.objects.filter(reference=row.replaced_by).first()
        if replaced_by is None:
            raise ValidationError(
                {"replaced_by": [f"No commitment has the reference {row.replaced_by!r}."]}
            )
    change = commitment_record_status_change(
        commitment=commitment,
        status=_STATUS_BY_LABEL.get(row.new_status.lower(), row.new_status),
        effective_on=_effective_on(row.effective_on),
        source=source,
        quote=row.quote,
        note=row.note,
        reason=row.reason.lower(),
        replaced_by=replaced_by,
        recorded_by=recorded_by,
    )
    return {
        "line": row.line,
        "reference": row.reference,
        "old": str(Status(change.old_status).label),
        "new": str(Status(change.new_status).label),
        "effective_on": change.effective_on.isoformat(),
    }


def _refusal(row: StatusRow, error: ValidationError) -> dict:
    by_field = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    return {
        "line": row.line,
        "reference": row.reference,
        "messages": [
            f"{field}: {message}" if field and field != "__all__" else message
            for field, messages in by_field.items()
            for message in messages
        ],
    }


def _rows_run(status_import: StatusImport, *, write: bool, recorded_by) -> dict:
    """Every row through commitment_record_status_change, each in a savepoint so that one
    refusal does not hide the next; rolled back unless `write` and nothing was refused."""
    rows = status_rows_read(status_import.csv_text)
    changes, refusals = [], []
    with transaction.atomic():
        commitments = Commitment.objects.in_bulk(
            {row.reference for row in rows}, field_name="reference"
        )
        source_ids = {
            int(r.source_id) for r in rows if r.source_id.isascii() and r.source_id.isdigit()
        }
        sources = Source.objects.in_bulk(source_ids)
        for number, row in enumerate(rows, start=1):
            try:
                with transaction.atomic():
                    changes.append(
                        _row_record(
                            row, commitments=commitments, sources=sources, recorded_by=recorded_by
                        )
                    )
            except ValidationError as error:
                refusals.append(_refusal(row, error))
            if number % PROGRESS_EVERY == 0:
                _progress(status_import.pk, number, len(rows))
        written = write and not refusals
        if written:
            StatusImport.objects.filter(pk=status_import.pk).update(
                state=ImportState.APPLIED,
                applied_at=timezone.now(),
                outcome={"dry_run": False, "changes": changes, "refusals": []},
            )
        else:
            transaction.set_rollback(True)
    _progress(status_import.pk, len(rows), len(rows))
    return {"dry_run": not write, "changes": changes, "refusals": refusals}


def status_import_fail(*, status_import_id: int, message: str) -> None:
    """Nothing was written and nothing will be: say why on the import's page."""
    StatusImport.objects.filter(pk=status_import_id).update(
        state=ImportState.FAILED, outcome={"error": message}
    )


def _failed(status_import: StatusImport, error: Exception) -> None:
    status_import_fail(
        status_import_id=status_import.pk, message=f"{type(error).__name__}: {error}"
    )


def status_import_check(*, status_import_id: int) -> StatusImport:
    """The dry run: every change and every refusal, by row; nothing written."""
    status_import = StatusImport.objects.get(pk=status_import_id)
    try:
        outcome = _rows_run(status_import, write=False, recorded_by=status_import.created_by)
    except Exception as error:
        _failed(status_import, error)
        raise
    StatusImport.objects.filter(pk=status_import.pk).update(
        state=ImportState.PREVIEWED, outcome=outcome
    )
    status_import.refresh_from_db()
    return status_import


@transaction.atomic
def status_import_start_apply(*, status_import: StatusImport, applied_by) -> StatusImport:
    """Claim a checked import for writing, once: a second click finds it applying."""
    status_import = StatusImport.objects.select_for_update().get(pk=status_import.pk)
    if status_import.state != ImportState.PREVIEWED:
        raise ValidationError(
            {"state": [f"This import is {status_import.get_state_display().lower()}."]}
        )
    if status_import.outcome.get("refusals"):
        raise ValidationError(
            {"file": ["Rows were refused in the dry run: correct the file and upload it again."]}
        )
    status_import.state = ImportState.APPLYING
    status_import.applied_by = applied_by
    status_import.save(update_fields=["state", "applied_by"])
    return status_import


def status_import_apply(*, status_import_id: int) -> StatusImport:
    """Write every change, recorded as the staff member who applied the import, or none:
    a row refused now (the data moved on since the dry run) leaves everything unwritten."""
    status_import = StatusImport.objects.get(pk=status_import_id)
    if status_import.state != ImportState.APPLYING:
        return status_import  # already done (a task delivered twice)
    try:
        outcome = _rows_run(status_import, write=True, recorded_by=status_import.applied_by)
    except Exception as error:
        _failed(status_import, error)
        raise
    if outcome["refusals"]:
        StatusImport.objects.filter(pk=status_import.pk).update(
            state=ImportState.REFUSED, outcome=outcome
        )
    status_import.refresh_from_db()
    return status_import
