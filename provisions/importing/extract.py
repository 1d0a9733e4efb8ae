"""Step 1 of parsing: the file's text, from a PDF's text layer or a UTF-8 text file."""

import io
from pathlib import Path

from pypdf import PdfReader

from provisions.importing.tree import ImportRefused

# The largest file `import_convention` reads (its --max-bytes option; docs/importing.md). Reading,
# PDF text extraction and parsing all grow with the file: a file many times larger than any
# rendering of the Convention is refused before any of them starts.
DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024


def extract_text(path: Path, *, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> str:
    """The file's text with pages separated by form feeds: a PDF's text layer, or UTF-8 text.

    A file of more than `max_bytes` is refused; at most one byte more is ever read, so a file
    that grows, or a device without end, is refused the same way."""
    path = Path(path)
    try:
        with path.open("rb") as file:
            data = file.read(max_bytes + 1)
    except OSError as exc:
        raise ImportRefused(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    if len(data) > max_bytes:
        raise ImportRefused(
            f"{path.name} is larger than {max_bytes:,} bytes, the most the import reads. "
            "Is it the Convention? If it is, run the import again with a larger --max-bytes."
        )
    if data.lstrip().startswith(b"%PDF"):
        return _pdf_text(data, path.name)
    return _plain_text(data, path.name)


def _pdf_text(data: bytes, name: str) -> str:
    try:
        reader = PdfReader(io.BytesIO(data))
        # Many official PDFs are "encrypted" only to restrict printing, with an empty password.
        locked = reader.is_encrypted and not reader.decrypt("")
    except Exception as exc:  # pypdf raises many kinds of error on a damaged or fake PDF
        raise ImportRefused(
            f"{name} starts like a PDF but cannot be read ({exc}). Is the download complete? "
            "The plain-text rendering of the Convention can be imported instead."
        ) from exc
    if locked:
        raise ImportRefused(
            f"{name} is protected by a password. Save an unprotected copy and import that."
        )
    try:
        pages = [_page_text(page) for page in reader.pages]
    except Exception as exc:
        raise ImportRefused(
            f"The text of {name} cannot be extracted ({exc}). "
            "The plain-text rendering of the Convention can be imported instead."
        ) from exc
    if not any(page.strip() for page in pages):
        raise ImportRefused(
            f"{name} has no text layer (is it a scan?). Run OCR on it, "
            "or import the plain-text rendering of the Convention instead."
        )
    return "\f".join(pages)


def _page_text(page) -> str:
    # Layout mode keeps the gaps between paragraphs as blank lines, which the parser reads as
    # hints, and places words by position rather than by the PDF's spacing operators. Both
    # modes parse the sample alike; plain mode remains the fallback for pages layout mode
    # cannot handle (it is the older, more forgiving code in pypdf).
    try:
        return page.extract_text(extraction_mode="layout")
    except Exception:
        return page.extract_text()


def _plain_text(data: bytes, name: str) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefused(
            f"{name} is neither a PDF nor UTF-8 text (byte {exc.object[exc.start]:#04x} "
            f"at position {exc.start} is not UTF-8). Save it as UTF-8, or import the PDF."
        ) from exc
    if "\x00" in text:
        raise ImportRefused(f"{name} looks like a binary file, not the text of the Convention.")
    if not text.strip():
        raise ImportRefused(f"{name} is empty.")
    return text
