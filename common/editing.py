"""The one add/edit page and the one delete page.

A view finds its row, builds its form and says what differs: how to save (a `do_*` action
called with the version the form showed), where to go back, what to say when done. The page
itself is always the same: `templates/form.html` with the form, its errors or the refusal's
messages, Spara/Avbryt, an optional "Ta bort" button and the row's history (`history=row`).

    return edit_page(
        request, PartyForm, form_kwargs={"instance": party},
        save=lambda form: do_save_party(form.save(commit=False), acting_user=request.user,
                                        expected_version=form.expected_version),
        title="Ny part", back=plan_url, done="Parten ”{}” har sparats.",
    )

`save` returns the saved row (its `str` fills `done`'s `{}`) or raises `Refused`; nothing else
writes. `back` is a URL, or a function of the saved row for a page that only exists after the
save (then `cancel`, if given, is where "Avbryt" goes). A valid POST redirects; an invalid or
refused one draws the page again with status 400.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import Model
from django.shortcuts import redirect, render

from .history import timeline
from .refusals import Refused, refuse
from .versioning import posted_version

FORM_TEMPLATE = "form.html"
DELETE_TEMPLATE = "confirm_delete.html"


@dataclass(frozen=True)
class Delete:
    """A "Ta bort" button on the edit page (posted with `action=delete`).

    `run(expected_version)` removes the row through its action or raises `Refused`."""

    label: str
    version: int
    run: Callable[[int], Any]
    done: str
    back: str


def _entries(history):
    """The history block: a row (its history), a history manager or a queryset becomes the
    page's timeline; a list is taken as it is."""
    if history is None or isinstance(history, list):
        return history
    if isinstance(history, Model):
        if history.pk is None:  # a new row has no history yet
            return None
        history = history.history
    return timeline(history.all())


def edit_page(
    request,
    form_class,
    *,
    form_kwargs: dict | None = None,
    save: Callable[[Any], Any],
    title: str,
    back,
    done: str,
    delete: Delete | None = None,
    history=None,
    breadcrumbs=(),
    template: str = FORM_TEMPLATE,
    context: dict | None = None,
    cancel: str | None = None,
    posted: bool = True,
):
    """Show the form; save a valid POST through `save`, or remove the row through `delete`.

    The form is `form_class(data, files, **form_kwargs)`, bound to the POST unless the POST is
    the delete button's, or `posted` is False: a POST to another form of the page (with its
    own view and URL) that draws the page again with this form as it was (status 400)."""
    deleting = (
        request.method == "POST" and delete is not None and request.POST.get("action") == "delete"
    )
    bound = request.method == "POST" and not deleting and posted
    form = form_class(
        request.POST if bound else None, request.FILES if bound else None, **(form_kwargs or {})
    )
    problems = []
    if deleting:
        try:
            delete.run(posted_version(request))
        except Refused as refusal:
            problems = refusal.messages
        else:
            messages.success(request, delete.done)
            return redirect(delete.back)
    elif bound and form.is_valid():
        try:
            saved = save(form)
        except Refused as refusal:
            problems = refusal.messages
        else:
            messages.success(request, done.format(saved))
            return redirect(back(saved) if callable(back) else back)
    return render(
        request,
        template,
        {
            "form": form,
            "title": title,
            "back": cancel if callable(back) else back,
            "breadcrumbs": breadcrumbs,
            "problems": problems,
            "delete": delete,
            "entries": _entries(history),
            **(context or {}),
        },
        status=400 if request.method == "POST" else 200,
    )


def button(request, run: Callable[[int], Any], *, done, back: str):
    """A page's POST button (confirm, remove a link...): `run(expected_version)` with the
    version the page showed, then back to `back` with `done` (a text, or a function of what
    `run` returned) or the refusal's messages."""
    try:
        result = run(posted_version(request))
    except Refused as refusal:
        refuse(request, refusal)
    else:
        messages.success(request, done(result) if callable(done) else done)
    return redirect(back)


def delete_page(request, obj, *, run: Callable[[int], Any], what: str, back: str, breadcrumbs=()):
    """Ask before removing `obj`; a POST removes it through `run(expected_version)`."""
    if request.method == "POST":
        return button(request, run, done=f"{what} ”{obj}” har tagits bort.", back=back)
    return render(
        request,
        DELETE_TEMPLATE,
        {"object": obj, "what": what, "back": back, "breadcrumbs": breadcrumbs},
    )
