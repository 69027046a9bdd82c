"""Deactivates a user and removes what names them, keeping every record they made."""

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from accounts.personal_data import pseudonymise


class Command(BaseCommand):
    help = (
        "Inaktiverar användaren och tar bort namn, e-post, lösenord, roller, inloggning via "
        "identitetsleverantören, sessioner och inloggningsloggar. Dokument, historik och "
        "kommentarer finns kvar, knutna till pseudonymen."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Det finns ingen användare {username!r}.")
        pseudonym = pseudonymise(user)
        self.stdout.write(f"{username} är inaktiverad och heter nu {pseudonym}.")
