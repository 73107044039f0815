"""Evidence files (R21): photos and documents stored by content hash, outside the event store.

An upload is read whole (the app's ``MAX_CONTENT_LENGTH`` bounds the request), its type is judged
by its first bytes (JPEG, PNG, WebP or PDF; the name and the browser's content type are not
trusted), each file must be at most ``EVIDENCE_MAX_BYTES`` (default 5 MB), and only when every file
of a form passes is anything written: ``DATA_DIR/evidence/<sha256[:2]>/<sha256>``. The event then
records :class:`domain.case_values.Evidence` (hash, name, type, size).

    checked = check_uploads(request.files.getlist("photos"), field="photos")  # UploadError
    evidence = [save(item) for item in checked]                                # after all passed
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from flask import abort, current_app, send_file
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from werkzeug.datastructures import FileStorage

from domain.case_values import Evidence

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_FILES = 10
ALLOWED_TYPES = ("image/jpeg", "image/png", "image/webp", "application/pdf")
_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
}
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class UploadError(ValueError):
    """A refused upload; ``field`` names the form field, ``message`` is translated."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class CheckedUpload:
    data: bytes
    sha256: str
    name: str
    media_type: str

    @property
    def evidence(self) -> Evidence:
        return Evidence(self.sha256, self.name, self.media_type, len(self.data))


def sniff(head: bytes) -> str | None:
    """The media type of a file from its magic bytes, or None when it is not one we accept."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def max_bytes() -> int:
    return int(current_app.config.get("EVIDENCE_MAX_BYTES") or DEFAULT_MAX_BYTES)


def clean_name(name: str | None, media_type: str) -> str:
    """A display name without folders or control characters, at most 120 characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    if not base:
        base = "evidence" + _EXTENSIONS.get(media_type, "")
    return base[:120]


def check_uploads(files: Iterable[FileStorage], *, field: str) -> list[CheckedUpload]:
    """Every non-empty file of ``files``, checked; raises :class:`UploadError` on the first that
    fails (nothing is stored by this function)."""
    limit = max_bytes()
    out: list[CheckedUpload] = []
    for storage in files:
        if storage is None or not storage.filename:
            continue  # the empty file input a browser sends when nothing was chosen
        data = storage.read(limit + 1)
        name = storage.filename
        if len(data) > limit:
            raise UploadError(
                gettext(
                    "%(field)s: the file %(name)s is larger than %(limit)s MB.",
                    field=field_label(field),
                    name=name,
                    limit=limit // (1024 * 1024) or 1,
                ),
                field=field,
            )
        if not data:
            raise UploadError(
                gettext(
                    "%(field)s: the file %(name)s is empty.", field=field_label(field), name=name
                ),
                field=field,
            )
        media_type = sniff(data[:16])
        if media_type is None:
            raise UploadError(
                gettext(
                    "%(field)s: the file %(name)s is not a JPEG, PNG, WebP or PDF file.",
                    field=field_label(field),
                    name=name,
                ),
                field=field,
            )
        out.append(
            CheckedUpload(
                data=data,
                sha256=hashlib.sha256(data).hexdigest(),
                name=clean_name(name, media_type),
                media_type=media_type,
            )
        )
    if len(out) > MAX_FILES:
        raise UploadError(
            gettext(
                "%(field)s: at most %(n)s files at once.", field=field_label(field), n=MAX_FILES
            ),
            field=field,
        )
    return out


def field_label(field: str) -> str:
    labels = {
        "photos": gettext("Photos and documents"),
        "evidence": gettext("Evidence"),
        "receipt": gettext("Shipping receipt"),
    }
    return str(labels.get(field, field))


def root() -> Path:
    return Path(current_app.config["DATA_DIR"]) / "evidence"


def path_for(sha256: str) -> Path:
    if not _HEX64.match(sha256):
        raise ValueError("not a sha256 hex digest")
    return root() / sha256[:2] / sha256


def save(upload: CheckedUpload) -> Evidence:
    """Write the file under its hash (atomically; an existing copy is kept) and return the
    evidence value the event records."""
    target = path_for(upload.sha256)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(upload.data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return upload.evidence


def send(sha256: str, *, name: str, media_type: str) -> ResponseReturnValue:
    """The stored file as a download (404 when it is not stored here)."""
    try:
        path = path_for(sha256)
    except ValueError:
        abort(404)
    if not path.is_file():
        abort(404)
    inline = media_type in ALLOWED_TYPES and media_type != "application/pdf"
    return send_file(
        path,
        mimetype=media_type,
        as_attachment=not inline,
        download_name=name,
        max_age=0,
        etag=sha256,
    )
