"""The ledger rows' own index on cost_object goes: the (cost_object, year, month) index starts
with the same column and serves every lookup by object, and each index costs every imported
row (issue 26). Only the index is dropped; the foreign key stays as it is (Django's own
AlterField would drop and re-add the constraint, checking every row again)."""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "followup_ledgertransaction_cost_object_id_c5f38309"
TABLE = "followup_ledgertransaction"


class Migration(migrations.Migration):
    dependencies = [
        ("distribution", "0005_issue22_activity_name_unique"),
        ("followup", "0007_issue26_month_total_kind"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {INDEX}",
                    f"CREATE INDEX IF NOT EXISTS {INDEX} ON {TABLE} (cost_object_id)",
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="ledgertransaction",
                    name="cost_object",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="transactions",
                        to="distribution.costobject",
                        verbose_name="objekt",
                    ),
                ),
            ],
        )
    ]
