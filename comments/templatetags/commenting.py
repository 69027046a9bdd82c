"""`{% comment_section subject %}`: a subject's comments and the form for a new one."""

from django import template
from django.urls import reverse

from ..forms import CommentForm
from ..models import Comment, subject_kind

register = template.Library()


@register.inclusion_tag("comments/partials/section.html", takes_context=True)
def comment_section(context, subject, heading_level=2):
    request = context["request"]
    return {
        "comments": Comment.objects.on(subject).select_related("author"),
        "form": CommentForm(auto_id=f"id_comment_{subject_kind(subject).replace('.', '_')}_%s"),
        "action": reverse("comments:thread", args=[subject_kind(subject), subject.pk]),
        "next": request.get_full_path(),
        "heading_level": heading_level,
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag
def comments_url(subject):
    """The page of a subject's comments, for a link from a list row."""
    return reverse("comments:thread", args=[subject_kind(subject), subject.pk])
