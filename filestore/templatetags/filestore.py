from django import template

register = template.Library()


@register.simple_tag
def kept_file_ids(owners):
    """`{% kept_file_ids rows as ids %}`: the pks of the rows that have a kept file (one query)."""
    owners = list(owners)
    if not owners:
        return set()
    from django.contrib.contenttypes.models import ContentType

    from ..models import StoredFile

    return set(
        StoredFile.objects.filter(
            owner_type=ContentType.objects.get_for_model(owners[0]),
            owner_id__in=[owner.pk for owner in owners],
        ).values_list("owner_id", flat=True)
    )
