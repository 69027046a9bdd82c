"""Comments on agreements, deadlines and activities, and the @-mentions they carry.

A comment points at its subject through a generic relation, so this app sits just above
`grants` and knows no model of the apps above it; which subjects may be commented on is
the list `SUBJECTS`.
"""

import re

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone

# app_label.model of what may be commented on: its Swedish name and the page it is shown on.
SUBJECTS = {
    "grants.agreement": ("Överenskommelse", lambda s: s.get_absolute_url()),
    "grants.deadline": (
        "Frist",
        lambda s: reverse("grants:agreement_detail", args=[s.agreement_id]) + "#frister",
    ),
    "distribution.activity": (
        "Aktivitet",
        lambda s: reverse("distribution:area", args=[s.area_id]),
    ),
}


def subject_kind(subject) -> str:
    return subject._meta.label_lower


def subject_label(subject) -> str:
    return SUBJECTS[subject_kind(subject)][0]


def subject_url(subject) -> str:
    return SUBJECTS[subject_kind(subject)][1](subject)


MAX_LENGTH = 5000
# `@användarnamn`: Django's usernames are letters, digits and @ . + - _; a mention ends
# before a trailing full stop or comma so "@hospa." names hospa.
_MENTION = re.compile(r"(?<![\w@.+-])@([\w.@+-]*[\w@+-])")


def find_mentions(text: str) -> list[str]:
    """The usernames mentioned with @ in the text, in order, each once."""
    names = []
    for match in _MENTION.finditer(text or ""):
        if match.group(1).lower() not in (n.lower() for n in names):
            names.append(match.group(1))
    return names


class CommentQuerySet(models.QuerySet):
    def on(self, subject):
        return self.filter(
            content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk
        )


class Comment(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="comments_written",
        verbose_name="skriven av",
    )
    created_at = models.DateTimeField("skriven", default=timezone.now)
    text = models.TextField("kommentar", max_length=MAX_LENGTH)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]
        verbose_name = "kommentar"
        verbose_name_plural = "kommentarer"

    def __str__(self):
        return f"{self.author} {self.created_at:%Y-%m-%d %H:%M}: {self.text[:40]}"

    @property
    def subject_label(self):
        return subject_label(self.subject)

    @property
    def subject_url(self):
        return subject_url(self.subject)


class MentionQuerySet(models.QuerySet):
    def open_for(self, user):
        return self.filter(user=user, done_at__isnull=True)


class Mention(models.Model):
    """A user named in a comment; shown in that user's Att göra until marked done."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentions"
    )
    done_at = models.DateTimeField("klar", null=True, blank=True)

    objects = MentionQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["comment", "user"], name="mention_unique")]
        verbose_name = "omnämnande"
        verbose_name_plural = "omnämnanden"

    def __str__(self):
        return f"@{self.user} i {self.comment}"
