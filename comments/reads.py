"""Reads of comments: the thread on a subject, and comments as entries of the readable
history (common.history), beside the changes."""

from django.contrib.contenttypes.models import ContentType

from common.history import Entry

from .models import Comment


def thread(subject):
    """The comments on `subject`, oldest first as the model orders them, with their authors."""
    return Comment.objects.on(subject).select_related("author")


KIND = "Kommentar"


def comment_entries(*subject_sets) -> list[Entry]:
    """The comments on these objects (each set: objects of one model), one query per set."""
    entries = []
    for subjects in subject_sets:
        subjects = {s.pk: s for s in subjects}
        if not subjects:
            continue
        model = next(iter(subjects.values()))._meta.model
        comments = Comment.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id__in=list(subjects)
        ).select_related("author")
        for c in comments:
            entries.append(
                Entry(
                    when=c.created_at,
                    who=c.author.get_full_name() or c.author.username,
                    kind=KIND,
                    subject=str(subjects[c.object_id]),
                    text=c.text,
                    object_id=c.object_id,
                    model=str(model._meta.verbose_name),
                )
            )
    return entries


def with_comments(entries, *subject_sets) -> list[Entry]:
    """The changes and the comments on these objects in one timeline, newest first."""
    return sorted([*entries, *comment_entries(*subject_sets)], key=lambda e: e.when, reverse=True)
