"""Personal API tokens: the command, hashed storage, revocation and last use."""

import hashlib
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from provisions.models import ApiToken, AuditEvent
from provisions.services import api_token_authenticate, api_token_create, api_token_revoke
from tests.conftest import make_member
from tests.test_api import API, bearer, draft, token_for

pytestmark = pytest.mark.django_db


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
