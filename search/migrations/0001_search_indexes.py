"""Indexes for the search on PostgreSQL: full-text (Swedish) over the ledger's text and the
activities' fields, and the ledger's voucher and account for exact matches. The expressions
are exactly those search.reads filters on, so the planner uses them. Nothing on SQLite."""

from django.db import migrations

INDEXES = {
    "search_ledger_text_fts": (
        "followup_ledgertransaction",
        "gin (to_tsvector('swedish'::regconfig, COALESCE(text, '')))",
    ),
    "search_ledger_voucher": ("followup_ledgertransaction", "btree (voucher)"),
    "search_ledger_account": ("followup_ledgertransaction", "btree (account)"),
    "search_activity_fts": (
        "distribution_activity",
        "gin (to_tsvector('swedish'::regconfig, COALESCE(name, '') || ' ' || COALESCE(goal, '')"
        " || ' ' || COALESCE(covers, '') || ' ' || COALESCE(responsible, '')))",
    ),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, expression) in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING {expression}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("followup", "0001_initial"),
        ("distribution", "0002_ledger_code_and_forecast"),
    ]

    operations = [migrations.RunPython(create, drop)]
