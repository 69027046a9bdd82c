"""The activities as XLSX (common.xlsx), for the area page and the dashboard's list."""

from common.xlsx import KRONOR, list_workbook


def activity_list_xlsx(activities) -> bytes:
    """`activities` with area__agreement, cost_object and ring_fenced_component selected."""
    return list_workbook(
        "Aktiviteter",
        [
            "Överenskommelse",
            "Utvecklingsområde",
            "Mål (RS/HSN)",
            "Insats",
            "Medlen avser",
            "Ansvarig",
            "Objekt",
            "Öronmärkta medel för",
            "Belopp",
            "Status",
            "Villkor",
        ],
        [None] * 8 + [KRONOR, None, None],
        (
            [
                a.area.agreement.short_name,
                a.area.name,
                a.goal,
                a.name,
                a.covers,
                a.responsible,
                a.cost_object.number if a.cost_object else "",
                a.ring_fenced_component.name if a.ring_fenced_component else "",
                a.amount,
                a.get_status_display(),
                "; ".join(a.missing_conditions()) or "Uppfyllda",
            ]
            for a in activities
        ),
        widths=[30, 30, 30, 40, 40, 24, 10, 24, 16, 14, 40],
    )
