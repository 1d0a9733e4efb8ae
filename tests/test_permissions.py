"""Every URL pattern is deliberately classified, and each class holds for every kind of visitor.

The walk fails for a view that carries no access level (see provisions/access.py), so a
new view cannot be added without deciding who may open it. Then each pattern is requested as
anonymous, analyst, another analyst and editor, with GET and POST.
"""

import pytest

from provisions.models import Provision
from tests.helpers import (
    ALL_PATTERNS,
    SKIP_NAMES,
    access_level,
    concrete_url,
)


def test_every_view_is_classified():
    unclassified = [
        f"{route} ({entry.name})"
        for route, entry in ALL_PATTERNS
        if entry.name not in SKIP_NAMES and access_level(entry) is None
    ]
    assert unclassified == [], "Views without an access level: " + ", ".join(unclassified)


def login_for(client, who, users):
    if who != "anonymous":
        client.force_login(users[who])
        from tests.helpers import verify_session

        verify_session(client, users[who])


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and "/accounts/login/" in response.get("Location", "")


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("who", ["anonymous", "analyst", "other_analyst", "editor"])
def test_permission_matrix(client, who, method, analyst, other_analyst, editor, objects):
    users = {"analyst": analyst, "other_analyst": other_analyst, "editor": editor}
    login_for(client, who, users)
    failures = []
    for route, entry in ALL_PATTERNS:
        if entry.name in SKIP_NAMES:
            continue
        url = concrete_url(route, objects)
        if url is None:
            continue
        level = access_level(entry)
        response = getattr(client, method)(url)
        status = response.status_code
        is_api = url.startswith("/api/")
        if status >= 500:
            failures.append(f"{method.upper()} {url} as {who}: {status}")
            continue
        if level == "public":
            if is_login_redirect(response) or (status == 403 and not is_api):
                failures.append(f"{method.upper()} {url} (public) as {who}: {status}")
        elif who == "anonymous":
            denied = is_login_redirect(response) or status in (401, 403, 405)
            if not denied:
                failures.append(f"{method.upper()} {url} ({level}) as anonymous: {status}")
        elif level == "editor" and who != "editor":
            refused = status in (403, 405) or (is_api and status == 401)
            if not refused:
                failures.append(f"{method.upper()} {url} (editor) as {who}: {status}")
        elif (
            level in ("analyst", "editor", "member")
            and not is_api
            and status == 403
            and not _object_rule_applies(route, who)
        ):
            failures.append(f"{method.upper()} {url} ({level}) as {who}: 403")
    assert failures == []


def _object_rule_applies(route: str, who: str) -> bool:
    """Object-level refusals: Alice's draft is hers alone (others get 403 or 404)."""
    return "annotations/<int:pk>" in route and who in ("other_analyst", "editor")


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["other_analyst", "editor", "anonymous"])
def test_someone_elses_draft_is_invisible(client, who, analyst, other_analyst, editor, objects):
    users = {"other_analyst": other_analyst, "editor": editor}
    login_for(client, who, users)
    pk = objects["annotation"]
    assert client.get(f"/annotations/{pk}/").status_code == 404
    for action in ("edit", "delete", "submit"):
        response = client.post(f"/annotations/{pk}/{action}/", {"body": "hijack", "version": 1})
        assert response.status_code in (302, 401, 403, 404)
        assert not is_login_redirect(response) or who == "anonymous"
    from provisions.models import Annotation

    annotation = Annotation.objects.get(pk=pk)
    assert annotation.body == "draft by alice" and annotation.status == "draft"


# The admin's exact answers: anonymous visitors go through the admin's login to the site's own
# sign-in, members who are not editors are refused there (403), verified editors get the page;
# POSTs to the index or a read-only row change nothing.
ADMIN_TO_LOGIN = ("/admin/login/?next=/admin/", "/accounts/login/?next=%2Fadmin%2F")
ADMIN_EXPECTED = {
    # (who, method): (status of /admin/, Location, status of the admin's login page, Location)
    ("anonymous", "get"): (302, ADMIN_TO_LOGIN[0], 302, ADMIN_TO_LOGIN[1]),
    ("anonymous", "post"): (302, ADMIN_TO_LOGIN[0], 302, ADMIN_TO_LOGIN[1]),
    ("analyst", "get"): (302, ADMIN_TO_LOGIN[0], 403, None),
    ("analyst", "post"): (302, ADMIN_TO_LOGIN[0], 403, None),
    ("other_analyst", "get"): (302, ADMIN_TO_LOGIN[0], 403, None),
    ("other_analyst", "post"): (302, ADMIN_TO_LOGIN[0], 403, None),
    ("editor", "get"): (200, None, 302, "/admin/"),
    ("editor", "post"): (200, None, 302, "/admin/"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("who", ["anonymous", "analyst", "other_analyst", "editor"])
def test_admin_is_for_verified_editors_only(client, who, method, analyst, other_analyst, editor):
    users = {"analyst": analyst, "other_analyst": other_analyst, "editor": editor}
    login_for(client, who, users)
    index_status, index_location, login_status, login_location = ADMIN_EXPECTED[(who, method)]
    index = getattr(client, method)("/admin/")
    assert index.status_code == index_status
    if who == "editor":
        assert index.templates[0].name == "admin/index.html"
    assert index.get("Location") == index_location
    login = getattr(client, method)("/admin/login/?next=/admin/")
    assert login.status_code == login_status
    assert login.get("Location") == login_location
    # A row of the treaty: shown to editors, changed by nobody.
    url = f"/admin/provisions/provision/{Provision.objects.get(eid='art_24').pk}/change/"
    change = getattr(client, method)(url)
    if who == "editor":
        assert change.status_code == (200 if method == "get" else 403)
    else:
        assert change.status_code == 302
        assert change["Location"] == f"/admin/login/?next={url}"


@pytest.mark.django_db
def test_admin_refuses_an_editor_session_without_the_second_factor(editor):
    """Staff, in Editors, password only: sent through the admin's login to the code step."""
    from django.test import Client

    from tests.helpers import give_authenticator

    give_authenticator(editor)
    half_signed_in = Client()
    half_signed_in.force_login(editor)
    response = half_signed_in.get("/admin/")
    assert (response.status_code, response["Location"]) == (302, ADMIN_TO_LOGIN[0])
    response = half_signed_in.get(response["Location"])
    assert (response.status_code, response["Location"]) == (
        302,
        "/accounts/two-factor/verify/?next=%2Fadmin%2F",
    )


# The members page and enrolment links (issue 11): exact answers for every visitor and method.
# "login" is a redirect to the sign-in page; a tuple is (status, Location).
MEMBER_PAGES_EXPECTED = {
    "anonymous": {
        ("get", "review/members/"): "login",
        ("post", "review/members/"): "login",
        ("get", "review/members/{pk}/role/"): "login",
        ("post", "review/members/{pk}/role/"): "login",
        ("post", "review/members/{pk}/deactivate/"): "login",
        ("post", "review/members/{pk}/enrolment-link/"): "login",
        ("get", "accounts/enrol/"): "login",
        ("post", "accounts/enrol/"): "login",
        ("get", "accounts/enrol/some-token/"): (302, "/accounts/enrol/"),
        ("post", "accounts/enrol/some-token/"): (405, None),
    },
    "analyst": {
        ("get", "review/members/"): (403, None),
        ("post", "review/members/"): (403, None),
        ("get", "review/members/{pk}/role/"): (403, None),
        ("post", "review/members/{pk}/role/"): (403, None),
        ("post", "review/members/{pk}/deactivate/"): (403, None),
        ("post", "review/members/{pk}/enrolment-link/"): (403, None),
        ("get", "accounts/enrol/"): (200, None),  # explains where links come from
        ("post", "accounts/enrol/"): (200, None),
        ("get", "accounts/enrol/some-token/"): (302, "/accounts/enrol/"),
        ("post", "accounts/enrol/some-token/"): (405, None),
    },
    "editor": {
        ("get", "review/members/"): (200, None),
        ("post", "review/members/"): (400, None),  # an empty form
        ("get", "review/members/{pk}/role/"): (405, None),
        ("post", "review/members/{pk}/role/"): (302, "/review/members/"),  # no role chosen
        ("post", "review/members/{pk}/enrolment-link/"): (200, None),
        ("post", "review/members/{pk}/deactivate/"): (302, "/review/members/"),
        ("get", "accounts/enrol/"): (302, "/accounts/two-factor/"),  # already has one
        ("post", "accounts/enrol/"): (302, "/accounts/two-factor/"),
        ("get", "accounts/enrol/some-token/"): (302, "/accounts/enrol/"),
        ("post", "accounts/enrol/some-token/"): (405, None),
    },
}
MEMBER_PAGES_EXPECTED["other_analyst"] = MEMBER_PAGES_EXPECTED["analyst"]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "analyst", "other_analyst", "editor"])
def test_members_and_enrolment_pages_answer_exactly(client, who, analyst, other_analyst, editor):
    from django.contrib.auth import get_user_model

    users = {"analyst": analyst, "other_analyst": other_analyst, "editor": editor}
    login_for(client, who, users)
    # The target of the member actions: someone else (an editor cannot change their own account).
    target = make_member_for_walk()
    failures = []
    for (method, route), expected in MEMBER_PAGES_EXPECTED[who].items():
        url = "/" + route.format(pk=target.pk)
        response = getattr(client, method)(url)
        if expected == "login":
            ok = is_login_redirect(response)
        else:
            ok = (response.status_code, response.get("Location")) == expected
        if not ok:
            failures.append(f"{method.upper()} {url} as {who}: {response.status_code}")
    assert failures == []
    target.refresh_from_db()
    # Only the editor's POST deactivated the target.
    assert target.is_active == (who != "editor")
    assert get_user_model().objects.filter(is_active=False).count() == (who == "editor")


def make_member_for_walk():
    from tests.helpers import make_member

    return make_member("dana", "Analysts", "Dana Analyst")


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "analyst", "other_analyst", "editor"])
def test_the_confirmation_page(client, who, analyst, other_analyst, editor):
    """/accounts/confirm/ (issue 11): members only, each confirms only as themselves — a
    confirmation needs the signed-in member's own password, whatever username is posted."""
    users = {"analyst": analyst, "other_analyst": other_analyst, "editor": editor}
    login_for(client, who, users)
    page = client.get("/accounts/confirm/")
    posted = client.post(
        "/accounts/confirm/", {"username": "alice", "password": "correct-horse-battery"}
    )
    if who == "anonymous":
        assert is_login_redirect(page) and is_login_redirect(posted)
        return
    assert page.status_code == 200
    from provisions.views.confirm import CONFIRMED_KEY

    if who == "editor":  # a code is asked for too; the password alone does not confirm
        assert posted.status_code == 400 and CONFIRMED_KEY not in client.session
    else:  # the password of whoever is signed in (all test members share it)
        assert posted.status_code == 302 and CONFIRMED_KEY in client.session
    assert client.put("/accounts/confirm/").status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "analyst", "other_analyst", "editor"])
def test_the_restore_confirmation(client, analyst, other_analyst, editor, role):
    """The confirmation before a restore (issue 17), GET and POST with a real revision:
    anonymous visitors sign in first, the note's author and another analyst are refused, the
    editor is shown the page, then restores."""
    from provisions.models import Revision
    from tests.helpers import confirm_url, first_revision, note_edited_by_editor, post_restore

    note = note_edited_by_editor(analyst, editor, publish=True)
    revision = first_revision(note)
    users = {"analyst": analyst, "other_analyst": other_analyst, "editor": editor}
    if role != "anonymous":
        client.force_login(users[role])
    page = client.get(confirm_url(note, revision))
    posted = post_restore(client, note, revision)
    if role == "anonymous":
        for response in (page, posted):
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif role == "editor":
        assert page.status_code == 200 and posted.status_code == 302
    else:
        assert page.status_code == 403 and posted.status_code == 403
    note.refresh_from_db()
    assert note.version == (4 if role == "editor" else 3)
    assert Revision.objects.filter(action="restored").count() == (role == "editor")


# The annotation import (/review/import/) with a real file: only a verified editor gets the
# preview, and the preview writes nothing; a confirmation by anyone else imports nothing.
IMPORT_EXPECTED = {"anonymous": 302, "analyst": 403, "other_analyst": 403, "editor": 200}


@pytest.mark.django_db
@pytest.mark.parametrize("who", list(IMPORT_EXPECTED))
def test_annotation_import_page_by_role(client, who, analyst, other_analyst, editor):
    from pathlib import Path

    from provisions.models import Annotation

    users = {"analyst": analyst, "other_analyst": other_analyst, "editor": editor}
    login_for(client, who, users)
    hypothesis = Path(__file__).parent / "data" / "annotations" / "hypothesis-export.json"
    with hypothesis.open("rb") as upload:
        preview = client.post("/review/import/", {"file": upload})
    assert preview.status_code == IMPORT_EXPECTED[who]
    if who == "anonymous":
        assert is_login_redirect(preview)
    confirm = {"confirm": "import", "file_text": hypothesis.read_text()}
    if who == "editor":
        assert "Preview: nothing is saved yet" in preview.content.decode()
        assert not Annotation.objects.filter(author=editor).exists()
    else:
        assert client.post("/review/import/", confirm).status_code == IMPORT_EXPECTED[who]
        assert not Annotation.objects.exists()


# Language-prefixed addresses (docs/translations.md): the same access rules as unprefixed ones.
PREFIXED_EXPECTED = {
    # url: {who: status or "login"}
    "/fr/convention/articles/24/": dict.fromkeys(
        ("anonymous", "analyst", "other_analyst", "editor"), 200
    ),
    "/ar/coverage/": dict.fromkeys(("anonymous", "analyst", "other_analyst", "editor"), 200),
    "/zh-hans/workspace/": {
        "anonymous": "login",
        "analyst": 200,
        "other_analyst": 200,
        "editor": 200,
    },
    "/es/review/": {"anonymous": "login", "analyst": 403, "other_analyst": 403, "editor": 200},
    "/ru/annotations/{pk}/edit/": {
        "anonymous": "login",
        "analyst": 200,
        "other_analyst": 404,
        "editor": 404,
    },
}


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "analyst", "other_analyst", "editor"])
def test_language_prefixed_pages_keep_the_access_rules(
    client, who, analyst, other_analyst, editor, objects
):
    login_for(client, who, {"analyst": analyst, "other_analyst": other_analyst, "editor": editor})
    failures = []
    for url, expected in PREFIXED_EXPECTED.items():
        url = url.format(pk=objects["annotation"])
        response = client.get(url)
        ok = (
            is_login_redirect(response)
            if expected[who] == "login"
            else response.status_code == expected[who]
        )
        if not ok:
            failures.append(f"GET {url} as {who}: {response.status_code}")
    assert failures == []


# Editors' translations (/review/translations/…): only a verified editor reads or writes them;
# an editor whose session has not passed the second factor is sent to it, and writes nothing.
TRANSLATION_EXPECTED = {
    "anonymous": (302, 302),
    "analyst": (403, 403),
    "other_analyst": (403, 403),
    "editor": (200, 302),
    "editor_without_code": (302, 302),
}


@pytest.mark.django_db
@pytest.mark.parametrize("who", list(TRANSLATION_EXPECTED))
def test_translation_pages_by_role(client, who, analyst, other_analyst, editor):
    from provisions.models import Concern, Translation

    users = {"analyst": analyst, "other_analyst": other_analyst, "editor": editor}
    if who == "editor_without_code":
        from django.test import Client

        client = Client()  # signed in with the password only
        client.force_login(editor)
    else:
        login_for(client, who, users)
    concern = Concern.objects.first()
    edit = f"/review/translations/concerns/{concern.slug}/fr/"
    read_status, write_status = TRANSLATION_EXPECTED[who]
    for url in ("/review/translations/", edit, "/review/translations/articles/24/es/"):
        response = client.get(url)
        assert response.status_code == read_status, url
        if who == "anonymous":
            assert is_login_redirect(response)
        if who == "editor_without_code":
            assert response["Location"].startswith("/accounts/two-factor/")
    response = client.post(edit, {"title": "Titre", "text": "Texte."})
    assert response.status_code == write_status
    assert Translation.objects.exists() == (who == "editor")
    if who == "editor":
        assert response["Location"] == edit
