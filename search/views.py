"""The search page behind the header's search field."""

from django.shortcuts import render

from common.roles import require
from grants.permissions import can_view_grants

from .reads import LIMIT, MAX_QUERY, search


@require(can_view_grants)
def results(request):
    text = request.GET.get("q", "")
    groups = search(text, request.user)
    return render(
        request,
        "search/results.html",
        {
            "q": text.strip(),
            "groups": groups,
            "limit": LIMIT,
            "max_length": MAX_QUERY,
            "total": sum(len(g.hits) for g in groups),
        },
    )
