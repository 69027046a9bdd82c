"""Write a report to a file: the same document the report pages generate."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from grants.commands import find_agreement
from grants.models import DocumentKind
from reporting.actions import do_generate_document


class Command(BaseCommand):
    help = (
        "Skapar ett dokument: rekvisition, ekonomisk-redovisning, verksamhetsrapport, "
        "beslutsunderlag (för en överenskommelse) eller statsbidrag (för ett år)."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=DocumentKind.values)
        parser.add_argument("subject", help="Överenskommelsens kortkod eller id, eller året")
        parser.add_argument("--output", "-o", required=True)
        parser.add_argument("--format", choices=["pdf", "xlsx"], default="pdf")

    def handle(self, *args, kind, subject, output, format, **options):
        if format == "xlsx" and kind != DocumentKind.FINANCIAL_REPORT:
            raise CommandError("Bara den ekonomiska redovisningen finns som xlsx.")
        if kind == DocumentKind.ANNUAL_SUMMARY:
            if not subject.isdigit():
                raise CommandError("Ange året, t.ex. 2021.")
            document = do_generate_document(kind, format, year=int(subject))
        else:
            document = do_generate_document(kind, format, agreement=find_agreement(subject))
        Path(output).write_bytes(bytes(document.content))
        self.stdout.write(
            self.style.SUCCESS(
                f"Skrev {output} ({len(document.content)} byte, sparad som nr {document.pk})."
            )
        )
