"""API tokens in the workspace: created (shown once), listed, revoked — only one's own."""

import pytest

from provisions.models import ApiToken
from provisions.services.tokens import api_token_authenticate, api_token_create

pytestmark = pytest.mark.django_db


def test_create_shows_the_token_once_and_stores_only_its_hash(client, analyst):
    client.force_login(analyst)
    response = client.post("/workspace/tokens/", {"name": "Zotero script"})
    html = response.content.decode()
    token = ApiToken.objects.get(user=analyst)
    raw = html.split('<code class="token-value">')[1].split("</code>")[0]
    assert raw.startswith("tw_") and token.prefix == raw[:8]
    assert raw not in token.token_hash and api_token_authenticate(raw).pk == token.pk
    # Listed afterwards by name and prefix, never in full again.
    again = client.get("/workspace/tokens/").content.decode()
    assert "Zotero script" in again and raw not in again


def test_empty_name_is_refused_clearly(client, analyst):
    client.force_login(analyst)
    response = client.post("/workspace/tokens/", {"name": "  "})
    assert response.status_code == 400
    assert "Give the token a name" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoke_own_token_and_not_someone_elses(client, analyst, other_analyst):
    mine, raw = api_token_create(user=analyst, name="mine")
    theirs, their_raw = api_token_create(user=other_analyst, name="theirs")
    client.force_login(analyst)
    assert client.post(f"/workspace/tokens/{theirs.pk}/revoke/").status_code == 404
    assert api_token_authenticate(their_raw) is not None
    client.post(f"/workspace/tokens/{mine.pk}/revoke/")
    assert api_token_authenticate(raw) is None
    assert "revoked" in client.get("/workspace/tokens/").content.decode()


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/workspace/tokens/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
