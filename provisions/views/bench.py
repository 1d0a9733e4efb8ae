"""The benchmark's yardstick: the cheapest page Django can serve through the whole middleware
stack (see bench/README.md). Public, and it reveals nothing."""

from django.http import HttpResponse
from django.views.decorators.http import require_safe

from provisions.access import public


@public
@require_safe
def ping(request):
    return HttpResponse("ok", content_type="text/plain")
