"""The generated data set: years of agreements, activities and a ledger row per activity and
month, on top of the demo data. Runs in a child process with django.setup():
python -m scripts.bench_load.generate '[years, agreements_per_year, activities_per_area]'
prints the counts as JSON."""

import datetime
import json
import random
import sys
import time

AREA_THEMES = [
    "Nära vård och primärvård",
    "Vårdens medarbetare",
    "Vision e-hälsa 2025",
    "Ambulanssjukvård",
    "Barnhälsovård",
    "Psykisk hälsa",
    "Kvinnors hälsa",
    "Cancervård",
    "Tillgänglighet",
    "Jämlik vård",
]


def generate(years: list[int], agreements_per_year: int, activities_per_area: int) -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction
    from django.db.models import Q

    from allocations.models import DecidedAmount
    from distribution.models import Activity, ActivityStatus, CostObject
    from followup.models import LEDGER_COLUMNS, LedgerImport, LedgerTransaction
    from followup.month_totals import refresh_month_totals
    from grants.models import Agreement, Component, Deadline, DevelopmentArea, Region

    rng = random.Random(20231)
    started = time.perf_counter()
    regions = list(Region.objects.all())
    own = next(r for r in regions if r.county_code == settings.OWN_REGION_CODE)
    statuses = [s.value for s in ActivityStatus]
    with transaction.atomic():
        agreements = Agreement.objects.bulk_create(
            Agreement(
                year=year,
                short_name=f"Bidrag {year}-{n:02d}",
                slug=f"bench-bidrag-{year}-{n:02d}",
                name=f"Genererad överenskommelse {n} för {year}",
                national_total=10**9,
            )
            for year in years
            for n in range(agreements_per_year)
        )
        areas = DevelopmentArea.objects.bulk_create(
            # The same themes every year, as real areas recur (the years chart groups them).
            DevelopmentArea(
                agreement=a, name=AREA_THEMES[i % agreements_per_year % len(AREA_THEMES)]
            )
            for i, a in enumerate(agreements)
        )
        components = Component.objects.bulk_create(
            Component(
                agreement=a,
                area=area,
                name="Medel till regionerna",
                recipient_group="regioner",
                national_amount=10**8,
            )
            for a, area in zip(agreements, areas, strict=True)
        )
        DecidedAmount.objects.bulk_create(
            (
                DecidedAmount(
                    component=c,
                    region=r,
                    # The own region's share about covers its 300 activities (~1 Mkr each).
                    amount=activities_per_area * 1_050_000
                    if r.pk == own.pk
                    else rng.randrange(2_000_000, 20_000_000),
                )
                for c in components
                for r in regions
            ),
            batch_size=5000,
        )
        cost_objects = CostObject.objects.bulk_create(
            CostObject(year=a.year, number=f"{a.year}{n:03d}", name=f"Objekt {n}", area=area)
            for n, (a, area) in enumerate(zip(agreements, areas, strict=True))
        )
        Deadline.objects.bulk_create(
            Deadline(
                agreement=a,
                kind=kind,
                due_date=datetime.date(a.year + shift, month, day),
                authority="kammarkollegiet",
            )
            for a in agreements
            for kind, shift, month, day in (
                ("rekvisition", 0, 12, 1),
                ("ekonomisk_redovisning", 1, 3, 31),
            )
        )
        activities = []
        for area, cost_object in zip(areas, cost_objects, strict=True):
            for i in range(activities_per_area):
                is_new = rng.random() < 0.1
                exit_plan = "Tas in i ordinarie budget" if rng.random() < 0.8 else ""
                activities.append(
                    Activity(
                        area=area,
                        position=i + 1,
                        name=f"Insats {i + 1}",
                        amount=1000 * rng.randrange(10, 2000),
                        responsible=f"Ansvarig {i % 37}",
                        cost_object=cost_object,
                        status=rng.choice(statuses),
                        private_providers=None if rng.random() < 0.03 else rng.random() < 0.5,
                        is_new=is_new,
                        exit_plan=exit_plan if is_new else "",
                        forecast=None if rng.random() < 0.5 else 1000 * rng.randrange(10, 2000),
                    )
                )
        activities = Activity.objects.bulk_create(activities, batch_size=10000)
        ledger = LedgerImport.objects.create(
            file_name="genererad-huvudbok.csv", file_format="csv", checksum="0" * 64
        )
        # One outcome row per activity and month, written with COPY: bulk_create of 720 000
        # rows takes minutes, COPY seconds.
        # The ledger row's columns (followup.models.LEDGER_COLUMNS), in the order the ledger
        # import writes them; a column the model gains stops the run here.
        names = LEDGER_COLUMNS
        columns = ", ".join(LedgerTransaction._meta.get_field(n).column for n in names)
        table = LedgerTransaction._meta.db_table
        rows = 0
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                chunk = []
                for activity in activities:
                    monthly = int(activity.amount) / 12
                    year = activity.cost_object.year
                    for month in range(1, 13):
                        rows += 1
                        amount = round(monthly * rng.uniform(0.5, 1.5), 2)
                        row = {
                            "ledger_import": ledger.pk,
                            "cost_object": activity.cost_object_id,
                            "activity": activity.pk,
                            "year": year,
                            "month": month,
                            "date": None,
                            "account": "4010",
                            "responsibility": 4100 + rows % 50,
                            "activity_code": "",
                            "voucher": f"V{rows}",
                            "text": "Genererad rad",
                            "amount": f"{amount:.2f}",
                            "is_budget": "f",
                            "line": rows,
                        }
                        if rows == 1 and sorted(row) != sorted(names):
                            raise SystemExit(
                                "The generated ledger row does not match LedgerTransaction's "
                                f"columns: {sorted(set(row) ^ set(names))}"
                            )
                        chunk.append(
                            "\t".join(r"\N" if row[n] is None else str(row[n]) for n in names)
                            + "\n"
                        )
                    if len(chunk) >= 60000:
                        copy.write("".join(chunk))
                        chunk = []
                copy.write("".join(chunk))
        LedgerImport.objects.filter(pk=ledger.pk).update(rows_total=rows, rows_kept=rows)
        # Rows written by COPY here, not by an import: their monthly totals too, as the
        # import keeps them (the pages read the totals).
        refresh_month_totals(Q())
    return {
        "agreements": len(agreements),
        "activities": len(activities),
        "ledger_rows": rows,
        "seconds": round(time.perf_counter() - started, 1),
    }


if __name__ == "__main__":
    print(json.dumps(generate(*json.loads(sys.argv[1]))))
