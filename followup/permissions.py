"""Who may import ledger outcomes, close periods, enter forecasts, and read the follow-up."""

from common.roles import Role, has_any_role
from grants.permissions import can_view_grants

can_view_followup = can_view_grants


def can_import_ledger(user) -> bool:
    return has_any_role(user, {Role.FINANCE, Role.ADMIN})


can_close_periods = can_import_ledger


def can_set_forecast(user) -> bool:
    return has_any_role(user, {Role.OFFICER, Role.FINANCE, Role.ADMIN})
