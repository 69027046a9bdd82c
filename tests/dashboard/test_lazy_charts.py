"""The overview stays small: the charts per cost object are images fetched when scrolled to,
each from the page's own kept entry, and pages and text go out compressed."""

import gzip
import re
from xml.etree import ElementTree

from django.test import Client
from django.urls import reverse


def lazy_images(html):
    return re.findall(r'<img class="chart" src="([^"]+)" loading="lazy"[^>]*alt="([^"]+)"', html)


def test_cost_object_charts_are_images_loaded_when_scrolled_to(client_for, ledger2023):
    client = client_for("manager")
    html = client.get(reverse("dashboard:overview"), {"ar": 2023}).content.decode()
    images = lazy_images(html)
    assert len(images) >= 4  # 9916, 9917, 9942, 9943
    assert "chart-cum-" not in html  # none of them inline
    assert any("9943" in alt and "Helår: budget" in alt for _, alt in images)
    for src, _ in images:
        response = client.get(src.replace("&amp;", "&"))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("image/svg+xml")
        svg = response.content.decode()
        assert svg.startswith("<svg") and "<script" not in svg
        # A file of its own is read as XML (a browser shows nothing for a malformed one).
        root = ElementTree.fromstring(svg)
        assert root.tag == "{http://www.w3.org/2000/svg}svg" and "chart" in root.get("class")
        # Its style block carries the nonce of its own response's policy.
        nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
        assert f'<style nonce="{nonce}"' in svg
    # The same URL is the same picture; a name the page never had is not found.
    missing = reverse("dashboard:chart", args=[2023, "0" * 32])
    assert client.get(missing).status_code == 404


def test_a_chart_of_figures_that_changed_is_gone(client_for, ledger2023):
    from distribution.models import Activity

    client = client_for("manager")
    html = client.get(reverse("dashboard:overview"), {"ar": 2023}).content.decode()
    src = lazy_images(html)[0][0].replace("&amp;", "&")
    assert client.get(src).status_code == 200
    activity = Activity.objects.filter(area__agreement=ledger2023).first()
    activity.amount += 1_000_000
    activity.save()
    assert client.get(src).status_code == 404


def test_charts_need_a_role_that_sees_the_dashboard(client_for, ledger2023):
    html = client_for("manager").get(reverse("dashboard:overview"), {"ar": 2023}).content
    src = lazy_images(html.decode())[0][0].replace("&amp;", "&")
    assert Client().get(src).status_code == 302  # to the login page


def test_pages_go_out_compressed_and_downloads_as_they_are(client_for, ledger2023):
    client = client_for("manager")
    response = client.get(reverse("dashboard:overview"), {"ar": 2023}, HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert "Översikt: statsbidragen 2023" in gzip.decompress(response.content).decode()
    plain = client.get(reverse("dashboard:overview"), {"ar": 2023})
    assert not plain.has_header("Content-Encoding")
    xlsx = client.get(
        reverse("dashboard:activities"),
        {"year": 2023, "format": "xlsx"},
        HTTP_ACCEPT_ENCODING="gzip",
    )
    assert xlsx.status_code == 200 and not xlsx.has_header("Content-Encoding")
