"""Who wrote this is the author's choice, never their e-mail (issue 11 §5, issue 16).

A member whose username is an e-mail address, with another address on the account, publishes
an annotation and a reply. Every public surface — pages, htmx fragments, the feed, every
download, the briefs and the JSON API — is walked: neither address appears, and the author is
"A TreatyWatch member" until they choose a public name, which then appears everywhere.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import override_settings

from provisions.models import Member, Provision
from provisions.public_names import contains_email, editor_label, public_name
from provisions.services import annotation_create, annotation_publish
from provisions.services.members import member_create, member_set_public_name
from tests.helpers import make_member

pytestmark = pytest.mark.django_db

USERNAME = "ann.lee@example.org"
EMAIL = "ann.private@example.net"
WORD = "zanzibarite"  # in the note, so that search finds it
HTMX = {"HX-Request": "true", "HX-Current-URL": "http://testserver/"}


@pytest.fixture
def named_author(db):
    user, _password = member_create(username=USERNAME, email=EMAIL, role="analyst")
    return user


@pytest.fixture
def note_and_reply(named_author, editor):
    provision = Provision.objects.get(eid="art_24")
    note = annotation_create(
        provision=provision,
        author=named_author,
        body=f"Proportionality is left to domestic law: {WORD}.",
        concerns=["serious-crime-scope"],
        demands=["consult-civil-society"],
        tags=["proportionality"],
        status="submitted",
    )
    note = annotation_publish(annotation=note, editor=editor)
    reply = annotation_create(
        provision=provision, author=named_author, body=f"And the reply, {WORD}.", in_reply_to=note
    )
    reply = annotation_publish(annotation=reply, editor=editor)
    return note, reply


def public_surfaces(note, reply) -> list[tuple[str, dict]]:
    """Every public address that shows an author, with the headers of its htmx form."""
    pages = [
        "/",
        "/convention/articles/24/",
        f"/annotations/{note.pk}/",
        f"/annotations/{reply.pk}/",
        "/concerns/serious-crime-scope/",
        "/safeguards/consult-civil-society/",
        f"/search/?q={WORD}",
        "/feeds/latest.atom",
        "/convention/articles/24/export.csv",
        "/convention/articles/24/export.json",
        "/convention/articles/24/annotations.jsonld",
        "/convention/articles/24/brief/",
        "/concerns/serious-crime-scope/export.csv",
        "/concerns/serious-crime-scope/export.json",
        "/concerns/serious-crime-scope/brief/",
        "/safeguards/consult-civil-society/export.csv",
        "/safeguards/consult-civil-society/export.json",
        "/safeguards/consult-civil-society/brief/",
        "/export/annotations.csv",
        "/export/annotations.jsonld",
        "/export/dataset.json",
        "/api/v1/annotations",
        f"/api/v1/annotations/{note.pk}",
        f"/api/v1/annotations/{reply.pk}",
        "/api/v1/articles/24",
        "/api/v1/concerns/serious-crime-scope",
        "/api/v1/safeguards/consult-civil-society",
    ]
    fragments = ["/convention/articles/24/", f"/search/?q={WORD}"]
    return [(url, {}) for url in pages] + [(url, HTMX) for url in fragments]


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode("utf-8-sig")


def _walk(client, note, reply, expected: str) -> None:
    for url, headers in public_surfaces(note, reply):
        response = client.get(url, headers=headers)
        assert response.status_code == 200, url
        text = _text(response)
        lowered = text.lower()
        for secret in (USERNAME, EMAIL, "ann.lee", "ann.private", "example.net"):
            assert secret not in lowered, (url, secret)
        # Every surface credits the author (the atom feed and exports included).
        if url.startswith("/api/v1/") and "annotations" not in url:
            continue  # the API's article, concern and safeguard documents name no people
        assert expected in text, (url, expected)


def test_a_member_without_a_public_name_appears_as_a_treatywatch_member(client, note_and_reply):
    note, reply = note_and_reply
    _walk(client, note, reply, "A TreatyWatch member")


def test_the_chosen_public_name_appears_on_every_surface(client, note_and_reply, named_author):
    note, reply = note_and_reply
    member_set_public_name(user=named_author, public_name="Ann Lee (Karisma)")
    _walk(client, note, reply, "Ann Lee (Karisma)")


@override_settings(TREATYWATCH_PAGE_CACHE=True)
def test_choosing_a_name_retires_cached_pages_and_downloads(
    client, note_and_reply, named_author, tmp_path
):
    """Cached pages and saved downloads showed the old name: they are not served again."""
    from django.core.cache import cache

    cache.clear()
    urls = ["/convention/articles/24/", "/export/annotations.csv", "/feeds/latest.atom"]
    with override_settings(TREATYWATCH_DOWNLOADS_DIR=str(tmp_path)):
        for url in urls:
            assert "A TreatyWatch member" in _text(client.get(url)), url
            assert "A TreatyWatch member" in _text(client.get(url)), url  # now from the cache
        member_set_public_name(user=named_author, public_name="Ann Lee")
        for url in urls:
            text = _text(client.get(url))
            assert "Ann Lee" in text and "A TreatyWatch member" not in text, url


# --- The rule and the service -------------------------------------------------------------------


def test_the_rule_never_returns_a_username_or_an_address(named_author):
    assert public_name(named_author) == "A TreatyWatch member"
    # A name stored by other ways (an import, a database edit) is still checked when shown.
    Member.objects.filter(user=named_author).update(display_name="Ann <ann@example.org>")
    named_author = get_user_model().objects.get(pk=named_author.pk)
    assert public_name(named_author) == "A TreatyWatch member"
    # Editors' pages add the sign-in name only when it is not an address.
    assert editor_label(named_author) == "A TreatyWatch member"
    plain = make_member("bob", "Analysts", "Bob Analyst")
    assert editor_label(plain) == "Bob Analyst (bob)"


@pytest.mark.parametrize(
    "typed",
    [
        "ann@example.org",
        "Ann Lee <ann@example.org>",
        "ann@intranet",
        "x" * 101,
    ],
)
def test_the_service_refuses_addresses_and_overlong_names(named_author, typed):
    with pytest.raises(ValidationError) as error:
        member_set_public_name(user=named_author, public_name=typed)
    assert list(error.value.message_dict) == ["public_name"]
    assert Member.objects.get(user=named_author).display_name == ""


def test_another_members_public_name_is_refused_in_any_case(named_author, analyst):
    with pytest.raises(ValidationError) as error:
        member_set_public_name(user=named_author, public_name="alice ANALYST")
    assert "Another member" in error.value.messages[0]
    # Their own name, re-saved in another case, is theirs.
    member_set_public_name(user=analyst, public_name="Alice analyst")
    assert Member.objects.get(user=analyst).display_name == "Alice analyst"


def test_control_and_bidi_characters_are_dropped_and_spaces_collapsed(named_author):
    member = member_set_public_name(
        user=named_author, public_name="  Ann\x00 \u202eLee\x1b\t\n Karisma\u200d "
    )
    assert member.display_name == "Ann Lee Karisma\u200d"
    # Clearing the name is allowed: the member appears as "A TreatyWatch member" again.
    member = member_set_public_name(user=named_author, public_name="   ")
    assert member.display_name == "" and public_name(named_author) == "A TreatyWatch member"


def test_an_at_handle_is_not_an_address():
    assert not contains_email("@ann_lee") and contains_email("a@b")


# --- The workspace form -------------------------------------------------------------------------


def test_the_workspace_form_sets_the_public_name(client, named_author):
    client.force_login(named_author)
    page = _text(client.get("/workspace/"))
    assert 'name="public_name"' in page and "A TreatyWatch member" in page
    response = client.post("/workspace/public-name/", {"public_name": "Ann Lee"})
    assert response.status_code == 302 and response["Location"] == "/workspace/"
    assert Member.objects.get(user=named_author).display_name == "Ann Lee"
    assert "Your work, Ann Lee" in _text(client.get("/workspace/"))


def test_a_refused_name_is_shown_again_with_the_reason(client, named_author):
    client.force_login(named_author)
    response = client.post("/workspace/public-name/", {"public_name": "me@example.org"})
    assert response.status_code == 400
    text = _text(response)
    assert "cannot contain an e-mail address" in text
    assert 'value="me@example.org"' in text  # what was typed, to correct it
    assert Member.objects.get(user=named_author).display_name == ""


def test_a_public_name_is_escaped_where_it_is_shown(client, note_and_reply, named_author):
    note, _reply = note_and_reply
    member_set_public_name(user=named_author, public_name="<b>Ann</b>")
    text = _text(client.get(f"/annotations/{note.pk}/"))
    assert "&lt;b&gt;Ann&lt;/b&gt;" in text and "<b>Ann</b>" not in text


def test_the_public_name_page_costs_a_fixed_number_of_queries(
    client, named_author, analyst, django_assert_num_queries
):
    """Session, user, groups, the member's name, and the navigation's workspace badge (3)."""
    client.force_login(named_author)
    with django_assert_num_queries(7):
        assert client.get("/workspace/public-name/").status_code == 200
