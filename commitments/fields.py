"""Which fields of actors and commitments the API shows, staff edit, or stay internal.

The serializers, the admin forms, the CSV exports and the services' allow-lists are derived
from these (CONTRIBUTING.md, "Add a field"). The order is the order of the API's keys.
"""

from commitments.models import Actor, Commitment
from common.fields import Access, FieldRegistry

EDITABLE, WITH_EVIDENCE = Access.EDITABLE, Access.WITH_EVIDENCE
READ_ONLY, INTERNAL = Access.READ_ONLY, Access.INTERNAL

ACTOR_FIELDS = FieldRegistry(
    Actor,
    {
        "id": READ_ONLY,
        "name": EDITABLE,
        "short_name": EDITABLE,
        "slug": EDITABLE,
        "kind": EDITABLE,
        "country": EDITABLE,
        "parent": EDITABLE,
        "created_at": INTERNAL,
        "updated_at": INTERNAL,
        # Shown in `translation` and written through `translations` (common/translations.py).
        "translation_origins": INTERNAL,
    },
)

COMMITMENT_FIELDS = FieldRegistry(
    Commitment,
    {
        "id": READ_ONLY,
        "reference": EDITABLE,
        "title": EDITABLE,
        "description": EDITABLE,
        "kind": EDITABLE,
        "status": WITH_EVIDENCE,
        "status_source": WITH_EVIDENCE,  # recorded by staff, or derived from the parties
        "parties_status": READ_ONLY,  # derived from the acting parties' statuses
        "status_reason": WITH_EVIDENCE,  # why it stalled or was abandoned
        "replaced_by": WITH_EVIDENCE,  # superseded by / merged into
        "is_published": EDITABLE,
        "deadline_text": WITH_EVIDENCE,
        "deadline_edtf": WITH_EVIDENCE,
        "deadline_first_day": WITH_EVIDENCE,
        "deadline_last_day": WITH_EVIDENCE,
        "is_overdue": READ_ONLY,
        "overdue_since": READ_ONLY,
        "last_evidence_on": READ_ONLY,  # "last checked": the newest evidence's day
        "evidence_stale": READ_ONLY,  # set by the tracker's scan
        "recurring": EDITABLE,
        "parent": EDITABLE,
        "progress_weight": EDITABLE,
        "tags": EDITABLE,
        "announced_on": EDITABLE,
        "parties": EDITABLE,  # a PUT or PATCH that names them replaces them all
        "citations": WITH_EVIDENCE,  # added one by one, each checked against its source
        "claims": WITH_EVIDENCE,  # facts the citations state, each with its quote
        "disputed_facts": READ_ONLY,  # derived from the claims by the services
        "resolutions": WITH_EVIDENCE,  # which claim is followed on a disputed fact, and why
        "version": READ_ONLY,
        "created_at": READ_ONLY,
        "updated_at": READ_ONLY,
        "search_vector": INTERNAL,
        "translation_origins": INTERNAL,
    },
    groups={
        "deadline": ("deadline_text", "deadline_edtf", "deadline_first_day", "deadline_last_day")
    },
)
