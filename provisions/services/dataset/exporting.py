"""The dataset file's layout (its format, the models it holds in reference order, how a field
is written) and writing it: see provisions/services/dataset/__init__.py."""

import datetime
import decimal
import json
import uuid
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.postgres.search import SearchVectorField
from django.db import connection, transaction
from django.utils import timezone

from provisions.models import (
    Annotation,
    ApiToken,
    Article,
    AuditEvent,
    Chapter,
    Commitment,
    Concern,
    Declaration,
    EnrolmentLink,
    Member,
    Organisation,
    Party,
    Provision,
    ProvisionLink,
    ProvisionText,
    ProvisionVersion,
    Revision,
    SafeguardDemand,
    Statement,
    Tag,
    TextVersion,
    Translation,
    Treaty,
    TreatyAction,
)

FORMAT = "treatywatch-dataset"
VERSION = 1
GROUPS = "auth.group"
BATCH_SIZE = 500
# Sections added after version 1 files were first written: an older file without one has none.
LATER_SECTIONS = ("provisions.provisiontext",)

Progress = Callable[[str, int], None]


class DatasetError(Exception):
    """The file cannot be imported (or the database refuses it); nothing was changed."""


def left_out_models() -> set:
    """Models deliberately not in the file, each for a reason."""
    from provisions.models import OutboxMessage

    # Queued mail: a restored server must not send a move's old password-reset mail, and a
    # row holds nothing worth keeping (its link is made when it is sent).
    return {OutboxMessage}


def dataset_models() -> list:
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    """Every model in the file, in an order where each row's references come before it."""
    return [
        get_user_model(),
        Member,
        ApiToken,
        # Second factors: without them a restored editor would sign in with a password alone.
        TOTPDevice,
        StaticDevice,
        StaticToken,
        # Unused enrolment links (hashes only), so that one sent before a restore still works.
        EnrolmentLink,
        Treaty,
        Chapter,
        Article,
        Provision,
        ProvisionVersion,
        TextVersion,
        # The text in the other languages (every version of it, partial ones included).
        ProvisionText,
        Statement,
        Organisation,
        Concern,
        SafeguardDemand,
        # Editors' translations of concerns, demands and article summaries.
        Translation,
        Tag,
        # Where the states stand: parties, their actions and declarations, the scorecard.
        Party,
        TreatyAction,
        Declaration,
        Commitment,
        ProvisionLink,
        Annotation,
        Revision,
        AuditEvent,
    ]


def model_label(model) -> str:
    return model._meta.label_lower


def stored_fields_of(model) -> list:
    """The columns a file carries: everything but derived search vectors (rebuilt on import)."""
    return [f for f in model._meta.concrete_fields if not isinstance(f, SearchVectorField)]


def _derived_fields(model) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if isinstance(f, SearchVectorField)]


def m2m_fields_of(model) -> list:
    """Many-to-many fields stored as lists in a row; users' groups and permissions by name."""
    return list(model._meta.many_to_many)


def is_natural_m2m(field) -> bool:
    return field.related_model in (Group, Permission)


def _permission_key(permission) -> str:
    return f"{permission.content_type.app_label}.{permission.codename}"


def _jsonable(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


# --- Export ----------------------------------------------------------------------------------


def _m2m_values(model, field) -> dict[int, list]:
    """{row pk: sorted related keys} read from the through table in one query."""
    through = field.remote_field.through
    source = field.m2m_field_name()
    target = field.m2m_reverse_field_name()
    values: dict[int, list] = {}
    if field.related_model is Group:
        pairs = through.objects.values_list(f"{source}_id", f"{target}__name")
    elif field.related_model is Permission:
        pairs = (
            (owner, f"{app}.{codename}")
            for owner, app, codename in through.objects.values_list(
                f"{source}_id", f"{target}__content_type__app_label", f"{target}__codename"
            )
        )
    else:
        pairs = through.objects.values_list(f"{source}_id", f"{target}_id")
    for owner, related in pairs:
        values.setdefault(owner, []).append(related)
    return {owner: sorted(related) for owner, related in values.items()}


def _rows(model):
    fields = stored_fields_of(model)
    m2m = {field.name: _m2m_values(model, field) for field in m2m_fields_of(model)}
    rows = model._base_manager.defer(*_derived_fields(model)).order_by("pk")
    for obj in rows.iterator(chunk_size=2000):
        row = {field.attname: _jsonable(field.value_from_object(obj)) for field in fields}
        for name, values in m2m.items():
            row[name] = values.get(obj.pk, [])
        yield row


def _group_rows():
    groups = Group.objects.prefetch_related("permissions__content_type").order_by("name")
    for group in groups:
        yield {
            "name": group.name,
            "permissions": sorted(_permission_key(p) for p in group.permissions.all()),
        }


def dataset_export(*, stream, progress: Progress | None = None) -> dict[str, int]:
    """Write the whole dataset to a text stream, one row per line; returns rows per model."""
    counts: dict[str, int] = {}
    header = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "notice": (
            "Sensitive: holds members' e-mail addresses and password hashes, drafts and API-token "
            "hashes. Keep it private."
        ),
    }
    stream.write("{")
    for key, value in header.items():
        stream.write(f"\n{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},")
    stream.write('\n"data": {')
    sections = [(GROUPS, _group_rows())] + [(model_label(m), _rows(m)) for m in dataset_models()]
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            # One snapshot for every table, even while the site keeps writing.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        # Streamed section by section so that a large database never sits in memory twice.
        for index, (label, rows) in enumerate(sections):
            stream.write(("," if index else "") + f"\n{json.dumps(label)}: [")
            count = 0
            for count, row in enumerate(rows, start=1):
                stream.write(
                    ("," if count > 1 else "") + "\n" + json.dumps(row, ensure_ascii=False)
                )
            stream.write("\n]")
            counts[label] = count
            if progress:
                progress(label, count)
    stream.write("\n}}\n")
    return counts
