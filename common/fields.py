"""One classification of each model field: what the API shows, what staff edit, what stays in.

Each app declares a `FieldRegistry` per model in its `fields.py`. The read serializer, the
write serializers, the admin form, the CSV columns and the services' allow-lists are derived
from it, so a new field is classified once. `registry_problems()` names every concrete field
a registry leaves out (a system check, so `manage.py check` and the test suite both fail).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum

from django.core import checks
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db.models import Model

from common.translations import localized_columns


class Access(StrEnum):
    EDITABLE = "editable"  # shown; staff change it with a plain edit
    WITH_EVIDENCE = "with_evidence"  # shown; changes only through its own service, with evidence
    READ_ONLY = "read_only"  # shown; set by the system
    INTERNAL = "internal"  # never shown


PUBLIC = (Access.EDITABLE, Access.WITH_EVIDENCE, Access.READ_ONLY)


class FieldRegistry:
    """The fields of `model` in the order the API shows them, each with its `Access`.

    Besides every concrete field, a registry may list reverse relations (a commitment's
    parties) where the API shows them. `groups` shows several columns as one value under a
    name of its own (a deadline's four columns as `deadline`), at the first member's place.
    """

    registries: list[FieldRegistry] = []  # every registry made, for the system check

    def __init__(
        self,
        model: type[Model],
        access: dict[str, Access],
        *,
        groups: dict[str, tuple[str, ...]] | None = None,
    ):
        self.model = model
        self.access = dict(access)
        self.groups = dict(groups or {})
        FieldRegistry.registries.append(self)

    def names(self, *accesses: Access) -> tuple[str, ...]:
        return tuple(name for name, access in self.access.items() if access in accesses)

    @property
    def editable(self) -> tuple[str, ...]:
        """What a plain edit may change: the write serializers' and the services' fields."""
        return self.names(Access.EDITABLE)

    @property
    def editable_columns(self) -> tuple[str, ...]:
        """The editable concrete fields (not relations): the admin form's fields."""
        return tuple(name for name in self.editable if self._is_column(name))

    def flat_columns(self, relation_columns: Mapping[str, str] | None = None) -> tuple[str, ...]:
        """A flat export's columns, in order: each shown concrete field by its column name
        (`parent_id`), each shown relation under the name `relation_columns` gives it."""
        relation_columns = relation_columns or {}
        columns = []
        for name in self.names(*PUBLIC):
            if self._is_column(name):
                columns.append(self.model._meta.get_field(name).attname)
            elif name in relation_columns:
                columns.append(relation_columns[name])
            else:
                raise ImproperlyConfigured(
                    f"{self.model._meta.label}.{name} is shown but has no flat column: name it "
                    "in relation_columns."
                )
        return tuple(columns)

    def representation(self) -> tuple[str, ...]:
        """The keys of the API's representation, in order, groups shown as one key."""
        member_of = {member: group for group, members in self.groups.items() for member in members}
        keys: list[str] = []
        for name in self.names(*PUBLIC):
            key = member_of.get(name, name)
            if key not in keys:
                keys.append(key)
        return tuple(keys)

    def _is_column(self, name: str) -> bool:
        return getattr(self.model._meta.get_field(name), "concrete", False)

    def problems(self) -> list[str]:
        """Each concrete field not classified, and each name that is not a field."""
        label = self.model._meta.label
        # A translated field's columns per language are classified with it.
        localized = set(localized_columns(self.model))
        found = [
            f"{label}.{field.name} is not classified in its FieldRegistry: add it to the "
            "app's fields.py as editable, with_evidence, read_only or internal."
            for field in self.model._meta.concrete_fields
            if field.name not in self.access and field.name not in localized
        ]
        for name in [*self.access, *(m for members in self.groups.values() for m in members)]:
            try:
                self.model._meta.get_field(name)
            except FieldDoesNotExist:
                found.append(f"{label} has no field {name!r}, which its FieldRegistry names.")
        return found


def registry_problems(registries: Iterable[FieldRegistry] | None = None) -> list[str]:
    registries = FieldRegistry.registries if registries is None else registries
    return [problem for registry in registries for problem in registry.problems()]


@checks.register()
def check_field_registries(app_configs=None, **kwargs) -> list[checks.Error]:
    return [checks.Error(problem, id="common.E001") for problem in registry_problems()]
