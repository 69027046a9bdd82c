"""The register of every year's state grants as its pages show it: the years with their
totals, and one year's grants beside the annual summary made from them."""

from django.db.models import Sum

from grants.models import Agreement

from ..models import StateGrant, StateGrantLine, StateGrantYear
from .documents import ZERO, summary_context


def year_totals():
    """(year, national grants, temporary grants) for every year in the register or with
    agreements, newest first; one grouped query."""
    sums = {}
    for year, temporary, total in (
        StateGrantLine.objects.order_by()
        .values("grant__grant_year__year", "grant__temporary")
        .annotate(total=Sum("amount"))
        .values_list("grant__grant_year__year", "grant__temporary", "total")
    ):
        sums[(year, temporary)] = total
    years = set(StateGrantYear.objects.values_list("year", flat=True))
    years |= set(Agreement.objects.values_list("year", flat=True))
    return [
        (year, sums.get((year, False), ZERO), sums.get((year, True), ZERO))
        for year in sorted(years, reverse=True)
    ]


def register_year(year: int) -> dict:
    """The year's summary, with the register's own rows (the summary adds the agreements the
    register lacks; the page offers to add them) and the year's agreements."""
    context = summary_context(year)
    grant_year = context["grant_year"]
    grants = list(grant_year.grants.prefetch_related("lines") if grant_year else [])
    regular = [g for g in grants if not g.temporary]
    temporary = [g for g in grants if g.temporary]

    def total(items):
        return sum((line.amount for g in items for line in g.lines.all()), ZERO)

    return {
        **context,
        "regular": regular,
        "temporary": temporary,
        "regular_total": total(regular),
        "temporary_total": total(temporary),
        "agreements": Agreement.objects.filter(year=year),
    }


def new_grant(year: int) -> StateGrant:
    """A new grant of the year (the year's row is made when the first grant is saved)."""
    grant_year = StateGrantYear.objects.filter(year=year).first() or StateGrantYear(year=year)
    return StateGrant(grant_year=grant_year)


def grant_amounts(grant) -> dict:
    """The grant's amounts ((amount, comment) pairs) and its areas, as its edit page shows
    them."""
    if grant.pk is None:
        return {"lines": [], "areas": []}
    return {
        "lines": [(line.amount, line.comment) for line in grant.lines.all()],
        "areas": list(grant.areas.all()),
    }
