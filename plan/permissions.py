"""Who may see and change the joint plan: everyone with a role reads; HOSPA officers and
administrators edit it and enter values."""

from grants.permissions import can_edit_grants, can_view_grants

can_view_plan = can_view_grants
can_edit_plan = can_edit_grants
