"""The health endpoint for the region's monitoring: no login, no data, 200 or 503."""

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .health import run_checks


@login_not_required
@transaction.non_atomic_requests
@never_cache
@require_safe
def health(request):
    results = run_checks()
    failing = [name for name, problem in results.items() if problem is not None]
    ok = not failing
    answer = {
        "status": "ok" if ok else "fel",
        "kontroller": {name: problem or "ok" for name, problem in results.items()},
    }
    if failing:
        answer["fel"] = failing
    return JsonResponse(
        answer,
        status=200 if ok else 503,
        json_dumps_params={"ensure_ascii": False},
    )


@login_not_required
@transaction.non_atomic_requests
@never_cache
@require_safe
def live(request):
    """The process runs and answers; nothing else is looked at (for a liveness probe)."""
    return JsonResponse({"status": "ok"})
