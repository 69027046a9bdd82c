"""Forms for key data, rules and decided amounts."""

from decimal import Decimal

from django import forms

from common.limits import LimitExceeded
from common.money import AmountError, format_number, parse_decimal
from common.versioning import TokenField
from grants.forms import AmountField, IsoDateInput, ReasonField

from .importing import county_limits
from .models import KeyDataColumn, KeyDataSet, Measure, Method


class CountyFileField(forms.FileField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Fil (CSV eller XLSX)")
        kwargs.setdefault(
            "help_text",
            "En rad per län: länskod, namn och värdekolumner med rubriker, som i "
            "överenskommelsernas bilagor. Semikolon eller komma; UTF-8 eller Windows-1252.",
        )
        super().__init__(**kwargs)
        self.widget.attrs["accept"] = ".csv,.xlsx,text/csv"

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload:
            try:
                county_limits().check_size(upload.size)
            except LimitExceeded as refused:
                raise forms.ValidationError(str(refused)) from refused
        return upload


class DecimalTextField(forms.Field):
    """A number typed the Swedish way: `0,5`, `1 234`, `4`."""

    widget = forms.TextInput

    def __init__(
        self, *, minimum=Decimal("0"), maximum=None, max_digits=20, decimal_places=6, **kwargs
    ):
        super().__init__(**kwargs)
        self.minimum, self.maximum = minimum, maximum
        # As the DecimalField the value is stored in: anything else is refused, not rounded.
        self.max_digits, self.decimal_places = max_digits, decimal_places
        self.widget.attrs.setdefault("inputmode", "decimal")

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return format_number(value).replace("\u00a0", " ")
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            number = parse_decimal(
                value, max_digits=self.max_digits, decimal_places=self.decimal_places
            )
        except AmountError as exc:
            raise forms.ValidationError(str(exc)) from exc
        if self.minimum is not None and number < self.minimum:
            raise forms.ValidationError(f"Värdet får inte vara mindre än {self.minimum}.")
        if self.maximum is not None and number > self.maximum:
            raise forms.ValidationError(f"Värdet får inte vara större än {self.maximum}.")
        return number


class KeyDataImportForm(forms.Form):
    name = forms.CharField(label="Namn", max_length=200, help_text="T.ex. ”Befolkning 2023-11-01”.")
    measure = forms.ChoiceField(label="Mått", choices=Measure.choices)
    reference_date = forms.DateField(
        label="Referensdatum", widget=IsoDateInput, help_text="ÅÅÅÅ-MM-DD."
    )
    source = forms.CharField(label="Källa", max_length=300, required=False)
    file = CountyFileField()

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if KeyDataSet.objects.filter(name=name).exists():
            raise forms.ValidationError("Det finns redan nyckeldata med det namnet.")
        return name


class KeyDataValuesForm(forms.Form):
    """One field per county and column of a data set."""

    token = TokenField()
    reason = ReasonField(help_text="Krävs när ett värde ändras. Sparas i historiken.")

    def __init__(self, *args, dataset, token="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["token"].initial = token
        self.dataset = dataset
        self.columns = list(dataset.columns.prefetch_related("values__region"))
        self.grid = []
        for column in self.columns:
            for value in column.values.all():
                name = f"v{column.pk}_{value.region.county_code}"
                self.fields[name] = DecimalTextField(
                    label=f"{value.region.county_name}, {column.code}", initial=value.value
                )
        regions = [v.region for v in self.columns[0].values.all()] if self.columns else []
        for region in regions:
            self.grid.append(
                (region, [self[f"v{c.pk}_{region.county_code}"] for c in self.columns])
            )

    def values_by_column(self):
        return {
            column: {
                code: self.cleaned_data[f"v{column.pk}_{code}"]
                for code in (v.region.county_code for v in column.values.all())
            }
            for column in self.columns
        }


class DecidedImportForm(forms.Form):
    file = CountyFileField()
    column = forms.CharField(
        label="Kolumn i filen",
        max_length=80,
        required=False,
        help_text="Rubriken på kolumnen med beloppen. Kan lämnas tom om filen bara har en.",
    )
    source = forms.CharField(label="Källa", max_length=300, required=False)
    reason = ReasonField(help_text="Krävs när redan beslutade belopp ändras.")
    token = TokenField()

    def __init__(self, *args, token="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["token"].initial = token


class DecidedAmountsForm(forms.Form):
    """The decided amount per region or county, typed in."""

    token = TokenField()

    def __init__(self, *args, recipients, initial_amounts, token="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["token"].initial = token
        self.recipients = recipients
        for code, name in recipients:
            self.fields[f"r{code}"] = AmountField(
                label=name, required=False, initial=initial_amounts.get(code)
            )
        self.fields["source"] = forms.CharField(
            label="Källa",
            max_length=300,
            required=False,
            help_text="T.ex. regionens beslutsbrev eller bilagan till överenskommelsen. "
            "Belopp som inte ändras behåller sin källa.",
        )
        self.fields["reason"] = ReasonField(
            help_text="Krävs när redan beslutade belopp ändras. Sparas i historiken."
        )

    def clean(self):
        cleaned = super().clean()
        amounts = {code: cleaned.get(f"r{code}") for code, _ in self.recipients}
        # Any subset may be decided: often the region's own decision letter is all there is
        # for months, and the other recipients' amounts are filled in when published.
        given = {code: a for code, a in amounts.items() if a is not None}
        for code, amount in given.items():
            if amount < 0 or amount != amount.to_integral_value():
                self.add_error(f"r{code}", "Ange beslutat belopp i hela kronor, inte negativt.")
        cleaned["amounts"] = given
        return cleaned


class RuleForm(forms.Form):
    method = forms.ChoiceField(label="Metod", choices=Method.choices)
    base_amount = AmountField(
        label="Grundbelopp per mottagare",
        required=False,
        help_text="Går till varje mottagare först; resten fördelas efter nyckeln. T.ex. 500 000.",
    )
    notes = forms.CharField(
        label="Anmärkningar", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reason = ReasonField(help_text="Krävs när en befintlig regel ändras. Sparas i historiken.")
    token = TokenField()

    def __init__(self, *args, rows=(), **kwargs):
        """`rows` are the key's rows as shown (allocations.reads.rule_rows), edited in
        `self.rows`; a valid form has the key's `terms` (terms_from_rows), an invalid one
        its `rule_errors`."""
        super().__init__(*args, **kwargs)
        self.rows = RuleRowFormSet(self.data if self.is_bound else None, initial=rows, prefix="rad")
        self.terms = []
        self.rule_errors = []

    def is_valid(self):
        fields_valid = super().is_valid()
        if not (self.rows.is_valid() and fields_valid):
            return False
        method = self.cleaned_data["method"]
        try:
            terms = terms_from_rows(method, [row.cleaned_data for row in self.rows.forms])
        except forms.ValidationError as exc:
            self.rule_errors = exc.messages
            return False
        # Only a key has terms; the rows of another method are checked, then left.
        self.terms = terms if method == Method.KEY else []
        return True


class RuleRowForm(forms.Form):
    """One data column of the key: which part of a blend it belongs to and its weight."""

    term = forms.IntegerField(label="Del", min_value=1, max_value=9, required=False)
    term_weight = DecimalTextField(
        label="Delens andel av nyckeln",
        required=False,
        maximum=Decimal("1"),
        max_digits=7,
        decimal_places=6,
    )
    column = forms.ModelChoiceField(
        label="Datakolumn",
        queryset=KeyDataColumn.objects.select_related("dataset").order_by(
            "-dataset__reference_date", "dataset__name", "position"
        ),
        required=False,
        empty_label="(ingen)",
    )
    weight = DecimalTextField(label="Vikt", required=False, max_digits=12, decimal_places=4)


RuleRowFormSet = forms.formset_factory(RuleRowForm, extra=3, max_num=12)


def terms_from_rows(method, rows):
    """Group the filled rows into [(term weight, [(column, weight)])]; Swedish errors."""
    errors = []
    terms: dict[int, dict] = {}
    for number, row in enumerate(rows, start=1):
        if not row or not row.get("column"):
            continue
        term = row.get("term") or 1
        entry = terms.setdefault(term, {"weight": None, "columns": []})
        if row.get("term_weight") is not None:
            if entry["weight"] is not None and entry["weight"] != row["term_weight"]:
                errors.append(f"Rad {number}: del {term} har redan andelen {entry['weight']}.")
            entry["weight"] = row["term_weight"]
        entry["columns"].append((row["column"], row.get("weight") or Decimal("1")))
    if method == Method.KEY and not terms:
        errors.append("En fördelningsnyckel behöver minst en datakolumn.")
    for term, entry in sorted(terms.items()):
        if entry["weight"] is None:
            entry["weight"] = Decimal("1") if len(terms) == 1 else None
            if entry["weight"] is None:
                errors.append(f"Del {term} saknar andel av nyckeln.")
    if terms and not errors and sum(e["weight"] for e in terms.values()) != 1:
        errors.append("Delarnas andelar av nyckeln ska tillsammans vara 1 (t.ex. 0,5 och 0,5).")
    if errors:
        raise forms.ValidationError(errors)
    return [(entry["weight"], entry["columns"]) for _, entry in sorted(terms.items())]


class PasteForm(forms.Form):
    """A table pasted from the agreement's PDF or Excel; one amount column per component."""

    text = forms.CharField(
        label="Tabell",
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}),
        help_text="Klistra in tabellen som den är, med rubriker och summarad: en rad per "
        "region eller län, ett eller flera beloppskolumner (tabbar från Excel eller minst två "
        "mellanslag mellan kolumnerna). Belopp i kr, tkr eller mnkr; fotnotstecken tas bort.",
    )
    source = forms.CharField(
        label="Källa",
        max_length=300,
        required=False,
        help_text="T.ex. ”Bilaga 4 i överenskommelsen”. Sparas med varje belopp.",
    )
    reason = ReasonField(help_text="Krävs när redan beslutade belopp ändras.")

    def __init__(self, *args, components, columns=0, initial_component=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.components = {str(c.pk): c for c in components}
        choices = [("", "Läs inte in kolumnen")] + [(str(c.pk), str(c)) for c in components]
        for number in range(1, columns + 1):
            self.fields[f"column_{number}"] = forms.ChoiceField(
                label=f"Kolumn {number} till delområde",
                choices=choices,
                required=False,
                initial=str(initial_component.pk) if number == 1 and initial_component else "",
            )

    def targets(self, columns):
        """[(column index, component)] for the columns given a component."""
        chosen = []
        for number in range(1, columns + 1):
            pk = self.cleaned_data.get(f"column_{number}") or ""
            if pk:
                chosen.append((number - 1, self.components[pk]))
        return chosen

    def clean(self):
        cleaned = super().clean()
        picked = [cleaned.get(name) for name in self.fields if name.startswith("column_")]
        picked = [p for p in picked if p]
        if len(picked) != len(set(picked)):
            raise forms.ValidationError("Två kolumner kan inte läsas in till samma delområde.")
        return cleaned


class FetchScbForm(forms.Form):
    reference_date = forms.DateField(
        label="Referensdatum",
        widget=IsoDateInput(),
        help_text="Folkmängden vid månadens slut dagen före, t.ex. 2023-11-01 för den "
        "31 oktober 2023 (nycklarnas ”befolkning 1 november”).",
    )
    per_municipality = forms.BooleanField(
        label="Per kommun",
        required=False,
        help_text="Hämta de 290 kommunernas folkmängd; länens värden blir deras summor.",
    )


class NationalPasteForm(forms.Form):
    """The agreement's national amounts per component, pasted as a table."""

    text = forms.CharField(
        label="Tabell",
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}),
        help_text="En rad per delområde: namnet som i appen, tabb (eller minst två mellanslag) "
        "och beloppet; gärna en rad ”Totalt”. Rader ovanför den första med ett känt namn "
        "räknas som rubriker.",
    )
    unit = forms.ChoiceField(
        label="Enhet för belopp utan enhet",
        choices=[("mnkr", "miljoner kronor (mnkr)"), ("tkr", "tusen kronor (tkr)"), ("", "kronor")],
        required=False,
        initial="mnkr",
    )
    source = forms.CharField(label="Källa", max_length=200, required=False)
    reason = ReasonField(help_text="Krävs när redan angivna belopp ändras.")
