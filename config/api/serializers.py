"""Serializer building blocks for writes."""

from __future__ import annotations

from collections.abc import Mapping

from rest_framework import serializers


class StrictFieldsMixin:
    """A body field the serializer does not know is a 400 naming it, not silently dropped
    (a misspelt `titel` must not look like a successful edit).

    `tolerated_fields` are ignored instead: the read-only fields of the resource's own
    representation, so that a client may PUT back what it got.
    """

    tolerated_fields: frozenset[str] = frozenset()

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields) - set(self.tolerated_fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: ["Unknown field."] for name in unknown}, code="unknown_field"
                )
        return super().to_internal_value(data)


class StrictSerializer(StrictFieldsMixin, serializers.Serializer):
    pass
