"""Who may read and generate the reports and write their narratives."""

from common.roles import Role, has_any_role
from grants.permissions import can_view_grants

can_view_reports = can_view_grants


def can_generate_reports(user) -> bool:
    return has_any_role(user, {Role.OFFICER, Role.FINANCE, Role.ADMIN})


def can_write_reports(user) -> bool:
    return has_any_role(user, {Role.OFFICER, Role.ADMIN})


def can_attest(user) -> bool:
    """The head of finance (or the like) attests the financial report."""
    return has_any_role(user, {Role.FINANCE})


def can_handle_documents(user) -> bool:
    """Officers record the signed copy and the sending of every document."""
    return has_any_role(user, {Role.OFFICER, Role.ADMIN})
