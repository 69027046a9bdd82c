"""The admin's lockout pages (django-axes) speak Swedish like the rest of the admin."""

from django.urls import reverse


def test_the_lockout_pages_in_the_admin_are_swedish(client_for):
    client = client_for("admin")
    index = client.get(reverse("admin:index")).content.decode()
    assert "Inloggningsspärrar" in index and "Access attempts" not in index
    page = client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "inloggningsförsök" in page.lower()
    for english in ("Access attempt", "Attempt Time", "Locked Out", "IP Address"):
        assert english not in page, english
