"""Reading how people cite a provision: "article 24", "Art. 24(2)(b)", "art 24 para 2", "24(2)(b)".

`parse_citation` turns a search query into a `Citation` (an article number and its pinpoints)
or None when the query is not a citation; it touches no database. `resolve_citation` finds the
deepest current provision the citation names (one query) and says what it could not find, e.g.
"Article 24 has no paragraph 9" (or, while the article is only our editorial summary, that its
paragraphs and definitions have no place of their own until the official text is imported).
The search page shows that provision first, with a direct link.

The pattern is anchored, every repetition is bounded and no two alternatives can match the same
characters, so a long or hostile query is rejected in linear time.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from provisions.models import Provision
from provisions.models.treaty import citation_for_eid

# At most this many pinpoints after the article number: paragraph, sub-paragraph, item.
MAX_PINPOINTS = 3

_CITATION = re.compile(
    r"""
    (?P<prefix>(?:article|art)\.?[ ]?)?        # "Article", "art.", "Art" (optional)
    (?P<number>[0-9]{1,3})                     # the article number
    (?P<pinpoints>(?:[ ]?\([0-9a-z]{1,4}\)){0,3})  # "(2)(b)"
    (?:[ ](?:paragraph|para\.?|par\.?|§)[ ]?(?P<para>[0-9]{1,3})  # "para 2"
       (?:[ ]?\(?(?P<sub>[a-z]{1,4})\)?)?       # "para 2 (b)", "para 2 b"
    )?
    """,
    re.VERBOSE | re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Citation:
    """What was cited: the article number and its pinpoints in order, e.g. 24, ("2", "b")."""

    article: int
    pinpoints: tuple[str, ...] = ()

    def eids(self) -> list[str]:
        """The eids the citation may name, deepest first: art_24__para_2__subpara_b, art_24__para_2,
        art_24. A number is a paragraph; a letter is a sub-paragraph (of the paragraph before it,
        or of the article itself, as in the definitions: "Article 2(h)")."""
        eid = f"art_{self.article}"
        found = [eid]
        for pinpoint in self.pinpoints:
            kind = "para" if pinpoint.isdigit() else "subpara"
            eid = f"{eid}__{kind}_{pinpoint}"
            found.append(eid)
        return found[::-1]


def parse_citation(query: str) -> Citation | None:
    """The citation a query is, or None. A bare number ("24") is not taken for a citation: it
    needs the word article or a pinpoint ("24(2)")."""
    text = " ".join(str(query or "").split())
    if len(text) > 40:  # no citation is longer; nothing long is even tried
        return None
    match = _CITATION.fullmatch(text)
    if match is None:
        return None
    pinpoints = [p.lower() for p in re.findall(r"\(([0-9a-z]+)\)", match["pinpoints"], re.I)]
    if match["para"]:
        if pinpoints:  # "24(2) para 3" is not a way anyone cites
            return None
        pinpoints = [match["para"], *([match["sub"].lower()] if match["sub"] else [])]
    if not match["prefix"] and not pinpoints:
        return None
    number = int(match["number"])
    if number == 0 or len(pinpoints) > MAX_PINPOINTS:
        return None
    # Paragraphs are numbers, sub-paragraphs letters: "(b)(2)" cites nothing.
    if any(p.isdigit() for p in pinpoints[1:]) or any(p.startswith("0") for p in pinpoints):
        return None
    return Citation(number, tuple(pinpoints))


@dataclass(frozen=True, slots=True)
class CitationMatch:
    """The provision a citation resolves to (None if the article does not exist) and, when the
    citation named more than exists, a note saying what is missing."""

    citation: Citation
    provision: Provision | None
    note: str

    @property
    def label(self) -> str:
        return self.provision.citation if self.provision else ""

    @property
    def url(self) -> str:
        return self.provision.get_absolute_url() if self.provision else ""


def _missing(eid: str) -> str:
    """How the first missing piece is named: "paragraph 9", "sub-paragraph (z)"."""
    kind, _sep, value = eid.rpartition("__")[2].partition("_")
    if kind == "para":
        return _("paragraph %(n)s") % {"n": value}
    return _("sub-paragraph (%(n)s)") % {"n": value}


def resolve_citation(citation: Citation) -> CitationMatch:
    """The deepest current provision the citation names (one query), with a note when part of
    it does not exist: "Article 24 has no paragraph 9"."""
    wanted = citation.eids()
    found = {
        provision.eid: provision
        for provision in Provision.objects.current()
        .filter(eid__in=wanted, article__number=citation.article)
        .select_related("article")
    }
    for depth, eid in enumerate(wanted):
        if eid in found:
            if depth == 0:
                return CitationMatch(citation, found[eid], "")
            if found[eid].kind == Provision.Kind.ARTICLE and not found[eid].is_official_text:
                # Our editorial summary is one text per article: before the official text is
                # imported, "Article 2(h)" (a definition) may well exist, just not here yet.
                note = _(
                    "%(citation)s is shown as our editorial summary, which is not divided into "
                    "paragraphs or definitions; once the official text is imported, "
                    "%(wanted)s, if the Convention has it, gets a place of its own."
                ) % {"citation": citation_for_eid(eid), "wanted": citation_for_eid(wanted[0])}
                return CitationMatch(citation, found[eid], note)
            note = _("%(citation)s has no %(missing)s.") % {
                "citation": citation_for_eid(eid),
                "missing": _missing(wanted[depth - 1]),
            }
            return CitationMatch(citation, found[eid], note)
    note = _("The Convention has no %(citation)s.") % {"citation": citation_for_eid(wanted[-1])}
    return CitationMatch(citation, None, note)
