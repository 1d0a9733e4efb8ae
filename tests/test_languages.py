"""Language versions of the text (issue 14): each language's headings and numbering, alignment
with the English eids, partial versions, idempotent re-imports and refusals that change nothing.

Every non-English text here is synthetic test data built by tests/helpers.synthetic_convention:
numbered filler sentences in each language's layout, never the Convention's words."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from provisions.importing.language_import import article_ranges
from provisions.importing.numbering import NUMBERINGS, chinese_value
from provisions.importing.parser import parse_convention
from provisions.importing.tree import ImportRefused
from provisions.models import Provision, ProvisionText, TextVersion
from tests.helpers import import_synthetic_english, synthetic_convention

ENGLISH_EIDS = [p.eid for p in parse_convention(synthetic_convention("en"), 15).iter_provisions()]


def _run(path, *args) -> str:
    out = StringIO()
    call_command("import_convention", str(path), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def _write(tmp_path, text: str, name: str = "ar.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("language", ["ar", "zh", "fr", "ru", "es"])
def test_each_language_parses_to_the_english_eids(language):
    convention = parse_convention(synthetic_convention(language), language=language, partial=True)
    assert [p.eid for p in convention.iter_provisions()] == ENGLISH_EIDS
    definitions = convention.articles[1].subparagraphs
    # The 8th letter of every script is "h": Arabic (ح), Russian з), Chinese (八).
    assert definitions[7].label == "h" and "2-8" in definitions[7].text
    assert [chapter.number for chapter in convention.chapters] == ["I", "II"]
    assert convention.articles[0].title  # the title line after the heading


def test_arabic_headings_items_and_digits():
    convention = parse_convention(synthetic_convention("ar"), language="ar", partial=True)
    article_2 = convention.articles[1]
    assert article_2.title == "عنوان مادة تجريبي 2"
    assert [s.label for s in article_2.subparagraphs] == list("abcdefghij")
    # "(هـ)" is the 5th letter; Article 12 is headed in Arabic-Indic digits "المادة ١٢".
    assert "2-5" in article_2.subparagraphs[4].text
    assert convention.articles[11].number == 12
    assert convention.articles[11].paragraphs[2].subparagraphs[2].label == "c"


@pytest.mark.parametrize(
    ("language", "line", "number"),
    [
        ("en", "Article 24", 24),
        ("fr", "Article 24", 24),
        ("fr", "Article premier", 1),
        ("es", "Artículo 24", 24),
        ("ru", "Статья 24", 24),
        ("ar", "المادة 24", 24),
        ("ar", "المادة ٢٤", 24),
        ("zh", "第二十四条", 24),
        ("zh", "第24条", 24),
        ("zh", "第九十九条 测试", 99),
    ],
)
def test_article_headings(language, line, number):
    numbering = NUMBERINGS[language]
    match = numbering.article.fullmatch(line)
    assert match and numbering.number_value(match["number"]) == number


@pytest.mark.parametrize(
    ("language", "line", "number"),
    [
        ("en", "Chapter IV", 4),
        ("fr", "Chapitre premier", 1),
        ("fr", "Chapitre IV", 4),
        ("es", "Capítulo IV", 4),
        ("ru", "Глава IV", 4),
        ("ar", "الفصل الرابع", 4),
        ("ar", "الفصل الأول", 1),
        ("zh", "第四章", 4),
    ],
)
def test_chapter_headings(language, line, number):
    numbering = NUMBERINGS[language]
    match = numbering.chapter.fullmatch(line)
    assert match and numbering.chapter_value(match["number"]) == number


@pytest.mark.parametrize(
    ("language", "line", "letter"),
    [
        ("ar", "(ح) نص", "h"),
        ("ar", "(هـ) نص", "e"),
        ("ar", "(ه) نص", "e"),
        ("ru", "з) текст", "h"),
        ("ru", "(к) текст", "j"),
        ("fr", "b) texte", "b"),
        ("fr", "(b) texte", "b"),
        ("zh", "(八) 文本", "h"),
        ("zh", "（二）文本", "b"),
        ("zh", "(b) 文本", "b"),
    ],
)
def test_lettered_items_map_to_latin_letters(language, line, letter):
    numbering = NUMBERINGS[language]
    match = numbering.item.fullmatch(line)
    assert match and numbering.latin(match["label"]) == letter


@pytest.mark.parametrize(
    ("language", "line"),
    [("ar", "1 - نص"), ("ar", "1- نص"), ("fr", "1 - texte"), ("zh", "1、文本"), ("en", "1. Text")],
)
def test_paragraph_numbers(language, line):
    match = NUMBERINGS[language].paragraph.fullmatch(line)
    assert match and match["number"] == "1"


def test_chinese_numerals():
    assert [chinese_value(n) for n in ["一", "十", "十二", "二十四", "九十九", "一百零五"]] == [
        1,
        10,
        12,
        24,
        99,
        105,
    ]
    assert chinese_value("二二") is None


def test_article_ranges():
    assert article_ranges([1, 2, 3, 5, 7, 8]) == "1–3, 5, 7–8"


# --- Importing ---------------------------------------------------------------------------------


def test_arabic_articles_1_to_15_import_as_a_partial_version_aligned_with_english(db, tmp_path):
    """Issue 14's "done means": an Arabic file with Articles 1–15 → a partial Arabic version."""
    import_synthetic_english()
    path = _write(tmp_path, synthetic_convention("ar"))
    out = _run(path, "--language", "ar", "--partial")
    assert "Partial version: it holds articles 1–15" in out
    version = TextVersion.objects.get(language="ar")
    assert version.partial and version.articles == list(range(1, 16))
    assert version.chapter_titles == {"I": "عنوان فصل تجريبي 1", "II": "عنوان فصل تجريبي 2"}
    rows = {row.provision.eid: row for row in ProvisionText.objects.select_related("provision")}
    assert sorted(rows) == sorted(ENGLISH_EIDS)
    definition = rows["art_2__subpara_h"]
    assert definition.text == "جملة تجريبية رقم 2-8؛"
    assert definition.provision.citation == "Article 2(h)"
    assert rows["art_3__para_2__subpara_c"].text == "جملة تجريبية رقم 3-2-3."
    assert rows["art_2"].title == "عنوان مادة تجريبي 2"
    # The English text and its versions are as they were.
    assert Provision.objects.get(eid="art_2__subpara_h").text.startswith("Synthetic sentence 2-8")
    assert [v.language for v in TextVersion.objects.oldest_first(version.treaty_id)] == ["en"] * 2

    # Importing the same file again changes nothing.
    assert "No changes" in _run(path, "--language", "ar", "--partial")
    assert ProvisionText.objects.count() == len(ENGLISH_EIDS)
    assert TextVersion.objects.filter(language="ar").count() == 1


def test_without_partial_the_completeness_check_stays(db, tmp_path):
    import_synthetic_english()
    path = _write(tmp_path, synthetic_convention("ar"))
    with pytest.raises(CommandError, match="Found 15 articles; the Convention has 68"):
        _run(path, "--language", "ar")
    assert not TextVersion.objects.filter(language="ar").exists()


def test_a_file_that_does_not_align_is_refused_with_the_citations(db, tmp_path):
    import_synthetic_english()
    text = synthetic_convention("ar").replace("(ي) جملة تجريبية رقم 2-10.\n", "")
    text = text.replace("(ط) جملة تجريبية رقم 2-9؛ و", "(ط) جملة تجريبية رقم 2-9.")
    text = text.replace("3 - جملة تجريبية رقم 4-3.", "3 - جملة تجريبية رقم 4-3.\n4 - جملة.")
    with pytest.raises(CommandError) as refusal:
        _run(_write(tmp_path, text), "--language", "ar", "--partial")
    message = str(refusal.value)
    assert "does not align with the English text (2 differences)" in message
    assert "Article 4(4): in the Arabic file, not in the English text" in message
    assert "Article 2(j): in the English text, not in the Arabic file" in message
    assert not ProvisionText.objects.exists()
    assert not TextVersion.objects.filter(language="ar").exists()


def test_the_english_text_must_come_first(db, tmp_path):
    with pytest.raises(CommandError, match="import the English text first"):
        _run(_write(tmp_path, synthetic_convention("ar")), "--language", "ar", "--partial")
    assert not TextVersion.objects.filter(language="ar").exists()


def test_a_later_file_extends_the_version_and_a_changed_one_needs_a_label(db, tmp_path):
    import_synthetic_english()
    _run(_write(tmp_path, synthetic_convention("ru", range(1, 8))), "--language", "ru", "--partial")
    out = _run(
        _write(tmp_path, synthetic_convention("ru", range(8, 16))), "--language", "ru", "--partial"
    )
    assert "extended" in out
    version = TextVersion.objects.get(language="ru")
    assert version.articles == list(range(1, 16))

    changed = synthetic_convention("ru", range(1, 8)).replace("фраза 3-1.", "фраза 3-1 (ред.).")
    path = _write(tmp_path, changed)
    with pytest.raises(CommandError, match="already names a version"):
        _run(path, "--language", "ru", "--partial")
    out = _run(path, "--language", "ru", "--partial", "--label", "Russian corrigendum")
    assert "Changed: Article 3(1)" in out
    new = TextVersion.objects.get(label="Russian corrigendum")
    assert new.articles == list(range(1, 16))  # the other articles carried forward
    assert ProvisionText.objects.get(text_version=new, provision__eid="art_3__para_1").text == (
        "Тестовая фраза 3-1 (ред.)."
    )
    # The earlier version keeps every row: nothing imported is lost.
    assert ProvisionText.objects.filter(text_version=version).count() == len(ENGLISH_EIDS)
    assert ProvisionText.objects.filter(text_version=new).count() == len(ENGLISH_EIDS)


def test_partial_is_for_other_languages_and_bad_files_are_refused(db, tmp_path):
    import_synthetic_english()
    with pytest.raises(CommandError, match="--partial is for the versions"):
        _run(_write(tmp_path, synthetic_convention("en")), "--partial")
    with pytest.raises(CommandError, match="No chapter heading"):
        _run(_write(tmp_path, synthetic_convention("zh")), "--language", "ar", "--partial")
    with pytest.raises(ImportRefused, match="comes where"):
        text = synthetic_convention("ar").replace("(ب) جملة تجريبية رقم 1-2", "(ج) جملة")
        parse_convention(text, language="ar", partial=True)
    assert not TextVersion.objects.filter(language="ar").exists()
