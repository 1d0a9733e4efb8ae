"""Downloads (CSV, JSON, JSON-LD): written a piece at a time, and kept as files until the public
data they hold changes.

A download of every published annotation can run to tens of megabytes. Built in memory it would
take a worker's memory with it; built for every request it would let anyone keep the workers
busy. So the text is streamed to the reader as it is written and, when the page cache is on,
saved at the same time under a name holding the generations of the public analysis and the site
(`provisions.cache.generations.current_version`) and the files' format (`FORMAT`): until a write
retires them, the next reader gets the saved file, without a query. A file is only ever put in
place whole; an interrupted build leaves nothing behind, and the newest file of a download
replaces the older ones.
"""

import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, StreamingHttpResponse

from provisions import replica
from provisions.cache.generations import current_version
from provisions.cache.scopes import ANALYSIS
from provisions.cache.storage import HIT_HEADER

logger = logging.getLogger(__name__)

# The text is sent in pieces of about this many bytes.
PIECE_BYTES = 64 * 1024
# Between the version and the file name: never part of either.
SEPARATOR = "~"
# Part of a kept file's version: raise it when what a download holds, or how, changes, so that
# files kept by the code before a deploy are not served after it (the data's generations alone
# would not change). 2: several values in one CSV cell as a JSON array (was joined by "; ").
FORMAT = 2


def download(
    *, filename: str, content_type: str, pieces: Callable[[], Iterable[str]]
) -> StreamingHttpResponse:
    """The response for a download. `pieces` is called only if the file must be (re)written:
    a saved file costs no query at all."""
    version = current_version(ANALYSIS)
    if version is None:
        content, state = _encoded(pieces()), "none"
    else:
        kept_as = f"{version}.f{FORMAT}{SEPARATOR}{filename}"
        path = Path(settings.TREATYWATCH_DOWNLOADS_DIR) / kept_as
        try:
            saved = FileResponse(path.open("rb"), as_attachment=True, filename=filename)
        except OSError:  # not written yet (or the folder is unusable: it is then sent unsaved)
            replica.primary_unless_caught_up()  # kept under `version`: no older rows
            content, state = _saved_while_sent(_encoded(pieces()), path), "miss"
        else:
            saved["Content-Type"] = content_type
            return _attachment(saved, filename, "hit")
    return _attachment(StreamingHttpResponse(content, content_type=content_type), filename, state)


def _attachment(response, filename: str, state: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response[HIT_HEADER] = state
    return response


def _encoded(pieces: Iterable[str]) -> Iterator[bytes]:
    """UTF-8 bytes in pieces of about PIECE_BYTES (the writers yield many small strings)."""
    waiting, size = [], 0
    for piece in pieces:
        data = piece.encode()
        waiting.append(data)
        size += len(data)
        if size >= PIECE_BYTES:
            yield b"".join(waiting)
            waiting, size = [], 0
    if waiting:
        yield b"".join(waiting)


def _saved_while_sent(content: Iterator[bytes], path: Path) -> Iterator[bytes]:
    """Send each piece and write it to a temporary file; once all is written, the file takes its
    name. If the reader goes away (or the build fails) the temporary file is removed."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = tempfile.NamedTemporaryFile(  # noqa: SIM115 — closed below, or removed
            dir=path.parent, prefix=".writing-", delete=False
        )
    except OSError:
        logger.exception("Downloads: cannot write to %s; sending without saving", path.parent)
        yield from content
        return
    finished = False
    try:
        with temporary:
            for piece in content:
                temporary.write(piece)
                yield piece
        os.replace(temporary.name, path)
        finished = True
    finally:
        if not finished:
            Path(temporary.name).unlink(missing_ok=True)
    _remove_older(path)


def _remove_older(path: Path) -> None:
    """Older versions of the same download: no request will ask for them again."""
    version, filename = path.name.split(SEPARATOR, 1)
    for other in path.parent.glob(f"*{SEPARATOR}{filename}"):
        if other != path and other.name.split(SEPARATOR, 1)[1] == filename:
            other.unlink(missing_ok=True)
