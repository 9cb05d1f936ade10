"""`?ordering=` over a whitelist, e.g. `deadline`, `-updated`, `title`.

A view declares `ordering_fields = {"deadline": "deadline_last_day", ...}` (public name → model
field) and `ordering` (its default, a list of model fields); without `?ordering=`, a searched
list (`q`) comes best match first. The cursor paginator adds the primary key as the last key,
so every order is total and stable. An unknown value is a 400 naming `ordering`.
"""

from __future__ import annotations

from rest_framework.exceptions import ValidationError

from common.search import SEARCH_RANK

ORDERING_PARAM = "ordering"


def ordering_choices(view) -> list[str]:
    names = list(getattr(view, "ordering_fields", None) or {})
    return [form for name in names for form in (name, f"-{name}")]


def _default_order(queryset, view):
    """The view's default order; a searched list (ranked by common.search) best match first,
    ties in the default order."""
    default = list(getattr(view, "ordering", None) or [])
    if SEARCH_RANK in queryset.query.annotations:
        return queryset.order_by(f"-{SEARCH_RANK}", *(default or queryset.model._meta.ordering))
    return queryset.order_by(*default) if default else queryset


class WhitelistOrderingFilter:
    def filter_queryset(self, request, queryset, view):
        fields: dict[str, str] = getattr(view, "ordering_fields", None) or {}
        value = request.query_params.get(ORDERING_PARAM)
        if not fields or not value:
            return _default_order(queryset, view)
        name = value.removeprefix("-")
        if name not in fields:
            raise ValidationError(
                {
                    ORDERING_PARAM: [
                        f"Cannot order by {value!r}; one of: {', '.join(ordering_choices(view))}."
                    ]
                },
                code="invalid_choice",
            )
        return queryset.order_by(("-" if value.startswith("-") else "") + fields[name])

    def get_schema_operation_parameters(self, view) -> list[dict]:
        choices = ordering_choices(view)
        if not choices:
            return []
        return [
            {
                "name": ORDERING_PARAM,
                "in": "query",
                "required": False,
                "description": (
                    "Order of the results; `-` reverses it. Ties are broken by id, so the "
                    "order is stable across pages."
                ),
                "schema": {"type": "string", "enum": choices},
            }
        ]
