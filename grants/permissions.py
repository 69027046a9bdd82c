"""Who may do what with agreements, areas, components, deadlines and regions."""

from common.roles import ALL_ROLES, Role, has_any_role

EDITORS = frozenset({Role.OFFICER, Role.ADMIN})


def can_view_grants(user) -> bool:
    return has_any_role(user, ALL_ROLES)


def can_edit_grants(user) -> bool:
    return has_any_role(user, EDITORS)
