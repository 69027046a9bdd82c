"""A generated but realistic ledger for the demo year: monthly costs per activity on the grant
cost objects, the state grant booked as income on them, a credit note, a little on other
objects, written as a Swedish export and imported through the same path as an uploaded file."""

import csv
import io
import random
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from distribution.models import Activity
from distribution.reads import own_area_money

from .actions import do_import_ledger_file
from .models import LedgerSource

DEMO_SOURCE = "Huvudbok, Raindance (demo)"
DEMO_MAPPING = {
    "cost_object": "Objekt",
    "amount": "Belopp",
    "period": "Period",
    "date": "Bokf.datum",
    "account": "Konto",
    "responsibility": "Ansvar",
    "activity_code": "Aktivitet",
    "voucher": "Verifikationsnr",
    "text": "Text",
}
# The column names of a Raindance export (issue 22): a source mapped with other spellings
# of the same fields reads it too (followup.ledger_files.FIELD_SYNONYMS).
HEADER = [
    "Verifikationsnr",
    "Bokf.datum",
    "Konto",
    "Ansvar",
    "Objekt",
    "Aktivitet",
    "Text",
    "Period",
    "Belopp",
]
ACCOUNTS = ["5010", "5410", "6550", "7010", "7610"]
GRANT_ACCOUNT = "3190"  # Kommun-Bas: bidrag från staten (income, class 3)
CREDIT_NOTE = Decimal("18750.00")
# The outcome follows each activity's budget, up to OUTCOME_BOUND per cent under, an activity
# with 0 kr in the distribution has no outcome, except these deliberate deviations, so that a
# newcomer's dashboard and follow-up show what a deviation looks like (name prefix: kr):
DELIBERATE_DEVIATIONS = {
    # Fewer nurses than planned began the autumn's course: 1 200 000 kr under budget (−24 %).
    "Vidareutbildning för sjuksköterskor": Decimal("-1200000"),
    # An extra course in prehospital care for the ambulance staff: 360 000 kr over (+25 %).
    "Utveckling av ambulanssjukvården": Decimal("360000"),
    # 0 kr in the distribution: the joint plan's work was paid before its money was
    # distributed to it, 350 000 kr outcome without a budget.
    "Framtagande av gemensam plan för primärvård": Decimal("350000"),
}
OUTCOME_BOUND = 3  # per cent of the budget, under it, for every other activity
# How much of the year's budget each month sees: quiet summer, busy autumn.
SEASON = [6, 8, 9, 9, 9, 7, 3, 5, 10, 11, 11, 12]


def swedish_amount(amount: Decimal) -> str:
    sign = "-" if amount < 0 else ""
    whole, _, ore = f"{abs(amount):.2f}".partition(".")
    return sign + f"{int(whole):,}".replace(",", "\u00a0") + "," + ore


def deliberate_deviation(activity) -> Decimal | None:
    """The named deviation of the demo activity (kr over budget, negative under), if any."""
    for prefix, amount in DELIBERATE_DEVIATIONS.items():
        if activity.name.startswith(prefix):
            return amount
    return None


def demo_outcome(activity, rng) -> Decimal:
    """The year's outcome of an activity: up to OUTCOME_BOUND per cent under its budget, none
    on a 0 kr activity, or its budget plus its deliberate deviation."""
    deviation = deliberate_deviation(activity)
    if deviation is not None:
        return max(Decimal("0"), activity.amount + deviation)
    if activity.amount <= 0:
        return Decimal("0")
    # A little under budget, as most grant activities end (an earmarked pot is never
    # overspent by chance); whole per mille inside the bound, so rounding to öre stays inside.
    return activity.amount * Decimal(1000 - rng.randint(1, OUTCOME_BOUND * 10 - 1)) / 1000


def ledger_rows(agreement, seed: int = 2023):
    """Rows (list of str) of a plausible year of outcome for the agreement's activities."""
    rng = random.Random(seed)
    year = agreement.year
    voucher = 100000
    activities = list(
        Activity.objects.filter(area__agreement=agreement, cost_object__isnull=False)
        .select_related("cost_object", "area")
        .order_by("pk")
    )
    # A supplier's credit note, a cost with a minus sign, on the last funded activity without a
    # deliberate deviation; its costs are booked that much higher, so the net follows the budget.
    credited = next(
        (a for a in reversed(activities) if a.amount > 0 and deliberate_deviation(a) is None),
        None,
    )
    for activity in activities:
        spent = demo_outcome(activity, rng)
        if not spent:
            continue
        if activity == credited:
            spent += CREDIT_NOTE
        for month in range(1, 13):
            month_total = spent * SEASON[month - 1] / sum(SEASON)
            vouchers = rng.randint(6, 12)
            for part in range(vouchers):
                voucher += 1
                amount = (month_total / vouchers).quantize(Decimal("0.01"))
                day = rng.randint(1, 28)
                yield [
                    f"L{voucher}",
                    f"{year}-{month:02d}-{day:02d}",
                    rng.choice(ACCOUNTS),
                    f"{rng.randint(1, 9)}{rng.randint(100, 999)}",
                    activity.cost_object.number,
                    activity.ledger_code,
                    f"{activity.name[:40]} {part + 1}",
                    f"{year}{month:02d}",
                    swedish_amount(amount),
                ]
    # The state grant booked as income on each area's object (class 3, a credit, so negative)
    # when it is paid, and the supplier's credit note.
    for area in agreement.areas.all():
        cost_object = area.cost_objects.filter(year=year).order_by("number").first()
        money = own_area_money(area)
        if cost_object is None or not money.amount:
            continue
        voucher += 1
        yield [
            f"L{voucher}",
            f"{year}-06-20",
            GRANT_ACCOUNT,
            "1100",
            cost_object.number,
            "",
            f"Statsbidrag {agreement.short_name}"[:60],
            f"{year}06",
            swedish_amount(-money.amount),
        ]
    if credited is not None:
        voucher += 1
        yield [
            f"L{voucher}",
            f"{year}-10-12",
            "6550",
            "1100",
            credited.cost_object.number,
            credited.ledger_code,
            "Kreditfaktura, felaktigt debiterad konsulttid",
            f"{year}10",
            swedish_amount(-CREDIT_NOTE),
        ]
    for month in range(1, 13):
        for _ in range(40):  # rows on the region's other objects, ignored by the import
            voucher += 1
            yield [
                f"L{voucher}",
                f"{year}-{month:02d}-15",
                rng.choice(ACCOUNTS),
                "1100",
                str(rng.randint(1000, 8999)),
                "",
                "Övrig verksamhet",
                f"{year}{month:02d}",
                swedish_amount(Decimal(rng.randint(-5_000, 90_000))),
            ]


def demo_ledger_csv(agreement, seed: int = 2023) -> bytes:
    """The ledger as a region exports it: title rows, semicolons, decimal comma, Windows-1252."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([f"Huvudbok {agreement.year}"] + [""] * 8)
    writer.writerow(["Region Jämtland Härjedalen"] + [""] * 8)
    writer.writerow(HEADER)
    for row in ledger_rows(agreement, seed):
        writer.writerow([cell.replace("\u00a0", " ") for cell in row])
    return out.getvalue().encode("cp1252")


@transaction.atomic
def load_demo_ledger(agreement, *, acting_user=None):
    """Give the demo activities ledger codes and import a generated year of outcome."""
    for activity in Activity.objects.filter(area__agreement=agreement, cost_object__isnull=False):
        if not activity.ledger_code:
            activity.ledger_code = f"A{activity.cost_object.number}{activity.position:02d}"
            activity.save(update_fields=["ledger_code"])
    source, _ = LedgerSource.objects.get_or_create(
        name=DEMO_SOURCE, defaults={"mapping": DEMO_MAPPING}
    )
    upload = SimpleUploadedFile(f"huvudbok-{agreement.year}-demo.csv", demo_ledger_csv(agreement))
    return do_import_ledger_file(upload, source, acting_user)
