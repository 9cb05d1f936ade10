from __future__ import annotations

import io

from warcio.archiveiterator import ArchiveIterator

from archive.models import Capture

# Our own words (tests never paste an article).
QUOTE = "the ministry will open a public registry of digital services in 2026"
HTML = (
    b"<!doctype html><html><head><title>Registry</title><style>p{color:red}</style>"
    b"<script>var quote = 'not text';</script></head><body><h1>News</h1>"
    b"<p>On Monday <b>the ministry</b> will open a public registry of "
    b"<a href='/x'>digital services</a> in 2026, officials said.</p>"
    b"<p>Another paragraph.</p></body></html>"
)


def warc_records(capture: Capture) -> list:
    """(type, target URI, WARC headers, HTTP status line, payload) of each record, as warcio
    reads the stored file."""
    with capture.warc.open("rb") as stored:
        data = stored.read()
    records = []
    for record in ArchiveIterator(io.BytesIO(data)):
        http = record.http_headers
        records.append(
            (
                record.rec_type,
                record.rec_headers.get_header("WARC-Target-URI"),
                dict(record.rec_headers.headers),
                http.statusline if http else None,
                record.content_stream().read(),
            )
        )
    return records
