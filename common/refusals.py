"""The one way to refuse: `Refused` and its subclasses, and how a page shows one.

Every rule of the domain that says no raises `Refused` (or a subclass named for its app) with
Swedish `messages`, and saves nothing. A refusal about one place in a file or a form also
names its `row` (the file's line, 1-based) and `field` (the column or form field). Views show a
refusal in one of two ways, both through this module:

- a page that is drawn again (a form, a refused upload) passes `refusal.messages` as the
  template's `problems`, shown by `partials/form_errors.html`;
- a POST that redirects calls `refuse(request, refusal)`, which puts each message in Django's
  messages framework for the next page.

`tests/test_architecture.py` fails on an exception class of the project that does not derive
from `Refused`.
"""

from collections.abc import Iterable

from django.contrib import messages as django_messages

# The most messages a refusal keeps in its text (str(exc)); `messages` keeps all it was given.
TEXT_LINES = 20


class Refused(Exception):
    """A request the domain refuses; nothing was saved. `messages` are Swedish, for the page."""

    def __init__(self, messages: str | Iterable[str] = (), *, row: int | None = None, field=None):
        self.messages = [messages] if isinstance(messages, str) else [str(m) for m in messages]
        self.row = row
        self.field = field
        super().__init__("\n".join(self.messages[:TEXT_LINES]))


def refuse(request, refusal: Refused) -> None:
    """Show a refusal on the next page (after a redirect): one error message per reason."""
    for message in refusal.messages:
        django_messages.error(request, message)
