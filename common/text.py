"""Characters that text written into feeds and calendars cannot carry."""

import re

# C0 and C1 control characters but tab, line feed and carriage return: XML 1.0 (the Atom
# feed) and iCalendar refuse them. The API refuses them in text (config.api.serializers);
# NUL, which PostgreSQL cannot store, has a refusal of its own.
CONTROL_CHARACTER = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def without_control_characters(text: str) -> str:
    """`text` as a feed or a calendar can carry it: what the admin let in is dropped there."""
    return CONTROL_CHARACTER.sub("", text)
