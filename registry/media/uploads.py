"""What an uploaded image or document must be, and what is stored of it.

Images (JPEG, PNG, WebP) are identified by their content with Pillow, refused from their header
when too large (bytes, then pixels: a decompression bomb is refused before it is decoded), then
decoded, turned upright, shrunk to a stored size, and re-encoded from the pixels alone, so no
metadata (EXIF with GPS positions, XMP, comments, colour profiles) survives; a thumbnail is made
once, here. Documents must be PDF by their content: the magic bytes, then a parse with pypdf.
The texts that go with them (alt text, caption, credit, licence; a document's title) are
validated here too, so the pages and the API refuse the same things with the same messages.
Knows nothing of Flask or of the database.
"""

from __future__ import annotations

import hashlib
import io
import math
import warnings
from dataclasses import dataclass
from typing import Any

import pypdf
from PIL import Image, ImageOps, UnidentifiedImageError

from .. import vocab
from ..messages import Message, msg
from ..schemas import ValidationFailed, slugify, text_problem

KINDS = ("image", "document")
MEGABYTE = 1024 * 1024
MAX_IMAGE_BYTES = 10 * MEGABYTE
MAX_IMAGE_PIXELS = 40_000_000  # width × height, read from the header before decoding
MAX_DOCUMENT_BYTES = 20 * MEGABYTE
MAX_UPLOAD_BYTES = max(MAX_IMAGE_BYTES, MAX_DOCUMENT_BYTES)
STORED_SIDE = 2560  # the longest side of the stored image; larger ones are shrunk
THUMBNAIL_SIDE = 640  # the longest side of the thumbnail (cards and the gallery, 2× density)
# Pillow raises DecompressionBombError past twice this and warns past it; both are refused.
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS

IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp",
              "application/pdf": "pdf"}  # fmt: skip
PDF = "application/pdf"

MAX_ALT = 500
MAX_CAPTION = 1000
MAX_CREDIT = 300
MAX_TITLE = 300
IMAGE_TEXTS = ("alt", "caption", "credit", "licence")
DOCUMENT_TEXTS = ("title",)
TEXTS = {"image": IMAGE_TEXTS, "document": DOCUMENT_TEXTS}


class Refused(ValueError):
    """The file cannot be accepted; `message` says why, in the reader's words."""

    def __init__(self, message: Message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Stored:
    """Bytes as they are stored and served."""

    data: bytes
    content_type: str
    width: int | None = None
    height: int | None = None

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Accepted:
    """An upload that passed: the file to store, its thumbnail (images), its page count (PDF)."""

    kind: str
    file: Stored
    thumbnail: Stored | None = None
    pages: int | None = None


def _megabytes(size: int) -> int:
    return math.ceil(size / MEGABYTE)


def _too_large(kind: str, size: int) -> Refused:
    if kind == "image":
        return Refused(
            msg(
                "an image may be at most %(limit)s MB; this one is %(size)s MB",
                limit=MAX_IMAGE_BYTES // MEGABYTE,
                size=_megabytes(size),
            )
        )
    return Refused(
        msg(
            "a document may be at most %(limit)s MB; this one is %(size)s MB",
            limit=MAX_DOCUMENT_BYTES // MEGABYTE,
            size=_megabytes(size),
        )
    )


def check_size(kind: str, size: int) -> None:
    """Refuse an empty or oversized file before anything reads it."""
    if size == 0:
        raise Refused(msg("the file is empty"))
    if size > (MAX_IMAGE_BYTES if kind == "image" else MAX_DOCUMENT_BYTES):
        raise _too_large(kind, size)


def accept(kind: str, data: bytes) -> Accepted:
    """The file as it will be stored, or Refused saying why."""
    check_size(kind, len(data))
    return accept_image(data) if kind == "image" else accept_document(data)


# --- images ---------------------------------------------------------------------------------

NOT_AN_IMAGE = msg(
    "this file is not a JPEG, PNG or WebP image (its content was checked, not its name)"
)


def _too_many_pixels(width: int, height: int) -> Refused:
    return Refused(
        msg(
            "the image is %(width)s × %(height)s pixels; at most %(limit)s million pixels are "
            "accepted: make it smaller and upload it again",
            width=width,
            height=height,
            limit=MAX_IMAGE_PIXELS // 1_000_000,
        )
    )


def _opened(data: bytes) -> Image.Image:
    """The image with only its header read; refused when too large to decode."""
    with warnings.catch_warnings():
        # Past MAX_IMAGE_PIXELS Pillow warns; the check below refuses, naming the size.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=list(IMAGE_FORMATS))
        except Image.DecompressionBombError:
            raise Refused(msg("the image has too many pixels to be decoded safely")) from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            raise Refused(NOT_AN_IMAGE) from None
    width, height = image.size
    if width * height > MAX_IMAGE_PIXELS:
        raise _too_many_pixels(width, height)
    if width < 1 or height < 1:
        raise Refused(NOT_AN_IMAGE)
    return image


def _pixels_only(image: Image.Image, content_type: str) -> Image.Image:
    """A new image holding the pixels alone, in a mode the output format writes."""
    alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if content_type == "image/jpeg":
        mode = "L" if image.mode in ("1", "L") else "RGB"
    elif content_type == "image/png" and image.mode in ("1", "L", "RGB", "RGBA", "LA"):
        mode = image.mode
    else:
        mode = "RGBA" if alpha else "RGB"
    converted = image if image.mode == mode else image.convert(mode)
    return Image.frombytes(mode, converted.size, converted.tobytes())


def _encoded(image: Image.Image, content_type: str) -> Stored:
    out = io.BytesIO()
    if content_type == "image/jpeg":
        image.save(out, "JPEG", quality=85)  # optimize/progressive: 5× the time, ~5% smaller
    elif content_type == "image/webp":
        image.save(out, "WEBP", quality=85, method=2)  # method 4 doubles the time
    else:
        image.save(out, "PNG", compress_level=6)
    return Stored(out.getvalue(), content_type, image.width, image.height)


def accept_image(data: bytes) -> Accepted:
    """Re-encode from the pixels alone (no metadata survives), upright, at most STORED_SIDE
    on its longest side, with a thumbnail of at most THUMBNAIL_SIDE."""
    opened = _opened(data)
    content_type = IMAGE_FORMATS[opened.format or ""]
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            opened.seek(0)  # an animation keeps its first frame
            upright = ImageOps.exif_transpose(opened)
            upright.load()
            # Bicubic for a mild shrink (Lanczos cost twice as much for no visible gain).
            upright.thumbnail((STORED_SIDE, STORED_SIDE), Image.Resampling.BICUBIC)
            clean = _pixels_only(upright, content_type)
        except Image.DecompressionBombError:
            raise Refused(msg("the image has too many pixels to be decoded safely")) from None
        except (OSError, ValueError, SyntaxError, EOFError):
            raise Refused(msg("the image could not be read: it is damaged or incomplete")) from None
    small = clean.copy()
    small.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    return Accepted("image", _encoded(clean, content_type), _encoded(small, content_type))


# --- documents --------------------------------------------------------------------------------

NOT_A_PDF = msg("this file is not a PDF document (its content was checked, not its name)")


def accept_document(data: bytes) -> Accepted:
    """A PDF by its magic bytes and by a parse with pypdf (its page tree), stored as sent."""
    if not data.startswith(b"%PDF-"):
        raise Refused(NOT_A_PDF)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pypdf's notes on a sloppy file are not refusals
        try:
            reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise Refused(msg("the PDF is protected by a password: upload a copy without one"))
            pages = len(reader.pages)
        except Refused:
            raise
        except Exception:  # untrusted bytes: any failure to parse them is a refusal
            raise Refused(
                msg("the PDF could not be read: it is damaged or not really a PDF")
            ) from None
    if pages < 1:
        raise Refused(msg("the PDF has no pages"))
    return Accepted("document", Stored(data, PDF), pages=pages)


# --- texts ------------------------------------------------------------------------------------


def _text(value: Any, limit: int, field: str, errors: dict[str, list[str]]) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.setdefault(field, []).append(msg("must be text"))
        return ""
    problem = text_problem(value)
    if problem is not None:
        errors.setdefault(field, []).append(problem)
        return ""
    cleaned = value.strip()
    if len(cleaned) > limit:
        errors.setdefault(field, []).append(
            msg("must have at most %(count)s characters", count=limit)
        )
    return cleaned


def texts(kind: str, data: Any) -> dict[str, Any]:
    """The texts of a media item, validated as a whole: every failing field listed at once.

    Images: alt text (required: what the image shows, for people who cannot see it), caption,
    credit (required: who made it or holds the rights) and licence (a code of the `licence`
    vocabulary); documents: title (required). Alt text, caption and title are in the record's
    language.
    """
    if kind not in KINDS:
        raise ValidationFailed({"kind": [msg('must be "image" or "document"')]})
    if not isinstance(data, dict):
        raise ValidationFailed({"_": [msg("expected a JSON object with the media item's texts")]})
    errors: dict[str, list[str]] = {}
    unknown = [k for k in data if k not in TEXTS[kind]]
    for name in unknown:
        errors[name] = [msg("unknown field")]
    if kind == "document":
        title = _text(data.get("title"), MAX_TITLE, "title", errors)
        if not title and "title" not in errors:
            errors["title"] = [msg("give the document a title")]
        if errors:
            raise ValidationFailed(errors)
        return {"title": title}
    found = {
        "alt": _text(data.get("alt"), MAX_ALT, "alt", errors),
        "caption": _text(data.get("caption"), MAX_CAPTION, "caption", errors),
        "credit": _text(data.get("credit"), MAX_CREDIT, "credit", errors),
        "licence": _licence(data.get("licence"), errors),
    }
    if not found["alt"] and "alt" not in errors:
        errors["alt"] = [msg("describe the image for people who cannot see it (alt text)")]
    if not found["credit"] and "credit" not in errors:
        errors["credit"] = [msg("say who made the image or holds its rights")]
    if errors:
        raise ValidationFailed(errors)
    return found


def _licence(value: Any, errors: dict[str, list[str]]) -> str | None:
    code = str(value).strip().lower() if isinstance(value, str) else ""
    if not code:
        errors["licence"] = [msg("choose a licence")]
        return None
    if code not in vocab.LICENCE.codes:
        errors["licence"] = [
            msg(
                "unknown code %(codes)s; expected one of %(expected)s",
                codes=code,
                expected=", ".join(vocab.LICENCE.codes),
            )
        ]
        return None
    return code


def download_name(kind: str, found: dict[str, Any], content_type: str) -> str:
    """The name a download gets: made from the alt text or title, never the uploaded name
    (which may say more than its owner meant to publish)."""
    stem = slugify(found.get("title") or found.get("alt") or kind)[:80].rstrip("-") or kind
    return f"{stem}.{EXTENSIONS[content_type]}"
