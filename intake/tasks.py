"""Thin Celery tasks: a large status import is checked and applied on a worker, and a source's
suggestions are computed there, within a time limit."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from intake.services import (
    source_suggestions_compute,
    source_suggestions_fail,
    status_import_apply,
    status_import_check,
)


@shared_task
def status_import_check_task(status_import_id: int) -> str:
    return status_import_check(status_import_id=status_import_id).state


@shared_task
def status_import_apply_task(status_import_id: int) -> str:
    return status_import_apply(status_import_id=status_import_id).state


@shared_task(
    soft_time_limit=settings.INTAKE_SUGGEST_SOFT_TIME_LIMIT,
    time_limit=settings.INTAKE_SUGGEST_TIME_LIMIT,
)
def source_suggestions_compute_task(source_id: int, attempt: int | None = None) -> str:
    try:
        kept = source_suggestions_compute(source_id=source_id, attempt=attempt)
    except SoftTimeLimitExceeded:
        kept = source_suggestions_fail(
            source_id=source_id,
            attempt=attempt,
            message=f"Not finished within {settings.INTAKE_SUGGEST_SOFT_TIME_LIMIT} seconds: "
            "shorten the text, or split it into several sources.",
        )
    except Exception as error:
        # Said on the page at once (not "did not finish" minutes later), and logged by Celery.
        source_suggestions_fail(
            source_id=source_id,
            attempt=attempt,
            message=f"The assistant failed on this text ({type(error).__name__}); the error "
            "is in the worker's log.",
        )
        raise
    return kept.state if kept is not None else "superseded, or the source deleted"
