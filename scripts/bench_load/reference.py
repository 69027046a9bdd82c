"""The list pages' tables against their reference: the 50 rows a list page shows, rendered by
django-tables2 as the page renders them, and the same rows by a plain template loop with the
same cells (links, formatted amounts, the conditions column).

Runs in a child process with django.setup() on the benchmark's database:
python -m scripts.bench_load.reference '{"<page>": "<path>", ...}' prints, per page, the rows
and the median CPU milliseconds of each rendering as JSON. The page is requested once through
Django's test client as the manager, and its own table (the one the view built, sorted and
paged) is taken from the response's context, so the rows are the page's rows. The rows are
read before the timing; both renderings are timed without the database. The page itself
serves its list from the shared cache while the data is unchanged (common.lists.list_body),
so the cache is emptied before each page: these are the times of building the list.
"""

import json
import statistics
import sys
import time

REPEAT = 20

# The same cells as dashboard.tables.ActivityTable and grants.tables.AgreementTable.
PLAIN_LOOPS = {
    "/oversikt/aktiviteter/?year=2023": """{% load money %}<table class="data-table">
<caption>Aktiviteter</caption><thead><tr><th>Insats</th><th>Utvecklingsområde</th>
<th>Överenskommelse</th><th class="num">Belopp</th><th>Status</th><th>Ansvarig</th>
<th>Villkor</th></tr></thead><tbody>
{% for a in rows %}<tr>
<td><a href="{% url 'distribution:area' a.area_id %}">{{ a.name }}</a></td>
<td>{{ a.area.name }}</td><td>{{ a.area.agreement.short_name }}</td>
<td class="num">{{ a.amount|kr }}</td><td>{{ a.get_status_display }}</td>
<td>{{ a.responsible }}</td><td>{{ a.missing_conditions|join:"; "|default:"Uppfyllda" }}</td>
</tr>{% endfor %}</tbody></table>""",
    "/overenskommelser/": """{% load money %}<table class="data-table">
<caption>Alla registrerade överenskommelser</caption><thead><tr><th>År</th>
<th>Överenskommelse</th><th>SKR:s ärendenr</th><th>Regionens diarienr</th>
<th>Beslutsdatum</th><th class="num">Nationell total</th></tr></thead><tbody>
{% for a in rows %}<tr><td>{{ a.year }}</td>
<td><a href="{{ a.get_absolute_url }}">{{ a.short_name }}</a>
{% if a.is_draft %} <span class="badge badge-soon">Utkast</span>{% endif %}</td>
<td>{{ a.skr_case_number|default:"—" }}</td><td>{{ a.region_case_number|default:"—" }}</td>
<td>{{ a.decision_date|date:"Y-m-d"|default:"—" }}</td>
<td class="num">{{ a.national_total|kr }}</td></tr>{% endfor %}</tbody></table>""",
}


def cpu_ms(render) -> tuple[float, int]:
    """The median CPU milliseconds of REPEAT renderings (after one untimed), and the database
    queries one rendering makes (none: the rows were read before)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    render()
    with CaptureQueriesContext(connection) as queries:
        render()
    times = []
    for _ in range(REPEAT):
        started = time.process_time()
        render()
        times.append(1000 * (time.process_time() - started))
    return statistics.median(times), len(queries)


def measure(pages: dict[str, str], username: str) -> dict:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.template import engines
    from django.template.loader import get_template
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client then keeps each response's context
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    engine = engines["django"]
    results = {}
    for name, path in pages.items():
        # The page keeps its list (common.lists): empty the benchmark's own cache, so that
        # the table is built in this request and is in its context.
        cache.clear()
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered HTTP {response.status_code}")
        table = response.context["table"]
        request = response.wsgi_request
        records = [row.record for row in table.page.object_list]
        template = get_template(table.template_name)
        plain = engine.from_string(PLAIN_LOOPS[name])
        table_ms, table_queries = cpu_ms(
            lambda t=table, r=request, tpl=template: tpl.render({"table": t, "request": r})
        )
        plain_ms, plain_queries = cpu_ms(lambda r=records, tpl=plain: tpl.render({"rows": r}))
        results[name] = {
            "rows": len(records),
            "table_ms": table_ms,
            "table_queries": table_queries,
            "plain_ms": plain_ms,
            "plain_queries": plain_queries,
        }
    return results


if __name__ == "__main__":
    print(json.dumps(measure(json.loads(sys.argv[1]), sys.argv[2])))
