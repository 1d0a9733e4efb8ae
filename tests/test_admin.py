"""The Django admin obeys the app's rules (issue 11 §3 and §7).

Guards: the admin signs in only through the site's own two-step sign-in (no combined form that
tells a right password from a wrong one); annotations, revisions, links, audit events, tokens,
members, users, groups and two-factor devices are not in the admin at all (so no draft is shown
there and nothing changes without history, audit, rendering and cache); the treaty's rows are
read-only; a concern, demand or signatory corrected there goes through a service that audits the
change, updates it everywhere and retires cached pages; the slug of a concern (its address)
cannot be changed.
"""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client

from provisions.cache.process_pages import process_pages
from provisions.models import Annotation, AuditEvent, Concern, Organisation, Provision, Revision
from provisions.services import link_propose
from tests.helpers import PASSWORD, give_authenticator

pytestmark = pytest.mark.django_db

GONE = [
    "provisions/annotation",
    "provisions/revision",
    "provisions/provisionlink",
    "provisions/auditevent",
    "provisions/apitoken",
    "provisions/member",
    "auth/user",
    "auth/group",
    "otp_totp/totpdevice",
    "otp_static/staticdevice",
    "axes/accessattempt",
]


# --- Signing in -----------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_sites_own_sign_in():
    visitor = Client()
    response = visitor.get("/admin/")
    assert response.status_code == 302 and response["Location"] == "/admin/login/?next=/admin/"
    response = visitor.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_the_admin_login_never_checks_a_password(editor):
    """A right password with a wrong code, a right password with none and a wrong password all
    get the same answer: the admin has no sign-in form of its own to answer differently."""
    give_authenticator(editor)
    answers = set()
    for password, code in [(PASSWORD, "000000"), (PASSWORD, ""), ("wrong-password-123", "")]:
        visitor = Client()
        response = visitor.post(
            "/admin/login/",
            {"username": "erin", "password": password, "otp_token": code, "next": "/admin/"},
        )
        answers.add((response.status_code, response["Location"], response.content))
        assert visitor.session.get("_auth_user_id") is None
    assert answers == {(302, "/accounts/login/?next=%2Fadmin%2F", b"")}
    assert not AuditEvent.objects.filter(action__in=["sign_in.failed", "two_factor.failed"])


def test_the_admin_login_ignores_a_next_to_another_host():
    response = Client().get("/admin/login/?next=https://evil.example/")
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_the_admin_login_sends_an_unverified_editor_to_the_code_step(editor):
    give_authenticator(editor)
    half = Client()
    half.force_login(editor)  # the plain client: a password-only session
    assert half.get("/admin/")["Location"] == "/admin/login/?next=/admin/"
    response = half.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/verify/?next=%2Fadmin%2F"


def test_a_verified_editor_passes_through_the_admin_login(client, editor):
    client.force_login(editor)
    assert client.get("/admin/").status_code == 200
    response = client.get("/admin/login/?next=/admin/provisions/concern/")
    assert response.status_code == 302 and response["Location"] == "/admin/provisions/concern/"


@pytest.mark.parametrize("who", ["analyst", "staff_analyst"])
def test_a_member_who_is_not_an_editor_is_refused(client, who, analyst):
    if who == "staff_analyst":
        analyst.is_staff = True  # staff by mistake: still not an editor
        analyst.save()
    client.force_login(analyst)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"] == "/admin/login/?next=/admin/"
    assert client.get(response["Location"]).status_code == 403
    assert client.get("/admin/provisions/concern/").status_code == 302


# --- What is (not) in the admin -------------------------------------------------------------


@pytest.mark.parametrize("path", GONE)
def test_models_written_by_the_pages_are_not_in_the_admin(client, editor, draft, path):
    client.force_login(editor)
    assert client.get(f"/admin/{path}/").status_code == 404
    assert client.get(f"/admin/{path}/1/change/").status_code == 404


def test_even_a_superuser_cannot_publish_a_draft_through_the_admin(client, analyst, draft):
    """The reproduction: an analyst's draft published under another author, back-dated."""
    boss = Group.objects.get(name="Editors").user_set.model.objects.create_superuser(
        "root", "root@example.org", PASSWORD
    )
    client.force_login(boss)
    index = client.get("/admin/").content.decode()
    assert "alice&#x27;s secret draft" not in index and "Annotation" not in index
    response = client.post(
        f"/admin/provisions/annotation/{draft.pk}/change/",
        {"status": "published", "author": boss.pk, "published_at_0": "2020-01-01"},
    )
    assert response.status_code == 404
    draft.refresh_from_db()
    assert (draft.status, draft.author, draft.published_at) == ("draft", analyst, None)
    assert Revision.objects.filter(target_type="annotation", target_id=draft.pk).count() == 1
    assert client.get(f"/admin/provisions/revision/?q={draft.pk}").status_code == 404


def test_the_treatys_rows_are_read_only(client, editor):
    client.force_login(editor)
    provision = Provision.objects.get(eid="art_24")
    url = f"/admin/provisions/provision/{provision.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    response = client.post(url, {"text": "Rewritten by hand", "eid": "art_24"})
    assert response.status_code == 403
    provision.refresh_from_db()
    assert provision.text != "Rewritten by hand"
    for path in ("provision", "article", "chapter", "treaty", "tag", "statement"):
        assert client.get(f"/admin/provisions/{path}/add/").status_code == 403


def test_a_concern_corrected_in_the_admin_is_audited_and_retires_cached_pages(
    client, editor, settings
):
    settings.TREATYWATCH_PAGE_CACHE = True
    cache.clear()
    process_pages.clear()
    concern = Concern.objects.get(slug="serious-crime-scope")
    url = f"/concerns/{concern.slug}/"
    Client().get(url)
    assert Client().get(url)["X-Page-Cache"] == "hit"

    client.force_login(editor)
    response = client.post(
        f"/admin/provisions/concern/{concern.pk}/change/",
        {
            "title": "Scope beyond cybercrime (corrected)",
            "position": concern.position,
            "point": concern.point,
            "slug": "hijacked-address",
            "_save": "Save",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    concern.refresh_from_db()
    assert concern.title == "Scope beyond cybercrime (corrected)"
    assert concern.slug == "serious-crime-scope"  # the address is fixed once made
    event = AuditEvent.objects.get(action="statement.changed")
    assert event.actor == editor and event.detail["fields"] == ["title"]
    assert event.detail["type"] == "concern" and event.detail["id"] == concern.pk
    fresh = Client().get(url)
    assert fresh["X-Page-Cache"] == "miss"
    assert "Scope beyond cybercrime (corrected)" in fresh.content.decode()
    cache.clear()
    process_pages.clear()


def test_an_organisation_added_in_the_admin_is_audited(client, editor):
    client.force_login(editor)
    statement = Concern.objects.first().statement
    response = client.post(
        "/admin/provisions/organisation/add/",
        {"statement": statement.pk, "name": "New Signatory", "position": 99, "_save": "Save"},
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="New Signatory")
    event = AuditEvent.objects.get(action="statement.created")
    assert event.detail["id"] == organisation.pk and event.actor == editor


def test_nothing_is_deleted_in_the_admin(client, editor):
    client.force_login(editor)
    concern = Concern.objects.get(slug="serious-crime-scope")
    response = client.post(
        f"/admin/provisions/concern/{concern.pk}/delete/", {"post": "yes"}, follow=False
    )
    assert response.status_code == 403
    assert Concern.objects.filter(pk=concern.pk).exists()


def test_a_link_proposal_cannot_be_approved_in_the_admin(client, editor, analyst):
    link = link_propose(
        provision=Provision.objects.get(eid="art_24"),
        proposer=analyst,
        concern="gender-risks",
        rationale="proposal",
    )
    client.force_login(editor)
    response = client.post(
        f"/admin/provisions/provisionlink/{link.pk}/change/", {"status": "approved"}
    )
    assert response.status_code == 404
    link.refresh_from_db()
    assert link.status == "proposed"
    assert Annotation.objects.count() == 0


def test_the_admins_password_change_is_the_sites_own(client, editor):
    client.force_login(editor)
    response = client.get("/admin/password_change/")
    assert response.status_code == 302 and response["Location"] == "/accounts/password_change/"
    response = client.post(
        "/admin/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-passphrase",
            "new_password2": "another-long-passphrase",
        },
    )
    assert response.status_code == 302
    editor.refresh_from_db()
    assert editor.check_password(PASSWORD)  # nothing changed through the admin


def test_the_admin_is_no_oracle_for_drafts(client, editor, draft):
    """Django's "view on site" redirect answered 302 for an existing draft and 404 otherwise."""
    from django.contrib.contenttypes.models import ContentType

    annotation_type = ContentType.objects.get_for_model(Annotation)
    client.force_login(editor)
    existing = client.get(f"/admin/r/{annotation_type.pk}/{draft.pk}/")
    missing = client.get(f"/admin/r/{annotation_type.pk}/{draft.pk + 1000}/")
    assert existing.status_code == missing.status_code == 404
    concern = Concern.objects.get(slug="serious-crime-scope")
    page = client.get(f"/admin/provisions/concern/{concern.pk}/change/")
    assert page.status_code == 200 and "/admin/r/" not in page.content.decode()
