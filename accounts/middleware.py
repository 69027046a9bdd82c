"""Sessions end after SESSION_COOKIE_AGE seconds without a request (the idle timeout)."""

import time

from django.conf import settings

SEEN = "_idle_seen"


def mark_seen(session) -> None:
    session[SEEN] = int(time.time())


def refresh_seconds() -> float:
    """How long a session may go unsaved: SESSION_REFRESH_SECONDS, at most a tenth of the
    idle time."""
    return min(settings.SESSION_REFRESH_SECONDS, settings.SESSION_COOKIE_AGE / 10)


class IdleSessionMiddleware:
    """Each request of a signed-in user moves the session's end SESSION_COOKIE_AGE on.

    Django moves it whenever the session is saved; saving on every request would write the
    session row on every page, so it is saved when SESSION_REFRESH_SECONDS have passed since
    the last time, or a tenth of SESSION_COOKIE_AGE if that is shorter: a user whose requests
    are less than 90 % of the idle time apart is never signed out, at any setting.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            if time.time() - session.get(SEEN, 0) >= refresh_seconds():
                mark_seen(session)
        return self.get_response(request)
