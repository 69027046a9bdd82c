"""Filters for the drill-down lists behind the dashboard's numbers."""

import django_filters

from distribution.models import Activity, ActivityStatus
from followup.accounts import Kind
from followup.models import LedgerTransaction
from grants.models import DevelopmentArea


def number_in(value, default, low, high):
    """A number from a request's text, kept within [low, high]; `default` if it is none."""
    try:
        return min(max(int(value), low), high)
    except (TypeError, ValueError):
        return default


def _area_label(area) -> str:
    """An area as a filter offers it: the same name comes back every year, so say which."""
    return f"{area.name} ({area.agreement.year})"


class _AreaByYear:
    """Names each area in the filter's choices with its agreement's year."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.form.fields["area"]
        field.label_from_instance = _area_label
        # Only what the label shows: an agreement row is wide, and each option reads one.
        field.queryset = field.queryset.only("name", "agreement__year").order_by(
            "-agreement__year", "position", "name"
        )


class ActivityFilter(_AreaByYear, django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="area__agreement__year", label="År")
    area = django_filters.ModelChoiceFilter(
        queryset=DevelopmentArea.objects.select_related("agreement"), label="Utvecklingsområde"
    )
    status = django_filters.ChoiceFilter(choices=ActivityStatus.choices, label="Status")
    missing = django_filters.BooleanFilter(
        method="filter_missing", label="Saknar villkor", widget=django_filters.widgets.BooleanWidget
    )
    name = django_filters.CharFilter(lookup_expr="icontains", label="Insats innehåller")

    class Meta:
        model = Activity
        fields = ["year", "area", "status", "missing", "name"]

    def filter_missing(self, queryset, name, value):
        missing = queryset.missing_conditions()
        return missing if value else queryset.exclude(pk__in=missing.values("pk"))


class TransactionFilter(_AreaByYear, django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="year", label="År")
    month = django_filters.NumberFilter(field_name="month", label="Månad")
    area = django_filters.ModelChoiceFilter(
        field_name="cost_object__area",
        queryset=DevelopmentArea.objects.select_related("agreement"),
        label="Utvecklingsområde",
    )
    cost_object = django_filters.CharFilter(field_name="cost_object__number", label="Objekt")
    unlinked = django_filters.BooleanFilter(
        field_name="activity",
        lookup_expr="isnull",
        label="Ej kopplat",
        widget=django_filters.widgets.BooleanWidget,
    )

    kind = django_filters.ChoiceFilter(
        choices=Kind.choices, method="filter_kind", label="Slag (enligt kontoplanen)"
    )

    class Meta:
        model = LedgerTransaction
        fields = ["year", "month", "area", "cost_object", "unlinked", "kind"]

    def filter_kind(self, queryset, name, value):
        return queryset.with_kind().filter(kind=value)
