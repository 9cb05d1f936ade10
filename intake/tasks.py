"""Thin Celery tasks: a large status import is checked and applied on a worker."""

from celery import shared_task

from intake.services import status_import_apply, status_import_check


@shared_task
def status_import_check_task(status_import_id: int) -> str:
    return status_import_check(status_import_id=status_import_id).state


@shared_task
def status_import_apply_task(status_import_id: int) -> str:
    return status_import_apply(status_import_id=status_import_id).state
