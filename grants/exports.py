"""The agreement list and the deadline list as XLSX, as filtered on the page."""

from common.xlsx import DATE, KRONOR, list_workbook


def agreement_list_xlsx(agreements) -> bytes:
    return list_workbook(
        "Överenskommelser",
        [
            "År",
            "Överenskommelse",
            "SKR:s ärendenr",
            "Regionens diarienr",
            "Beslutsdatum",
            "Nationell total",
        ],
        [None, None, None, None, DATE, KRONOR],
        (
            [
                a.year,
                a.short_name,
                a.skr_case_number,
                a.region_case_number,
                a.decision_date,
                a.national_total,
            ]
            for a in agreements
        ),
        widths=[8, 50, 20, 20, 14, 20],
    )


def deadline_list_xlsx(rows) -> bytes:
    """`rows` are grants.reads.DeadlineRow: the deadline, its status and days left."""
    return list_workbook(
        "Frister",
        [
            "Senast",
            "Överenskommelse",
            "Vad",
            "Beskrivning",
            "Till",
            "Gäller",
            "Status",
            "Dagar kvar",
        ],
        [DATE] + [None] * 7,
        (
            [
                r.deadline.due_date,
                r.deadline.agreement.short_name,
                r.deadline.get_kind_display(),
                r.deadline.description,
                r.deadline.get_authority_display(),
                r.deadline.get_applies_to_display() or "Alla mottagare",
                r.label,
                "" if r.submission is not None and r.submission.is_met else r.days_left,
            ]
            for r in rows
        ),
        widths=[12, 40, 30, 40, 20, 20, 12, 10],
    )


def region_list_xlsx(regions) -> bytes:
    return list_workbook(
        "Regioner",
        ["Länskod", "Län", "Region", "Egen region"],
        [None] * 4,
        ([r.county_code, r.county_name, r.name, "Ja" if r.is_own else ""] for r in regions),
        widths=[10, 30, 40, 12],
    )
