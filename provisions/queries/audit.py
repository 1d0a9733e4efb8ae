"""The audit log as editors filter it (by action, person and dates) and read it: each event's
details with translated names and values."""

from datetime import UTC, datetime, time, timedelta

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language_info, pgettext

from provisions.services.audit import DETAIL_LABELS, DETAIL_VALUES


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


def _model(name: str):
    for app_label in ("provisions", "auth"):
        try:
            return apps.get_model(app_label, name)
        except LookupError:
            continue
    return None


def _value(key: str, value, model) -> str:
    """One detail's value as a person reads it, in the active language."""
    if isinstance(value, bool):
        return pgettext("audit log value", "yes") if value else pgettext("audit log value", "no")
    if key == "type" and isinstance(value, str) and _model(value) is not None:
        return str(_model(value)._meta.verbose_name)
    if key == "fields" and isinstance(value, list):
        names = []
        for name in value:
            try:
                names.append(str(model._meta.get_field(name).verbose_name) if model else name)
            except FieldDoesNotExist:  # a field since removed: its stored name
                names.append(str(name))
        return ", ".join(names)
    if key == "language" and isinstance(value, str):
        try:
            return get_language_info(value)["name_translated"]
        except KeyError:
            return value
    if key == "of" and isinstance(value, str) and ":" in value:
        # "concern:<slug>", "demand:<slug>", "article:24" (services/translations.py)
        kind, _colon, name = value.partition(":")
        model = {"concern": "concern", "demand": "safeguarddemand", "article": "article"}.get(kind)
        if model:
            return f"{_model(model)._meta.verbose_name} {name}"
    if key == "expires_at" and isinstance(value, str):
        moment = parse_datetime(value)
        if moment is not None:
            return formats.date_format(moment.astimezone(UTC), "DATETIME_FORMAT")
    if isinstance(value, str) and value in DETAIL_VALUES:
        return str(DETAIL_VALUES[value])
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def event_details(event) -> list[tuple[str, str]]:
    """(name, value) of each of `event.detail`, translated where the app wrote a code; a key
    the app does not know is shown as stored."""
    detail = event.detail or {}
    model = _model(detail["type"]) if isinstance(detail.get("type"), str) else None
    return [
        (str(DETAIL_LABELS.get(key, key)), _value(key, value, model))
        for key, value in detail.items()
    ]
