"""Values every page's layout needs: the own region and what the user may do."""

from functools import cache

from django.conf import settings

from common.roles import roles_of

from .models import Region
from .permissions import can_edit_grants


def app_context(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        # Looked up only if a template asks, and then once per request.
        "own_region": cache(Region.objects.filter(county_code=settings.OWN_REGION_CODE).first),
        "user_roles": sorted(role.value for role in roles_of(user)),
        "can_edit_grants": can_edit_grants(user),
    }
