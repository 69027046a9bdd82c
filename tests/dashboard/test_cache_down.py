"""The manager's overview while the shared cache (Redis) is down: built without it, never a
500. /halsa/ is what tells that the cache is down (tests/operations/test_health_truth.py)."""

import socket

import pytest
from django.urls import reverse


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.django_db
def test_the_overview_is_built_without_the_cache_when_redis_is_down(
    client_for, ledger2023, settings
):
    client = client_for("manager")  # logged in before the cache goes (sessions are in the db)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    response = client.get(reverse("dashboard:overview"), {"ar": 2023})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<svg" in page and "9916" in page
    assert client.get(reverse("dashboard:start")).status_code == 200
