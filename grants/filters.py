"""Filters for the agreement list and the deadline list; the exports use the same."""

import django_filters

from .models import Agreement, Authority, Deadline, DeadlineKind


class AgreementFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="year", label="År")
    name = django_filters.CharFilter(
        field_name="short_name", lookup_expr="icontains", label="Namnet innehåller"
    )

    class Meta:
        model = Agreement
        fields = ["year", "name"]


class DeadlineFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="agreement__year", label="År")
    kind = django_filters.ChoiceFilter(choices=DeadlineKind.choices, label="Typ")
    authority = django_filters.ChoiceFilter(choices=Authority.choices, label="Till")
    after = django_filters.DateFilter(
        field_name="due_date", lookup_expr="gte", label="Senast från (ÅÅÅÅ-MM-DD)"
    )
    before = django_filters.DateFilter(
        field_name="due_date", lookup_expr="lte", label="Senast till (ÅÅÅÅ-MM-DD)"
    )

    class Meta:
        model = Deadline
        fields = ["year", "kind", "authority", "after", "before"]
