"""Our own Swedish error pages with DEBUG off: 403, 404 and a self-contained 500."""

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import path
from django.views.defaults import server_error

from config.urls import urlpatterns as app_urlpatterns


def boom(request):
    raise RuntimeError("Något gick sönder")


urlpatterns = [path("test-fel/", boom), *app_urlpatterns]


@pytest.fixture
def anonymous_500_client():
    return Client(raise_request_exception=False)


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_server_error_shows_our_swedish_page(users, anonymous_500_client):
    anonymous_500_client.force_login(users["officer"])
    response = anonymous_500_client.get("/test-fel/")
    assert response.status_code == 500
    html = response.content.decode()
    assert '<html lang="sv">' in html
    assert "Ett fel uppstod" in html
    assert "Server Error" not in html and "Traceback" not in html
    assert "Något gick sönder" not in html  # no internals shown


def test_500_page_renders_without_database_or_request_context():
    # No database fixture: pytest-django refuses every query here, so the page must need none.
    request = RequestFactory().get("/")
    response = server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "Ett fel uppstod" in html and "Till startsidan" in html
    assert "{%" not in html and "{{" not in html


@override_settings(DEBUG=False)
def test_forbidden_and_not_found_are_ours_too(client_for):
    client = client_for("norole")
    forbidden = client.get("/overenskommelser/ny/")
    assert forbidden.status_code == 403
    assert "Åtkomst nekad" in forbidden.content.decode()
    missing = client.get("/finns-inte/")
    assert missing.status_code == 404
    assert "Sidan finns inte" in missing.content.decode()
