"""Which fields of a source the API shows, staff edit, or stay internal (see common.fields).

The order is the order of the API's keys; the full text comes last, in the detail only.
"""

from common.fields import Access, FieldRegistry
from sources.models import Source

SOURCE_FIELDS = FieldRegistry(
    Source,
    {
        "id": Access.READ_ONLY,
        "title": Access.EDITABLE,
        "publisher": Access.EDITABLE,
        "author": Access.EDITABLE,
        "url": Access.EDITABLE,
        "published": Access.EDITABLE,
        "published_on": Access.READ_ONLY,
        "kind": Access.EDITABLE,
        "language": Access.EDITABLE,
        "text_sha256": Access.READ_ONLY,
        "created_at": Access.READ_ONLY,
        "updated_at": Access.READ_ONLY,
        "text": Access.EDITABLE,
        "search_vector": Access.INTERNAL,
        # Shown in `translation` and written through `translations` (common/translations.py).
        "translation_origins": Access.INTERNAL,
    },
)
