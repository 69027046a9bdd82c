"""What the accounts pages read besides the user: the organisation the accessibility
statement names."""

from django.conf import settings

from grants.models import Region


def own_organisation() -> Region | None:
    """The region this installation serves (OWN_REGION_CODE), if it is in the data."""
    return Region.objects.filter(county_code=settings.OWN_REGION_CODE).first()
