"""The audit log as editors filter it: by action, person and dates."""

from datetime import datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone


def _start_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def filter_events(events, data: dict):
    """`events` narrowed by the audit filter form's cleaned data (blank fields filter nothing)."""
    if data.get("action"):
        events = events.filter(action=data["action"])
    if data.get("actor"):
        name = data["actor"].strip()
        events = events.filter(Q(actor__username__iexact=name) | Q(detail__username=name.lower()))
    if data.get("since"):
        events = events.filter(created_at__gte=_start_of(data["since"]))
    if data.get("until"):
        # The whole of the last day.
        events = events.filter(created_at__lt=_start_of(data["until"] + timedelta(days=1)))
    return events
