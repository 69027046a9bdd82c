"""Helpers shared by the management commands of every app."""

from django.core.management.base import CommandError

from .models import Agreement


def find_agreement(ref: str) -> Agreement:
    """The agreement named by its slug or id on the command line, or a Swedish error."""
    agreement = Agreement.objects.filter(slug=ref).first()
    if agreement is None and ref.isdigit():
        agreement = Agreement.objects.filter(pk=int(ref)).first()
    if agreement is None:
        slugs = ", ".join(Agreement.objects.values_list("slug", flat=True))
        raise CommandError(f"Hittar ingen överenskommelse ”{ref}”. Finns: {slugs}")
    return agreement
