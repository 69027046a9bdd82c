"""Sessions end after SESSION_COOKIE_AGE seconds without a request (the idle timeout)."""

import time

from django.conf import settings

SEEN = "_idle_seen"


def mark_seen(session) -> None:
    session[SEEN] = int(time.time())


class IdleSessionMiddleware:
    """Each request of a signed-in user moves the session's end SESSION_COOKIE_AGE on.

    Django moves it whenever the session is saved; saving on every request would write the
    session row on every page, so it is saved when SESSION_REFRESH_SECONDS have passed since
    the last time.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            if time.time() - session.get(SEEN, 0) >= settings.SESSION_REFRESH_SECONDS:
                mark_seen(session)
        return self.get_response(request)
