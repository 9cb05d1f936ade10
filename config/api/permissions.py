"""Who may write through the API: the same rule as the admin's, from Django's permissions.

A write needs an active staff user (the admin lets no one else in) who holds the permission
for it: the model's add/change/delete permission by method, as DRF's DjangoModelPermissions
maps them, or what the view names for an action of its own in `action_permissions` (recording
a status change needs `commitments.record_status_change`, as the admin's page does). So the
"Editors" group means the same in both: a staff user outside it writes nothing here either.
"""

from rest_framework.permissions import SAFE_METHODS, DjangoModelPermissions


def is_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def _offers(view, method: str) -> bool:
    action_map = getattr(view, "action_map", None)  # a viewset: the router's method → action
    if action_map is not None:
        return method.lower() in action_map
    return hasattr(view, method.lower())


class ModelPermissionsOrReadOnly(DjangoModelPermissions):
    """Anyone reads (what they may see is the selectors' business: drafts only for staff);
    staff with the permission write. An anonymous write is a 401, any other refusal a 403."""

    message = (
        "Changing records needs a staff user holding the permission for it (the Editors group "
        "has them): this token may only read here."
    )

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        if not _offers(view, request.method):
            return True  # a method the view does not offer: let it answer 405
        if not is_staff(request.user):
            return False
        required = self.required_permissions(request, view)
        # Nothing named is no permission at all: a new write route must say what it needs.
        return bool(required) and request.user.has_perms(required)

    def required_permissions(self, request, view) -> list[str]:
        action_permissions = getattr(view, "action_permissions", {})
        action = getattr(view, "action", None)
        if action in action_permissions:
            return list(action_permissions[action])
        if getattr(view, "queryset", None) is None and not hasattr(view, "get_queryset"):
            return []
        model = self._queryset(view).model
        return self.get_required_permissions(request.method, model)

    def has_object_permission(self, request, view, obj) -> bool:
        return self.has_permission(request, view)
