"""The audit log for editors: every sign-in, failure, publication, approval, rejection,
deletion, restore, export and token change, newest first, filtered by action, person and dates.

A plain GET form and page links: it works without JavaScript, and a filtered page has an
address that can be shared with another editor.
"""

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from provisions.access import editor_required
from provisions.models import AuditEvent
from provisions.queries.audit import event_details, filter_events
from provisions.services.audit import ACTIONS

PER_PAGE = 50


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("Any action"))] + [(key, label) for key, label in ACTIONS.items()],
    )
    actor = forms.CharField(
        label=_("Person"),
        required=False,
        max_length=150,
        help_text=_("A username; also finds failed sign-ins that typed it."),
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return data


@editor_required
@require_safe
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.select_related("actor__member")
    if form.is_bound and form.is_valid():
        events = filter_events(events, form.cleaned_data)
    elif form.is_bound:
        events = events.none()
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for event in rows:
        event.label = ACTIONS.get(event.action, event.action)
        event.details = event_details(event)
    # Page links keep the filters.
    filters = {key: value for key, value in request.GET.items() if key != "page" and value}
    return render(
        request,
        "provisions/audit.html",
        {
            "form": form,
            "page": page,
            "events": rows,
            "query_prefix": urlencode(filters) + "&" if filters else "",
            "nav": "review",
        },
    )
