"""One rule decides who may edit or delete an annotation (`Annotation.edit_refusal`,
`Annotation.delete_refusal`): the edit and delete pages open exactly when it allows, the
permalink offers exactly those links, and the services refuse the rest."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from provisions.models import Annotation, Provision
from provisions.services import annotation_create, annotation_delete, annotation_update
from tests.helpers import make_member, text_of

pytestmark = pytest.mark.django_db

STATUSES = ["draft", "submitted", "published", "rejected"]
# Who may edit: the author of a draft or of a note sent back; an editor who is not the author,
# once the note was submitted. Deleting: the author of a draft only.
MAY_EDIT = {
    ("author", "draft"),
    ("author", "rejected"),
    ("editor", "submitted"),
    ("editor", "published"),
    ("editor", "rejected"),
    ("editor author", "draft"),
    ("editor author", "rejected"),
}
MAY_DELETE = {("author", "draft"), ("editor author", "draft")}


@pytest.fixture
def people(analyst, other_analyst, editor):
    return {"author": analyst, "other analyst": other_analyst, "editor": editor}


def _note(author, status: str) -> Annotation:
    note = annotation_create(
        provision=Provision.objects.get(eid="art_24"), author=author, body="A note"
    )
    Annotation.objects.filter(pk=note.pk).update(
        status=status, published_at=timezone.now() if status == "published" else None
    )
    note.refresh_from_db()
    return note


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("who", ["author", "other analyst", "editor", "editor author"])
def test_pages_links_and_services_follow_one_rule(client, people, who, status):
    if who == "editor author":
        user = author = make_member("eddie", "Editors", "Eddie Editor")
    else:
        user, author = people[who], people["author"]
    note = _note(author, status)
    may_edit, may_delete = (who, status) in MAY_EDIT, (who, status) in MAY_DELETE
    assert (note.edit_refusal(user) is None) is may_edit
    assert (note.delete_refusal(user) is None) is may_delete

    client.force_login(user)
    edit_url = f"/annotations/{note.pk}/edit/"
    delete_url = f"/annotations/{note.pk}/delete/"
    visible = Annotation.objects.visible_to(user).filter(pk=note.pk).exists()
    expected_edit = 200 if may_edit else 403 if visible else 404
    expected_delete = 200 if may_delete else 403 if visible else 404
    assert client.get(edit_url).status_code == expected_edit
    assert client.get(delete_url).status_code == expected_delete
    if visible:
        permalink = text_of(client.get(note.get_absolute_url()))
        assert (f'href="{edit_url}"' in permalink) is may_edit
        assert (f'href="{delete_url}"' in permalink) is may_delete

    if not may_edit:
        with pytest.raises(PermissionDenied):
            annotation_update(annotation=note, user=user, version=note.version, body="Changed")
    if not may_delete:
        with pytest.raises(PermissionDenied):
            annotation_delete(annotation=note, user=user)
    note.refresh_from_db()
    assert note.body == "A note"
