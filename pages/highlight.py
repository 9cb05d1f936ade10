"""A source's text cut into segments, each marked with the citations that quote it.

Quotes are stored with whitespace folded to single spaces (commitments.services); the text
is kept as published, so a quote is found with any run of whitespace between its words.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from commitments.models import Citation


@dataclass
class Segment:
    text: str
    citations: list[Citation] = field(default_factory=list)  # quoting this segment
    starts: list[Citation] = field(default_factory=list)  # whose quote begins here
    ends: list[Citation] = field(default_factory=list)  # whose quote ends here


def quote_span(text: str, quote: str) -> tuple[int, int] | None:
    words = quote.split()
    if not words:
        return None
    match = re.search(r"\s+".join(re.escape(word) for word in words), text)
    return match.span() if match else None


def highlighted_segments(
    text: str, citations: Sequence[Citation]
) -> tuple[list[Segment], list[Citation]]:
    """The text's segments in order, and the citations whose quote was not found (the
    source's text was corrected after they were recorded)."""
    spans: dict[int, tuple[int, int]] = {}
    missing = []
    for citation in citations:
        span = quote_span(text, citation.quote)
        if span is None:
            missing.append(citation)
        else:
            spans[citation.pk] = span
    cuts = sorted({0, len(text), *(i for span in spans.values() for i in span)})
    segments = []
    for start, end in itertools.pairwise(cuts):
        segment = Segment(text[start:end])
        for citation in citations:
            span = spans.get(citation.pk)
            if span and span[0] <= start and end <= span[1]:
                segment.citations.append(citation)
                if span[0] == start:
                    segment.starts.append(citation)
                if span[1] == end:
                    segment.ends.append(citation)
        segments.append(segment)
    return segments, missing
