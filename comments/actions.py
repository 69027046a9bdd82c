"""Writing comments and marking mentions done, each in one transaction."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from common.roles import ALL_ROLES

from .models import Comment, Mention, find_mentions


@transaction.atomic
def do_add_comment(subject, text, *, acting_user) -> Comment:
    """Add a comment by `acting_user`; every active user with a role named with @ gets a
    mention (a user without a role could not read what the comment is on). Other names are
    left as text."""
    comment = Comment.objects.create(subject=subject, author=acting_user, text=text.strip())
    names = find_mentions(comment.text)
    if names:
        match = Q()
        for name in names:
            match |= Q(username__iexact=name)
        users = (
            get_user_model()
            .objects.filter(match, is_active=True, groups__name__in=[r.value for r in ALL_ROLES])
            .exclude(pk=acting_user.pk)
            .distinct()
        )
        Mention.objects.bulk_create(Mention(comment=comment, user=user) for user in users)
    return comment


@transaction.atomic
def do_mark_mention_done(mention, *, acting_user) -> None:
    if mention.user_id != acting_user.pk:
        raise PermissionError("Only the mentioned user marks a mention done.")
    if mention.done_at is None:
        mention.done_at = timezone.now()
        mention.save(update_fields=["done_at"])
