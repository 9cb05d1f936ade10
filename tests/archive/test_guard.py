"""The archive fetches only from public addresses, by the webhooks' guard: every form of an
address inside refused before any connection, a name that resolves inside too, and a
redirect to one re-checked and refused."""

from __future__ import annotations

import pytest

from archive.choices import CheckOutcome
from archive.fetch import FetchFailed, page_fetch
from archive.models import Capture, LinkCheck
from archive.services import source_check
from tests.archive.site import Page
from tests.factories import make_source

INSIDE = [
    "http://127.0.0.1:{port}/news",  # loopback
    "http://localhost:{port}/news",  # a name that resolves to loopback
    "http://2130706433:{port}/news",  # 127.0.0.1 written as one number
    "http://10.1.2.3/",  # private
    "http://192.168.0.10/",
    "http://172.16.5.4/",
    "http://169.254.169.254/latest/meta-data/",  # link-local: the cloud metadata service
    "http://100.64.0.1/",  # shared address space
    "http://0.0.0.0:{port}/",
    "http://[::1]:{port}/",  # IPv6 loopback
    "http://[::ffff:127.0.0.1]:{port}/",  # IPv4-mapped
    "http://[64:ff9b::7f00:1]/",  # NAT64 of 127.0.0.1
    "http://[fe80::1]/",  # IPv6 link-local
    "http://[fd00::1]/",  # IPv6 unique local
    "http://[::127.0.0.1]/",  # IPv4-compatible
]


@pytest.fixture
def no_exceptions(settings):
    settings.ARCHIVE_ALLOWED_INTERNAL_NETWORKS = []


@pytest.mark.parametrize("template", INSIDE)
def test_every_form_of_an_address_inside_is_refused(site, no_exceptions, template):
    site.pages["/news"] = Page(b"<p>inside</p>")
    with pytest.raises(FetchFailed) as refused:
        page_fetch(template.format(port=site.port))
    assert "private network" in str(refused.value)
    assert refused.value.reason == "refused" and refused.value.transient is False
    assert site.requests == []  # refused before connecting


@pytest.mark.parametrize("url", ["ftp://example.org/file", "file:///etc/passwd", "gopher://x/"])
def test_schemes_other_than_http_are_refused(url):
    with pytest.raises(FetchFailed) as refused:
        page_fetch(url)
    assert "must start with https:// or http://" in str(refused.value)


@pytest.mark.parametrize(
    "location",
    [
        "http://10.0.0.7/admin",
        "http://169.254.169.254/latest/meta-data/iam/",
        "http://[::1]:{port}/news",
        "http://[::ffff:10.0.0.1]/",
    ],
)
@pytest.mark.django_db
def test_a_redirect_to_an_address_inside_is_refused(site, settings, location):
    # The test's own server is let through as 127.0.0.1 only; whatever it redirects to is
    # checked again.
    settings.ARCHIVE_ALLOWED_INTERNAL_NETWORKS = ["127.0.0.1/32"]
    site.pages["/start"] = Page(status=302, headers={"Location": location.format(port=site.port)})
    site.pages["/news"] = Page(b"<p>inside</p>")
    source = make_source(url=site.url("/start"))

    result = source_check(source_id=source.pk)

    assert result.outcome == CheckOutcome.FAILED and result.retry_in is None
    check = LinkCheck.objects.get(source=source)
    assert "private network" in check.error
    assert check.final_url == location.format(port=site.port)
    assert [r.path for r in site.requests] == ["/start"]
    assert not Capture.objects.exists()


@pytest.mark.django_db
def test_a_name_that_does_not_resolve_is_a_dead_link_sign_tried_again():
    source = make_source(url="http://no-such-host.invalid/page")

    result = source_check(source_id=source.pk)

    assert result.outcome == CheckOutcome.FAILED and result.retry_in is not None
    check = LinkCheck.objects.get(source=source)
    assert "could not be resolved" in check.error and check.reason == "unresolved"
