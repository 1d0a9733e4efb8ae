"""How each of the Convention's six languages writes its headings, numbers and lettered items.

The parser reads every language version with the same rules (provisions.importing.parser); only
the words and signs differ, and they are all here. Each language's lettered items map onto the
English letters by position: the n-th letter of the script is the n-th Latin letter, so Arabic
"(ح)" (the 8th letter in abjad order) is "h", Russian "з)" is "h", Chinese "(八)" is "h", and all
of them are the eid `…__subpara_h` that English "(h)" has (docs/languages.md).
"""

import re
from dataclasses import dataclass

ROMAN = r"[IVXLC]+"
# A heading's title on its own line: "Article 24. Title", "Article 24 – Title" or in capitals.
_TITLE_AFTER = r"(?:(?:\s*[.:\u2013\u2014-]\s*|\s+(?=[A-Z]{2}))(?P<title>\S.*))?"
_ANY_TITLE_AFTER = r"(?:\s*[.:\u2013\u2014-]?\s*(?P<title>\S.*))?"
_CLOSERS = "\"'”’»)\\]）」』"

LATIN = "abcdefghijklmnopqrstuvwxyz"
# Russian legal enumeration skips ё, й, ъ, ы and ь.
CYRILLIC = "абвгдежзиклмнопрстуфхцчшщэюя"
# The abjad order Arabic uses for lettered items; "هـ" (with tatweel) and "ه" are both the 5th.
ABJAD = ["أ", "ب", "ج", "د", "ه", "و", "ز", "ح", "ط", "ي", "ك", "ل", "م", "ن", "س", "ع", "ف", "ص"]
ABJAD += ["ق", "ر", "ش", "ت", "ث", "خ", "ذ", "ض", "ظ", "غ"]
CHINESE_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
CHINESE_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9}
CHINESE_NUMERAL = "[〇零一二两三四五六七八九十百]+"
ARABIC_ORDINALS = ["الأول", "الثاني", "الثالث", "الرابع", "الخامس", "السادس", "السابع"]
ARABIC_ORDINALS += ["الثامن", "التاسع", "العاشر", "الحادي عشر", "الثاني عشر"]
FRENCH_FIRST = {"premier", "première", "1er", "1re"}


def chinese_value(numeral: str) -> int | None:
    """二十四 → 24, 十 → 10, 一百零五 → 105 (up to 999); None if it is not a numeral."""
    if numeral.isdigit():
        return int(numeral)
    total, digit = 0, None
    for char in numeral:
        if char in CHINESE_DIGITS:
            if digit:  # two digits in a row: only after a zero, as in 一百零五
                return None
            digit = CHINESE_DIGITS[char]
        elif char in "十百":
            unit = 10 if char == "十" else 100
            total += (1 if digit is None else digit) * unit
            digit = None
        else:
            return None
    total += digit or 0
    return total or None


def roman_value(numeral: str) -> int | None:
    """The value of an upper-case Roman numeral, or None if it is not one written correctly."""
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
    if not numeral or set(numeral) - set(values):
        return None
    total = 0
    for current, following in zip(numeral, numeral[1:] + " ", strict=True):
        value = values[current]
        total += -value if values.get(following, 0) > value else value
    return total if total > 0 and roman(total) == numeral else None


_ROMAN_NUMERALS = {100: "C", 90: "XC", 50: "L", 40: "XL", 10: "X", 9: "IX", 5: "V", 4: "IV", 1: "I"}


def roman(number: int) -> str:
    numerals = []
    for value, letters in _ROMAN_NUMERALS.items():
        count, number = divmod(number, value)
        numerals.append(letters * count)
    return "".join(numerals)


@dataclass(frozen=True)
class Numbering:
    """One language's headings and numbering (see the module docstring)."""

    language: str
    chapter: re.Pattern  # groups: number, title (optional)
    article: re.Pattern  # groups: number, title (optional)
    paragraph: re.Pattern  # groups: number, rest
    item: re.Pattern  # groups: label, rest
    # The script's item letters in order (Russian, Arabic); Latin letters are themselves, and
    # "(i)", "(v)", "(x)" among them may also be Roman-numbered items inside a sub-paragraph.
    letters: tuple[str, ...]
    unit_end: re.Pattern
    testimonium: re.Pattern | None
    # The English preamble is read by its words (its recitals open with English words); the
    # other languages' by their shape (importing.preamble, docs/languages.md).
    reads_preamble: bool = False

    def heading(self, text: str) -> re.Match | None:
        return self.chapter.fullmatch(text) or self.article.fullmatch(text)

    def number_value(self, number: str) -> int | None:
        if number.lower() in FRENCH_FIRST:
            return 1
        if number.isdigit():  # Python's digits include the Arabic-Indic ٠…٩
            return int(number)
        return chinese_value(number)

    def chapter_value(self, number: str) -> int | None:
        if number in ARABIC_ORDINALS:
            return ARABIC_ORDINALS.index(number) + 1
        if number.lower() in FRENCH_FIRST:
            return 1
        if re.fullmatch(ROMAN, number):
            return roman_value(number)
        return chinese_value(number)

    def latin(self, label: str) -> str | None:
        """The English letter for an item's label: its position in the script's alphabet
        (a Latin label is itself; a Chinese numeral counts: "(八)" is "h")."""
        if label.isascii():
            return label
        label = "ه" if label == "هـ" else label
        if label in self.letters:
            return LATIN[self.letters.index(label)]
        value = chinese_value(label)
        return LATIN[value - 1] if value and value <= len(LATIN) else None


def _unit_end(conjunctions: str) -> re.Pattern:
    return re.compile(rf"(?:[.:;؛。：；][{_CLOSERS}]*|[;؛；]\s*(?:{conjunctions}))$")


# As the English parser always read them (the English import must not change).
ENGLISH = Numbering(
    language="en",
    chapter=re.compile(rf"(?:Chapter|CHAPTER)\s+(?P<number>{ROMAN}){_TITLE_AFTER}"),
    # The Convention refers to "article 24" in lower case, so a capitalised "Article 24" alone
    # on its line (or followed by a separator and a title) is a heading, not a wrapped
    # cross-reference.
    article=re.compile(rf"(?:Article|ARTICLE)\s+(?P<number>\d{{1,3}}){_TITLE_AFTER}"),
    paragraph=re.compile(r"(?P<number>\d{1,2})\.(?:\s+(?P<rest>.*))?"),
    item=re.compile(r"\((?P<label>[a-z]{1,4})\)(?:\s+(?P<rest>.*))?"),
    letters=(),
    # How a paragraph or item ends, so that the next line may start a new one: ".", ":" or ";"
    # (perhaps before a closing quote or bracket), or "; and" / "; or" between sub-paragraphs.
    unit_end=re.compile(r"(?:[.:;][\"'”’)\]]*|;\s+(?:and|or))$"),
    testimonium=re.compile(r"IN WITNESS WHEREOF\b|In witness whereof\b"),
    reads_preamble=True,
)
# French and Spanish also write paragraphs "1 -" and items "a)"; French "Article premier".
_FR_ES_PARAGRAPH = re.compile(r"(?P<number>\d{1,2})(?:\.|\s?[-\u2013])(?:\s+(?P<rest>.*))?")
_LATIN_ITEM = re.compile(r"\(?(?P<label>[a-z]{1,4})\)(?:\s+(?P<rest>.*))?")

NUMBERINGS = {
    "en": ENGLISH,
    "fr": Numbering(
        language="fr",
        chapter=re.compile(
            rf"(?:Chapitre|CHAPITRE)\s+(?P<number>{ROMAN}|[Pp]remier){_TITLE_AFTER}"
        ),
        article=re.compile(
            rf"(?:Article|ARTICLE)\s+(?P<number>\d{{1,3}}|premier|1er){_TITLE_AFTER}"
        ),
        paragraph=_FR_ES_PARAGRAPH,
        item=_LATIN_ITEM,
        letters=(),
        unit_end=_unit_end("et|ou"),
        testimonium=re.compile(r"EN FOI DE QUOI\b|En foi de quoi\b"),
    ),
    "es": Numbering(
        language="es",
        chapter=re.compile(rf"(?:Capítulo|CAPÍTULO)\s+(?P<number>{ROMAN}){_TITLE_AFTER}"),
        article=re.compile(rf"(?:Artículo|ARTÍCULO)\s+(?P<number>\d{{1,3}}){_TITLE_AFTER}"),
        paragraph=_FR_ES_PARAGRAPH,
        item=_LATIN_ITEM,
        letters=(),
        unit_end=_unit_end("y|o|e|u"),
        testimonium=re.compile(r"EN FE DE LO CUAL\b|En fe de lo cual\b"),
    ),
    "ru": Numbering(
        language="ru",
        chapter=re.compile(rf"(?:Глава|ГЛАВА)\s+(?P<number>{ROMAN}){_ANY_TITLE_AFTER}"),
        article=re.compile(r"(?:Статья|СТАТЬЯ)\s+(?P<number>\d{1,3})" + _ANY_TITLE_AFTER),
        paragraph=re.compile(r"(?P<number>\d{1,2})(?:\.|\s?[-\u2013])(?:\s+(?P<rest>.*))?"),
        item=re.compile(rf"\(?(?P<label>[{CYRILLIC}])\)(?:\s+(?P<rest>.*))?"),
        letters=tuple(CYRILLIC),
        unit_end=_unit_end("и|или"),
        testimonium=re.compile(r"В УДОСТОВЕРЕНИЕ ЧЕГО\b|В удостоверение чего\b"),
    ),
    "ar": Numbering(
        language="ar",
        chapter=re.compile(
            r"الفصل\s+(?P<number>"
            + "|".join(sorted(ARABIC_ORDINALS, key=len, reverse=True))
            + rf"|{ROMAN}|\d{{1,2}})"
            + r"(?:\s*[.:\u2013\u2014-]\s*(?P<title>\S.*))?"
        ),
        article=re.compile(
            r"المادة\s+(?P<number>\d{1,3})(?:\s*[.:\u2013\u2014-]\s*(?P<title>\S.*))?"
        ),
        paragraph=re.compile(r"(?P<number>\d{1,2})\s*(?:-|\u2013|\.)(?:\s*(?P<rest>\S.*))?"),
        # "(أ)", written in logical order; a PDF's text layer may give the brackets mirrored.
        item=re.compile(
            r"[(（)](?P<label>هـ|" + "|".join(ABJAD) + r")[)）(](?:\s*(?P<rest>\S.*))?"
        ),
        letters=tuple(ABJAD),
        unit_end=_unit_end("و|أو"),
        testimonium=re.compile(r"وإثباتا لذلك|وإثباتاً لذلك"),
    ),
    "zh": Numbering(
        language="zh",
        chapter=re.compile(rf"第(?P<number>{CHINESE_NUMERAL}|\d{{1,2}})章{_ANY_TITLE_AFTER}"),
        article=re.compile(rf"第(?P<number>{CHINESE_NUMERAL}|\d{{1,3}})条{_ANY_TITLE_AFTER}"),
        paragraph=re.compile(r"(?P<number>\d{1,2})(?:\.|、|．)(?:\s*(?P<rest>\S.*))?"),
        item=re.compile(rf"[(（](?P<label>[a-z]|{CHINESE_NUMERAL})[)）](?:\s*(?P<rest>\S.*))?"),
        letters=(),  # "(a)" is itself, "(一)" its value: see Numbering.latin
        unit_end=_unit_end("和|或"),
        testimonium=re.compile(r"下列签署人|为此，下列"),
    ),
}


def numbering_for(language: str) -> Numbering:
    return NUMBERINGS[language]
