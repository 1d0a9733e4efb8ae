"""Importing annotations made elsewhere (issue 13, "Import annotations made elsewhere").

The files in tests/data/annotations are what Hypothesis's client exports and what W3C Web
Annotation tools write, made on this site's article pages after the sample official text
(tests/data/import) is imported. Notes are placed by their quote and its context, never by a
position alone; what cannot be placed is imported as an orphan with its reason; the same file
twice changes nothing.
"""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from provisions.anchoring import normalise_selectors
from provisions.importing import annotation_files
from provisions.importing.annotation_notes import MAX_UPLOAD_BYTES, AnnotationFileRefused
from provisions.models import Annotation, AuditEvent, Provision, Revision
from provisions.services import annotation_create, annotation_publish, annotation_submit
from provisions.services.anchors import anchor_pick
from provisions.services.annotation_import import annotation_import, annotation_import_plan
from tests.helpers import API, bearer, make_member, token_for

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data" / "annotations"
HYPOTHESIS = DATA / "hypothesis-export.json"
PAGE = reverse("provisions:annotation_import")


def provision(eid: str) -> Provision:
    return Provision.objects.get(eid=eid)


def by_id(original_id: str) -> Annotation:
    return Annotation.objects.get(imported_id=original_id)


def run(path: Path, importer, **kwargs):
    plan = annotation_import_plan(raw=path.read_bytes(), **kwargs)
    return plan, annotation_import(plan=plan, importer=importer)


def position(annotation: Annotation) -> tuple[int, int]:
    found = annotation.selector("TextPositionSelector")
    return found["start"], found["end"]


def quote_at(annotation: Annotation) -> str:
    start, end = position(annotation)
    return annotation.provision.text[start:end]


# --- Hypothesis ------------------------------------------------------------------------------


def test_a_hypothesis_export_is_placed_by_quote_and_nothing_is_dropped(official, analyst):
    plan, result = run(HYPOTHESIS, analyst)
    assert plan.source_label == "Hypothesis"
    assert len(result.created) == 9 == Annotation.objects.count()  # nothing dropped

    first = by_id("8nQ2kEZ4Ee-aB3fXr1tVKw")
    # "sample system" is in three provisions of Article 3: the context names paragraph 1, and
    # the page-level position (1412) is never read as an offset into a provision.
    assert first.provision.eid == "art_3__para_1"
    assert quote_at(first) == "sample system"
    assert first.provision.text[position(first)[1] :].startswith(" without right")
    assert first.anchor_state == Annotation.Anchor.ANCHORED
    assert first.status == Annotation.Status.DRAFT and first.author == analyst
    assert first.imported_from == "hypothesis"
    assert first.original_creator == "Rosa Example"
    assert first.original_created_at.isoformat() == "2026-11-18T14:02:11.402315+00:00"
    assert sorted(t.name for t in first.tags.all()) == ["access", "without right"]
    assert "<strong>without right</strong>" in first.body_html
    assert first.quote_source_official

    # Both replies join the thread's first note (threads are one level deep), on its provision.
    for reply_id in ("Fp1cWkZ5Ee-r9Hc2yWm0QA", "Lr7dYkZ5Ee-0c1mJvX9kTg"):
        reply = by_id(reply_id)
        assert reply.in_reply_to == first and reply.provision == first.provision
        assert reply.selectors == [] and reply.status == Annotation.Status.DRAFT
    assert by_id("Fp1cWkZ5Ee-r9Hc2yWm0QA").original_creator == "Sam Example"

    highlight = by_id("h8Jk1kZ6Ee-2MzQ9rR5cEw")
    assert highlight.provision.eid == "art_3__para_2__subpara_a"
    assert "highlight without a note" in highlight.body

    image = by_id("e4Wq0kZ6Ee-7Yb1GXc2lJw")
    assert image.provision.eid == "art_4__para_1" and quote_at(image) == "24/7 relay service"
    assert "![" not in image.body and "[relay diagram](https://example.org/relay.png)" in image.body
    assert "<img" not in image.body_html
    assert sorted(t.name for t in image.tags.all()) == ["infrastructure", "relays"]

    whole = by_id("q5Rs3kZ6Ee-4fMn5tT9gJw")
    assert whole.provision.eid == "art_5" and whole.selectors == []
    assert whole.anchor_state == Annotation.Anchor.ANCHORED
    # Markdown with raw HTML: shown as text, never as elements (the app's Markdown + nh3 path).
    assert "<script" not in whole.body_html and "<img" not in whole.body_html
    assert "&lt;script&gt;" in whole.body_html
    # The name is kept as text, one line, without the right-to-left override.
    assert whole.original_creator == "<b onmouseover=alert(1)>Mallory</b>evil"


def test_what_cannot_be_placed_is_an_orphan_with_its_reason(official, analyst):
    plan, _result = run(HYPOTHESIS, analyst)
    reasons = {p.note.original_id: p.orphan_reason for p in plan.notes if p.is_orphan}
    assert set(reasons) == {
        "T2bgakZ6Ee-LqL0QpWzdmw",
        "aX3pCkZ6Ee-m1sVZ0bq5Yg",
        "m0Pq2kZ6Ee-8dLk3sS7eHw",
    }
    assert "“any real treaty wording” are not in the text" in reasons["T2bgakZ6Ee-LqL0QpWzdmw"]
    assert "RangeSelector" in reasons["aX3pCkZ6Ee-m1sVZ0bq5Yg"]
    assert "not a page of the Convention" in reasons["m0Pq2kZ6Ee-8dLk3sS7eHw"]
    for original_id, reason in reasons.items():
        orphan = by_id(original_id)
        assert orphan.anchor_state == Annotation.Anchor.ORPHANED
        # The reason stays in its history, where the editor placing it reads it.
        revision = Revision.objects.get(target_type="annotation", target_id=orphan.pk)
        assert revision.action == "imported" and revision.note == reason
    # An orphan waits in its article; one made elsewhere at the beginning of the text.
    assert by_id("T2bgakZ6Ee-LqL0QpWzdmw").provision.article.number == 4
    unfound = by_id("T2bgakZ6Ee-LqL0QpWzdmw")
    assert unfound.quote == "any real treaty wording"
    # Its words never pass for the official text (or our summary): they are the note's page's.
    assert unfound.quote_source == "http://testserver/convention/articles/4/"
    assert not unfound.quote_source_official
    assert by_id("aX3pCkZ6Ee-m1sVZ0bq5Yg").selectors == []
    remarks = {p.note.original_id: p.note.remarks for p in plan.notes}
    assert any("image" in r for r in remarks["e4Wq0kZ6Ee-7Yb1GXc2lJw"])
    assert any("highlight" in r for r in remarks["h8Jk1kZ6Ee-2MzQ9rR5cEw"])


def test_a_source_url_names_a_copy_of_the_text(official, analyst):
    """Notes made on an address given as the Convention's text are placed anywhere in it."""
    plan = annotation_import_plan(
        raw=HYPOTHESIS.read_bytes(),
        source_urls=["https://example.org/blog/notes-on-the-convention/"],
    )
    blog = next(p for p in plan.notes if p.note.original_id == "m0Pq2kZ6Ee-8dLk3sS7eHw")
    assert not blog.is_orphan
    assert "sample offences" in blog.provision.text


def test_the_same_file_twice_changes_nothing(official, analyst):
    run(HYPOTHESIS, analyst)
    counts = (Annotation.objects.count(), Revision.objects.count(), AuditEvent.objects.count())
    plan, result = run(HYPOTHESIS, analyst)
    assert plan.already_count == 9 and not plan.has_changes and result.created == []
    assert (Annotation.objects.count(), Revision.objects.count(), AuditEvent.objects.count()) == (
        counts
    )


def test_a_reply_to_a_note_imported_earlier_joins_its_thread(official, analyst):
    data = json.loads(HYPOTHESIS.read_text())
    first_only = {**data, "annotations": data["annotations"][:1]}
    annotation_import(
        plan=annotation_import_plan(raw=json.dumps(first_only).encode()), importer=analyst
    )
    plan, _result = run(HYPOTHESIS, analyst)
    assert plan.already_count == 1
    root = by_id("8nQ2kEZ4Ee-aB3fXr1tVKw")
    assert by_id("Lr7dYkZ5Ee-0c1mJvX9kTg").in_reply_to == root


def test_replies_listed_before_their_thread_still_join_it(official, analyst):
    collection = json.loads((DATA / "w3c-collection.jsonld").read_text())
    items = collection["first"]["items"]
    # A reply to the reply, and both listed before the note they answer.
    answer = {
        **items[1],
        "id": "https://notes.example.org/annotations/9a8b7c6d-0004",
        "target": items[1]["id"],
    }
    collection["first"]["items"] = [answer, items[1], items[0], items[2]]
    plan = annotation_import_plan(raw=json.dumps(collection).encode())
    assert [p.note.number for p in plan.notes] == [1, 2, 3, 4]
    assert not any(p.is_orphan for p in plan.notes)
    annotation_import(plan=plan, importer=analyst)
    root = by_id(items[0]["id"])
    assert by_id(answer["id"]).in_reply_to == root == by_id(items[1]["id"]).in_reply_to


def test_a_loop_of_replies_is_imported_not_lost(official, analyst):
    collection = json.loads((DATA / "w3c-collection.jsonld").read_text())
    one, two = (dict(collection["first"]["items"][1]) for _ in range(2))
    one |= {"id": "urn:loop:1", "target": "urn:loop:2"}
    two |= {"id": "urn:loop:2", "target": "urn:loop:1"}
    collection["first"]["items"] = [one, two]
    plan = annotation_import_plan(raw=json.dumps(collection).encode())
    assert len(annotation_import(plan=plan, importer=analyst).created) == 2


def test_a_reply_whose_thread_is_missing_is_an_orphan(official, analyst):
    data = json.loads(HYPOTHESIS.read_text())
    reply_only = {**data, "annotations": [data["annotations"][1]]}
    plan = annotation_import_plan(raw=json.dumps(reply_only).encode())
    (planned,) = plan.notes
    assert planned.is_orphan and "neither in the file nor imported" in planned.orphan_reason
    (created,) = annotation_import(plan=plan, importer=analyst).created
    assert created.in_reply_to is None and created.anchor_state == "orphaned"


# --- W3C Web Annotation ----------------------------------------------------------------------


def test_a_single_w3c_annotation_with_an_out_of_range_position(official, analyst):
    """A quote that matches plus a position out of range: recomputed from the quote, as the
    API does (below)."""
    plan, result = run(DATA / "w3c-single.jsonld", analyst)
    assert plan.source_label == "W3C Web Annotation"
    (note,) = result.created
    assert note.provision.eid == "art_4__para_2" and quote_at(note) == "serious harm"
    assert note.original_creator == "Amal Example" and note.imported_from == "w3c"
    assert [t.name for t in note.tags.all()] == ["thresholds"]
    assert "<em>serious</em>" in note.body_html


def test_the_api_and_the_import_treat_an_out_of_range_position_alike(client, official, analyst):
    text = provision("art_4__para_2").text
    expected = text.index("serious harm")
    quote = {"type": "TextQuoteSelector", "exact": "serious harm"}
    for start, end in ((5000, 5012), (0, 12), (-3, 2)):
        selectors = normalise_selectors(
            text, [quote, {"type": "TextPositionSelector", "start": start, "end": end}]
        )
        assert selectors[1] == {
            "type": "TextPositionSelector",
            "start": expected,
            "end": expected + 12,
        }
    response = client.post(
        API + "annotations",
        {
            "type": "Annotation",
            "body": {"type": "TextualBody", "value": "Same rule.", "format": "text/markdown"},
            "target": {
                "source": "art_4__para_2",
                "selector": [quote, {"type": "TextPositionSelector", "start": 5000, "end": 5012}],
            },
        },
        content_type="application/json",
        **bearer(token_for(analyst)),
    )
    assert response.status_code == 201, response.content
    assert response.json()["target"]["selector"][1]["start"] == expected
    imported = run(DATA / "w3c-single.jsonld", analyst)[1].created[0]
    assert imported.selectors == Annotation.objects.get(body="Same rule.").selectors
    # Without a quote, a position out of range is still refused.
    with pytest.raises(Exception, match="outside this provision"):
        normalise_selectors(text, [{"type": "TextPositionSelector", "start": 0, "end": 9999}])


def test_a_w3c_array_ignores_a_range_beside_a_quote_and_refuses_one_alone(official, analyst):
    plan, result = run(DATA / "w3c-array.jsonld", analyst)
    xpath, ranged = result.created
    assert xpath.anchor_state == "orphaned" and xpath.provision.article.number == 3
    assert "XPathSelector" in plan.notes[0].orphan_reason
    assert ranged.provision.eid == "art_3__para_2__subpara_b"
    assert quote_at(ranged) == "holding period" and ranged.anchor_state == "anchored"
    # A creator given only by its address has no name to show; a nickname is a name.
    assert xpath.original_creator == "" and ranged.original_creator == "amal"


def test_an_annotation_collection_with_its_first_page_embedded(official, analyst):
    _plan, result = run(DATA / "w3c-collection.jsonld", analyst)
    recital, reply, definition = result.created[:1] + sorted(
        result.created[1:], key=lambda a: a.in_reply_to_id is None
    )
    assert recital.provision.eid == "preamble__recital_3"
    assert quote_at(recital) == "cross borders faster than the rules"
    assert reply.in_reply_to == recital and reply.original_creator == "Lin Example"
    assert definition.provision.eid == "art_2__subpara_b"
    assert quote_at(definition) == "any record made only to exercise an importer"
    assert [t.name for t in definition.tags.all()] == ["definitions"]


def test_a_page_that_is_only_linked_is_listed_never_fetched(official, analyst):
    collection = json.loads((DATA / "w3c-collection.jsonld").read_text())
    collection["first"]["next"] = "https://notes.example.org/collections/x?page=2"
    plan = annotation_import_plan(raw=json.dumps(collection).encode())
    assert len(plan.notes) == 3
    assert any("page=2" in line and "not fetched" in line for line in plan.skipped)
    collection["first"] = "https://notes.example.org/collections/x?page=1"
    plan = annotation_import_plan(raw=json.dumps(collection).encode())
    assert plan.notes == [] and "not fetched" in plan.skipped[0]


# --- TreatyWatch's own export ----------------------------------------------------------------


@pytest.mark.openapi
def test_our_own_json_ld_export_round_trips(client, official, analyst, editor):
    art3 = provision("art_3__para_1")
    words = "without right"
    start = art3.text.index(words)
    note = annotation_create(
        provision=art3,
        author=analyst,
        body="Round trip *note*.",
        selectors=[{"type": "TextQuoteSelector", "exact": words}],
        concerns=["weak-procedural-safeguards"],
        tags=["round trip"],
        status=Annotation.Status.SUBMITTED,
    )
    annotation_publish(annotation=note, editor=editor)
    reply = annotation_create(
        provision=art3, author=editor, body="A published reply.", in_reply_to=note
    )
    annotation_publish(annotation=reply, editor=editor)
    exported = client.get(reverse("provisions:export_annotations_jsonld"))
    raw = b"".join(exported.streaming_content) if exported.streaming else exported.content

    other = make_member("importer", "Analysts")
    # A concern this site does not know is left out, and the report says so.
    document = json.loads(raw)
    document["first"]["items"][-1]["concerns"].append("no-such-concern")
    raw = json.dumps(document).encode()
    plan, result = run_bytes(raw, other)
    remarks = [r for p in plan.notes for r in p.note.remarks]
    assert remarks == ["Not known here, left out: no-such-concern."]
    assert plan.source_label == "TreatyWatch" and len(result.created) == 2
    copy = Annotation.objects.get(author=other, in_reply_to__isnull=True)
    assert copy.imported_from == "treatywatch" and copy.imported_id.endswith(f"/{note.pk}")
    assert copy.provision == art3 and position(copy) == (start, start + len(words))
    assert [c.slug for c in copy.concerns.all()] == ["weak-procedural-safeguards"]
    assert [t.name for t in copy.tags.all()] == ["round trip"]
    assert copy.original_creator == "Alice Analyst"  # the public name readers saw
    assert Annotation.objects.get(author=other, in_reply_to=copy).body == "A published reply."
    # The API and the JSON-LD say where an imported note came from; exported again and imported
    # elsewhere, it still credits whoever wrote it first.
    annotation_submit(annotation=copy, user=other)
    annotation_publish(annotation=copy, editor=editor)
    again = client.get(f"{API}annotations/{copy.pk}").json()
    assert again["importedFrom"] == {
        "source": "treatywatch",
        "id": copy.imported_id,
        "creator": "Alice Analyst",
        "created": copy.original_created_at.isoformat(),
    }
    assert again["creator"]["name"] == other.member.display_name
    third = make_member("third", "Analysts")
    (reimported,) = run_bytes(json.dumps([again]).encode(), third)[1].created
    assert reimported.original_creator == "Alice Analyst"
    assert reimported.original_created_at == copy.original_created_at
    # And once more: nothing new.
    assert run_bytes(raw, other)[1].created == []


def run_bytes(raw: bytes, importer):
    plan = annotation_import_plan(raw=raw)
    return plan, annotation_import(plan=plan, importer=importer)


# --- Files that are refused as a whole ---------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "empty"),
        (b"\xff\xfe not utf-8", "not UTF-8"),
        (b"{not json", "not valid JSON"),
        (b"[" * 200_000 + b"]" * 200_000, "too deeply"),
        (b'{"annotations": [], "export_date": ' + b"9" * 50_000 + b"}", "not valid JSON"),
        (b'{"hello": "world"}', "not a file TreatyWatch can import"),
        (b'"a string"', "not a file TreatyWatch can import"),
    ],
)
def test_a_bad_file_is_refused_with_a_reason(official, raw, message):
    with pytest.raises(AnnotationFileRefused, match=message):
        annotation_import_plan(raw=raw)


def test_size_and_count_caps(official, monkeypatch):
    with pytest.raises(AnnotationFileRefused, match="larger than 1 KB"):
        annotation_import_plan(raw=b" " * 2048, limit=1024)
    monkeypatch.setattr(annotation_files, "MAX_NOTES", 2)
    with pytest.raises(AnnotationFileRefused, match="more than 2 annotations"):
        annotation_import_plan(raw=HYPOTHESIS.read_bytes())


def test_entries_that_are_not_annotations_and_repeated_ids_are_listed(official, analyst):
    data = json.loads(HYPOTHESIS.read_text())
    data["annotations"] = [42, data["annotations"][0], data["annotations"][0]]
    plan = annotation_import_plan(raw=json.dumps(data).encode())
    assert plan.skipped == ["Entry 1 is not an annotation object."]
    assert plan.notes[1].refused == "The same id appears earlier in the file."
    assert len(annotation_import(plan=plan, importer=analyst).created) == 1


def test_thousands_of_notes_are_planned_with_a_fixed_number_of_queries(official, analyst):
    """The plan reads the database a fixed number of times whatever the number of notes; the
    quote location it calls is bounded on its own (anchoring.py, tests/test_bounded_work.py).
    No wall-clock limit here: on a shared, loaded machine that only measures the neighbours."""
    data = json.loads(HYPOTHESIS.read_text())
    template = data["annotations"][0]
    data["annotations"] = [{**template, "id": f"bulk-{n}"} for n in range(3000)]
    raw = json.dumps(data).encode()
    with CaptureQueriesContext(connection) as queries:
        plan = annotation_import_plan(raw=raw)
    assert plan.placed_count == 3000
    assert len(queries) <= 10


# --- The command -------------------------------------------------------------------------------


def command(*args) -> str:
    out = StringIO()
    call_command("import_annotations", *args, stdout=out)
    return out.getvalue()


def test_the_command_dry_run_lists_orphans_and_writes_nothing(official, analyst):
    output = command(str(HYPOTHESIS), "--dry-run")
    assert "Dry run: nothing was saved." in output
    assert "to place: note 4 (T2bgakZ6Ee-LqL0QpWzdmw), waits on Article 4" in output
    assert "RangeSelector" in output and "image" in output
    assert not Annotation.objects.exists()


def test_the_command_imports_for_a_member_with_progress(official, analyst):
    output = command(str(HYPOTHESIS), "--as", analyst.username)
    assert "written 9 of 9" in output and "Imported 9 notes as drafts of" in output
    assert Annotation.objects.filter(author=analyst, status="draft").count() == 9
    assert "imported before" in command(str(HYPOTHESIS), "--as", analyst.username)
    assert Annotation.objects.count() == 9


@pytest.mark.parametrize("who", ["nobody", "inactive", "reader"])
def test_the_command_refuses_a_member_who_cannot_annotate(official, who):
    inactive = make_member("inactive", "Analysts")
    inactive.is_active = False
    inactive.save()
    make_member("reader", None)
    with pytest.raises(CommandError):
        command(str(HYPOTHESIS), "--as", who)
    assert not Annotation.objects.exists()


def test_the_command_needs_a_member_unless_dry_run(official, tmp_path):
    with pytest.raises(CommandError, match="--as USERNAME"):
        command(str(HYPOTHESIS))
    bad = tmp_path / "bad.json"
    bad.write_text("[[[")
    with pytest.raises(CommandError, match="not valid JSON.*Nothing was changed"):
        command(str(bad), "--dry-run")


# --- The editors' page -------------------------------------------------------------------------


def upload(client, path: Path = HYPOTHESIS, **extra):
    with path.open("rb") as handle:
        return client.post(PAGE, {"file": handle, **extra})


def test_the_preview_writes_nothing_within_its_query_budget(client, official, editor):
    client.force_login(editor)
    counts = (Annotation.objects.count(), Revision.objects.count(), AuditEvent.objects.count())
    with CaptureQueriesContext(connection) as queries:
        response = upload(client)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Preview: nothing is saved yet" in html
    assert "any real treaty wording" in html and "RangeSelector" in html
    assert "Import 9 notes as my drafts" in html
    # The untrusted name is shown as text.
    assert "&lt;b onmouseover=alert(1)&gt;Mallory&lt;/b&gt;" in html
    assert "<b onmouseover" not in html
    assert (Annotation.objects.count(), Revision.objects.count(), AuditEvent.objects.count()) == (
        counts
    )
    writes = [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert [w for w in writes if "provisions_" in w] == []
    # Session, user, authenticator, groups; the provisions and the notes imported before (the
    # plan: two, whatever the file's size); the navigation's badges (five, on every page).
    assert len(queries) == QUERY_BUDGET, "\n".join(q["sql"][:150] for q in queries)


QUERY_BUDGET = 11


def test_the_editor_confirms_and_the_notes_become_their_drafts(client, official, editor):
    client.force_login(editor)
    preview = upload(client)
    text = preview.context["file_text"]
    response = client.post(PAGE, {"confirm": "import", "file_text": text, "source_url": ""})
    assert response.status_code == 302 and response["Location"] == reverse("provisions:anchors")
    assert Annotation.objects.filter(author=editor, status="draft").count() == 9
    assert AuditEvent.objects.filter(action="annotations.imported", actor=editor).exists()
    anchors = client.get(reverse("provisions:anchors")).content.decode()
    assert "Quote of the imported note" in anchors and "any real treaty wording" in anchors
    assert "Quoted by the imported note" in anchors
    assert "not found in the text shown here" in anchors


def test_the_page_refuses_an_oversized_or_bad_file(client, official, editor, tmp_path):
    client.force_login(editor)
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (MAX_UPLOAD_BYTES + 1))
    response = upload(client, big)
    assert response.status_code == 400 and "larger than" in response.content.decode()
    bad = tmp_path / "bad.json"
    bad.write_text('{"type": "Something"}')
    response = upload(client, bad)
    assert response.status_code == 400 and "Nothing was changed" in response.content.decode()
    response = upload(client, source_url="javascript:alert(1)")
    assert response.status_code == 400
    assert not Annotation.objects.exists()


def test_who_may_reach_the_page(official, analyst, other_analyst, editor):
    anonymous = Client()
    assert anonymous.get(PAGE).status_code == 302
    assert anonymous.post(PAGE).status_code == 302
    for member in (analyst, other_analyst):
        client = Client()
        client.force_login(member)
        assert client.get(PAGE).status_code == 403
        with HYPOTHESIS.open("rb") as handle:
            assert client.post(PAGE, {"file": handle}).status_code == 403
    # An editor signed in without the second factor is sent to enter it first.
    half = Client()
    half.force_login(editor)
    response = half.post(PAGE, {"confirm": "import", "file_text": HYPOTHESIS.read_text()})
    assert response.status_code == 302 and "two-factor" in response["Location"]
    assert not Annotation.objects.exists()


def test_the_confirmation_needs_the_csrf_token(official, editor):
    from tests.helpers import verify_session

    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    verify_session(client, editor)
    response = client.post(PAGE, {"confirm": "import", "file_text": HYPOTHESIS.read_text()})
    assert response.status_code == 403
    assert not Annotation.objects.exists()


# --- Readers see who wrote it first ------------------------------------------------------------


def test_the_note_shows_its_original_author_and_source(client, official, analyst):
    run(HYPOTHESIS, analyst)
    client.force_login(analyst)
    first = by_id("8nQ2kEZ4Ee-aB3fXr1tVKw")
    html = client.get(first.get_absolute_url()).content.decode()
    assert "originally by Rosa Example" in html and "(imported from Hypothesis)" in html
    assert '<time datetime="2026-11-18T14:02:11' in html
    assert "originally by Sam Example" in html  # the reply, in the thread
    mallory = client.get(by_id("q5Rs3kZ6Ee-4fMn5tT9gJw").get_absolute_url()).content.decode()
    assert "originally by &lt;b onmouseover=alert(1)&gt;Mallory&lt;/b&gt;evil" in mallory


def test_an_editor_places_an_imported_orphan_in_any_article(official, editor):
    run(HYPOTHESIS, editor)
    blog = by_id("m0Pq2kZ6Ee-8dLk3sS7eHw")
    assert blog.provision.article_id is None  # its file named no page here: the beginning
    target = provision("art_1__subpara_b")
    placed = anchor_pick(
        annotation=blog,
        editor=editor,
        version=blog.version,
        provision=target,
        exact="sample offences",
    )
    assert placed.provision == target and placed.anchor_state == "anchored"
    # A note written here still stays in its article.
    mine = annotation_create(provision=provision("art_3__para_1"), author=editor, body="Mine.")
    with pytest.raises(ValidationError, match="same article"):
        anchor_pick(
            annotation=mine,
            editor=editor,
            version=mine.version,
            provision=target,
            exact="sample offences",
        )


# --- Identities (W3C §3.3.7) and what real Hypothesis exports hold ---------------------------


def test_an_imported_note_keeps_its_address_there_as_via_and_a_given_canonical(official, analyst):
    run(HYPOTHESIS, analyst)
    note = by_id("8nQ2kEZ4Ee-aB3fXr1tVKw")
    # Hypothesis gives no lasting identity: none is invented; its page there is `via`.
    assert (note.canonical, note.via) == ("", "https://hypothes.is/a/8nQ2kEZ4Ee-aB3fXr1tVKw")
    single = json.loads((DATA / "w3c-single.jsonld").read_text())
    single["canonical"] = "urn:uuid:0b8f3c1e-4c5d-4e6f-8a9b-0c1d2e3f4a5b"
    annotation_import(
        plan=annotation_import_plan(raw=json.dumps(single).encode()), importer=analyst
    )
    copied = by_id(single["id"])
    assert (copied.canonical, copied.via) == (single["canonical"], single["id"])
    served = Client().get(f"{API}annotations/{copied.pk}", **bearer(token_for(analyst))).json()
    assert (served["canonical"], served["via"]) == (single["canonical"], single["id"])


def test_a_canonical_that_is_no_address_is_left_out_and_said(official, analyst):
    single = json.loads((DATA / "w3c-single.jsonld").read_text())
    single["canonical"] = "javascript:alert(1)"
    (planned,) = annotation_import_plan(raw=json.dumps(single).encode()).notes
    assert planned.note.canonical == ""
    assert any("canonical identity" in remark for remark in planned.note.remarks)


def test_what_hypothesis_knew_of_a_note_is_said_and_a_missing_name_is_the_account(
    official, analyst
):
    data = json.loads(HYPOTHESIS.read_text())
    entry = dict(data["annotations"][0])
    entry |= {
        "id": "privateGroupNote1",
        "user_info": {"display_name": None},
        "permissions": {"read": ["group:Zq3xample"]},
        "hidden": True,
        "flagged": True,
    }
    plan = annotation_import_plan(raw=json.dumps({**data, "annotations": [entry]}).encode())
    (planned,) = plan.notes
    assert planned.note.creator == "rosa_example"
    remarks = " ".join(planned.note.remarks)
    assert "not public on Hypothesis" in remarks
    assert "moderators had hidden it" in remarks and "flagged" in remarks
    assert not planned.is_orphan


def test_a_note_on_a_pdf_is_placed_by_the_web_address_hypothesis_recorded_beside_it(
    official, analyst
):
    """Hypothesis names a PDF by its fingerprint (urn:x-pdf:…) and records the web address in
    `document.link`; that address, named as the Convention's text, places the note."""
    data = json.loads(HYPOTHESIS.read_text())
    entry = dict(data["annotations"][0])
    pdf = "urn:x-pdf:6c3f1a2b9d8e7f60"
    entry |= {
        "id": "pdfNote1",
        "uri": pdf,
        "target": [{**entry["target"][0], "source": pdf}],
        "document": {"link": [{"href": pdf}, {"href": "https://example.org/convention.pdf"}]},
    }
    raw = json.dumps({**data, "annotations": [entry]}).encode()
    (planned,) = annotation_import_plan(raw=raw).notes
    assert planned.is_orphan and pdf in planned.orphan_reason
    (planned,) = annotation_import_plan(
        raw=raw, source_urls=["https://example.org/convention.pdf"]
    ).notes
    assert not planned.is_orphan and planned.selectors[0]["exact"] == "sample system"
