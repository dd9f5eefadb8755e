"""Checking and cleaning uploaded files by their content, not their name.

Accepts JPEG, PNG and WebP images and PDF documents. Images are decoded and
re-encoded, which drops EXIF (and with it GPS positions); the orientation is
applied first so the picture still stands upright. PDFs are parsed and
rewritten without their document information; ones that carry JavaScript or
launch actions are refused.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

# Refuse decompression bombs: no citizen photo needs more than 40 megapixels.
MAX_PIXELS = 40_000_000

_EXTENSIONS = {
    "image/jpeg": {".jpg", ".jpeg"},
    "image/png": {".png"},
    "image/webp": {".webp"},
    "application/pdf": {".pdf"},
}


class UploadRejected(ValueError):
    """The reason is a short code; callers translate it."""


@dataclass
class CleanFile:
    content: bytes
    content_type: str
    extension: str


def sniff(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def clean_upload(name: str, data: bytes, *, max_bytes: int) -> CleanFile:
    if len(data) == 0:
        raise UploadRejected("empty")
    if len(data) > max_bytes:
        raise UploadRejected("too_large")
    content_type = sniff(data[:16])
    if content_type is None:
        raise UploadRejected("unsupported_type")
    extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if extension not in _EXTENSIONS[content_type]:
        raise UploadRejected("name_mismatch")
    if content_type == "application/pdf":
        return CleanFile(_clean_pdf(data), content_type, ".pdf")
    return CleanFile(_clean_image(data, content_type), content_type, extension)


def _clean_image(data: bytes, content_type: str) -> bytes:
    from PIL import Image, ImageOps, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise UploadRejected("too_many_pixels")
            image = ImageOps.exif_transpose(image)
            fmt = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}[content_type]
            if fmt == "JPEG" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            # A fresh image carries none of the original's metadata (EXIF, GPS, XMP, comments).
            clean = Image.new(image.mode, image.size)
            clean.paste(image)
            if image.mode == "P" and image.getpalette():
                clean.putpalette(image.getpalette())
            out = io.BytesIO()
            clean.save(out, format=fmt, **({"quality": 88} if fmt in ("JPEG", "WEBP") else {}))
            return out.getvalue()
    except UploadRejected:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise UploadRejected("corrupt") from None


def _clean_pdf(data: bytes) -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PdfReadError

    lowered = data.lower()
    if b"/javascript" in lowered or b"/launch" in lowered or b"/js " in lowered or b"/js(" in lowered:
        raise UploadRejected("active_content")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UploadRejected("encrypted")
        writer = PdfWriter()
        for page in reader.pages:
            writer.add_page(page)
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()
    except UploadRejected:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError):
        raise UploadRejected("corrupt") from None
