"""Write convention-sample.pdf from convention-sample.txt: a small PDF with a real text layer.

The parser's PDF path needs a PDF shaped like the UN's: one page per form feed, each line at its
layout position, in Helvetica. No PDF library is a dependency, so this writes the few PDF objects
by hand. Streams are left uncompressed and nothing varies between runs (no dates, no ids), so the
output is byte-for-byte reproducible and the tests can check the committed file is up to date.

    .venv/bin/python tests/data/import/make_sample_pdf.py [SOURCE.txt [TARGET.pdf]]
"""

import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # A4, in points
MARGIN_LEFT, FIRST_BASELINE = 36, 800
FONT_SIZE, LEADING = 9, 11.5
# Width of one character column of the layout text: close to Helvetica's average at 9 pt, so
# that words stay where `pdftotext -layout` put them.
COLUMN_WIDTH = 5.0


def build_pdf(text: str) -> bytes:
    """A PDF with one page per form-feed-separated page of `text`."""
    pages = text.split("\f")
    # Objects 1-3 are the catalog, the page tree and the font; then a page and its contents each.
    page_ids = [4 + 2 * index for index in range(len(pages))]
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % page_id for page_id in page_ids), len(pages)),
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    }
    for page_id, page in zip(page_ids, pages, strict=True):
        objects[page_id] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>"
            % (PAGE_WIDTH, PAGE_HEIGHT, page_id + 1)
        )
        stream = _page_stream(page)
        objects[page_id + 1] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)
    return _assemble(objects)


def _page_stream(page: str) -> bytes:
    commands = [b"BT", b"/F1 %d Tf" % FONT_SIZE]
    for row, line in enumerate(page.split("\n")):
        y = FIRST_BASELINE - row * LEADING
        # Runs of two or more spaces separate pieces placed apart (a running foot's job number
        # and page number); each piece goes at its own column.
        for piece in re.finditer(r"\S+(?: \S+)*", line):
            x = MARGIN_LEFT + piece.start() * COLUMN_WIDTH
            commands.append(b"1 0 0 1 %.2f %.2f Tm (%s) Tj" % (x, y, _pdf_string(piece[0])))
    commands.append(b"ET")
    return b"\n".join(commands)


def _pdf_string(text: str) -> bytes:
    """`text` in WinAnsi encoding as the inside of a PDF literal string, ASCII only."""
    out = []
    for byte in text.encode("cp1252"):
        if byte in b"()\\":
            out.append(b"\\" + bytes([byte]))
        elif byte > 126:
            out.append(b"\\%03o" % byte)  # curly quotes and dashes, as octal escapes
        else:
            out.append(bytes([byte]))
    return b"".join(out)


def _assemble(objects: dict[int, bytes]) -> bytes:
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(pdf)
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    xref_at = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for number in sorted(objects):
        pdf += b"%010d 00000 n \n" % offsets[number]
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref_at,
    )
    return bytes(pdf)


def main(argv: list[str]) -> None:
    source = Path(argv[0]) if argv else HERE / "convention-sample.txt"
    target = Path(argv[1]) if len(argv) > 1 else source.with_suffix(".pdf")
    target.write_bytes(build_pdf(source.read_text(encoding="utf-8")))
    print(f"Wrote {target}")


if __name__ == "__main__":
    main(sys.argv[1:])
