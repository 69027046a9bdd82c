"""One log line per request: user, method, path, status and time taken."""

import logging
import time

from django.middleware.gzip import GZipMiddleware

from common.net import client_ip

log = logging.getLogger("statsbidrag.request")


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            return response
        finally:
            user = getattr(request, "user", None)
            log.info(
                "%s %s %s",
                request.method,
                request.path,
                status,
                extra={
                    "event": "request",
                    "method": request.method,
                    "path": request.path,
                    "status": status,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                    "user": user.get_username() if user and user.is_authenticated else "",
                    "ip": client_ip(request),
                },
            )


class AdminScriptsMiddleware:
    """The app runs no script (script-src 'none'); Django's admin uses its own script files,
    so its pages allow scripts from our origin, still none inline."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # path_info: the path below FORCE_SCRIPT_NAME, wherever the app is mounted.
        if request.path_info.startswith("/admin/"):
            response._csp_replace = {"script-src": ["'self'"]}
        return response


# What is worth compressing: text. XLSX and PDF downloads are compressed already.
COMPRESSED_TYPES = ("text/", "image/svg+xml", "application/json")


class CompressTextMiddleware(GZipMiddleware):
    """Gzip for pages, charts and text downloads when the browser asks for it.

    Compressing a page that holds a secret beside text an attacker can put in it opens BREACH.
    Django's GZipMiddleware pads each response with random bytes (Heal The BREACH), and the
    page's secret, the CSRF token, is masked anew in every response, so the compressed length
    tells an attacker nothing stable. Done here, not in nginx, so that it holds whatever proxy
    a region runs and is tested with the app."""

    def process_response(self, request, response):
        content_type = response.get("Content-Type", "")
        if not content_type.startswith(COMPRESSED_TYPES):
            return response
        return super().process_response(request, response)
