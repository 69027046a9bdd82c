"""An id past an integer column's range matches nothing, in a list too (was an OverflowError
on SQLite: a 500 from any multiple choice of ids)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

HUGE = 99_999_999_999_999_999_999_999_999


@pytest.mark.django_db
def test_a_list_of_ids_with_one_past_the_range_finds_the_others():
    first = Permission.objects.order_by("pk").first()
    assert list(Permission.objects.filter(pk__in=[HUGE, -HUGE, first.pk])) == [first]
    assert not Permission.objects.filter(pk__in=[HUGE]).exists()
    assert Permission.objects.exclude(pk__in=[HUGE]).count() == Permission.objects.count()


def test_the_admin_refuses_a_permission_id_past_the_range_on_the_field(client_for, users):
    officer = users["officer"]
    response = client_for("admin").post(
        reverse("admin:auth_user_change", args=[officer.pk]),
        {
            "username": officer.username,
            "is_active": "on",
            "user_permissions": [str(HUGE)],
            "date_joined_0": "2024-01-01",
            "date_joined_1": "12:00:00",
        },
    )
    assert response.status_code == 200
    assert "Välj ett giltigt alternativ" in response.content.decode()
    assert not officer.user_permissions.exists()
