"""Clears old sessions and login-guessing records (run daily by a timer, see the README)."""

from django.core.management.base import BaseCommand

from accounts.personal_data import purge


class Command(BaseCommand):
    help = (
        "Tar bort sessioner som gått ut för mer än PURGE_SESSION_DAYS dagar sedan och "
        "inloggningsförsök och inloggningsloggar äldre än PURGE_LOGIN_LOG_DAYS dagar."
    )

    def handle(self, *args, **options):
        removed = purge()
        self.stdout.write(
            "Borttaget: " + ", ".join(f"{count} {what}" for what, count in removed.items())
        )
