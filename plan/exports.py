"""The plan's lists as XLSX (common.xlsx) and its yearly follow-up as tagged PDF
(common.pdf, the reports' PDF layout). Exports take computed rows and return bytes."""

from types import SimpleNamespace

from django.conf import settings
from django.template.loader import render_to_string

from common.pdf import css_string, html_to_pdf
from common.xlsx import KRONOR, KRONOR_ORE, Workbook
from grants.models import Region

from .models import Gender
from .targets import VERDICT_LABELS, period_label


def _book(title, header, widths, rows, formats=None) -> bytes:
    book = Workbook()
    sheet = book.sheet(title)
    sheet.title(title)
    sheet.header(header, widths)
    for row in rows:
        sheet.write_row(row, formats)
    sheet.autofilter(max(sheet.row, sheet.header_row + 2))
    return book.close()


def indicators_xlsx(summaries, title="Effektmått och indikatorer") -> bytes:
    """One row per value: indicator, party, group, gender, period, value, target, verdict."""
    rows = []
    for summary in summaries:
        indicator = summary.indicator
        where = str(indicator.strategy or indicator.agreement or "")
        for series in summary.series:
            for key, value in sorted(series.values.items()):
                verdict = series.evaluation_for(*key)
                rows.append(
                    [
                        where,
                        indicator.name,
                        str(series.party),
                        series.group or "Alla",
                        Gender(series.gender).label,
                        period_label(*key),
                        value,
                        indicator.unit,
                        indicator.target_display(),
                        VERDICT_LABELS[verdict.verdict],
                        series.measurements[key].source,
                    ]
                )
        if not summary.series:
            rows.append(
                [
                    where,
                    indicator.name,
                    "",
                    "",
                    "",
                    "",
                    None,
                    indicator.unit,
                    indicator.target_display(),
                    "Inget värde",
                    "",
                ]
            )
    return _book(
        title,
        [
            "Strategi/överenskommelse",
            "Effektmått",
            "Part",
            "Grupp",
            "Kön",
            "Period",
            "Värde",
            "Enhet",
            "Mål",
            "Bedömning",
            "Källa",
        ],
        [28, 45, 24, 16, 10, 14, 12, 8, 34, 14, 30],
        rows,
    )


def activities_xlsx(activities, answers_year=None, status=None) -> bytes:
    """The action plan as the follow-up page lists it: with `status`, only the sub-activities
    of that status; with `answers_year`, each measure's answer for that year."""
    rows = []
    for activity in activities:
        for sub in activity.sub_activities.all():
            if status and sub.status != status:
                continue
            questions = list(sub.questions.all()) or [None]
            for question in questions:
                answer = None
                if question is not None:
                    answers = sorted(question.answers.all(), key=lambda a: -a.year)
                    if answers_year:
                        answers = [a for a in answers if a.year == answers_year]
                    answer = answers[0] if answers else None
                rows.append(
                    [
                        activity.strategy.name,
                        activity.priority,
                        activity.name,
                        sub.name,
                        sub.status_display(),
                        sub.status_note,
                        question.question if question else "",
                        question.target_text if question else "",
                        f"{answer.year}: {answer.display()}" if answer else "",
                    ]
                )
    return _book(
        "Handlingsplan",
        [
            "Strategi",
            "Prioritet",
            "Aktivitet",
            "Delaktivitet",
            "Status",
            "Statuskommentar",
            "Mått",
            "Målvärde",
            "Senaste svar",
        ],
        [26, 11, 45, 45, 26, 34, 40, 14, 16],
        rows,
    )


def money_xlsx(activities, money) -> bytes:
    rows = []
    for activity in activities:
        for item in money.get(activity.pk, []):
            linked = item.link.activity
            rows.append(
                [
                    activity.strategy.name,
                    activity.name,
                    linked.area.agreement.short_name,
                    linked.area.name,
                    linked.name,
                    linked.cost_object.number if linked.cost_object else "",
                    item.amount,
                    item.outcome,
                    item.link.note,
                ]
            )
    return _book(
        "Pengarna bakom planen",
        [
            "Strategi",
            "Aktivitet i planen",
            "Överenskommelse",
            "Utvecklingsområde",
            "Aktivitet i fördelningen",
            "Objekt",
            "Belopp",
            "Utfall",
            "Hur den bidrar",
        ],
        [24, 40, 26, 30, 40, 8, 16, 16, 30],
        rows,
        [None] * 6 + [KRONOR, KRONOR_ORE, None],
    )


def followup_html(context: dict) -> str:
    region = Region.objects.filter(county_code=settings.OWN_REGION_CODE).first()
    profile = SimpleNamespace(name=region.name if region else "")
    return render_to_string(
        "reporting/pdf/base.html",
        {
            **context,
            "profile": profile,
            "body_template": "plan/pdf/followup.html",
            # The running header of every page, as on the region's other documents.
            "header_left": css_string(profile.name),
            "header_right": css_string(context["title"]),
        },
    )


def followup_pdf(context: dict) -> bytes:
    return html_to_pdf(followup_html(context))
