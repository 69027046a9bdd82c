"""Template filters that format amounts; they never compute them."""

from django import template

from common.money import format_amount, format_millions

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
def lines(value):
    """The non-empty lines of a text, for rendering a list of points."""
    return [line.strip(" -•−\t") for line in (value or "").splitlines() if line.strip(" -•−\t")]
