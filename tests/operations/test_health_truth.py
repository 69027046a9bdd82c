"""/halsa/ tells the truth (database, cache, file storage) and writes nothing per call;
/halsa/live only says the process answers."""

import shutil
import socket

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from operations import health

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_cache(location):
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


def test_health_answers_503_naming_the_cache_when_redis_is_down(client, settings):
    settings.CACHES = redis_cache(f"redis://127.0.0.1:{closed_port()}/0")
    response = client.get("/halsa/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fel" and body["fel"] == ["cache"]
    assert body["kontroller"]["cache"].startswith("cachen svarar inte")
    assert body["kontroller"]["databas"] == "ok"
    # The process itself runs: the liveness answer does not look at the cache.
    live = client.get("/halsa/live")
    assert live.status_code == 200 and live.json() == {"status": "ok"}


def test_health_with_a_running_redis_is_ok(client, settings):
    settings.CACHES = redis_cache("redis://127.0.0.1:6379/15")
    try:
        response = client.get("/halsa/")
    finally:
        from django.core.cache import cache

        cache.delete(health.CACHE_PROBE_KEY)
    assert response.status_code == 200, response.json()
    assert response.json()["kontroller"]["cache"] == "ok"


def test_a_cache_that_stops_answering_is_seen_at_the_next_call(client, settings):
    """The write check is kept for a minute; the per-call read notices Redis going away."""
    assert client.get("/halsa/").status_code == 200
    # Pointing the cache elsewhere resets the kept answer: move the kept time back instead.
    kept = health._written["results"]
    settings.CACHES = redis_cache(f"redis://127.0.0.1:{closed_port()}/0")
    health._written["results"] = kept
    response = client.get("/halsa/")
    assert response.status_code == 503
    assert response.json()["fel"] == ["cache"]


def test_an_anonymous_call_writes_nothing_and_the_storage_is_tried_once_a_minute(client, tmp_path):
    files = tmp_path / "files"
    assert client.get("/halsa/").status_code == 200
    # The storage breaks: its folder becomes a file.
    shutil.rmtree(files)
    files.write_text("inte en mapp")
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/halsa/")
    # Within the minute the kept answer stands, and nothing was written anywhere.
    assert again.status_code == 200
    assert files.read_text() == "inte en mapp"
    assert queries.captured_queries, "the database is asked every call"
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in queries.captured_queries)
    assert not Session.objects.exists()
    assert "Set-Cookie" not in again.headers
    # A minute later the storage is tried again, and found broken.
    kept_at, kept = health._written["results"]
    health._written["results"] = (kept_at - django_settings.HEALTH_STORAGE_CHECK_SECONDS, kept)
    late = client.get("/halsa/")
    assert late.status_code == 503
    assert late.json()["fel"] == ["fillagring"]


def test_health_live_needs_no_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/halsa/live")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
