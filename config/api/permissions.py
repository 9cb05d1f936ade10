from rest_framework.permissions import SAFE_METHODS, BasePermission


def is_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


class IsStaffOrReadOnly(BasePermission):
    """Anyone reads (what they may see is the selectors' business: drafts only for staff);
    only staff write. An anonymous write is a 401, a non-staff token's write a 403."""

    message = "Only staff may change records: this token can only read."

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or is_staff(request.user)

    def has_object_permission(self, request, view, obj) -> bool:
        return self.has_permission(request, view)
