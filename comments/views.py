"""A subject's comments: read them and add one; mark a mention done."""

from django.apps import apps
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from common.roles import ALL_ROLES, has_any_role, require

from . import reads
from .actions import do_add_comment, do_mark_mention_done
from .forms import CommentForm
from .models import SUBJECTS, Mention, subject_label, subject_url


def can_read(user) -> bool:
    """Every role reads and writes comments (as it reads what they are on)."""
    return has_any_role(user, ALL_ROLES)


def _subject(kind, pk):
    if kind not in SUBJECTS:
        raise Http404
    return get_object_or_404(apps.get_model(kind), pk=pk)


def _next(request, default):
    """`next` when it is a path on this site; `redirect()` would read a bare word as a view
    name (and fail), so only an absolute path is taken."""
    target = request.POST.get("next") or request.GET.get("next")
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return default


@require(can_read)
@require_http_methods(["GET", "POST"])
def thread(request, kind, pk):
    """Everyone who may read the subject may read and write its comments."""
    subject = _subject(kind, pk)
    form = CommentForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        do_add_comment(subject, form.cleaned_data["text"], acting_user=request.user)
        messages.success(request, "Kommentaren är sparad.")
        return redirect(_next(request, request.path) + "#kommentarer")
    return render(
        request,
        "comments/thread.html",
        {
            "subject": subject,
            "subject_label": subject_label(subject),
            "subject_url": subject_url(subject),
            "comments": reads.thread(subject),
            "form": form,
            "next": _next(request, ""),
        },
        status=400 if request.method == "POST" else 200,
    )


@require(can_read)
@require_POST
def mention_done(request, pk):
    mention = get_object_or_404(Mention, pk=pk, user=request.user)
    do_mark_mention_done(mention, acting_user=request.user)
    return redirect(_next(request, "/"))
