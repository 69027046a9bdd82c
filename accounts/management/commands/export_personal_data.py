"""Writes everything kept about one person as JSON (a data subject's access request)."""

import json

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from accounts.personal_data import export


class Command(BaseCommand):
    help = "Skriver ut allt som sparas om en användare som JSON (registerutdrag)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Det finns ingen användare {username!r}.")
        self.stdout.write(json.dumps(export(user), ensure_ascii=False, indent=2))
