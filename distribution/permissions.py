"""Who may see and change the region's internal distribution."""

from grants.permissions import can_edit_grants, can_view_grants

# Everyone with a role reads the distribution; HOSPA officers and administrators change it.
can_view_distribution = can_view_grants
can_edit_distribution = can_edit_grants
