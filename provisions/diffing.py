"""Word-level diffs of notes and provision texts, bounded so that no text can stall a worker.

A diff compares *tokens*: a Markdown link or image (`[text](url "title")`, `[text][ref]`) is one
token, so a link both texts share reads as unchanged; then words (runs of non-space characters,
with their punctuation) and runs of whitespace. Every distinct token stands for one character,
and diff-match-patch's Myers diff compares the two strings: its work grows with the length
times the number of differences, so texts that are alike — however repetitive — are quick.

Texts that differ everywhere would still cost length² steps, so two bounds apply (listed in
docs/security.md, "Bounded work"):

- a text longer than MAX_DIFF_CHARS is not compared word by word: it is shown removed and the
  other added, whole;
- a diff stops refining at its deadline — DIFF_SECONDS from its start, or earlier when a page
  that compares many texts gives them one shared deadline (`deadline_in(PAGE_DIFF_SECONDS)`).
  What was not refined by then is shown as one removal and one addition.

Either way the result is a true diff (the old text is its "same" and "del" pieces in order, the
new text its "same" and "ins" pieces), only coarser; `WordDiff.complete` says whether it is the
full word-by-word comparison, and the pages say so when it is not.
"""

import re
import time

from diff_match_patch import diff_match_patch

# Longer than any note (services.annotations.MAX_BODY_CHARS) or provision of the Convention.
MAX_DIFF_CHARS = 50_000
# One diff's time box, and the box shared by all the diffs of one page (history, versions).
DIFF_SECONDS = 0.5
PAGE_DIFF_SECONDS = 1.0

SAME, DEL, INS = "same", "del", "ins"

_TOKEN = re.compile(
    r"""
    !?\[[^\[\]]*\]                       # a link's (or image's) text, then
      (?: \( [^()\s]* (?:\s+"[^"]*")? \) #   (url "optional title")
        | \[ [^\[\]]* \] )               #   or [reference]
    | \s+                                # whitespace
    | [^\s\[]+                           # a word, with its punctuation
    | \[                                 # a bracket that opens no link
    """,
    re.VERBOSE,
)


def tokens(text: str) -> list[str]:
    """`text` cut into links, words and whitespace; joined again they are `text`."""
    return _TOKEN.findall(text)


def deadline_in(seconds: float) -> float:
    """A deadline for `word_diff`, on the clock diff-match-patch reads."""
    return time.time() + seconds


class WordDiff(list):
    """[(op, text)], op one of "same", "del", "ins"; `complete`: compared word by word to the
    end (False when a bound made it coarser)."""

    def __init__(self, pieces=(), *, complete: bool = True):
        super().__init__(pieces)
        self.complete = complete

    @property
    def shown(self) -> list[tuple[str, str, bool]]:
        """(op, text, gap) for templates: gap asks for a space between a removal and the
        addition that replaces it, which would otherwise read as one word."""
        return [
            (op, text, op == INS and index > 0 and self[index - 1][0] == DEL)
            for index, (op, text) in enumerate(self)
        ]


class _TimeBoxedDiff(diff_match_patch):
    def __init__(self):
        super().__init__()
        # No half-match shortcut: it is only used with a timeout, and its search for a common
        # middle costs length² on repetitive text, without looking at the deadline.
        self.Diff_Timeout = 0
        self.cut_short = False

    def diff_bisect(self, text1, text2, deadline):
        diffs = super().diff_bisect(text1, text2, deadline)
        # A bisection that gives up returns the whole texts as one removal and one addition.
        gave_up = diffs == [(self.DIFF_DELETE, text1), (self.DIFF_INSERT, text2)]
        if gave_up and time.time() > deadline:
            self.cut_short = True
        return diffs


def _whole(old: str, new: str) -> list[tuple[str, str]]:
    return [(op, text) for op, text in ((DEL, old), (INS, new)) if text]


def word_diff(old: str, new: str, *, deadline: float | None = None) -> WordDiff:
    """The words removed from `old` and added in `new`, bounded (see the module's docstring)."""
    if old == new:
        return WordDiff([(SAME, old)] if old else [])
    if len(old) > MAX_DIFF_CHARS or len(new) > MAX_DIFF_CHARS:
        return WordDiff(_whole(old, new), complete=False)
    own = deadline_in(DIFF_SECONDS)
    deadline = own if deadline is None else min(deadline, own)

    vocabulary: list[str] = []
    codes: dict[str, str] = {}

    def encode(text: str) -> str:
        chars = []
        for token in tokens(text):
            code = codes.get(token)
            if code is None:
                code = codes[token] = chr(len(vocabulary))
                vocabulary.append(token)
            chars.append(code)
        return "".join(chars)

    differ = _TimeBoxedDiff()
    coded = differ.diff_main(encode(old), encode(new), False, deadline)
    ops = {differ.DIFF_EQUAL: SAME, differ.DIFF_DELETE: DEL, differ.DIFF_INSERT: INS}
    pieces = [(ops[op], "".join(vocabulary[ord(code)] for code in chars)) for op, chars in coded]
    return WordDiff(_join_replacements(pieces), complete=not differ.cut_short)


def _join_replacements(pieces: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Two replacements separated by whitespace only become one: "a b" → "x y" reads as
    "a b" replaced by "x y", not as "a" by "x", then "b" by "y"."""
    out: list[list] = []
    for op, text in pieces:
        out.append([op, text])
        # ... del A, ins B, same <space>, del C, ins D  →  del "A C", ins "B D"
        if (
            len(out) >= 5
            and [o for o, _t in out[-5:]] == [DEL, INS, SAME, DEL, INS]
            and not out[-3][1].strip()
        ):
            space = out[-3][1]
            out[-5][1] += space + out[-2][1]
            out[-4][1] += space + out[-1][1]
            del out[-3:]
    return [(op, text) for op, text in out]
