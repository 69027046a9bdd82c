"""The client's address as the app should see it, behind the region's reverse proxy or not."""

from django.conf import settings


def client_ip(request) -> str:
    """REMOTE_ADDR, or behind PROXY_COUNT proxies the address the outermost one saw.

    Each proxy appends the address it was reached from to X-Forwarded-For, so only the last
    PROXY_COUNT entries are trustworthy; anything before them the client may have written.
    """
    count = getattr(settings, "PROXY_COUNT", 0)
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if count and len(forwarded) >= count:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR", "") or ""
