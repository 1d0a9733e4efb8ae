"""Downloads are streamed as they are written and kept as files until the public data changes.

What is checked: a kept file is served again without a query and with the same bytes; every
kind of public write retires it; an interrupted or failed build leaves no file behind; without
the page cache (or without a writable folder) downloads still work, just unsaved; the streamed
JSON is the same document as the one built in memory.
"""

import csv
import io
import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import RequestFactory

from provisions import downloads, exports
from provisions.cache.generations import everything_changed
from provisions.downloads import SEPARATOR
from provisions.exports import Items, json_pieces
from provisions.models import Provision
from provisions.services import (
    annotation_create,
    annotation_publish,
    annotation_reject,
    link_approve,
    link_propose,
)
from provisions.views.exports import annotations_jsonld

pytestmark = pytest.mark.django_db

DOWNLOADS = [
    "/export/annotations.csv",
    "/export/annotations.jsonld",
    "/export/dataset.json",
    "/export/links.csv",
    "/convention/articles/24/export.csv",
    "/convention/articles/24/export.json",
    "/convention/articles/24/annotations.jsonld",
    "/concerns/weak-procedural-safeguards/export.json",
    "/safeguards/laws-meet-human-rights-standards/export.csv",
]


@pytest.fixture
def kept(settings, tmp_path):
    """The page cache on (downloads are kept under its generations), files in a fresh folder."""
    settings.TREATYWATCH_PAGE_CACHE = True
    settings.TREATYWATCH_DOWNLOADS_DIR = tmp_path / "downloads"
    cache.clear()
    yield settings.TREATYWATCH_DOWNLOADS_DIR
    cache.clear()


def files(folder) -> list[str]:
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def publish(analyst, editor, body, **relations):
    annotation = annotation_create(
        provision=Provision.objects.get(eid="art_24"),
        author=analyst,
        body=body,
        status="submitted",
        **relations,
    )
    return annotation_publish(annotation=annotation, editor=editor)


def annotation_ids(client) -> set[str]:
    text = client.get("/export/annotations.csv").getvalue().decode("utf-8-sig")
    return {row["id"] for row in csv.DictReader(io.StringIO(text))}


@pytest.mark.parametrize("url", DOWNLOADS)
def test_a_download_is_kept_and_served_again_without_a_query(
    url, kept, client, analyst, editor, django_assert_num_queries
):
    publish(analyst, editor, "Kept note", concerns=["weak-procedural-safeguards"])
    first = client.get(url)
    assert first.streaming and first["X-Page-Cache"] == "miss"
    body = first.getvalue()
    assert len(files(kept)) == 1 and files(kept)[0].endswith(SEPARATOR + url_filename(first))
    # The whole dataset costs nothing; one article's or concern's file, the check that it exists.
    with django_assert_num_queries(0 if url.startswith("/export/") else 1):
        again = client.get(url)
        assert again["X-Page-Cache"] == "hit"
        assert again.getvalue() == body
    assert again["Content-Disposition"] == first["Content-Disposition"]
    assert again["Content-Type"] == first["Content-Type"]


def test_a_file_kept_in_an_older_format_is_not_served(kept, client, analyst, editor):
    """A deploy that changes a download's format (here: CSV cells of several values, once
    joined by "; ") leaves the data's generations as they were; the old file must not be
    served, and it is replaced by the new one."""
    publish(analyst, editor, "Kept note", tags=["privacy; surveillance"])
    fresh = client.get("/export/annotations.csv").getvalue()
    (name,) = files(kept)
    version, filename = name.split(SEPARATOR)
    assert version.endswith(f".f{downloads.FORMAT}")
    older = kept / f"{version.rsplit('.f', 1)[0]}.f{downloads.FORMAT - 1}{SEPARATOR}{filename}"
    (kept / name).rename(older)
    older.write_bytes(b"id,tags\r\n1,privacy; surveillance\r\n")  # as the old code kept it
    response = client.get("/export/annotations.csv")
    assert response["X-Page-Cache"] == "miss"
    assert response.getvalue() == fresh
    assert files(kept) == [name]


def url_filename(response) -> str:
    return response["Content-Disposition"].split('filename="')[1].rstrip('"')


def test_every_public_write_retires_the_kept_file(kept, client, analyst, editor):
    first = publish(analyst, editor, "First note")
    assert annotation_ids(client) == {str(first.pk)}
    assert client.get("/export/annotations.csv")["X-Page-Cache"] == "hit"

    second = publish(analyst, editor, "Second note")  # publishing
    assert client.get("/export/annotations.csv")["X-Page-Cache"] == "miss"
    assert annotation_ids(client) == {str(first.pk), str(second.pk)}

    annotation_reject(annotation=first, editor=editor, reason="Withdrawn")  # withdrawing
    assert annotation_ids(client) == {str(second.pk)}

    link = link_propose(
        provision=Provision.objects.get(eid="art_24"),
        proposer=analyst,
        concern="weak-procedural-safeguards",
        rationale="LINK-SENTINEL",
    )
    client.get("/export/links.csv").getvalue()
    assert client.get("/export/links.csv")["X-Page-Cache"] == "hit"
    link_approve(link=link, editor=editor)  # approving a link
    assert b"LINK-SENTINEL" in client.get("/export/links.csv").getvalue()

    everything_changed()  # seeding, imports, the admin
    response = client.get("/export/links.csv")
    assert response["X-Page-Cache"] == "miss"
    assert b"LINK-SENTINEL" in response.getvalue()
    # Each download keeps only its newest file.
    assert sorted(name.split(SEPARATOR)[1] for name in files(kept)) == [
        "treatywatch-annotations.csv",
        "treatywatch-links.csv",
    ]


def test_a_draft_or_a_submission_keeps_the_file(kept, client, analyst):
    annotation_ids(client)
    annotation_create(
        provision=Provision.objects.get(eid="art_24"), author=analyst, body="Only a draft"
    )
    annotation_create(
        provision=Provision.objects.get(eid="art_24"),
        author=analyst,
        body="Submitted, not published",
        status="submitted",
    )
    assert client.get("/export/annotations.csv")["X-Page-Cache"] == "hit"


def test_a_reader_who_leaves_midway_leaves_no_file(kept, client, analyst, editor):
    publish(analyst, editor, "A note")
    request = RequestFactory().get("/export/annotations.jsonld")
    request.user = AnonymousUser()
    response = annotations_jsonld(request)
    next(iter(response.streaming_content))
    # What a WSGI server does when the reader goes away (keeping the test's database
    # connection open, as Django's test client does when it closes a response).
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    assert files(kept) == []
    again = client.get("/export/annotations.jsonld")
    assert again["X-Page-Cache"] == "miss"
    assert json.loads(again.getvalue())["total"] == 1
    assert len(files(kept)) == 1


def test_a_build_that_fails_leaves_no_file(kept, client, analyst, editor, monkeypatch):
    publish(analyst, editor, "A note")

    def broken(annotation, absolute):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(exports, "annotation_record", broken)
    response = client.get("/export/annotations.csv")
    with pytest.raises(RuntimeError):
        response.getvalue()
    assert files(kept) == []


def test_without_the_page_cache_downloads_are_streamed_and_not_kept(
    settings, tmp_path, client, analyst, editor
):
    settings.TREATYWATCH_PAGE_CACHE = False
    settings.TREATYWATCH_DOWNLOADS_DIR = tmp_path
    note = publish(analyst, editor, "A note")
    response = client.get("/export/annotations.csv")
    assert response.streaming and response["X-Page-Cache"] == "none"
    assert annotation_ids(client) == {str(note.pk)}
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_folder_still_serves_the_download(
    settings, kept, tmp_path, client, analyst, editor
):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings.TREATYWATCH_DOWNLOADS_DIR = blocker / "downloads"
    note = publish(analyst, editor, "A note")
    assert annotation_ids(client) == {str(note.pk)}


def test_signed_in_members_get_the_same_public_file(kept, client, analyst, editor):
    publish(analyst, editor, "Public note")
    annotation_create(
        provision=Provision.objects.get(eid="art_24"), author=analyst, body="DRAFT-SENTINEL"
    )
    anonymous = client.get("/export/annotations.csv")
    assert anonymous.status_code == 200
    anonymous = anonymous.getvalue()
    assert b"Public note" in anonymous and b"DRAFT-SENTINEL" not in anonymous
    client.force_login(analyst)
    response = client.get("/export/annotations.csv")
    assert response["X-Page-Cache"] == "hit"
    assert response.getvalue() == anonymous


@pytest.mark.parametrize(
    "document",
    [
        {"a": 1, "items": Items([]), "b": [1, 2]},
        {"items": Items([{"x": "é", "y": [1, {"z": None}]}, {"x": "<\u2028>"}])},
        {"outer": {"inner": Items(iter([1, 2, 3])), "after": "text"}, "last": True},
        {"plain": {"no": "items"}},
        [1, 2, 3],
    ],
)
def test_streamed_json_is_the_document_built_in_memory(document):
    def plain(value):
        if isinstance(value, Items):
            return [plain(item) for item in value.iterable]
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        return value

    expected = plain(document)  # consumes one-shot iterators: rebuild them for the stream
    rebuilt = json.loads(json.dumps(expected))
    streamed = "".join(json_pieces(_with_items(document, expected)))
    assert json.loads(streamed) == rebuilt


def _with_items(original, plain_value):
    """`original` again with each Items holding a fresh iterator over its plain items."""
    if isinstance(original, Items):
        return Items(iter(plain_value))
    if isinstance(original, dict):
        return {key: _with_items(original[key], plain_value[key]) for key in original}
    return original
