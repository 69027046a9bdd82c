"""Create one demo user per role and print their password.

The password is generated once and kept in var/ (git-ignored), so running the command
again prints the same one and leaves the users working.
"""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction

from common.roles import Role

DEMO_USERS = [
    ("hospa", "Hanna", "Handläggare", Role.OFFICER),
    ("ekonom", "Erik", "Ekonom", Role.FINANCE),
    ("chef", "Cecilia", "Chef", Role.MANAGER),
    ("admin", "Ali", "Administratör", Role.ADMIN),
]


# A domain reserved for examples (RFC 2606): no demo mail can reach a real person.
DEMO_MAIL_DOMAIN = "example.org"


def demo_password() -> str:
    path = Path(settings.BASE_DIR) / "var" / "demo-password.txt"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(12)
    path.write_text(password + "\n", encoding="utf-8")
    path.chmod(0o600)
    return password


class Command(BaseCommand):
    help = "Skapar en demoanvändare per roll och skriver ut lösenordet."

    @transaction.atomic
    def handle(self, *args, **options):
        password = demo_password()
        for username, first, last, role in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.first_name, user.last_name = first, last
            # An address, so the deadline reminders reach the officer (printed by the console
            # mail backend under `make run`).
            user.email = f"{username}@{DEMO_MAIL_DOMAIN}"
            user.is_staff = user.is_superuser = role is Role.ADMIN
            user.set_password(password)
            user.save()
            user.groups.set([Group.objects.get(name=role.value)])
        self.stdout.write("\nDemoanvändare (samma lösenord för alla):")
        for username, _, _, role in DEMO_USERS:
            self.stdout.write(f"  {username:<8} {role.value}")
        self.stdout.write(self.style.SUCCESS(f"  Lösenord: {password}\n"))
