"""Personal API tokens in the workspace: list, create (shown once), revoke.

Creating one needs a session that has passed every sign-in step its account has (an editor
account: the second factor) and that confirmed the password (and code) in the last few minutes
(provisions/confirmation.py). Listing and revoking need neither: they add no power.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from provisions import roles
from provisions.access import analyst_required, second_factor_response, second_factor_url
from provisions.confirmation import confirmation_needed, recently_confirmed
from provisions.models import ApiToken
from provisions.services.tokens import (
    MAX_NAME_CHARS,
    api_token_create,
    api_token_revoke,
    api_token_still_holds,
    token_lifetime,
)


@analyst_required
@never_cache
def token_list(request):
    user = request.user
    new_token = None
    # A name typed before the confirmation page comes back with it (?name=…).
    name = request.GET.get("name", "")[:MAX_NAME_CHARS]
    errors = []
    if request.method == "POST":
        name = request.POST.get("name", "")[:500]
        if roles.second_factor_missing(user):
            return second_factor_response(request)
        back = reverse("provisions:tokens")
        if name.strip():
            back += "?" + urlencode({"name": name[:MAX_NAME_CHARS]})
        refused = confirmation_needed(request, back)
        if refused is not None:
            return refused
        try:
            _token, new_token = api_token_create(
                user=user, name=name, two_factor_verified=user.is_verified(), request=request
            )
        except (ValidationError, PermissionDenied) as error:
            errors = error.messages if isinstance(error, ValidationError) else [str(error)]
        else:
            name = ""
    now = timezone.now()
    tokens = list(ApiToken.objects.filter(user=user).order_by("-created_at"))
    for token in tokens:
        # The same test the API applies, against the member as they are now.
        token.works = api_token_still_holds(token, user=user, now=now)
        token.expired = token.revoked_at is None and token.expires_at <= now
    needs_second_factor = roles.second_factor_missing(user)
    context = {
        "tokens": tokens,
        "new_token": new_token,
        "name": name,
        "errors": errors,
        "needs_second_factor": needs_second_factor,
        "second_factor_link": second_factor_url(user, request.path) if needs_second_factor else "",
        "lifetime_days": token_lifetime().days,
        "needs_confirmation": not recently_confirmed(request),
    }
    # A refused form answers 400 so that scripts notice; the page still shows what was typed.
    return render(request, "provisions/tokens.html", context, status=400 if errors else 200)


@analyst_required
@require_POST
def token_revoke(request, pk: int):
    # Only the member's own tokens are found: someone else's token id is a 404.
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    api_token_revoke(token=token, user=request.user, request=request)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("provisions:tokens")
