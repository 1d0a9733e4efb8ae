"""Personal API tokens in the workspace: list, create (shown once), revoke."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from provisions.models import ApiToken
from provisions.services.tokens import api_token_create, api_token_revoke
from provisions.views.access import analyst_required


@analyst_required
@never_cache
def token_list(request):
    new_token = None
    name = ""
    errors = []
    if request.method == "POST":
        name = request.POST.get("name", "")[:500]
        try:
            _token, new_token = api_token_create(user=request.user, name=name)
        except ValidationError as error:
            errors = error.messages
        else:
            name = ""
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    context = {"tokens": tokens, "new_token": new_token, "name": name, "errors": errors}
    # A refused form answers 400 so that scripts notice; the page still shows what was typed.
    return render(request, "provisions/tokens.html", context, status=400 if errors else 200)


@analyst_required
@require_POST
def token_revoke(request, pk: int):
    # Only the member's own tokens are found: someone else's token id is a 404.
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    api_token_revoke(token=token, user=request.user)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("provisions:tokens")
