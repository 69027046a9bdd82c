"""The dashboard's SVG charts keep their styles under the strict policy: their <style> blocks
carry the response's nonce, and no element has a style attribute."""

import re

from django.urls import reverse


def test_chart_styles_carry_the_nonce_of_the_response(client_for, ledger2023):
    response = client_for("manager").get(reverse("dashboard:overview"), {"ar": 2023})
    html = response.content.decode()
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"style-src 'self' 'nonce-([^']+)'", policy).group(1)
    blocks = re.findall(r"<style[^>]*>", html)
    assert len(blocks) >= 2  # summary and areas inline; per cost object as images
    assert all(block == f'<style nonce="{nonce}" type="text/css">' for block in blocks)
    assert re.search(r"<[^>]*\sstyle\s*=", html) is None
    assert "unsafe-inline" not in policy
    other = client_for("manager").get(reverse("dashboard:overview"), {"ar": 2023})
    assert re.search(r"'nonce-([^']+)'", other["Content-Security-Policy"]).group(1) != nonce
