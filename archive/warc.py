"""A capture as a WARC file (ISO 28500, WARC/1.1), written and read with warcio: a warcinfo
record naming the software, the request as sent and the response as received."""

from __future__ import annotations

import io
from datetime import datetime

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.fetch import Fetched

SOFTWARE = "commitment-tracker archive (warcio)"


def warc_bytes(fetched: Fetched, *, fetched_at: datetime, filename: str) -> bytes:
    """A gzipped WARC file of the fetch: warcinfo, request, response."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True, warc_version="WARC/1.1")
    date = fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    writer.write_record(
        writer.create_warcinfo_record(
            filename, {"software": SOFTWARE, "format": "WARC File Format 1.1"}
        )
    )
    common = {"WARC-Date": date, "WARC-IP-Address": fetched.address}
    response = writer.create_warc_record(
        fetched.final_url,
        "response",
        payload=io.BytesIO(fetched.raw_body),
        length=len(fetched.raw_body),
        http_headers=StatusAndHeaders(
            f"{fetched.status} {fetched.reason}".strip(), fetched.headers, protocol="HTTP/1.1"
        ),
        warc_headers_dict=common,
    )
    path = fetched.final_url.split("//", 1)[-1].partition("/")[2]
    request = writer.create_warc_record(
        fetched.final_url,
        "request",
        payload=io.BytesIO(b""),
        length=0,
        http_headers=StatusAndHeaders(
            f"GET /{path} HTTP/1.1", fetched.request_headers, is_http_request=True
        ),
        warc_headers_dict={**common, "WARC-Concurrent-To": response.rec_headers["WARC-Record-ID"]},
    )
    writer.write_record(request)
    writer.write_record(response)
    return buffer.getvalue()
