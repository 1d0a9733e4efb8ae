"""`manage.py import_convention` writes the official text over the seeded structure, keeps the
text it replaces as versions, is idempotent, and refuses bad files without changing anything.

The samples in tests/data/import/ hold articles 1–6 of an invented Convention in the official
layout, so every import here passes `--expected-articles 6`; the seeded articles 7–68 are left
as they are (docs/importing.md).
"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils.html import escape

from provisions.anchoring import make_selectors
from provisions.importing.extract import DEFAULT_MAX_FILE_BYTES
from provisions.importing.importer import DEFAULT_LABEL, official_title
from provisions.models import (
    Annotation,
    Article,
    Chapter,
    Provision,
    ProvisionLink,
    ProvisionVersion,
    Revision,
    TextVersion,
    Treaty,
)
from provisions.services import annotation_create
from tests.helpers import SAMPLES, text_of

pytestmark = pytest.mark.django_db

SOURCE = "https://documents.un.org/doc/undoc/gen/n24/sample.pdf"

EXPECTED_TREE = [
    # (eid, kind, label, parent eid, position)
    ("preamble", "preamble", "", None, 0),
    ("preamble__recital_1", "recital", "1", "preamble", 1),
    ("preamble__recital_2", "recital", "2", "preamble", 2),
    ("preamble__recital_3", "recital", "3", "preamble", 3),
    ("preamble__recital_4", "recital", "4", "preamble", 4),
    ("art_1", "article", "1", None, 1000),
    ("art_1__subpara_a", "subparagraph", "(a)", "art_1", 1001),
    ("art_1__subpara_b", "subparagraph", "(b)", "art_1", 1002),
    ("art_1__subpara_c", "subparagraph", "(c)", "art_1", 1003),
    ("art_2", "article", "2", None, 2000),
    # The definitions: lettered items directly under the article.
    *[
        (f"art_2__subpara_{letter}", "subparagraph", f"({letter})", "art_2", 2001 + i)
        for i, letter in enumerate("abcdefghij")
    ],
    ("art_3", "article", "3", None, 3000),
    ("art_3__para_1", "paragraph", "1", "art_3", 3001),
    ("art_3__para_2", "paragraph", "2", "art_3", 3002),
    ("art_3__para_2__subpara_a", "subparagraph", "(a)", "art_3__para_2", 3003),
    ("art_3__para_2__subpara_b", "subparagraph", "(b)", "art_3__para_2", 3004),
    ("art_3__para_2__subpara_c", "subparagraph", "(c)", "art_3__para_2", 3005),
    ("art_4", "article", "4", None, 4000),
    ("art_4__para_1", "paragraph", "1", "art_4", 4001),
    ("art_4__para_2", "paragraph", "2", "art_4", 4002),
    ("art_4__para_3", "paragraph", "3", "art_4", 4003),
    ("art_5", "article", "5", None, 5000),
    ("art_5__para_1", "paragraph", "1", "art_5", 5001),
    ("art_5__para_2", "paragraph", "2", "art_5", 5002),
    ("art_6", "article", "6", None, 6000),
    ("art_6__para_1", "paragraph", "1", "art_6", 6001),
    ("art_6__para_2", "paragraph", "2", "art_6", 6002),
    ("art_6__para_3", "paragraph", "3", "art_6", 6003),
]


def run_import(name: str, *args: str, expected: str = "6") -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(
        "import_convention",
        str(SAMPLES / name),
        "--expected-articles",
        expected,
        *args,
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


def snapshot() -> dict:
    """Everything an import may write, as plain values."""
    return {
        "provisions": list(
            Provision.objects.order_by("pk").values_list(
                "pk",
                "eid",
                "kind",
                "label",
                "position",
                "text",
                "is_official_text",
                "article_id",
                "parent_id",
                "added_in",
                "retired_in",
            )
        ),
        "versions": list(ProvisionVersion.objects.order_by("pk").values_list("pk", "text")),
        "text_versions": list(TextVersion.objects.values_list("label", "source")),
        "articles": list(
            Article.objects.order_by("pk").values_list(
                "pk", "title", "title_confirmed", "chapter_id", "summary"
            )
        ),
        "chapters": list(Chapter.objects.order_by("pk").values_list("pk", "title")),
        "label": Treaty.objects.get().text_version_label,
        "annotations": list(
            Annotation.objects.order_by("pk").values_list(
                "pk", "provision_id", "selectors", "anchor_state", "version"
            )
        ),
        "links": list(
            ProvisionLink.objects.order_by("pk").values_list("pk", "provision_id", "needs_review")
        ),
        "revisions": Revision.objects.count(),
    }


@pytest.fixture
def annotated(analyst):
    """A note on words of article 1's editorial summary, which the first import replaces."""
    provision = Provision.objects.get(eid="art_1")
    words = provision.text[:30]
    return annotation_create(
        provision=provision,
        author=analyst,
        body="On the summary.",
        selectors=make_selectors(provision.text, 0, len(words)),
    )


# --- The tree ---------------------------------------------------------------------------------


def test_import_writes_the_tree_in_reading_order_as_official_text():
    art_3_pk = Provision.objects.get(eid="art_3").pk
    run_import("convention-sample.txt")

    imported = Provision.objects.filter(position__lt=7000).select_related("parent", "article")
    tree = [
        (p.eid, p.kind, p.label, p.parent.eid if p.parent else None, p.position) for p in imported
    ]
    assert tree == EXPECTED_TREE
    assert all(p.is_official_text for p in imported)
    assert {p.article_id for p in imported if p.kind in ("preamble", "recital")} == {None}
    assert {p.article.number for p in imported if p.eid.startswith("art_4")} == {4}
    # The article-level provision is the same row (what hangs on it stays), now official.
    art_3 = Provision.objects.get(eid="art_3")
    assert art_3.pk == art_3_pk
    assert art_3.text == ""  # article 3 starts with paragraph 1
    assert Provision.objects.get(eid="art_5").text == (
        "This article applies to legal persons of every sample kind."
    )
    assert Provision.objects.get(eid="art_2").text == "For the purposes of this Convention:"
    assert Provision.objects.get(eid="art_2__subpara_h").text.endswith(
        "(ii) Held for a reader who asked for it to be kept private;"
    )
    assert Provision.objects.get(eid="preamble").text == "The States Parties to this Convention,"


def test_titles_are_taken_from_the_official_text_confirmed_and_reported():
    article_3 = Article.objects.get(number=3)
    summary = article_3.summary
    out, _err = run_import("convention-sample.txt")

    article_3.refresh_from_db()
    assert article_3.title == "Illicit access to the whole or any part of a sample system"
    assert article_3.title_confirmed
    assert article_3.summary == summary  # the editorial summary stays, beside the text
    assert Article.objects.filter(number__lte=6, title_confirmed=False).count() == 0
    assert (
        "Title of article 3: “Scope of application” → "
        "“Illicit access to the whole or any part of a sample system”"
    ) in out
    assert "Title of article 1" not in out  # unchanged titles are not listed as changed
    assert "Title of chapter III: “Jurisdiction” → “Final provisions”" in out
    assert "Article 6 moved from chapter I to chapter III." in out
    assert Article.objects.get(number=6).chapter.number == "III"


def test_articles_beyond_the_file_are_left_alone():
    before = Article.objects.filter(number__gt=6).values_list("title", "title_confirmed")
    before = list(before)
    art_7 = Provision.objects.get(eid="art_7")
    run_import("convention-sample.txt")
    assert (
        list(Article.objects.filter(number__gt=6).values_list("title", "title_confirmed")) == before
    )
    art_7.refresh_from_db()
    assert not art_7.is_official_text
    assert art_7.text == Article.objects.get(number=7).summary


def test_report_counts_and_progress():
    out, err = run_import("convention-sample.txt")
    assert "Found 6 articles, 10 paragraphs, 16 sub-paragraphs and 4 recitals." in out
    assert (
        "Provisions: 31 added, 6 changed, 0 unchanged, 0 dropped from the text (kept, not shown)."
    ) in out
    assert f"Text version: “Editorial summaries” (kept) → “{DEFAULT_LABEL}”." in out
    assert "Annotations re-anchored: 0 in place, 0 moved" in out
    assert "Import complete." in out
    # Progress, per chapter and article, on stderr.
    assert "Chapter I. General provisions" in err
    assert "  Article 6. Signature, ratification and accession" in err
    assert err.index("Chapter II.") < err.index("Article 3.") < err.index("Chapter III.")


# --- Idempotence, dry run, PDF ------------------------------------------------------------


def test_second_import_of_the_same_file_changes_nothing():
    run_import("convention-sample.txt")
    after_first = snapshot()
    out, _err = run_import("convention-sample.txt")
    assert snapshot() == after_first
    assert "No changes: the database already holds this text." in out
    assert "Import complete." not in out


def test_same_file_under_another_label_changes_nothing_and_keeps_the_label():
    run_import("convention-sample.txt")
    after_first = snapshot()
    out, _err = run_import("convention-sample.txt", "--label", "Another name")
    assert snapshot() == after_first
    assert f"The version label stays “{DEFAULT_LABEL}”." in out


def test_dry_run_reports_the_same_and_changes_nothing(annotated):
    before = snapshot()
    dry, _err = run_import("convention-sample.txt", "--dry-run")
    assert snapshot() == before
    assert "Dry run: nothing was saved." in dry
    assert "0 fuzzy (to confirm), 1 orphaned (to fix)." in dry
    real, _err = run_import("convention-sample.txt")
    assert dry.replace("Dry run: nothing was saved.", "").strip() == (
        real.replace("Import complete.", "").strip()
    )


def test_pdf_imports_exactly_like_the_text():
    run_import("convention-sample.pdf")
    from_pdf = snapshot()
    out, _err = run_import("convention-sample.txt")
    assert "No changes" in out
    assert snapshot() == from_pdf


# --- Versions -------------------------------------------------------------------------------


def test_earlier_texts_are_kept_as_labelled_versions():
    summaries = {a.number: a.summary for a in Article.objects.filter(number__lte=6)}
    run_import("convention-sample.txt", "--source", SOURCE)

    kept = ProvisionVersion.objects.select_related("provision").order_by("provision__position")
    assert [(v.provision.eid, v.label, v.text, v.is_official_text) for v in kept] == [
        (f"art_{n}", "Editorial summaries", summaries[n], False) for n in range(1, 7)
    ]
    treaty = Treaty.objects.get()
    assert treaty.text_version_label == DEFAULT_LABEL
    assert list(treaty.text_versions.values_list("label", "source", "is_official_text")) == [
        ("Editorial summaries", "", False),
        (DEFAULT_LABEL, SOURCE, True),
    ]
    assert Provision.objects.get(eid="art_2__subpara_h").added_in == DEFAULT_LABEL
    assert Provision.objects.get(eid="art_2").added_in == ""

    out, _err = run_import("convention-sample-v2.txt", "--label", "Corrigendum", "--source", "x")
    changed = ProvisionVersion.objects.filter(label=DEFAULT_LABEL).select_related("provision")
    assert {v.provision.eid for v in changed} == {
        "preamble__recital_2",
        "art_2__subpara_c",
        "art_3__para_2__subpara_b",
        "art_6__para_1",
        "art_6__para_2",
        "art_6__para_3",
    }
    assert {v.source for v in changed} == {SOURCE}
    custodian = changed.get(provision__eid="art_2__subpara_c")
    assert custodian.text == "“Custodian” shall mean a person who keeps test records for others;"
    assert "Provisions: 0 added, 6 changed, 30 unchanged, 1 dropped" in out
    assert "Dropped: art_3__para_2__subpara_c" in out


def test_a_dropped_provision_is_kept_but_no_longer_shown():
    run_import("convention-sample.txt")
    run_import("convention-sample-v2.txt", "--label", "Corrigendum")
    dropped = Provision.objects.get(eid="art_3__para_2__subpara_c")
    assert dropped.retired_in == "Corrigendum"
    article = Article.objects.for_rendering().get(number=3)
    assert "art_3__para_2__subpara_c" not in [p.eid for p in article.provisions.all()]
    assert Provision.objects.current().filter(eid="art_3__para_2__subpara_c").count() == 0


# --- Refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected", "message"),
    [
        ("not-a-convention.txt", "6", "No chapter heading"),
        ("out-of-order.txt", "6", "Article 4 follows Article 2"),
        ("convention-sample.txt", "68", "Found 6 articles; the Convention has 68."),
    ],
)
def test_files_that_are_not_the_convention_are_refused_and_nothing_changes(name, expected, message):
    before = snapshot()
    with pytest.raises(CommandError, match=message) as refused:
        run_import(name, expected=expected)
    assert "Nothing was changed." in str(refused.value)
    assert snapshot() == before


def test_unreadable_pdf_is_refused(tmp_path):
    broken = tmp_path / "convention.pdf"
    broken.write_bytes(b"%PDF-1.7 truncated")
    before = snapshot()
    with pytest.raises(CommandError, match="starts like a PDF but cannot be read"):
        call_command("import_convention", str(broken), stdout=StringIO(), stderr=StringIO())
    assert snapshot() == before


def test_a_changed_text_under_a_label_already_used_is_refused(annotated):
    run_import("convention-sample.txt")
    before = snapshot()
    with pytest.raises(CommandError, match="already names a version"):
        run_import("convention-sample-v2.txt")  # the default label, already taken
    with pytest.raises(CommandError, match="already names a version"):
        run_import("convention-sample-v2.txt", "--label", "Editorial summaries")
    assert snapshot() == before


def test_expected_articles_must_be_positive():
    with pytest.raises(CommandError, match="at least 1"):
        run_import("convention-sample.txt", expected="0")


def test_a_file_above_the_size_limit_is_refused_before_it_is_read(tmp_path):
    """Issue 11 §7: the import refuses files above a documented size (--max-bytes)."""
    before = snapshot()
    sample = SAMPLES / "convention-sample.txt"
    size = sample.stat().st_size
    with pytest.raises(CommandError, match=f"larger than {size - 1:,} bytes") as refused:
        run_import("convention-sample.txt", "--max-bytes", str(size - 1))
    assert "--max-bytes" in str(refused.value) and "Nothing was changed." in str(refused.value)
    assert snapshot() == before
    # The default: a file one byte over it is refused, and no more than that is read from it.
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * (DEFAULT_MAX_FILE_BYTES + 1))
    with pytest.raises(CommandError, match=f"larger than {DEFAULT_MAX_FILE_BYTES:,} bytes"):
        call_command("import_convention", str(big), stdout=StringIO(), stderr=StringIO())
    assert snapshot() == before
    # At the limit the file is imported as usual.
    out, _err = run_import("convention-sample.txt", "--max-bytes", str(size))
    assert "Import complete." in out
    with pytest.raises(CommandError, match="at least 1"):
        run_import("convention-sample.txt", "--max-bytes", "0")


# --- Titles set in capitals -----------------------------------------------------------------


def test_titles_in_capitals_keep_the_stored_spelling_or_become_sentence_case():
    assert official_title("GENERAL PROVISIONS", "General provisions") == "General provisions"
    assert official_title("FINAL PROVISIONS", "Jurisdiction") == "Final provisions"
    assert official_title("Use of terms", "Use of Terms") == "Use of terms"


def test_the_preamble_is_read_on_the_table_of_contents(client):
    html = text_of(client.get("/convention/"))
    assert 'id="preamble-title"' not in html  # the editorial summary has no preamble
    run_import("convention-sample.txt")
    html = client.get("/convention/").content.decode()
    assert '<h2 id="preamble-title">Preamble</h2>' in html
    for provision in Provision.objects.filter(article__isnull=True):
        # Every preamble provision's address (a search result, an annotation's source) lands here.
        path, anchor = provision.get_absolute_url().split("#")
        assert path == "/convention/" and f'id="{anchor}"' in html
        assert escape(provision.text) in html
    assert "Recital 2:" in html
