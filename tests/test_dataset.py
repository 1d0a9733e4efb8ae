"""Full-dataset backup: export → empty database → import gives the same data, ids included.

Guards: the round trip is exact (drafts, history, members with working passwords, groups), a
non-empty database is refused unless forced, a bad file changes nothing and says why, and new
rows after an import get fresh ids (sequences reset).
"""

import io
import json
import os
import stat
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from provisions.models import (
    Annotation,
    ApiToken,
    Article,
    AuditEvent,
    Concern,
    Provision,
    ProvisionVersion,
    Revision,
    Translation,
)
from provisions.services import (
    annotation_create,
    annotation_publish,
    annotation_reject,
    annotation_update,
    link_approve,
    link_propose,
    link_reject,
)
from provisions.services.dataset import (
    DatasetError,
    dataset_export,
    dataset_import,
    dataset_models,
    left_out_models,
)
from provisions.services.translations import translation_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset_content(analyst, other_analyst, editor):
    """A little of everything: every status, replies, M2M, history, tokens, audit, versions."""
    art24 = Provision.objects.get(eid="art_24")
    art2 = Provision.objects.get(eid="art_2")
    published = annotation_create(
        provision=art24,
        author=analyst,
        body="Published **analysis**.",
        selectors=[{"type": "TextQuoteSelector", "exact": "domestic law"}],
        concerns=["weak-procedural-safeguards"],
        demands=["laws-meet-human-rights-standards"],
        tags=["safeguards", "warrants"],
        status="submitted",
    )
    published = annotation_publish(annotation=published, editor=editor)
    reply = annotation_create(
        provision=art24, author=other_analyst, body="Agreed.", in_reply_to=published
    )
    draft = annotation_create(provision=art2, author=analyst, body="A private draft.")
    annotation_update(annotation=draft, user=analyst, version=1, body="A private draft, v2.")
    rejected = annotation_create(
        provision=art2, author=other_analyst, body="Hmm", status="submitted"
    )
    annotation_reject(annotation=rejected, editor=editor, reason="Needs sources")
    proposed = link_propose(
        provision=art2,
        proposer=analyst,
        concern="gender-risks",
        rationale="Proposed link",
        sources=["https://example.org/x"],
    )
    refused = link_propose(
        provision=art2, proposer=analyst, demand="consult-civil-society", rationale="Refused link"
    )
    link_reject(link=refused, editor=editor, reason="Not relevant")
    approved = link_propose(
        provision=art24, proposer=analyst, concern="gender-risks", rationale="Approved link"
    )
    link_approve(link=approved, editor=editor, note="ok")
    # An editor's translations (the words are the test's, not the coalition's).
    translation_save(
        target=Concern.objects.get(slug="gender-risks"),
        language="ar",
        title="عنوان تجريبي",
        text="نص تجريبي.",
        editor=editor,
    )
    translation_save(
        target=Article.objects.get(number=24),
        language="fr",
        title="",
        text="Résumé.",
        editor=editor,
    )
    ApiToken.objects.create(
        user=analyst,
        name="laptop",
        token_hash="a" * 64,
        prefix="tw_aaaa",
        expires_at=timezone.now() + timedelta(days=90),
    )
    AuditEvent.objects.create(
        actor=editor,
        action="annotation.publish",
        object_repr="x",
        detail={"pk": published.pk},
        ip_address="127.0.0.1",
    )
    ProvisionVersion.objects.create(provision=art24, label="Draft text", text="Old text.")
    superuser = get_user_model().objects.create_superuser(
        "root", "root@example.org", "pw-123456789"
    )
    return {
        "published": published,
        "reply": reply,
        "draft": draft,
        "proposed": proposed,
        "superuser": superuser,
    }


def export_text() -> str:
    stream = io.StringIO()
    dataset_export(stream=stream)
    return stream.getvalue()


def comparable(text: str) -> dict:
    document = json.loads(text)
    document.pop("exported_at")
    return document


def empty_the_database() -> None:
    """What a fresh server has after `migrate`: no content, no members (groups stay)."""
    for model in reversed(dataset_models()):
        model._base_manager.all().delete()


def row_counts() -> dict[str, int]:
    counts = {m._meta.label: m._base_manager.count() for m in dataset_models()}
    counts["through"] = sum(
        f.remote_field.through.objects.count() for f in Annotation._meta.many_to_many
    )
    counts["groups"] = get_user_model().groups.through.objects.count()
    return counts


def test_every_provisions_model_is_in_the_backup():
    # A new model must be added to dataset_models() (in reference order), or backups lose it,
    # unless left_out_models() says why it is not kept.
    assert set(apps.get_app_config("provisions").get_models()) <= set(dataset_models()) | (
        left_out_models()
    )


def test_export_format(dataset_content):
    document = json.loads(export_text())
    assert document["format"] == "treatywatch-dataset" and document["version"] == 1
    assert "password hashes" in document["notice"]
    data = document["data"]
    assert set(data) == {"auth.group"} | {m._meta.label_lower for m in dataset_models()}
    assert len(data["provisions.article"]) == 68
    assert {row["status"] for row in data["provisions.annotation"]} == {
        "draft", "submitted", "published", "rejected",
    }  # fmt: skip
    assert {row["status"] for row in data["provisions.provisionlink"]} == {
        "proposed", "approved", "rejected",
    }  # fmt: skip
    published = next(
        r for r in data["provisions.annotation"] if r["id"] == dataset_content["published"].pk
    )
    assert published["tags"] and published["concerns"] and published["demands"]
    alice = next(r for r in data["auth.user"] if r["username"] == "alice")
    assert alice["groups"] == ["Analysts"]
    assert alice["password"].startswith("md5$")  # the hash, never a clear password
    assert "correct-horse-battery" not in json.dumps(data)
    assert len(data["provisions.revision"]) >= 8
    editors = next(g for g in data["auth.group"] if g["name"] == "Editors")
    assert "provisions.change_annotation" in editors["permissions"]


def test_round_trip_into_an_empty_database_gives_the_same_data(dataset_content):
    before = export_text()
    counts_before = row_counts()
    empty_the_database()
    assert not Article.objects.exists() and not get_user_model().objects.exists()

    counts = dataset_import(stream=io.StringIO(before))

    assert comparable(export_text()) == comparable(before)
    assert row_counts() == counts_before
    assert counts["provisions.article"] == 68
    # Ids survive, so permalinks do; members can still sign in; roles survive.
    published = Annotation.objects.get(pk=dataset_content["published"].pk)
    assert published.body == "Published **analysis**." and published.status == "published"
    assert published.created_at == dataset_content["published"].created_at  # auto_now_add kept
    assert published.updated_at == dataset_content["published"].updated_at  # auto_now kept
    assert sorted(published.tags.values_list("name", flat=True)) == ["safeguards", "warrants"]
    assert Annotation.objects.get(pk=dataset_content["reply"].pk).in_reply_to_id == published.pk
    alice = get_user_model().objects.get(username="alice")
    assert alice.check_password("correct-horse-battery")
    assert alice.member.display_name == "Alice Analyst"
    # Editors' translations, with their history.
    assert Translation.objects.get(concern__slug="gender-risks", language="ar").text == "نص تجريبي."
    assert Translation.objects.get(article__number=24, language="fr").text == "Résumé."
    assert Revision.objects.filter(target_type="translation").count() == 2
    assert list(alice.groups.values_list("name", flat=True)) == ["Analysts"]
    assert get_user_model().objects.get(username="root").is_superuser


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="search vectors are PostgreSQL's")
def test_search_vectors_are_rebuilt_after_an_import(dataset_content):
    text = export_text()
    assert "search_vector" not in text  # derived data stays out of the file
    empty_the_database()
    dataset_import(stream=io.StringIO(text))
    assert not Article.objects.filter(search_vector__isnull=True).exists()
    assert not Annotation.objects.filter(search_vector__isnull=True).exists()


def test_new_rows_after_an_import_get_fresh_ids(dataset_content):
    document = json.loads(export_text())
    # An id far above anything the database has handed out: the sequence must move past it.
    draft = next(r for r in document["data"]["provisions.annotation"] if r["status"] == "draft")
    draft["id"] = 10_000
    empty_the_database()
    dataset_import(stream=io.StringIO(json.dumps(document)))
    alice = get_user_model().objects.get(username="alice")
    created = annotation_create(
        provision=Provision.objects.get(eid="art_3"), author=alice, body="After the move."
    )
    assert created.pk > 10_000
    assert Revision.objects.filter(target_id=created.pk, action="created").exists()


def test_import_refuses_a_database_with_content(dataset_content):
    text = export_text()
    before = row_counts()
    with pytest.raises(DatasetError, match="--force"):
        dataset_import(stream=io.StringIO(text))
    assert row_counts() == before


def test_allow_non_empty_replaces_the_data(dataset_content, analyst):
    text = export_text()
    # Changes after the backup are undone by restoring it.
    annotation_create(provision=Provision.objects.get(eid="art_5"), author=analyst, body="Later")
    Article.objects.filter(number=5).update(title="Changed")
    dataset_import(stream=io.StringIO(text), allow_non_empty=True)
    assert comparable(export_text()) == comparable(text)
    assert Article.objects.get(number=5).title != "Changed"


def good_document(dataset_content) -> dict:
    return json.loads(export_text())


def broken(document: dict, change) -> str:
    change(document)
    return json.dumps(document)


def set_first(label, field, value):
    def change(document):
        document["data"][label][0][field] = value

    return change


BAD_FILES = {
    "not json": (lambda doc: None, "not valid JSON"),
    "wrong format": (lambda doc: doc.update(format="something-else"), "not a TreatyWatch"),
    "wrong version": (lambda doc: doc.update(version=2), "Unsupported dataset version 2"),
    "missing section": (lambda doc: doc["data"].pop("provisions.tag"), "lacks: provisions.tag"),
    "rows not a list": (
        lambda doc: doc["data"].update({"provisions.tag": {}}),
        "must be a list of objects",
    ),
    "unknown field": (set_first("provisions.annotation", "colour", "red"), "unknown fields colour"),
    "bad date": (set_first("provisions.annotation", "created_at", "yesterday"), "created_at"),
    "naive date": (
        set_first("provisions.annotation", "created_at", "2025-10-27T10:00:00"),
        "no time zone",
    ),
    "missing required value": (set_first("provisions.article", "title", None), "cannot be empty"),
    "check constraint": (
        set_first("provisions.annotation", "status", "bogus"),
        "refused provisions.annotation",
    ),
    "dangling reference": (
        set_first("provisions.annotation", "provision_id", 999_999),
        "refused references between rows",
    ),
    "duplicate id": (
        lambda doc: doc["data"]["provisions.tag"].append(dict(doc["data"]["provisions.tag"][0])),
        "refused provisions.tag",
    ),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_file_changes_nothing_and_says_why(dataset_content, case):
    change, message = BAD_FILES[case]
    text = "{not json" if case == "not json" else broken(good_document(dataset_content), change)
    empty_the_database()
    before = row_counts()
    with pytest.raises(DatasetError, match=message):
        dataset_import(stream=io.StringIO(text))
    assert row_counts() == before
    assert not Article.objects.exists() and not Group.objects.filter(name="").exists()


# --- Commands --------------------------------------------------------------------------------


def test_export_command_writes_a_private_file(dataset_content, tmp_path):
    path = tmp_path / "backup.json"
    out = io.StringIO()
    call_command("export_dataset", str(path), stdout=out)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert json.loads(path.read_text())["format"] == "treatywatch-dataset"
    report = out.getvalue()
    assert "provisions.article: 68" in report
    assert "password hashes" in report


def test_export_command_tightens_an_existing_file(dataset_content, tmp_path):
    path = tmp_path / "old.json"
    path.write_text("old")
    path.chmod(0o644)
    call_command("export_dataset", str(path), stdout=io.StringIO())
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_export_command_to_standard_output(dataset_content, capsys):
    err = io.StringIO()
    call_command("export_dataset", "-", stderr=err)
    document = json.loads(capsys.readouterr().out)
    assert len(document["data"]["provisions.article"]) == 68
    assert "provisions.article: 68" in err.getvalue()  # progress stays off the data stream


def test_import_command_round_trip_and_refusal(dataset_content, tmp_path):
    path = tmp_path / "backup.json"
    call_command("export_dataset", str(path), stdout=io.StringIO())
    with pytest.raises(CommandError, match="already holds articles or annotations"):
        call_command("import_dataset", str(path), stdout=io.StringIO())

    out = io.StringIO()
    call_command("import_dataset", str(path), "--force", stdout=out)
    assert "provisions.annotation: " in out.getvalue()
    assert "Imported" in out.getvalue()
    assert comparable(export_text()) == comparable(path.read_text())


def test_export_import_export_is_byte_identical_but_for_exported_at(dataset_content, tmp_path):
    """The export's own audit event is written after the data is read, so a file re-exported
    from its import is the same bytes; only the `exported_at` line may differ."""
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    call_command("export_dataset", str(first), stdout=io.StringIO())
    assert AuditEvent.objects.filter(action="dataset.exported").count() == 1  # it was recorded
    empty_the_database()
    call_command("import_dataset", str(first), stdout=io.StringIO())
    call_command("export_dataset", str(second), stdout=io.StringIO())

    def lines(path):
        return [
            line
            for line in path.read_bytes().split(b"\n")
            if not line.startswith(b'"exported_at": ')
        ]

    assert first.read_bytes() != second.read_bytes()  # the time of export differs…
    assert lines(first) == lines(second)  # …and nothing else, byte for byte
    assert len(lines(first)) == first.read_bytes().count(b"\n")  # one line left out


def test_import_command_reports_bad_files(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"format": "treatywatch-dataset", "version": 1}')
    with pytest.raises(CommandError, match="no “data” object"):
        call_command("import_dataset", str(path), stdout=io.StringIO())
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_dataset", str(tmp_path / "missing.json"), stdout=io.StringIO())


def test_round_trip_keeps_editors_second_factor(editor):
    """A restored editor still needs their authenticator (and recovery codes still work)."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)
    static = StaticDevice.objects.create(user=editor, name="recovery", confirmed=True)
    for token in ("abcd1234", "efgh5678"):
        static.token_set.create(token=token)
    tokens = ["abcd1234", "efgh5678"]
    before = export_text()
    empty_the_database()
    dataset_import(stream=io.StringIO(before))
    restored = TOTPDevice.objects.get(user__username=editor.username)
    assert restored.key == device.key and restored.confirmed
    restored_tokens = StaticToken.objects.filter(device__user__username=editor.username)
    assert sorted(restored_tokens.values_list("token", flat=True)) == tokens


def test_a_file_from_before_revisions_recorded_their_status_imports_with_it(dataset_content):
    """Older backups carry a revision's status only in its snapshot: the import takes it from
    there (as migration 0006 did), so editors still read the history from submission on."""
    document = json.loads(export_text())
    expected = {row["id"]: row["target_status"] for row in document["data"]["provisions.revision"]}
    assert "draft" in expected.values() and "published" in expected.values()
    for row in document["data"]["provisions.revision"]:
        del row["target_status"]
    empty_the_database()
    dataset_import(stream=io.StringIO(json.dumps(document)))
    assert dict(Revision.objects.values_list("pk", "target_status")) == expected


def test_language_versions_survive_a_round_trip(arabic):
    from provisions.models import ProvisionText, TextVersion

    """Every language version and its rows (a partial one here, synthetic Arabic 1–15)."""
    before = export_text()
    document = json.loads(before)
    assert len(document["data"]["provisions.provisiontext"]) == ProvisionText.objects.count() > 0
    empty_the_database()
    dataset_import(stream=io.StringIO(before))
    assert comparable(export_text()) == comparable(before)
    version = TextVersion.objects.get(language="ar")
    assert version.partial and version.articles == list(range(1, 16))
    row = ProvisionText.objects.get(text_version=version, provision__eid="art_2__subpara_h")
    assert row.text == "جملة تجريبية رقم 2-8؛"


def test_a_file_from_before_language_versions_imports_as_english(dataset_content):
    from provisions.models import TextVersion

    document = json.loads(export_text())
    for row in document["data"]["provisions.textversion"]:
        for name in ("language", "articles", "partial", "chapter_titles"):
            row.pop(name, None)
    document["data"].pop("provisions.provisiontext", None)
    empty_the_database()
    dataset_import(stream=io.StringIO(json.dumps(document)))
    assert set(TextVersion.objects.values_list("language", flat=True)) <= {"en"}
