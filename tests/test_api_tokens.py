"""Personal API tokens: the command, hashed storage, revocation and last use; and (issue 11)
the powers a token carries, its expiry, and its end when the password, the authenticator or the
groups change."""

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.oath import TOTP

from provisions.models import ApiToken, AuditEvent
from provisions.services import (
    annotation_submit,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)
from provisions.views.two_factor import SETUP_KEY
from tests.helpers import (
    API,
    bearer,
    confirm_session,
    draft,
    give_authenticator,
    make_member,
    token_for,
)

pytestmark = [pytest.mark.django_db, pytest.mark.openapi]


def run_command(*args) -> list[str]:
    out = StringIO()
    call_command("create_api_token", *args, stdout=out)
    return out.getvalue().strip().splitlines()


def test_command_prints_a_working_token_on_its_last_line(client, analyst):
    lines = run_command("alice", "--name", "my script")
    raw = lines[-1]
    assert raw.startswith("tw_") and len(raw) > 40
    token = ApiToken.objects.get()
    assert token.user == analyst and token.name == "my script"
    mine = draft(analyst)
    response = client.get(API + f"annotations/{mine.pk}", **bearer(raw))
    assert response.status_code == 200


def test_command_refuses_an_unknown_member():
    with pytest.raises(CommandError, match="No member"):
        run_command("nobody")


def test_the_token_is_stored_hashed(analyst):
    token, raw = api_token_create(user=analyst, name="ci")
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert token.prefix == raw[:8]
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert raw not in {str(value) for value in stored.values()}
    assert AuditEvent.objects.filter(action="api_token.created", actor=analyst).exists()


def test_token_name_is_required(analyst):
    with pytest.raises(ValidationError):
        api_token_create(user=analyst, name="   ")


def test_revoked_tokens_get_401(client, analyst):
    token, raw = api_token_create(user=analyst, name="old")
    assert client.get(API + "annotations", **bearer(raw)).status_code == 200
    api_token_revoke(token=token, user=analyst)
    response = client.get(API + "annotations", **bearer(raw))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "unauthorized"
    write = client.post(API + "annotations", {}, content_type="application/json", **bearer(raw))
    assert write.status_code == 401


def test_only_the_owner_revokes(analyst, other_analyst):
    token, _raw = api_token_create(user=analyst, name="mine")
    with pytest.raises(PermissionDenied):
        api_token_revoke(token=token, user=other_analyst)


def test_inactive_members_tokens_stop_working(client, analyst):
    raw = token_for(analyst)
    analyst.is_active = False
    analyst.save()
    assert client.get(API + "treaty", **bearer(raw)).status_code == 401


def test_last_used_at_is_recorded(client, analyst):
    token, raw = api_token_create(user=analyst, name="x")
    assert token.last_used_at is None
    client.get(API + "treaty", **bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_authenticate_rejects_anything_else(analyst):
    _token, raw = api_token_create(user=analyst, name="x")
    assert api_token_authenticate(raw).user == analyst
    for wrong in ("", raw[:-1], raw + "x", raw.removeprefix("tw_"), "tw_" + "a" * 500, None):
        assert api_token_authenticate(wrong) is None


def test_a_token_acts_as_its_own_member_only(client):
    reader = make_member("reader", None)
    raw = token_for(reader)
    response = client.get(API + "annotations", {"status": "draft"}, **bearer(raw))
    assert response.json()["total"] == 0


# --- Issue 11: a token is worth no more than the sign-in that made it --------------------------


def both_roles(username: str = "dana"):
    """An account in both Editors and Analysts."""
    user = make_member(username, "Analysts")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def submitted_by(author):
    annotation = draft(author, "Someone else's note.")
    annotation_submit(annotation=annotation, user=author)
    return annotation


def publish(client, annotation, raw):
    return client.post(
        API + f"annotations/{annotation.pk}/publish",
        {},
        content_type="application/json",
        **bearer(raw),
    )


def test_an_editor_account_gets_no_token_without_two_factor(client, analyst):
    """The attack: an Editors+Analysts account signed in with its password only minted a token
    and published someone else's annotation. Without the second factor there is no token."""
    dana = both_roles()
    with pytest.raises(PermissionDenied):
        api_token_create(user=dana, name="publisher")
    assert not ApiToken.objects.exists()


def test_a_token_made_without_two_factor_never_publishes(client, analyst, editor):
    """Even a member who becomes an editor later, or whose token predates the rule, cannot
    publish with a token made without the second factor; their analyst powers remain."""
    dana = make_member("dana", "Analysts")
    _token, raw = api_token_create(user=dana, name="script")
    dana.groups.add(Group.objects.get(name="Editors"))  # joining does not upgrade the token
    target = submitted_by(analyst)
    refused = publish(client, target, raw)
    assert refused.status_code == 403
    target.refresh_from_db()
    assert target.status == "submitted"
    # Still an analyst through it: it can create a draft.
    created = client.post(
        API + "annotations",
        {"bodyValue": "Mine.", "target": "art_24"},
        content_type="application/json",
        **bearer(raw),
    )
    assert created.status_code == 201


def test_a_two_factor_analyst_token_does_not_gain_editor_powers(client, analyst):
    dana = make_member("dana", "Analysts")
    _token, raw = api_token_create(user=dana, name="script", two_factor_verified=True)
    dana.groups.add(Group.objects.get(name="Editors"))
    target = submitted_by(analyst)
    assert publish(client, target, raw).status_code == 403


def test_an_editor_token_made_after_two_factor_publishes(client, analyst):
    dana = both_roles()
    token, raw = api_token_create(user=dana, name="publisher", two_factor_verified=True)
    assert token.editor_powers and token.two_factor_verified
    target = submitted_by(analyst)
    assert publish(client, target, raw).status_code == 200


def test_the_database_refuses_editor_powers_without_two_factor(analyst):
    token, _raw = api_token_create(user=analyst, name="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(editor_powers=True)


def test_tokens_expire(client, analyst, settings):
    settings.TREATYWATCH_API_TOKEN_DAYS = 7
    token, raw = api_token_create(user=analyst, name="x")
    assert timedelta(days=7) - (token.expires_at - timezone.now()) < timedelta(minutes=1)
    assert client.get(API + "treaty", **bearer(raw)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(API + "treaty", **bearer(raw))
    assert response.status_code == 401 and "expired" in response.json()["error"]["message"]


def test_the_default_lifetime_is_ninety_days(analyst):
    token, _raw = api_token_create(user=analyst, name="x")
    assert timedelta(days=90) - (token.expires_at - timezone.now()) < timedelta(minutes=1)


def test_last_use_is_written_at_most_once_a_minute(client, analyst, django_assert_num_queries):
    token, raw = api_token_create(user=analyst, name="x")
    client.get(API + "treaty", **bearer(raw))
    token.refresh_from_db()
    first = token.last_used_at
    client.get(API + "treaty", **bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at == first  # within the minute: no write
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    client.get(API + "treaty", **bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at > first


def revoked_reasons(user) -> set[str]:
    return set(
        ApiToken.objects.filter(user=user, revoked_at__isnull=False).values_list(
            "revoked_reason", flat=True
        )
    )


def test_changing_the_password_revokes_every_token(client, analyst):
    _token, raw = api_token_create(user=analyst, name="x")
    client.force_login(analyst)
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": "correct-horse-battery",
            "new_password1": "a-brand-new-passphrase-9",
            "new_password2": "a-brand-new-passphrase-9",
        },
    )
    assert response.status_code == 302
    assert client.get(API + "treaty", **bearer(raw)).status_code == 401
    assert revoked_reasons(analyst) == {"password_changed"}
    event = AuditEvent.objects.get(action="api_token.revoked")
    assert event.actor == analyst and event.detail["reason"] == "password_changed"


def test_a_password_reset_revokes_every_token(client, analyst):
    _token, raw = api_token_create(user=analyst, name="x")
    uid = urlsafe_base64_encode(force_bytes(analyst.pk))
    reset_token = default_token_generator.make_token(analyst)
    form = client.get(f"/accounts/reset/{uid}/{reset_token}/")
    assert form.status_code == 302  # Django moves the token into the session first
    done = client.post(
        form["Location"],
        {"new_password1": "a-brand-new-passphrase-9", "new_password2": "a-brand-new-passphrase-9"},
    )
    assert done.status_code == 302 and done["Location"] == "/accounts/reset/done/"
    assert client.get(API + "treaty", **bearer(raw)).status_code == 401
    assert revoked_reasons(analyst) == {"password_changed"}


def test_a_password_changed_any_other_way_still_ends_the_token(client, analyst):
    """The admin, `changepassword` or the shell do not go through our views: the API refuses a
    token made under another password all the same."""
    _token, raw = api_token_create(user=analyst, name="x")
    analyst.set_password("a-brand-new-passphrase-9")
    analyst.save()
    assert client.get(API + "treaty", **bearer(raw)).status_code == 401
    assert api_token_authenticate(raw) is None


def test_replacing_the_authenticator_revokes_every_token(client, analyst):
    give_authenticator(analyst)
    _token, raw = api_token_create(user=analyst, name="x", two_factor_verified=True)
    _token, raw2 = api_token_create(user=analyst, name="y")
    client.force_login(analyst)
    confirm_session(client)
    client.get("/accounts/two-factor/?replace=1")
    key = client.session[SETUP_KEY]
    totp = TOTP(bytes.fromhex(key))
    response = client.post("/accounts/two-factor/", {"code": f"{totp.token():06d}", "replace": "1"})
    assert response.status_code == 302
    assert client.get(API + "treaty", **bearer(raw)).status_code == 401
    assert client.get(API + "treaty", **bearer(raw2)).status_code == 401
    assert revoked_reasons(analyst) == {"authenticator_replaced"}


def test_a_first_authenticator_keeps_password_only_tokens(client, analyst):
    _token, raw = api_token_create(user=analyst, name="x")
    client.force_login(analyst)
    client.get("/accounts/two-factor/")
    totp = TOTP(bytes.fromhex(client.session[SETUP_KEY]))
    client.post("/accounts/two-factor/", {"code": f"{totp.token():06d}"})
    assert client.get(API + "treaty", **bearer(raw)).status_code == 200


@pytest.mark.parametrize(
    "leave",
    [
        lambda user, group: user.groups.remove(group),
        lambda user, group: group.user_set.remove(user),
        lambda user, group: user.groups.clear(),
        lambda user, group: group.user_set.clear(),
        lambda user, group: user.groups.set([]),
    ],
    ids=["user.groups.remove", "group.user_set.remove", "user.groups.clear", "group.clear", "set"],
)
def test_leaving_a_group_revokes_every_token(client, analyst, leave):
    dana = both_roles()
    _token, raw = api_token_create(user=dana, name="x", two_factor_verified=True)
    leave(dana, Group.objects.get(name="Analysts"))
    assert client.get(API + "treaty", **bearer(raw)).status_code == 401
    assert revoked_reasons(dana) == {"group_left"}
    event = AuditEvent.objects.get(action="api_token.revoked")
    assert event.detail["reason"] == "group_left"
    assert not ApiToken.objects.filter(user=analyst, revoked_at__isnull=False).exists()


def test_joining_a_group_or_removing_nothing_keeps_tokens(client, analyst):
    _token, raw = api_token_create(user=analyst, name="x")
    analyst.groups.add(Group.objects.get(name="Editors"))
    make_member("bob", "Analysts").groups.remove(Group.objects.get(name="Editors"))
    analyst.groups.remove(Group.objects.create(name="Never a member"))
    assert client.get(API + "treaty", **bearer(raw)).status_code == 200


def test_an_editor_token_dies_when_its_owner_stops_being_an_editor_any_way(client, analyst):
    """Deleting the Editors group sends no membership signal; the API checks on each request
    that a token's editor powers are still its owner's."""
    dana = both_roles()
    _token, raw = api_token_create(user=dana, name="x", two_factor_verified=True)
    Group.objects.filter(name="Editors").delete()
    assert client.get(API + "treaty", **bearer(raw)).status_code == 401


def test_tokens_outlive_sign_out(client, analyst):
    """Deliberate (docs/security.md): a token is for scripts, not tied to a browser session."""
    _token, raw = api_token_create(user=analyst, name="x")
    client.force_login(analyst)
    client.post("/accounts/logout/")
    assert client.get(API + "treaty", **bearer(raw)).status_code == 200


def test_the_command_never_gives_editor_powers(analyst, editor):
    lines = run_command("alice")
    token = ApiToken.objects.get(user=analyst)
    assert not token.editor_powers and not token.two_factor_verified
    assert "without editor powers" in lines[0]
    with pytest.raises(CommandError, match="second factor"):
        run_command("erin")
    assert not ApiToken.objects.filter(user=editor).exists()
    from provisions.management.commands.create_api_token import Command

    assert "never carries editor powers" in Command.help


def test_a_role_change_on_the_members_page_revokes_tokens_and_names_who(client, editor):
    """member_set_role (the one place roles change) revokes first, so the audit log says which
    editor did it; the receiver then finds nothing left."""
    from provisions.services.members import member_set_role

    dana = make_member("dana", "Analysts")
    _token, raw = api_token_create(user=dana, name="x")
    member_set_role(user=dana, role="editor", actor=editor)
    assert client.get(API + "treaty", **bearer(raw)).status_code == 401
    event = AuditEvent.objects.get(action="api_token.revoked")
    assert event.actor == editor and event.detail["reason"] == "group_left"


def test_an_operators_reset_of_a_lost_phone_revokes_every_token(client, editor):
    from provisions.services.enrolment import enrolment_link_create

    _token, raw = api_token_create(user=editor, name="x", two_factor_verified=True)
    give_authenticator(editor)
    enrolment_link_create(user=editor, reset_devices=True)
    assert client.get(API + "treaty", **bearer(raw)).status_code == 401
    assert revoked_reasons(editor) == {"authenticator_replaced"}
