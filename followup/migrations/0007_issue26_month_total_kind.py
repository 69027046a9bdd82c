from django.db import migrations, models


def classify(apps, schema_editor):
    """Every kept total gets the kind the chart of accounts (as it is) gives its account, as
    month_totals.reclassify_month_totals makes it."""
    from followup import accounts

    ranges = tuple(
        accounts.Range(r.first.strip(), r.last.strip(), r.kind)
        for r in apps.get_model("followup", "AccountRange").objects.all()
    ) or accounts.KOMMUN_BAS
    totals = apps.get_model("followup", "LedgerMonthTotal")
    totals.objects.update(kind=accounts.kind_expression(ranges))
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {totals._meta.db_table}")


class Migration(migrations.Migration):
    dependencies = [("followup", "0006_issue25_activity_link_version")]

    operations = [
        migrations.AddField(
            model_name="ledgermonthtotal",
            name="kind",
            field=models.CharField(
                choices=[
                    ("kostnad", "Kostnad"),
                    ("intakt", "Intäkt"),
                    ("finansiell", "Finansiell post"),
                    ("balans", "Balanskonto"),
                    ("okand", "Okänt konto"),
                ],
                default="okand",
                max_length=10,
                verbose_name="slag",
            ),
            preserve_default=False,
        ),
        migrations.AddIndex(
            model_name="ledgermonthtotal",
            index=models.Index(
                fields=["year", "is_budget", "kind", "cost_object", "activity", "month", "amount"],
                name="followup_total_year_kind",
            ),
        ),
        migrations.AddIndex(
            model_name="ledgermonthtotal",
            index=models.Index(
                fields=["year", "is_budget", "month"], name="followup_total_last_month"
            ),
        ),
        # After the indexes: an index built over rows just updated in its own transaction
        # (broken HOT chains) is not used by the planner until every older snapshot is gone.
        migrations.RunPython(classify, migrations.RunPython.noop, elidable=True),
    ]
