"""The audit log: what is recorded (and what never is), and the editors' page that reads and
filters it — who may open it, its filters, its pages and a flat query budget."""

import json
from datetime import UTC, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.utils import timezone

from provisions.models import AuditEvent, Revision
from provisions.services import (
    annotation_create,
    annotation_delete,
    annotation_publish,
    annotation_reject,
    annotation_restore,
    api_token_create,
    api_token_revoke,
    link_approve,
    link_propose,
    link_reject,
    link_restore,
)
from provisions.services.audit import ACTIONS, audit_record, request_ip
from tests.helpers import PASSWORD, ROLES, make_member

pytestmark = pytest.mark.django_db


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))


# --- audit_record and where a request comes from --------------------------------------------


def test_audit_record_keeps_who_what_and_where(analyst, art24):
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.4")
    event = audit_record(
        action="annotation.published", actor=analyst, obj=art24, detail={"n": 1}, request=request
    )
    event.refresh_from_db()
    assert event.actor == analyst and event.ip_address == "198.51.100.4"
    assert event.object_repr == str(art24)
    assert event.detail == {"n": 1, "type": "provision", "id": art24.pk}


def test_an_anonymous_actor_is_stored_as_nobody():
    from django.contrib.auth.models import AnonymousUser

    event = audit_record(action="sign_in.failed", actor=AnonymousUser())
    assert event.actor is None and event.ip_address is None and event.object_repr == ""


@pytest.mark.parametrize(
    ("hops", "remote", "forwarded", "expected"),
    [
        (0, "198.51.100.4", "203.0.113.9", "198.51.100.4"),  # the header is not trusted
        (1, "10.0.0.1", "203.0.113.9", "203.0.113.9"),
        (1, "10.0.0.1", "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # client-written entry ignored
        (2, "10.0.0.1", "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (1, "10.0.0.1", "", "10.0.0.1"),
        (1, "10.0.0.1", "not-an-address", None),
        (0, "", "", None),
    ],
)
def test_request_ip(settings, hops, remote, forwarded, expected):
    settings.TREATYWATCH_TRUSTED_PROXY_HOPS = hops
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR=remote, **headers)
    assert request_ip(request) == expected


# --- What is recorded -----------------------------------------------------------------------


def test_sign_in_failure_and_sign_out_are_recorded_without_the_password(client, analyst):
    client.post("/accounts/login/", {"username": "Alice ", "password": "not-her-password-1"})
    client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    client.post("/accounts/logout/")
    assert actions() == ["sign_in.failed", "sign_in.succeeded", "sign_out"]
    failed, succeeded, signed_out = AuditEvent.objects.order_by("pk")
    assert failed.actor is None and failed.detail == {"username": "alice"}
    assert failed.ip_address == "127.0.0.1"
    assert succeeded.actor == analyst and signed_out.actor == analyst
    everything = json.dumps(list(AuditEvent.objects.values()), default=str)
    assert "not-her-password-1" not in everything and PASSWORD not in everything


def test_annotation_decisions_are_recorded(analyst, editor, art24):
    first = annotation_create(provision=art24, author=analyst, body="one", status="submitted")
    annotation_publish(annotation=first, editor=editor)
    annotation_reject(annotation=first, editor=editor, reason="Needs a source.")
    revision = Revision.objects.filter(target_type="annotation", target_id=first.pk).first()
    annotation_restore(annotation=first, editor=editor, revision=revision, reason="Back.")
    draft = annotation_create(provision=art24, author=analyst, body="a private draft")
    annotation_delete(annotation=draft, user=analyst)
    assert actions() == [
        "annotation.published",
        "annotation.rejected",
        "annotation.restored",
        "annotation.deleted",
    ]
    events = list(AuditEvent.objects.order_by("pk"))
    assert [e.actor for e in events] == [editor, editor, editor, analyst]
    assert events[0].detail == {"type": "annotation", "id": first.pk}
    assert events[2].detail["from_version"] == revision.version
    # The log names what was deleted, never its words (a draft is its author's alone).
    assert "a private draft" not in json.dumps(events[3].detail) + events[3].object_repr


def test_link_decisions_are_recorded(analyst, editor, art24):
    link = link_propose(
        provision=art24, proposer=analyst, concern="gender-risks", rationale="Because."
    )
    link_approve(link=link, editor=editor)
    link_reject(link=link, editor=editor, reason="On reflection, no.")
    revision = Revision.objects.filter(target_type="link", target_id=link.pk).first()
    link_restore(link=link, editor=editor, revision=revision, reason="Back.")
    assert actions() == ["link.approved", "link.rejected", "link.restored"]
    assert all(e.actor == editor for e in AuditEvent.objects.all())
    # The audit log is read by editors: it cites the provision as people do.
    assert AuditEvent.objects.first().object_repr.endswith("→ Article 24")


def test_tokens_and_exports_are_recorded(analyst, tmp_path):
    token, _raw = api_token_create(user=analyst, name="script")
    api_token_revoke(token=token, user=analyst)
    target = tmp_path / "backup.json"
    call_command("export_dataset", str(target), stdout=StringIO())
    assert actions() == ["api_token.created", "api_token.revoked", "dataset.exported"]
    assert set(actions()) <= set(ACTIONS)  # each has a label in the page's filter
    exported = AuditEvent.objects.get(action="dataset.exported")
    assert exported.detail == {"file": str(target)}
    # The event is written after the data is read: the backup describes the data as it was,
    # not its own export (which the next backup carries).
    assert "dataset.exported" not in target.read_text()
    second = tmp_path / "second.json"
    call_command("export_dataset", str(second), stdout=StringIO())
    assert second.read_text().count('"dataset.exported"') == 1


# --- The page -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_who_may_open_the_audit_log(client, who, analyst, other_analyst, editor):
    users = {"analyst": analyst, "other_analyst": other_analyst, "editor": editor}
    if who != "anonymous":
        client.force_login(users[who])
    get = client.get("/review/audit/")
    post = client.post("/review/audit/")
    if who == "anonymous":
        assert get.status_code == 302 and get["Location"] == "/accounts/login/?next=/review/audit/"
        assert post.status_code == 302
    elif who == "editor":
        assert get.status_code == 200 and post.status_code == 405
    else:
        assert get.status_code == 403 and post.status_code == 403


def test_an_editor_without_the_second_factor_cannot_read_it(editor):
    half = Client()
    half.force_login(editor)
    response = half.get("/review/audit/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/")


@pytest.fixture
def history(analyst, editor, other_analyst):
    """A few days of events."""
    now = timezone.now()
    rows = [
        ("sign_in.succeeded", analyst, {}, now - timedelta(days=3)),
        ("sign_in.failed", None, {"username": "mallory"}, now - timedelta(days=2)),
        ("annotation.published", editor, {"type": "annotation", "id": 1}, now - timedelta(days=1)),
        ("link.rejected", editor, {}, now),
        ("sign_in.succeeded", other_analyst, {}, now),
    ]
    for action, actor, detail, when in rows:
        event = AuditEvent.objects.create(action=action, actor=actor, detail=detail)
        AuditEvent.objects.filter(pk=event.pk).update(created_at=when)
    return now


def rows_of(response) -> int:
    return response.content.decode().count('<tr class="audit-')


def test_the_page_lists_events_newest_first(client, editor, history):
    client.force_login(editor)
    page = client.get("/review/audit/").content.decode()
    assert "<h1>Audit log</h1>" in page
    html = page[page.index("<table") :]
    assert html.index("Link rejected") < html.index("Annotation published")
    assert html.index("Annotation published") < html.index("Sign-in failed")
    assert "mallory" in html
    assert "Erin Editor" in html and "(erin)" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("action=sign_in.succeeded", 2 + 1),  # + the editor's own sign-in for this test
        ("action=link.rejected", 1),
        ("actor=erin", 2 + 1),
        ("actor=ERIN", 2 + 1),
        ("actor=mallory", 1),  # a failed sign-in that typed the name
        ("actor=nobody", 0),
    ],
)
def test_filters(client, editor, history, query, expected):
    client.force_login(editor)
    response = client.get(f"/review/audit/?{query}")
    assert response.status_code == 200
    assert rows_of(response) == expected


def test_date_range_filter_includes_the_whole_last_day(client, editor, history):
    client.force_login(editor)
    three_days_ago = (history - timedelta(days=3)).date().isoformat()
    two_days_ago = (history - timedelta(days=2)).date().isoformat()
    response = client.get(f"/review/audit/?since={three_days_ago}&until={two_days_ago}")
    assert rows_of(response) == 2
    table = response.content.decode().split("<table")[1]
    assert "Sign-in failed" in table and "Link rejected" not in table


def test_a_reversed_date_range_is_explained(client, editor, history):
    client.force_login(editor)
    response = client.get("/review/audit/?since=2030-01-02&until=2030-01-01")
    html = response.content.decode()
    assert "The end date is before the start date." in html and rows_of(response) == 0


def test_an_unknown_action_or_a_bad_date_is_refused_not_a_500(client, editor, history):
    client.force_login(editor)
    for query in (
        "action=<script>",
        "since=yesterday",
        "page=9999",
        "page=x",
        "actor=" + "a" * 400,
    ):
        response = client.get(f"/review/audit/?{query}")
        assert response.status_code == 200
        assert "<script>" not in response.content.decode().split("<main")[1]


def test_the_filter_form_is_labelled_and_works_without_javascript(client, editor):
    client.force_login(editor)
    html = client.get("/review/audit/").content.decode()
    assert '<form method="get" action="/review/audit/"' in html
    for name in ("action", "actor", "since", "until"):
        assert f'<label for="id_{name}">' in html
    assert 'type="date"' in html and "hx-" not in html.split("<main")[1]


def test_pages_keep_the_filters(client, editor):
    for _ in range(60):
        AuditEvent.objects.create(action="link.approved", actor=editor)
    client.force_login(editor)
    html = client.get("/review/audit/?action=link.approved").content.decode()
    assert 'href="?action=link.approved&amp;page=2"' in html
    second = client.get("/review/audit/?action=link.approved&page=2")
    assert rows_of(second) == 10 and "Page 2 of 2" in second.content.decode()


def test_recorded_text_is_escaped(client, editor):
    AuditEvent.objects.create(
        action="sign_in.failed", object_repr="<b>x</b>", detail={"username": "<script>x()</script>"}
    )
    client.force_login(editor)
    html = client.get("/review/audit/").content.decode()
    assert "<script>x()" not in html and "&lt;script&gt;x()" in html
    assert "<b>x</b>" not in html


def test_details_are_named_and_coded_values_read_in_the_pages_language(
    client, editor, analyst, compiled_catalogues
):
    """The details' keys and the codes the app stores (a revocation's reason, a boolean, a
    date, a model) are shown translated; what someone typed is shown as typed."""
    token, _raw = api_token_create(user=analyst, name="script")
    api_token_revoke(token=token, user=analyst)
    AuditEvent.objects.create(action="two_factor.failed", detail={"during": "set-up", "x_y": "z"})
    client.force_login(editor)
    english = client.get("/review/audit/").content.decode()
    assert '<span class="muted">token prefix:</span> ' + token.prefix in english
    assert '<span class="muted">reason:</span> revoked by its owner' in english
    assert '<span class="muted">made after two-factor sign-in:</span> no' in english
    assert '<span class="muted">kind of object:</span> API token' in english
    # A key the app does not know is shown as stored.
    assert '<span class="muted">x_y:</span> z' in english
    french = client.get("/fr/review/audit/").content.decode()

    def detail(name, value):  # French puts a no-break space before the colon
        return f'<span class="muted">{name}\N{NO-BREAK SPACE}:</span> {value}'

    assert detail("préfixe du jeton", token.prefix) in french
    assert detail("motif", "révoqué par son propriétaire") in french
    assert detail("créé après une connexion à deux facteurs", "non") in french
    assert detail("type d&#x27;objet", "Jeton d&#x27;API") in french
    assert detail("pendant", "configuration de la connexion") in french
    assert "expires_at" not in french and "two_factor_verified" not in french
    expires = token.expires_at.astimezone(UTC)
    assert f"{expires.day} " in french and str(expires.year) in french


def test_the_query_budget_does_not_grow(client, editor, django_assert_max_num_queries):
    """The same number of queries for 5 events as for 120 (a full page of 50), within 12."""
    actors = [make_member(f"member{i}", "Analysts") for i in range(5)]
    client.force_login(editor)
    counts = []
    for count in (5, 120):
        for i in range(AuditEvent.objects.filter(action="annotation.published").count(), count):
            AuditEvent.objects.create(
                action="annotation.published", actor=actors[i % 5], detail={"id": i}
            )
        with django_assert_max_num_queries(12) as captured:
            response = client.get("/review/audit/?action=annotation.published")
        assert rows_of(response) == min(count, 50)
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts


def test_the_review_queue_links_to_the_audit_log(client, editor):
    client.force_login(editor)
    assert 'href="/review/audit/"' in client.get("/review/").content.decode()
