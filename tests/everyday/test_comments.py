"""Comments on agreements, deadlines and activities; @-mentions; per role."""

import pytest
from django.urls import reverse

from comments.actions import do_add_comment
from comments.models import Comment, Mention, find_mentions


def test_mentions_are_read_from_the_text():
    assert find_mentions("Kan @ekonom titta? Kopia @hospa.") == ["ekonom", "hospa"]
    assert find_mentions("@a.b-c, och @A.B-C igen") == ["a.b-c"]
    assert find_mentions("mejla hospa@region.se") == []
    assert find_mentions("") == []


def thread_url(subject):
    return reverse("comments:thread", args=[subject._meta.label_lower, subject.pk])


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["officer", "finance", "manager", "admin"])
def test_every_role_comments_on_an_agreement_and_it_shows_who_and_when(
    client_for, users, gnv2023, who
):
    client = client_for(who)
    url = thread_url(gnv2023)
    response = client.post(
        url,
        {"text": "Rekvisitionen är klar för @chef att läsa.", "next": gnv2023.get_absolute_url()},
    )
    assert response.status_code == 302
    assert response["Location"] == gnv2023.get_absolute_url() + "#kommentarer"
    comment = Comment.objects.get()
    assert comment.author == users[who]
    assert comment.subject == gnv2023
    page = client.get(gnv2023.get_absolute_url()).content.decode()
    assert "Rekvisitionen är klar för @chef att läsa." in page
    assert f"(@{users[who].username})" in page
    assert comment.created_at.astimezone().strftime("%Y-%m-%d %H:%M") in page
    # The manager is mentioned (unless the manager wrote it).
    assert Mention.objects.filter(user=users["manager"]).count() == (who != "manager")


@pytest.mark.django_db
def test_comments_on_a_deadline_and_an_activity(client_for, users, distribution2023):
    client = client_for("officer")
    deadline = distribution2023.deadlines.first()
    activity = distribution2023.areas.first().activities.first()
    for subject in (deadline, activity):
        assert client.post(thread_url(subject), {"text": f"Om {subject}"}).status_code == 302
        page = client.get(thread_url(subject)).content.decode()
        assert f"Om {subject}" in page
    # The lists link to each row's comments.
    agreement_page = client.get(distribution2023.get_absolute_url()).content.decode()
    assert thread_url(deadline) in agreement_page
    area_page = client.get(reverse("distribution:area", args=[activity.area_id])).content
    assert thread_url(activity) in area_page.decode()
    assert Comment.objects.on(activity).get().text == f"Om {activity}"


@pytest.mark.django_db
def test_empty_or_too_long_comments_are_refused_with_a_message(client_for, gnv2023):
    client = client_for("officer")
    response = client.post(thread_url(gnv2023), {"text": "   "})
    assert response.status_code == 400
    assert "Skriv en kommentar." in response.content.decode()
    response = client.post(thread_url(gnv2023), {"text": "x" * 5001})
    assert response.status_code == 400
    assert "högst 5000 tecken" in response.content.decode()
    assert not Comment.objects.exists()


@pytest.mark.django_db
def test_unknown_subjects_and_users_without_a_role(client_for, gnv2023):
    assert client_for("officer").get("/kommentarer/auth.user/1/").status_code == 404
    assert client_for("officer").get("/kommentarer/grants.agreement/999999/").status_code == 404
    client = client_for("norole")
    assert client.get(thread_url(gnv2023)).status_code == 403
    assert client.post(thread_url(gnv2023), {"text": "Hej"}).status_code == 403
    assert not Comment.objects.exists()


@pytest.mark.django_db
def test_next_must_stay_on_the_site(client_for, gnv2023):
    response = client_for("officer").post(
        thread_url(gnv2023), {"text": "Hej", "next": "https://evil.example/"}
    )
    assert response["Location"].startswith(thread_url(gnv2023))


@pytest.mark.django_db
def test_only_the_mentioned_user_marks_a_mention_done(client_for, users, gnv2023):
    comment = do_add_comment(gnv2023, "@ekonom och @hospa, se hit", acting_user=users["manager"])
    mention = Mention.objects.get(comment=comment, user=users["finance"])
    url = reverse("comments:mention_done", args=[mention.pk])
    assert client_for("officer").post(url).status_code == 404
    assert Mention.objects.open_for(users["finance"]).count() == 1
    assert client_for("finance").post(url).status_code == 302
    assert Mention.objects.open_for(users["finance"]).count() == 0
    assert Mention.objects.open_for(users["officer"]).count() == 1


@pytest.mark.django_db
def test_comments_appear_in_the_history_beside_the_changes(client_for, users, distribution2023):
    agreement = distribution2023
    deadline = agreement.deadlines.first()
    activity = agreement.areas.first().activities.first()
    do_add_comment(agreement, "Kommentar om överenskommelsen", acting_user=users["officer"])
    do_add_comment(deadline, "Kommentar om fristen", acting_user=users["finance"])
    do_add_comment(activity, "Kommentar om aktiviteten", acting_user=users["manager"])
    client = client_for("manager")

    page = client.get(reverse("grants:agreement_history", args=[agreement.pk])).content.decode()
    assert "Kommentar om överenskommelsen" in page and "Kommentar om fristen" in page
    assert "Skapad" in page  # the changes are there too
    assert page.index("Kommentar om fristen") < page.index("Skapad")  # newest first

    page = client.get(
        reverse("grants:deadline_history", args=[agreement.pk, deadline.pk])
    ).content.decode()
    assert "Kommentar om fristen" in page and "Kommentar om överenskommelsen" not in page

    page = client.get(reverse("distribution:area_history", args=[activity.area_id])).content
    assert "Kommentar om aktiviteten" in page.decode()
    page = client.get(reverse("distribution:activity_edit", args=[activity.pk]))
    assert page.status_code == 403  # the manager reads the area's history, edits nothing


@pytest.mark.django_db
@pytest.mark.parametrize(
    "target", ["abc", "comments:thread", "javascript:alert(1)", "//evil.example/x"]
)
def test_a_next_that_is_no_path_on_the_site_falls_back(client_for, users, gnv2023, target):
    response = client_for("officer").post(thread_url(gnv2023), {"text": "Hej", "next": target})
    assert response.status_code == 302
    assert response["Location"].startswith(thread_url(gnv2023))
    comment = do_add_comment(gnv2023, "@hospa se hit", acting_user=users["manager"])
    mention = Mention.objects.get(comment=comment, user=users["officer"])
    url = reverse("comments:mention_done", args=[mention.pk])
    response = client_for("officer").post(url, {"next": target})
    assert (response.status_code, response["Location"]) == (302, "/")


@pytest.mark.django_db
def test_only_users_with_a_role_can_be_mentioned(users, gnv2023):
    comment = do_add_comment(
        gnv2023, "@utan-roll och @ekonom, se hit", acting_user=users["officer"]
    )
    assert [m.user.username for m in comment.mentions.all()] == ["ekonom"]
