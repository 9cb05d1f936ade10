"""Test data built through the services, so tests exercise the same write path as users."""

from __future__ import annotations

import itertools

from django.contrib.auth import get_user_model

from commitments.choices import ActorKind, CommitmentKind, Status
from commitments.services import (
    CitationSpec,
    PartySpec,
    actor_create,
    commitment_create,
)
from sources.choices import SourceKind
from sources.services import source_create

_counter = itertools.count(1)

SOURCE_TEXT = (
    "The ministry announced on Monday that a national cyber-security programme will run "
    "for 2025-2027. It also proposed to hold a regional forum in Ashgabat in November 2024.\n\n"
    "Officials said the   programme   was approved by the Cabinet."
)


def make_user(*, username: str | None = None, is_staff: bool = False, **extra):
    username = username or f"user{next(_counter)}"
    return get_user_model().objects.create_user(
        username=username, password="pw-" + username, is_staff=is_staff, **extra
    )


def make_editor(*, username: str | None = None, **extra):
    """A staff member in the "Editors" group: what the admin and the API let write."""
    from django.contrib.auth.models import Group

    from tests.conftest import editors_group_ensure  # conftest imports this module

    editors_group_ensure()
    user = make_user(username=username, is_staff=True, **extra)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def make_source(*, text: str = SOURCE_TEXT, title: str | None = None, **extra):
    return source_create(
        title=title or f"Source {next(_counter)}",
        kind=extra.pop("kind", SourceKind.NEWS_REPORT),
        text=text,
        publisher=extra.pop("publisher", "Test News"),
        published=extra.pop("published", "2024-09-13"),
        **extra,
    )


def make_actor(*, slug: str | None = None, **extra):
    number = next(_counter)
    return actor_create(
        slug=slug or f"actor-{number}",
        name=extra.pop("name", f"Actor {number}"),
        kind=extra.pop("kind", ActorKind.GOVERNMENT_BODY),
        **extra,
    )


def make_commitment(
    *,
    source=None,
    quote: str = "a national cyber-security programme will run for 2025-2027",
    parties: list[tuple] = (),
    **extra,
):
    """A published commitment with one citation (a fresh source unless one is given)."""
    source = source or make_source()
    return commitment_create(
        reference=extra.pop("reference", f"REF-{next(_counter)}"),
        title=extra.pop("title", "National cyber-security programme"),
        kind=extra.pop("kind", CommitmentKind.PROGRAMME),
        status=extra.pop("status", Status.PROPOSED),
        is_published=extra.pop("is_published", True),
        citations=[CitationSpec(source, quote)],
        parties=[PartySpec(actor, role) for actor, role in parties],
        **extra,
    )
