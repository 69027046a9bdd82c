"""Who may see and change key data, allocation rules and decided amounts."""

from grants.permissions import can_edit_grants, can_view_grants

# Allocation data is agreement data: the same people read and change it.
can_view_allocations = can_view_grants
can_edit_allocations = can_edit_grants
