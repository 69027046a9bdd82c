"""The roles of the app, kept as Django groups, and the check every app's permissions use.

Role names are the group names users see in the admin.
"""

from enum import StrEnum
from functools import wraps

from django.core.exceptions import PermissionDenied


class Role(StrEnum):
    OFFICER = "HOSPA-handläggare"
    FINANCE = "Ekonom"
    MANAGER = "Chef"
    ADMIN = "Administratör"


ALL_ROLES = frozenset(Role)


def roles_of(user) -> frozenset[Role]:
    """The user's roles, cached on the user object for the request."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_statsbidrag_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = frozenset(role for role in Role if role.value in names)
        user._statsbidrag_roles = cached
    return cached


def has_any_role(user, roles) -> bool:
    return bool(roles_of(user) & frozenset(roles))


def require(check):
    """Decorate a view with a permission function `check(user) -> bool`.

    Anonymous users never get here (LoginRequiredMiddleware sends them to the login page);
    a logged-in user without the right gets 403.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
