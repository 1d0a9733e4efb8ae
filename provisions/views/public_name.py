"""The member's public name: the one thing shown beside their work, chosen by them.

A small form on the workspace posts here; this page shows the same form on its own, with the
errors when a name is refused (works without JavaScript).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from provisions.access import analyst_required
from provisions.public_names import anonymous_name, chosen_name
from provisions.services.members import member_set_public_name

# Far beyond the field's length: enough to say "too long" about what was typed, no more.
MAX_TYPED = 1000


@analyst_required
@never_cache
def public_name_edit(request):
    user = request.user
    typed = chosen_name(user)
    errors = []
    if request.method == "POST":
        typed = request.POST.get("public_name", "")[:MAX_TYPED]
        try:
            member = member_set_public_name(user=user, public_name=typed)
        except ValidationError as error:
            errors = error.messages
        else:
            shown = member.display_name or anonymous_name()
            messages.success(request, _("Your work is now shown as “%(name)s”.") % {"name": shown})
            return redirect("provisions:workspace")
    context = {"public_name": typed, "public_name_errors": errors}
    # A refused name answers 400 so that scripts notice; the page still shows what was typed.
    return render(request, "provisions/public_name.html", context, status=400 if errors else 200)
