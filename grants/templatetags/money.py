"""Template filters that format amounts; they never compute them."""

from django import template

from common.money import format_amount, format_millions, format_number, format_percent

register = template.Library()


@register.filter
def kr(value):
    """`75 422 690 kr`; empty for a missing amount."""
    return format_amount(value)


@register.filter
def mnkr(value):
    """`6 394,5 mnkr`."""
    return format_millions(value)


@register.filter
def number(value):
    """`1 234 567`, `0,2325`, `−4`: a count or a key figure, every decimal kept."""
    return format_number(value)


@register.filter
def percent(value, decimals=1):
    """`−28,6 %`: a share or deviation in percent."""
    return format_percent(value, decimals=int(decimals))


@register.filter
def lines(value):
    """The non-empty lines of a text, for rendering a list of points."""
    return [line.strip(" -•−\t") for line in (value or "").splitlines() if line.strip(" -•−\t")]
