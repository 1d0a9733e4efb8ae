"""Re-joining the lines the layout broke, and the words it hyphenated at a line end."""

import re

from provisions.importing.tree import Line

# Prefixes the UN's style always joins with a hyphen: a line-end hyphen after them is kept
# when the document itself does not settle the question.
_HYPHENATED_PREFIXES = {"non", "self", "cross", "multi", "co", "ex", "anti", "semi", "well"}
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
_LETTERS = re.compile(r"[^\W\d_]+")


# More than the longest word: a line-end hyphen is judged on this much of the text before it.
_TAIL_CHARS = 100


class Joiner:
    """Re-joins lines that the layout broke, undoing hyphenation at line ends.

    A line-end hyphen is ambiguous: "cyber-|crime" is one word, "non-|consensual" keeps its
    hyphen. The document itself usually settles it (the word appears elsewhere, on one line);
    failing that, a few prefixes keep their hyphen and everything else is joined.
    """

    def __init__(self, lines: list[Line]):
        self.vocabulary = {
            word.lower()
            for line in lines
            for word in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", line.text)
        }

    def join_lines(self, lines: list[Line]) -> str:
        return self.join([(line.text, False) for line in lines])

    def join(self, pieces: list[tuple[str, bool]]) -> str:
        # Collected in a list and judged on the text's last _TAIL_CHARS characters only: adding
        # each line to the whole text, and searching it for a line-end hyphen, cost the square
        # of a paragraph's length (a paragraph of 5,000 lines took minutes).
        parts: list[str] = []
        tail = ""  # the end of the text so far; empty while the text is
        for piece, own_line in pieces:
            if not tail:
                parts, tail = [piece], piece[-_TAIL_CHARS:]
                continue
            cut, separator = (0, "\n") if own_line else self._joint(tail, piece)
            if cut:
                while not parts[-1]:
                    parts.pop()
                parts[-1] = parts[-1][:-1]
                tail = tail[:-1]
            parts.append(separator + piece)
            tail = (tail + separator + piece)[-_TAIL_CHARS:]
        return "".join(parts)

    def _joint(self, left: str, right: str) -> tuple[int, str]:
        """How the line `right` continues the text ending in `left`: how many characters to drop
        from the end of the text (a soft or line-break hyphen), and what goes between them."""
        if left.endswith("\xad"):
            return 1, ""
        if not left.endswith("-"):
            # Chinese runs on without spaces: a line break inside it is no word break.
            return 0, "" if _CJK.match(left[-1]) or _CJK.match(right[:1]) else " "
        # The letters before the hyphen, read backwards from it (a search for "letters, hyphen,
        # end" would try every start in the text).
        broken = _LETTERS.match(left[-2::-1])
        following = _LETTERS.match(right)
        if broken and following and right[:1].islower():
            if self._keeps_hyphen(broken[0][::-1], following[0]):
                return 0, ""
            return 1, ""
        if left[-2:-1].isalnum() or left[-2:-1] == "_":  # "ICT-|Based", "2024-|2025": a hyphen
            return 0, ""
        return 0, " "

    def _keeps_hyphen(self, stem: str, rest: str) -> bool:
        if f"{stem}-{rest}".lower() in self.vocabulary:
            return True
        if f"{stem}{rest}".lower() in self.vocabulary:
            return False
        return stem.lower() in _HYPHENATED_PREFIXES
