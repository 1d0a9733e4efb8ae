"""Full-dataset backup and restore: every row TreatyWatch keeps, in one versioned JSON document.

    {"format": "treatywatch-dataset", "version": 1, "exported_at": "…",
     "data": {"auth.user": [rows], "provisions.treaty": [rows], …}}

This is for backups and for moving servers, not for the public (that is `provisions.exports`).
It holds drafts, rejected work, history, audit events, API-token hashes and every member's
account *with e-mail address and password hash*, so that sign-ins keep working after a move.
The file is therefore as sensitive as a database dump: `export_dataset` writes it readable by
its owner only; keep it out of shared folders and mail.

Rows keep their primary keys, so permalinks (/annotations/<id>/) survive a move. Groups are
matched by name (the migrations create Analysts and Editors on every server); permissions by
"app_label.codename". Full-text search vectors are derived data: left out, rebuilt on import.
Queued mail (`left_out_models`) is left out too.
An import runs in one transaction: a bad file changes nothing.
"""

import datetime
import decimal
import json
import uuid
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from provisions.cache.generations import everything_changed
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
from provisions.search.vectors import rebuild_search_index

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


def _label(model) -> str:
    return model._meta.label_lower


def _stored_fields(model) -> list:
    """The columns a file carries: everything but derived search vectors (rebuilt on import)."""
    return [f for f in model._meta.concrete_fields if not isinstance(f, SearchVectorField)]


def _derived_fields(model) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if isinstance(f, SearchVectorField)]


def _m2m_fields(model) -> list:
    """Many-to-many fields stored as lists in a row; users' groups and permissions by name."""
    return list(model._meta.many_to_many)


def _natural_m2m(field) -> bool:
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
    fields = _stored_fields(model)
    m2m = {field.name: _m2m_values(model, field) for field in _m2m_fields(model)}
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
    sections = [(GROUPS, _group_rows())] + [(_label(m), _rows(m)) for m in dataset_models()]
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


# --- Import ----------------------------------------------------------------------------------


def _load(stream) -> dict:
    try:
        document = json.load(stream)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DatasetError(_("The file is not valid JSON: %(error)s") % {"error": exc}) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise DatasetError(_("This is not a TreatyWatch dataset file (format is not %s).") % FORMAT)
    if document.get("version") != VERSION:
        raise DatasetError(
            _("Unsupported dataset version %(found)r: this TreatyWatch reads version %(ours)s.")
            % {"found": document.get("version"), "ours": VERSION}
        )
    data = document.get("data")
    if not isinstance(data, dict):
        raise DatasetError(_("The file has no “data” object."))
    for label in LATER_SECTIONS:  # a file from before the section existed has no such rows
        data.setdefault(label, [])
    expected = {GROUPS} | {_label(m) for m in dataset_models()}
    missing = sorted(expected - set(data))
    unknown = sorted(set(data) - expected)
    if missing:
        raise DatasetError(_("The file lacks: %(names)s.") % {"names": ", ".join(missing)})
    if unknown:
        raise DatasetError(_("Unknown sections: %(names)s.") % {"names": ", ".join(unknown)})
    for label, rows in data.items():
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise DatasetError(_("“%(label)s” must be a list of objects.") % {"label": label})
    return data


def _row_error(label: str, index: int, message: str) -> DatasetError:
    return DatasetError(
        _("%(label)s, row %(n)s: %(message)s")
        % {"label": label, "n": index + 1, "message": message}
    )


def _field_value(field, row: dict, label: str, index: int):
    if field.attname not in row:
        if field.has_default():
            return field.get_default()
        if field.null:
            return None
        raise _row_error(label, index, _("“%(f)s” is missing.") % {"f": field.attname})
    raw = row[field.attname]
    if raw is None:
        if not field.null:
            raise _row_error(label, index, _("“%(f)s” cannot be empty.") % {"f": field.attname})
        return None
    try:
        value = field.to_python(raw)
    except (ValidationError, TypeError, ValueError) as exc:
        message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        raise _row_error(label, index, f"{field.attname}: {message}") from None
    if isinstance(value, datetime.datetime) and timezone.is_naive(value):
        raise _row_error(
            label, index, _("“%(f)s” has no time zone.") % {"f": field.attname}
        ) from None
    return value


def _upgraded(model, row: dict) -> dict:
    """A row from a file written by an older release, given what this release records.

    Revisions: files exported before revisions recorded their object's status after the change
    carry it only in the snapshot (as migration 0006 found it in the database)."""
    if model is Revision and "target_status" not in row:
        snapshot = row.get("snapshot")
        status = snapshot.get("status") if isinstance(snapshot, dict) else None
        return {**row, "target_status": status if isinstance(status, str) else ""}
    return row


def _instances(model, rows: list[dict]):
    """Unsaved instances and their many-to-many values, with every value checked."""
    label = _label(model)
    fields = _stored_fields(model)
    m2m_fields = _m2m_fields(model)
    known = {f.attname for f in fields} | {f.name for f in m2m_fields}
    instances, relations = [], {f.name: [] for f in m2m_fields}
    for index, row in enumerate(rows):
        row = _upgraded(model, row)
        extra = sorted(set(row) - known)
        if extra:
            raise _row_error(label, index, _("unknown fields %(f)s") % {"f": ", ".join(extra)})
        if row.get("id") is None:
            raise _row_error(label, index, _("“id” is missing."))
        obj = model(**{f.attname: _field_value(f, row, label, index) for f in fields})
        instances.append(obj)
        for field in m2m_fields:
            related = row.get(field.name, [])
            kind = str if _natural_m2m(field) else int
            if not isinstance(related, list) or not all(
                isinstance(r, kind) and not isinstance(r, bool) for r in related
            ):
                raise _row_error(
                    label, index, _("“%(f)s” must be a list.") % {"f": field.name}
                ) from None
            relations[field.name].append((obj.pk, related))
    return instances, relations


def _is_empty() -> bool:
    return not (Article.objects.exists() or Annotation.objects.exists())


def _delete_everything() -> None:
    """Remove what the file replaces, references first (Annotation protects its author)."""
    for model in reversed(dataset_models()):
        model._base_manager.all().delete()


def _import_groups(rows: list[dict]) -> None:
    for index, row in enumerate(rows):
        name = row.get("name")
        permissions = row.get("permissions", [])
        if not isinstance(name, str) or not name or not isinstance(permissions, list):
            raise _row_error(GROUPS, index, _("a group needs a name and a list of permissions."))
        group, created = Group.objects.get_or_create(name=name)
        # The migrations own the permissions of groups they create; others come from the file.
        if created:
            group.permissions.set(_permissions(permissions, GROUPS, index))


def _permissions(keys: list[str], label: str, index: int) -> list:
    wanted = set()
    for key in keys:
        app_label, _dot, codename = str(key).partition(".")
        wanted.add((app_label, codename))
    found = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.select_related("content_type").filter(
            codename__in={codename for _app, codename in wanted}
        )
    }
    missing = sorted(f"{a}.{c}" for a, c in wanted if (a, c) not in found)
    if missing:
        raise _row_error(label, index, _("unknown permissions %(p)s") % {"p": ", ".join(missing)})
    return [found[key] for key in wanted]


def _restore_auto_dates(model, instances: list, rows: list[dict], label: str) -> None:
    """bulk_create stamps auto_now(_add) fields with the current time; put the file's back."""
    auto = [
        f
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    if not auto:
        return
    for index, (obj, row) in enumerate(zip(instances, rows, strict=True)):
        for field in auto:
            setattr(obj, field.attname, _field_value(field, row, label, index))
    model._base_manager.bulk_update(instances, [f.name for f in auto], batch_size=BATCH_SIZE)


def _insert_relations(model, relations: dict) -> None:
    for field in _m2m_fields(model):
        through = field.remote_field.through
        source = f"{field.m2m_field_name()}_id"
        target = f"{field.m2m_reverse_field_name()}_id"
        pairs = relations[field.name]
        if field.related_model is Group:
            names = {name for _pk, related in pairs for name in related}
            groups = {g.name: g.pk for g in Group.objects.filter(name__in=names)}
            for name in names - set(groups):
                groups[name] = Group.objects.create(name=name).pk
            pairs = [(pk, [groups[name] for name in related]) for pk, related in pairs]
        elif field.related_model is Permission:
            resolved = []
            for index, (pk, related) in enumerate(pairs):
                perms = _permissions(related, _label(model), index) if related else []
                resolved.append((pk, [p.pk for p in perms]))
            pairs = resolved
        through.objects.bulk_create(
            [
                through(**{source: pk, target: related_pk})
                for pk, related in pairs
                for related_pk in related
            ],
            batch_size=BATCH_SIZE,
        )


def _reset_sequences() -> None:
    """After inserting explicit ids, new rows must not be given ids that are already taken."""
    models = dataset_models()
    models += [f.remote_field.through for m in models for f in _m2m_fields(m)]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def dataset_import(
    *, stream, allow_non_empty: bool = False, progress: Progress | None = None
) -> dict[str, int]:
    """Load a dataset file; returns rows per model. Raises DatasetError, changing nothing.

    Into an empty database (no article, no annotation) only, unless `allow_non_empty`: then
    the file *replaces* every row of the models it covers, members included.
    """
    data = _load(stream)
    parsed = [(model, *_instances(model, data[_label(model)])) for model in dataset_models()]
    counts = {GROUPS: len(data[GROUPS])}
    current = GROUPS
    try:
        with transaction.atomic():
            if not _is_empty():
                if not allow_non_empty:
                    raise DatasetError(
                        _(
                            "The database already holds articles or annotations. Import into an "
                            "empty database, or use --force to replace its data with the file's."
                        )
                    )
                _delete_everything()
            _import_groups(data[GROUPS])
            if progress:
                progress(GROUPS, counts[GROUPS])
            for model, instances, relations in parsed:
                current = _label(model)
                rows = data[current]
                model._base_manager.bulk_create(instances, batch_size=BATCH_SIZE)
                _restore_auto_dates(model, instances, rows, current)
                _insert_relations(model, relations)
                counts[current] = len(instances)
                if progress:
                    progress(current, len(instances))
            current = _("references between rows")
            # Foreign keys are checked at commit; check them now to report a clear error.
            connection.check_constraints()
            _reset_sequences()
            rebuild_search_index()
            everything_changed()
    except DatabaseError as exc:
        raise DatasetError(
            _("The database refused %(what)s: %(error)s. Nothing was changed.")
            % {"what": current, "error": str(exc).strip().rstrip(".")}
        ) from exc
    return counts
