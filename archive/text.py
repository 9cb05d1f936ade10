"""The text of a fetched page, which quotes are checked against: HTML (Beautiful Soup, with a
line break around each block so that words of two paragraphs never run together), plain text
and PDF (pypdf). Whitespace is left as it is: quotes are compared with it folded."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from bs4 import BeautifulSoup
from django.conf import settings
from django.utils.http import parse_header_parameters
from pypdf import PdfReader
from pypdf.errors import PyPdfError

BLANK_LINES = re.compile(r"\s*\n\s*\n\s*")
HTML_TYPES = {"text/html", "application/xhtml+xml"}
TEXT_TYPES = {"text/plain"}
PDF_TYPES = {"application/pdf"}
# What a reader never sees as the page's text.
HIDDEN_TAGS = ["script", "style", "noscript", "template", "head"]
BLOCK_TAGS = [
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
    "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
]  # fmt: skip


@dataclass(frozen=True)
class PageText:
    text: str
    # Why there is no text, when there is none.
    note: str = ""


def media_type(content_type: str) -> tuple[str, str]:
    """(type, charset) of a Content-Type header."""
    kind, params = parse_header_parameters(content_type or "")
    return kind.strip().lower(), params.get("charset", "").strip()


def _clean(text: str) -> str:
    return text.replace("\x00", "")  # PostgreSQL text holds no NUL


def _html_text(body: bytes, charset: str) -> str:
    soup = BeautifulSoup(body, "html.parser", from_encoding=charset or None)
    for hidden in soup(HIDDEN_TAGS):
        hidden.decompose()
    for block in soup(BLOCK_TAGS):
        block.insert_before("\n")
        block.insert_after("\n")
    # Blocks give blank lines by the dozen; the page shows the text as it is spaced.
    return BLANK_LINES.sub("\n\n", soup.get_text()).strip()


def _pdf_text(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    pages = reader.pages[: settings.ARCHIVE_PDF_MAX_PAGES]
    return "\n\n".join(page.extract_text() or "" for page in pages)


def page_text(body: bytes, content_type: str) -> PageText:
    kind, charset = media_type(content_type)
    if kind in HTML_TYPES:
        return PageText(_clean(_html_text(body, charset)))
    if kind in TEXT_TYPES:
        try:
            return PageText(_clean(body.decode(charset or "utf-8", errors="replace")))
        except LookupError:  # a charset Python does not know
            return PageText(_clean(body.decode("utf-8", errors="replace")))
    if kind in PDF_TYPES or body.startswith(b"%PDF-"):
        try:
            return PageText(_clean(_pdf_text(body)))
        except (PyPdfError, ValueError, KeyError, TypeError) as error:
            return PageText("", note=f"The PDF could not be read ({type(error).__name__}).")
    return PageText(
        "",
        note=f"A {kind or 'typeless'} page: archived as it is, its text not read "
        "(HTML, plain text and PDF are).",
    )
