"""The version of the data behind the pages that are kept between requests (the dashboard,
the follow-up, the drill-down lists): a tuple that changes whenever anything they read does,
so that a page kept under it is never shown for other data than it was built from."""

import functools

from django.db import connection
from django.db.models import F, Q

from allocations.models import DecidedAmount as Decided
from distribution.models import Activity, CostObject
from grants.models import Agreement, Component, Deadline, DeadlineSubmission, DevelopmentArea

from .models import AccountRange, ActivityBudgetProfile, ActivityLink, ClosedPeriod, LedgerImport


def data_version(year: int | None = None) -> tuple:
    """What the kept pages read, as the newest row of every table its figures come from:
    every write to them leaves a history row, every import a new row.

    With a year: the version of that year's page. Tables every page reads from (the years
    chart's decided amounts, areas, components and agreements, the deadlines, the chart of
    accounts, the imports) count whole; the rest (activities, cost objects, links, budget
    profiles, closed months) only for the year, so that a forecast changed in one year does
    not make the other years' pages new. Without a year: anything changed anywhere.
    One MAX per table, all in one statement."""
    sql, count = _version_sql(year is None)
    with connection.cursor() as cursor:
        cursor.execute(sql, [year] * count)
        return tuple(cursor.fetchone())


@functools.cache
def _version_sql(every_year_whole: bool) -> tuple[str, int]:
    """The statement behind data_version, made once per process (building thirteen querysets
    costs more than running them); its only parameter is the year, `count` times."""
    year = None if every_year_whole else 0
    every_year = [  # (rows, the column that grows)
        (Decided.history.all(), "history_id"),
        (Deadline.history.all(), "history_id"),
        (Agreement.history.all(), "history_id"),
        (DevelopmentArea.history.all(), "history_id"),
        (Component.history.all(), "history_id"),
        (LedgerImport.objects.all(), "id"),
        (DeadlineSubmission.objects.all(), "changed_at"),
        (AccountRange.history.all(), "history_id"),
    ]
    of_year = [
        (Activity.history.all(), Q(area__agreement__year=year)),
        (CostObject.history.all(), Q(year=year) | Q(area__agreement__year=year)),
        (ActivityLink.history.all(), Q(cost_object__area__agreement__year=year)),
        (ClosedPeriod.history.all(), Q(year=year)),
        (ActivityBudgetProfile.history.all(), Q(activity__area__agreement__year=year)),
    ]
    queries = every_year + [
        (rows if year is None else rows.filter(in_year), "history_id") for rows, in_year in of_year
    ]
    selects, params = [], []
    for rows, column in queries:
        sql, values = rows.order_by().values(newest=F(column)).query.sql_with_params()
        selects.append(f"(SELECT MAX(q.newest) FROM ({sql}) q)")
        params.extend(values)
    assert all(value == year for value in params), params  # the year is the only parameter
    return "SELECT " + ", ".join(selects), len(params)
