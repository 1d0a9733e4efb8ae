"""Corrections to the coalition's statement made by editors: a concern, a safeguard demand or a
signatory organisation (the Django admin's only write, see provisions/admin.py).

One save, validated, recorded in the audit log, reflected in the search index, and every cached
page retired: a concern's title appears on article pages, the coverage matrix, search results
and the lists; an organisation's name on the home and about pages.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from provisions import roles
from provisions.cache.generations import everything_changed
from provisions.models import Concern, Organisation, SafeguardDemand
from provisions.search.vectors import update_search_vectors
from provisions.services.audit import audit_record

EDITABLE = (Concern, SafeguardDemand, Organisation)


@transaction.atomic
def statement_item_save(
    *, item: Concern | SafeguardDemand | Organisation, editor, changed: list[str], request=None
):
    """Save a new or corrected concern, demand or organisation, as `editor`.

    `changed` names the fields the editor changed (recorded, never their text: the audit log
    names what was touched, the statement itself shows the result).
    """
    if not roles.is_editor(editor):
        raise PermissionDenied
    if not isinstance(item, EDITABLE):
        raise TypeError(f"{type(item).__name__} is not edited through this service")
    created = item.pk is None
    item.full_clean()
    item.save()
    if isinstance(item, Concern):
        update_search_vectors(concerns=[item])
    elif isinstance(item, SafeguardDemand):
        update_search_vectors(demands=[item])
    audit_record(
        action="statement.created" if created else "statement.changed",
        actor=editor,
        obj=item,
        detail={"fields": sorted(str(name) for name in changed)},
        request=request,
    )
    everything_changed()
    return item
