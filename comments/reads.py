"""Reads of comments for the comment pages."""

from .models import Comment


def thread(subject):
    """The comments on `subject`, oldest first as the model orders them, with their authors."""
    return Comment.objects.on(subject).select_related("author")
