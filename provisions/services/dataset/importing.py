"""Reading a dataset file back into an empty database, in one transaction: see
provisions/services/dataset/__init__.py."""

import datetime
import json

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from provisions.cache.generations import everything_changed
from provisions.models import (
    Annotation,
    Article,
    Revision,
)
from provisions.search.vectors import rebuild_search_index
from provisions.services.dataset.exporting import (
    BATCH_SIZE,
    FORMAT,
    GROUPS,
    LATER_SECTIONS,
    VERSION,
    DatasetError,
    Progress,
    dataset_models,
    is_natural_m2m,
    m2m_fields_of,
    model_label,
    stored_fields_of,
)

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
    expected = {GROUPS} | {model_label(m) for m in dataset_models()}
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
    label = model_label(model)
    fields = stored_fields_of(model)
    m2m_fields = m2m_fields_of(model)
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
            kind = str if is_natural_m2m(field) else int
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
    for field in m2m_fields_of(model):
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
                perms = _permissions(related, model_label(model), index) if related else []
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
    models += [f.remote_field.through for m in models for f in m2m_fields_of(m)]
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
    parsed = [(model, *_instances(model, data[model_label(model)])) for model in dataset_models()]
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
                current = model_label(model)
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
