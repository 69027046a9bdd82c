"""Who may read and generate the reports and write their narratives."""

from grants.permissions import can_view_grants
from grants.roles import Role, has_any_role

can_view_reports = can_view_grants


def can_generate_reports(user) -> bool:
    return has_any_role(user, {Role.OFFICER, Role.FINANCE, Role.ADMIN})


def can_write_reports(user) -> bool:
    return has_any_role(user, {Role.OFFICER, Role.ADMIN})
