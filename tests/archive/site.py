"""A real web site for the archive's tests: a threaded HTTP server on 127.0.0.1 (a free port
the kernel picks) whose pages a test sets and changes, which records every request."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Page:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    # Answer 304 to an If-None-Match naming this ETag.
    etag: str = ""
    # Send the body a byte at a time until the site closes (a page that never ends).
    drip: bool = False
    # No Content-Length: the body is sent and the connection closed.
    unsized: bool = False


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]


class Site:
    def __init__(self):
        # A path's page, or a list of pages answered in turn (the last one from then on).
        self.pages: dict[str, Page | list[Page]] = {}
        self.requests: list[Request] = []
        self._closing = threading.Event()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                site.requests.append(
                    Request(self.path, {k.lower(): v for k, v in self.headers.items()})
                )
                page = site.pages.get(self.path) or Page(b"not here", "text/plain", 404)
                if isinstance(page, list):  # answers in turn, the last one from then on
                    page = page.pop(0) if len(page) > 1 else page[0]
                if page.etag and self.headers.get("If-None-Match") == page.etag:
                    self.send_response(304)
                    self.send_header("ETag", page.etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(page.status)
                self.send_header("Content-Type", page.content_type)
                if page.etag:
                    self.send_header("ETag", page.etag)
                for name, value in page.headers.items():
                    self.send_header(name, value)
                if page.drip:
                    self.send_header("Content-Length", "1000000")
                    self.end_headers()
                    while not site._closing.wait(0.05):
                        try:
                            self.wfile.write(b"x")
                            self.wfile.flush()
                        except OSError:
                            return
                    return
                if page.unsized:
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(page.body)
                    self.close_connection = True
                    return
                self.send_header("Content-Length", str(len(page.body)))
                self.end_headers()
                self.wfile.write(page.body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self):
        self._closing.set()
        self.server.shutdown()
        self.server.server_close()


def pdf_with_text(text: str) -> bytes:
    """A one-page PDF showing `text` in Helvetica (ASCII), written by hand: the offsets in
    its cross-reference table are counted, so pypdf reads it as any PDF."""
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 12 Tf 72 720 Td ({escaped}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
