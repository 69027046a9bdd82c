"""`<year:year>` in an address: four digits. A longer number is no year: the address is not
found (404), instead of a year past the database column's range (a 500 on PostgreSQL)."""

from django.urls import register_converter


class YearConverter:
    regex = "[0-9]{4}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return f"{int(value):04d}"


register_converter(YearConverter, "year")
