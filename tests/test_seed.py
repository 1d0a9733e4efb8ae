"""`manage.py seed` loads the bundled data completely and a second run changes nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from provisions.models import (
    Article,
    Chapter,
    Concern,
    Organisation,
    Provision,
    ProvisionLink,
    SafeguardDemand,
)
from provisions.services.links import link_reject
from provisions.services.statement import statement_item_save

pytestmark = pytest.mark.django_db


def test_seed_counts():
    assert Chapter.objects.count() == 9
    assert Article.objects.count() == 68
    assert Concern.objects.count() == 11
    assert SafeguardDemand.objects.count() == 6
    assert Organisation.objects.count() == 9
    # Every article has its own article-level provision whose text is the editorial summary.
    assert Provision.objects.filter(kind="article").count() == 68
    art = Article.objects.get(number=24)
    provision = Provision.objects.get(eid="art_24")
    assert provision.text == art.summary and not provision.is_official_text


def test_seed_links_are_approved_editorial_and_keep_their_sources():
    links = ProvisionLink.objects.all()
    assert links.count() > 30
    assert not links.exclude(status="approved").exists()
    assert not links.exclude(is_editorial=True).exists()
    link = ProvisionLink.objects.get(concern__slug="serious-crime-scope", provision__eid="art_23")
    assert link.confidence == "high"
    assert link.sources and link.sources[0].startswith("https://")
    assert "other criminal offences" in link.rationale
    assert link.locator_hint == "paragraph 2"


def test_unconfirmed_titles_are_flagged():
    assert Article.objects.get(number=24).title_confirmed
    assert not Article.objects.get(number=3).title_confirmed


def test_second_seed_changes_nothing():
    out = StringIO()
    call_command("seed", stdout=out)
    assert "nothing to change" in out.getvalue()
    assert ProvisionLink.objects.count() == 37


def test_seed_demo_creates_members_in_their_groups():
    out = StringIO()
    call_command("seed", "--demo", stdout=out)
    call_command("seed", "--demo", stdout=StringIO())
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(username__in=["analyst", "editor"])
    assert users.count() == 2
    assert users.get(username="editor").groups.filter(name="Editors").exists()
    assert "password" in out.getvalue()


def test_seed_never_reverts_a_confirmed_title():
    article = Article.objects.get(number=3)
    article.title = "Scope of application (official)"
    article.title_confirmed = True
    article.save()
    call_command("seed", stdout=StringIO())
    article.refresh_from_db()
    assert article.title == "Scope of application (official)"


def test_project_does_not_read_shared_at_runtime():
    from pathlib import Path

    from django.conf import settings

    for path in Path(settings.BASE_DIR, "provisions").rglob("*.py"):
        assert "../shared" not in path.read_text(), path


def test_a_reseed_keeps_what_editors_changed(editor):
    """`seed` runs on every deploy: it creates what is missing and never overwrites an editor's
    correction of a concern, a demand or a signatory, nor brings back a rejected concern link."""
    concern = Concern.objects.order_by("position").first()
    concern.title = "Corrected by an editor"
    statement_item_save(item=concern, editor=editor, changed=["title"])
    demand = SafeguardDemand.objects.order_by("position").first()
    demand.point = "Reworded by an editor"
    statement_item_save(item=demand, editor=editor, changed=["point"])
    organisation = Organisation.objects.order_by("position").first()
    organisation.name = organisation.name + " (corrected)"
    statement_item_save(item=organisation, editor=editor, changed=["name"])
    link = ProvisionLink.objects.filter(concern__isnull=False).order_by("pk").first()
    link_reject(link=link, editor=editor, reason="The statement does not support this one.")
    edited = ProvisionLink.objects.filter(concern__isnull=False).order_by("pk").last()
    edited.rationale = "An editor's own wording."
    edited.save(update_fields=["rationale"])
    links_before = ProvisionLink.objects.count()

    call_command("seed", stdout=StringIO())

    concern.refresh_from_db()
    demand.refresh_from_db()
    link.refresh_from_db()
    edited.refresh_from_db()
    assert concern.title == "Corrected by an editor"
    assert demand.point == "Reworded by an editor"
    assert Organisation.objects.filter(name=organisation.name).exists()
    assert link.status == ProvisionLink.Status.REJECTED
    assert edited.rationale == "An editor's own wording."
    # The renamed signatory is the editor's row: the seed brings no second copy under the old name.
    assert Organisation.objects.count() == 9
    assert ProvisionLink.objects.count() == links_before


def test_a_reseed_recreates_a_deleted_concern_link():
    link = ProvisionLink.objects.filter(concern__isnull=False).order_by("pk").first()
    key = (link.provision_id, link.concern_id)
    link.delete()
    call_command("seed", stdout=StringIO())
    assert ProvisionLink.objects.filter(provision_id=key[0], concern_id=key[1]).exists()
