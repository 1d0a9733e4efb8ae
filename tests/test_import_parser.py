"""The official-text parser reads the UN's layout into the exact provision tree, or refuses.

The samples in tests/data/import/ are invented sentences in the official layout of A/RES/79/243:
the adopting resolution, then the annex with its preamble, chapters and articles, running heads
and feet on every page, words hyphenated at line ends and a paragraph broken across a page.
"""

import importlib.util

import pytest
from pypdf import PdfWriter

from provisions.importing.extract import extract_text
from provisions.importing.layout import clean_lines
from provisions.importing.parser import parse_convention
from provisions.importing.tree import ImportRefused
from tests.helpers import SAMPLES

# Article 2's definitions sit directly under the article, as in the Convention.
ART_2_SUBPARAS = [f"art_2__subpara_{letter}" for letter in "abcdefghij"]
EXPECTED_EIDS = [
    "preamble",
    "preamble__recital_1",
    "preamble__recital_2",
    "preamble__recital_3",
    "preamble__recital_4",
    "art_1",
    "art_1__subpara_a",
    "art_1__subpara_b",
    "art_1__subpara_c",
    "art_2",
    *ART_2_SUBPARAS,
    "art_3",
    "art_3__para_1",
    "art_3__para_2",
    "art_3__para_2__subpara_a",
    "art_3__para_2__subpara_b",
    "art_3__para_2__subpara_c",
    "art_4",
    "art_4__para_1",
    "art_4__para_2",
    "art_4__para_3",
    "art_5",
    "art_5__para_1",
    "art_5__para_2",
    "art_6",
    "art_6__para_1",
    "art_6__para_2",
    "art_6__para_3",
]


def sample_text(name: str) -> str:
    return extract_text(SAMPLES / name)


def parse_sample(name: str):
    return parse_convention(sample_text(name), expected_articles=None)


def provisions_of(name: str) -> dict:
    return {p.eid: p for p in parse_sample(name).iter_provisions()}


def load_pdf_maker():
    spec = importlib.util.spec_from_file_location("make_sample_pdf", SAMPLES / "make_sample_pdf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def refusal(text: str, **kwargs) -> str:
    with pytest.raises(ImportRefused) as refused:
        parse_convention(text, **kwargs)
    return str(refused.value)


# --- The sample's tree


def test_sample_parses_to_the_expected_provisions_in_reading_order():
    provisions = list(parse_sample("convention-sample.txt").iter_provisions())
    assert [p.eid for p in provisions] == EXPECTED_EIDS
    kinds = {p.eid: p.kind for p in provisions}
    assert kinds["preamble"] == "preamble"
    assert kinds["preamble__recital_4"] == "recital"
    assert kinds["art_5"] == "article"
    assert kinds["art_5__para_2"] == "paragraph"
    assert kinds["art_3__para_2__subpara_c"] == "subparagraph"


def test_records_carry_parent_label_and_article():
    provisions = provisions_of("convention-sample.txt")
    recital = provisions["preamble__recital_2"]
    assert (recital.label, recital.parent_eid, recital.article_number) == ("2", "preamble", None)
    article = provisions["art_3"]
    assert (article.label, article.parent_eid, article.article_number) == ("3", None, 3)
    paragraph = provisions["art_3__para_2"]
    assert (paragraph.label, paragraph.parent_eid) == ("2", "art_3")
    sub = provisions["art_3__para_2__subpara_b"]
    assert (sub.label, sub.parent_eid, sub.article_number) == ("b", "art_3__para_2", 3)


def test_chapters_and_titles_including_a_title_wrapped_onto_two_lines():
    convention = parse_sample("convention-sample.txt")
    assert [(c.number, c.title) for c in convention.chapters] == [
        ("I", "General provisions"),
        ("II", "Criminalization"),
        ("III", "Final provisions"),
    ]
    assert [a.number for a in convention.chapters[1].articles] == [3, 4, 5]
    titles = {a.number: a.title for a in convention.articles}
    assert titles[3] == "Illicit access to the whole or any part of a sample system"
    assert titles[6] == "Signature, ratification and accession"


def test_preamble_starts_after_the_annex_heading_not_in_the_resolution():
    convention = parse_sample("convention-sample.txt")
    assert convention.title.startswith("United Nations Convention against Cybercrime; Strength")
    assert convention.title.endswith("in electronic form of serious crimes")
    assert convention.preamble[0].text == "The States Parties to this Convention,"
    assert convention.preamble_closing == "Have agreed as follows:"
    texts = [p.text for p in convention.iter_provisions()]
    # The resolution's own recitals and operative paragraphs are not the Convention's.
    assert not any("Recalling" in text or "Adopts" in text for text in texts)


def test_recital_continues_across_a_page_break_and_recitals_split_without_gaps():
    provisions = provisions_of("convention-sample.txt")
    assert provisions["preamble__recital_1"].text == (
        "Noting that sample networks now reach into the daily life of many people and that "
        "this reach raises questions for all who rely on those networks and on the test "
        "records kept in them,"
    )
    # Recital 3 follows recital 2 with no blank line: its opening participle marks it.
    assert provisions["preamble__recital_3"].text.startswith("Concerned that sample offences")
    assert provisions["preamble__recital_2"].text.endswith("respects the rights of every person,")


def test_paragraph_continues_across_a_page_break():
    assert provisions_of("convention-sample.txt")["art_4__para_2"].text == (
        "A State Party may require that the conduct described in paragraph 1 of this article "
        "result in serious harm. A State Party that makes this choice shall tell the sample "
        "depositary which kinds of harm it counts as serious and which forms of non-consensual "
        "conduct it covers."
    )


def test_line_end_hyphenation_is_undone_but_real_hyphens_stay():
    provisions = provisions_of("convention-sample.txt")
    # "cyber-|crime" was split by the layout ...
    assert "a form of cybercrime that this sample" in provisions["art_3__para_1"].text
    # ... while "non-|consensual" keeps the hyphen the document uses elsewhere.
    assert "forms of non-consensual conduct" in provisions["art_4__para_2"].text
    assert "non-consensual changes made through a 24/7 relay service." in (
        provisions["art_4__para_1"].text
    )
    assert "know-how" in provisions["art_1__subpara_c"].text


def test_subparagraph_keeps_its_roman_items_and_the_letter_i_after_h():
    provisions = provisions_of("convention-sample.txt")
    assert provisions["art_2__subpara_h"].text == (
        "“Protected record” shall mean a test record that is either:\n"
        "(i) Marked as protected by its custodian; or\n"
        "(ii) Held for a reader who asked for it to be kept private;"
    )
    # After (h) and its items, "(i)" is the next sub-paragraph, not a third item.
    assert provisions["art_2__subpara_i"].text.startswith("“Competent body”")
    assert provisions["art_3__para_2__subpara_b"].text == (
        "With the intent of obtaining test records, where that intent is shown by:\n"
        "(i) A written plan; or\n"
        "(ii) Repeated attempts within a holding period; or"
    )


def test_paragraph_text_is_its_lead_in_and_article_text_its_body():
    provisions = provisions_of("convention-sample.txt")
    assert provisions["art_3__para_2"].text == (
        "A State Party may require that the offence be committed:"
    )
    assert provisions["art_3"].text == ""
    assert provisions["art_5"].text == "This article applies to legal persons of every sample kind."
    assert provisions["art_5__para_1"].text.startswith("Each State Party shall adopt")


def test_lettered_items_directly_under_an_article_are_its_subparagraphs():
    provisions = provisions_of("convention-sample.txt")
    # The article keeps its lead-in; each item is a provision of its own, child of the article.
    assert provisions["art_1"].text == "The purposes of this Convention are:"
    assert provisions["art_2"].text == "For the purposes of this Convention:"
    item = provisions["art_2__subpara_h"]
    assert (item.kind, item.label, item.parent_eid, item.article_number) == (
        "subparagraph",
        "h",
        "art_2",
        2,
    )
    assert [provisions[f"art_1__subpara_{x}"].text for x in "abc"] == [
        "To set out shared sample rules for the orderly handling of test records;",
        "To make it easier for States to work together on sample offences; and",
        "To encourage the exchange of sample know-how.",
    ]
    assert provisions["art_2__subpara_j"].text == (
        "“Sample offence” shall mean any offence set out in chapter II of this Convention."
    )


ITEMS_THEN_PARAGRAPHS = """\
Chapter I
General provisions
Article 1
Use of terms
For the purposes of this sample:
(a) “First term” shall mean one thing;
(b) “Second term” shall mean another.
1. This paragraph follows the terms.
(a) With a sub-paragraph of its own.
Article 2
Purposes
The purposes are listed in no letters at all.
"""


def test_article_items_then_numbered_paragraphs_each_keep_their_place():
    convention = parse_convention(ITEMS_THEN_PARAGRAPHS, expected_articles=2)
    provisions = {p.eid: p for p in convention.iter_provisions()}
    assert list(provisions) == [
        "art_1",
        "art_1__subpara_a",
        "art_1__subpara_b",
        "art_1__para_1",
        "art_1__para_1__subpara_a",
        "art_2",
    ]
    assert provisions["art_1__subpara_b"].text == "“Second term” shall mean another."
    assert provisions["art_1__para_1__subpara_a"].parent_eid == "art_1__para_1"
    assert provisions["art_2"].text == "The purposes are listed in no letters at all."


def test_a_definition_out_of_sequence_is_refused():
    text = ITEMS_THEN_PARAGRAPHS.replace("(b) “Second term”", "(c) “Second term”")
    with pytest.raises(ImportRefused, match=r"before paragraph 1: sub-paragraph \(c\) comes "):
        parse_convention(text, expected_articles=2)


def test_wrapped_cross_references_do_not_start_paragraphs_or_subparagraphs():
    provisions = provisions_of("convention-sample.txt")
    # "…limit subparagraph|(a) of paragraph 2" and "…the meaning of article|2. Such liability".
    assert provisions["art_4__para_3"].text == (
        "The choice made under paragraph 2 of this article shall not limit subparagraph (a) "
        "of paragraph 2 of article 3."
    )
    assert "art_4__para_3__subpara_a" not in provisions
    assert provisions["art_5__para_1"].text.endswith(
        "within the meaning of article 2. Such liability may be criminal, civil or administrative."
    )
    assert provisions["art_5__para_2"].text.startswith("Liability of legal persons shall be")


def test_running_heads_feet_and_page_breaks_are_gone():
    lines = [line.text for line in clean_lines(sample_text("convention-sample.txt"))]
    assert "A/RES/79/243" not in lines
    assert "United Nations Convention against Cybercrime" not in lines
    assert not any("24-12345" in line or "/4" in line for line in lines)
    assert not any("\f" in line or "  " in line for line in lines)
    texts = "\n".join(p.text for p in parse_sample("convention-sample.txt").iter_provisions())
    assert "A/RES" not in texts and "24-12345" not in texts and "3/4" not in texts
    # The heading under "Annex" that starts like the running head is text, and stays.
    assert any(line.startswith("United Nations Convention against Cybercrime;") for line in lines)


def test_testimonium_is_not_part_of_the_last_article():
    convention = parse_sample("convention-sample.txt")
    assert convention.testimonium == (
        "IN WITNESS WHEREOF, the undersigned have signed this sample for testing only."
    )
    assert convention.articles[-1].paragraphs[-1].text == (
        "This Convention shall be open for accession by any State that has not signed it."
    )


def test_parse_is_deterministic_and_ignores_line_endings():
    text = sample_text("convention-sample.txt")
    first = list(parse_convention(text, expected_articles=None).iter_provisions())
    again = list(parse_convention(text, expected_articles=None).iter_provisions())
    windows = list(
        parse_convention(text.replace("\n", "\r\n"), expected_articles=None).iter_provisions()
    )
    assert first == again == windows


# --- The second version (used by re-anchoring)


def test_second_version_has_changed_words_a_removed_subparagraph_and_a_moved_sentence():
    old = provisions_of("convention-sample.txt")
    new = provisions_of("convention-sample-v2.txt")
    assert set(old) - set(new) == {"art_3__para_2__subpara_c"}
    assert set(new) <= set(old)
    # (b) was removed, so the old (c) is now (b).
    assert new["art_3__para_2__subpara_b"].text == old["art_3__para_2__subpara_c"].text
    assert "cause serious harm" in new["preamble__recital_2"].text
    assert new["art_2__subpara_c"].text == (
        "“Custodian” shall mean a person who holds test records on behalf of others;"
    )
    moved = "Instruments of ratification shall be deposited with the sample depositary."
    assert moved in old["art_6__para_2"].text and moved not in new["art_6__para_2"].text
    assert new["art_6__para_3"].text.endswith(moved)
    unchanged = [eid for eid in new if new[eid].text == old[eid].text]
    assert "art_4__para_2" in unchanged and len(unchanged) > 20


# --- The PDF


def test_pdf_extracts_and_parses_like_the_text():
    from_pdf = list(parse_sample("convention-sample.pdf").iter_provisions())
    from_text = list(parse_sample("convention-sample.txt").iter_provisions())
    assert [p.eid for p in from_pdf] == EXPECTED_EIDS
    assert from_pdf == from_text


def test_committed_pdf_is_what_the_generator_writes(tmp_path):
    maker = load_pdf_maker()
    maker.main([str(SAMPLES / "convention-sample.txt"), str(tmp_path / "fresh.pdf")])
    fresh = (tmp_path / "fresh.pdf").read_bytes()
    assert fresh.startswith(b"%PDF-1.4")
    # If this fails, convention-sample.txt changed: re-run make_sample_pdf.py and commit.
    assert fresh == (SAMPLES / "convention-sample.pdf").read_bytes()
    assert len(fresh) < 20_000


# --- Refusals


def test_wrong_article_count_is_refused():
    message = refusal(sample_text("convention-sample.txt"))
    assert message.startswith("Found 6 articles; the Convention has 68.")
    assert "right file" in message
    # The count is the only thing missing: with the right expectation the sample imports.
    assert len(parse_convention(sample_text("convention-sample.txt"), 6).articles) == 6


def test_articles_out_of_order_are_refused():
    message = refusal(sample_text("out-of-order.txt"), expected_articles=None)
    assert message.startswith("Article 4 follows Article 2 (page 2)")


def test_duplicated_article_is_refused():
    text = sample_text("convention-sample.txt").replace("Article 4\n", "Article 3\n")
    message = refusal(text, expected_articles=None)
    assert message.startswith("Article 3 appears twice (pages 3 and 3)")


def test_file_starting_after_article_1_is_refused():
    text = sample_text("convention-sample.txt").replace("Article 1\n", "Article 0\n")
    assert "the Convention starts at Article 1" in refusal(text, expected_articles=None)


def test_chapters_out_of_order_are_refused():
    text = sample_text("convention-sample.txt").replace("Chapter II\n", "Chapter IV\n")
    message = refusal(text, expected_articles=None)
    assert message.startswith("Chapter IV (page 3) comes where Chapter II was expected")


def test_document_without_chapters_is_refused():
    message = refusal(sample_text("not-a-convention.txt"), expected_articles=None)
    assert "No chapter heading" in message and "Convention against Cybercrime" in message


def test_missing_subparagraph_letter_is_refused():
    text = sample_text("convention-sample.txt").replace("(b)    With the intent", "(c)    With")
    message = refusal(text, expected_articles=None)
    assert "Article 3 (page 3), paragraph 2: sub-paragraph (c) comes where (b)" in message


def test_garbage_pdf_is_refused(tmp_path):
    path = tmp_path / "convention.pdf"
    path.write_bytes(b"%PDF-1.4 garbage")
    with pytest.raises(ImportRefused, match="starts like a PDF but cannot be read"):
        extract_text(path)


def test_pdf_without_text_is_refused(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(load_pdf_maker().build_pdf("\f"))  # two pages, no text on either
    with pytest.raises(ImportRefused, match="has no text layer"):
        extract_text(path)


def test_password_protected_pdf_is_refused(tmp_path):
    writer = PdfWriter(clone_from=SAMPLES / "convention-sample.pdf")
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    path = tmp_path / "locked.pdf"
    writer.write(path)
    with pytest.raises(ImportRefused, match="protected by a password"):
        extract_text(path)


def test_pdf_encrypted_without_password_is_read(tmp_path):
    writer = PdfWriter(clone_from=SAMPLES / "convention-sample.pdf")
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    path = tmp_path / "restricted.pdf"
    writer.write(path)
    assert "Statement of purpose" in extract_text(path)


def test_text_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "convention.txt"
    path.write_bytes("Chapter I\nGeneral provisions caf\xe9".encode("latin-1"))
    with pytest.raises(ImportRefused, match="neither a PDF nor UTF-8 text"):
        extract_text(path)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(ImportRefused, match="Cannot read"):
        extract_text(tmp_path / "nowhere.pdf")


# --- Other renderings of the same structure

PLAIN_RENDERING = """\
The States Parties to this Convention,
Noting that this rendering has one line per paragraph,
Mindful that it has no running heads,
Have agreed as follows:
CHAPTER I. GENERAL PROVISIONS
Article 1. Statement of purpose
This sample has a self-
assessment and a docu-
ment broken at line ends.
CHAPTER II. FINAL PROVISIONS
ARTICLE 2
Entry into force
1. This sample enters into force at once.
2. It may be denounced at any time:
(a) In writing;
(b) Orally.
"""


def test_headings_with_inline_titles_and_a_plain_rendering():
    convention = parse_convention(PLAIN_RENDERING, expected_articles=2)
    assert [(c.number, c.title) for c in convention.chapters] == [
        ("I", "GENERAL PROVISIONS"),
        ("II", "FINAL PROVISIONS"),
    ]
    assert [(a.number, a.title) for a in convention.articles] == [
        (1, "Statement of purpose"),
        (2, "Entry into force"),
    ]
    assert [p.eid for p in convention.iter_provisions()] == [
        "preamble",
        "preamble__recital_1",
        "preamble__recital_2",
        "art_1",
        "art_2",
        "art_2__para_1",
        "art_2__para_2",
        "art_2__para_2__subpara_a",
        "art_2__para_2__subpara_b",
    ]
    # Without other evidence, "self-" keeps its hyphen and an ordinary word is re-joined.
    assert convention.articles[0].body == (
        "This sample has a self-assessment and a document broken at line ends."
    )
