"""Inline SVG (the server-made charts) under the Content-Security-Policy.

A chart carries its own <style> block. The policy allows no inline style except blocks that
bear this response's nonce: `{% inline_svg svg %}` gives the chart's blocks that nonce, so the
styles we generated apply and any other inline style stays blocked. Without a request (a PDF
made by WeasyPrint) the SVG is returned as it is.
"""

import re

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


def with_style_nonce(svg: str, nonce: str) -> str:
    return re.sub(r"<style(?=[\s>])", f'<style nonce="{nonce}"', svg)


@register.simple_tag(takes_context=True)
def inline_svg(context, svg):
    request = context.get("request")
    # django-csp's lazy nonce is falsy until read; reading it puts it in the header.
    lazy = getattr(request, "csp_nonce", None)
    nonce = str(lazy) if lazy is not None else ""
    svg = str(svg)
    return mark_safe(with_style_nonce(svg, nonce) if nonce else svg)  # noqa: S308 (our own SVG)
