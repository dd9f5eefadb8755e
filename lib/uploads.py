"""Checking and cleaning uploaded files by their content, not their name.

Accepts JPEG, PNG and WebP images and PDF documents, and refuses hostile ones
cheaply (issue 13): every limit is checked before the expensive work it guards.

- Images: the dimensions are read from the header and checked against a pixel
  budget and a decode budget before a single pixel is decoded; accepted ones are
  decoded and re-encoded into a fresh image, which drops EXIF (and with it GPS
  positions); the orientation is applied first so the picture still stands upright.
- PDFs: parsed by qpdf (pikepdf), which undoes the spellings a byte filter misses
  (``/J#61vaScript``, hex strings, object streams, compressed streams), within an
  object budget and a memory ceiling. One that carries scripts, launch, submit,
  import or remote actions, script links, embedded files or XFA is refused; from the
  rest every other action but a plain link, the open and "additional" actions, the
  document information and XMP are removed; the output is opened and walked again,
  and refused if anything is left. Encrypted PDFs are refused.
"""
from __future__ import annotations

import io
import warnings
import zlib
from contextlib import contextmanager
from dataclasses import dataclass

# Pixel budget. A phone's photo is 12 MP by default (50 MP only in a "pro" mode), a
# scanned A4 page at 300 dpi is 8.7 MP: 25 MP refuses nothing a citizen needs, and
# bounds decoding to about 100 MB of memory and a second of work.
MAX_PIXELS = 25_000_000
MAX_SIDE = 10_000
# Decode budget: what decoding may cost per byte sent. Photos decode to 10-30 times
# their size, flat screenshots and scans to under 150; a PNG of one colour to 1,000
# (the 170 KB, 6,300 x 6,300 one of issue 13). Small pictures are never refused for it.
MAX_DECODE_RATIO = 250
DECODE_RATIO_FLOOR_BYTES = 16 * 1024 * 1024

_EXTENSIONS = {
    "image/jpeg": {".jpg", ".jpeg"},
    "image/png": {".png"},
    "image/webp": {".webp"},
    "application/pdf": {".pdf"},
}
_IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


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
        return CleanFile(clean_pdf(data), content_type, ".pdf")
    return CleanFile(_clean_image(data, content_type), content_type, extension)


# --- Images ---------------------------------------------------------------------------------


def check_image_budget(width: int, height: int, bands: int, file_size: int) -> None:
    """Refuse, from the header's numbers alone, a picture too costly to decode."""
    if width <= 0 or height <= 0:
        raise UploadRejected("corrupt")
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise UploadRejected("too_many_pixels")
    decoded = width * height * max(bands, 1)
    if decoded > DECODE_RATIO_FLOOR_BYTES and decoded > MAX_DECODE_RATIO * file_size:
        raise UploadRejected("too_many_pixels")


def _clean_image(data: bytes, content_type: str) -> bytes:
    from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

    # Pillow's own guard, on opening: a warning past this, an error past twice this. Made an
    # error here (Pillow's advice), so it refuses before our check (below) could.
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    fmt = _IMAGE_FORMATS[content_type]
    try:
        # Image.open reads the header only; nothing is decoded before the budget is checked.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[fmt]) as probe:
                check_image_budget(probe.width, probe.height, len(probe.getbands()), len(data))
                probe.verify()
        with Image.open(io.BytesIO(data), formats=[fmt]) as image:
            check_image_budget(image.width, image.height, len(image.getbands()), len(data))
            image.load()
            ImageOps.exif_transpose(image, in_place=True)
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
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise UploadRejected("too_many_pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise UploadRejected("corrupt") from None


# --- PDFs -----------------------------------------------------------------------------------

# What a PDF may ask of the parser: 10,000 objects is a 500-page text document (a
# citizen's letter has a few dozen); its object streams may inflate to 32 MB in all.
MAX_PDF_OBJECTS = 10_000
MAX_PDF_OBJECT_STREAM_BYTES = 32 * 1024 * 1024
# And whatever else qpdf may inflate on opening (a cross-reference stream is, before any
# check of ours can run): the memory it may take on top of what the process holds.
MAX_PDF_MEMORY_BYTES = 64 * 1024 * 1024

# Keys that only exist to run or carry something. /JS: a script's code; /JavaScript: the
# document's script name tree; /EmbeddedFiles and /EF: attached files; /XFA: XML forms
# and their scripts; /Collection: a portfolio; /RichMediaContent: Flash and video.
_HOSTILE_KEYS = frozenset({"/JS", "/JavaScript", "/EmbeddedFiles", "/EF", "/XFA", "/Collection", "/RichMediaContent"})
# Keys that start actions by themselves: on opening, and the "additional actions" of the
# catalog, pages, annotations and form fields. Harmless with a plain jump in them (many
# PDFs open at "page 1, fit"), so they are removed from every file rather than refused.
_TRIGGER_KEYS = frozenset({"/OpenAction", "/AA"})
# Actions that run, submit, launch, fetch or play something.
_HOSTILE_ACTIONS = frozenset({"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToR", "/GoToE",
                              "/GoToDp", "/Rendition", "/Movie", "/Sound", "/RichMediaExecute", "/GoTo3DView"})
# Actions kept on links: a jump inside the document, a web or mail link (checked below).
_SAFE_ACTIONS = frozenset({"/GoTo", "/URI"})
_SAFE_URI_SCHEMES = ("http:", "https:", "mailto:")
_HOSTILE_ANNOTATIONS = frozenset({"/FileAttachment", "/Sound", "/Movie", "/Screen", "/RichMedia", "/3D"})


def clean_pdf(data: bytes) -> bytes:
    """The PDF without actions, embedded files, XFA or metadata.

    A PDF carrying scripts, launch/submit/import/remote actions, script links, embedded
    files or XFA is refused ("active_content"): the citizen can print it to a plain PDF.
    What remains is cleaned anyway, and the output is opened and walked again.
    """
    import pikepdf

    try:
        with _memory_ceiling(MAX_PDF_MEMORY_BYTES), pikepdf.open(io.BytesIO(data)) as pdf:
            if pdf.is_encrypted:
                raise UploadRejected("encrypted")
            check_pdf_budget(pdf)
            if pdf_hostile_content(pdf, everything=False):
                raise UploadRejected("active_content")
            _strip_active_content(pdf)
            out = io.BytesIO()
            # Streams are copied as they are: decoding them would let a small flate bomb
            # cost gigabytes of work, and nothing in them runs once the actions are gone.
            pdf.save(out, stream_decode_level=pikepdf.StreamDecodeLevel.none, fix_metadata_version=False,
                     encryption=False, preserve_pdfa=False)
        cleaned = out.getvalue()
        # Check the output as a viewer will read it, not the objects we think we changed.
        with _memory_ceiling(MAX_PDF_MEMORY_BYTES), pikepdf.open(io.BytesIO(cleaned)) as again:
            if again.is_encrypted or pdf_hostile_content(again, everything=True):
                raise UploadRejected("active_content")
        return cleaned
    except UploadRejected:
        raise
    except pikepdf.PasswordError:
        raise UploadRejected("encrypted") from None
    except MemoryError:
        raise UploadRejected("too_complex") from None
    except (pikepdf.PdfError, ValueError, KeyError, TypeError, OSError, RecursionError):
        raise UploadRejected("corrupt") from None


@contextmanager
def _memory_ceiling(extra: int):
    """Let the process's data (heap and private mappings) grow by `extra` bytes at most, meanwhile.

    RLIMIT_DATA is the process's, and Linux (4.7 on) counts what VmData shows. A library
    asking for more gets an allocation failure (MemoryError, or a qpdf error and recovery)
    instead of the machine's memory. Our gunicorn and Celery workers run one request at a
    time; in a threaded server another thread could meet the same ceiling meanwhile.
    Without /proc (not Linux), nothing is limited.
    """
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
        with open("/proc/self/status", encoding="ascii") as status:
            used = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmData:"))
    except (ImportError, OSError, StopIteration, ValueError):
        yield
        return
    ceiling = used + extra
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    if soft != resource.RLIM_INFINITY and soft <= ceiling:
        yield  # already as strict
        return
    resource.setrlimit(resource.RLIMIT_DATA, (ceiling, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))


def check_pdf_budget(pdf) -> None:
    """Refuse, from the cross-reference table, a PDF too costly to parse and walk.

    qpdf reads objects lazily; an object stream is inflated whole when one of its objects
    is first read, and nothing bounds that: 300 KB of flate can ask for 300 MB. So the
    object streams are inflated here first, by zlib with a ceiling, before qpdf does.
    """
    import pikepdf

    table = pdf.get_xref_table()
    if len(table) > MAX_PDF_OBJECTS:
        raise UploadRejected("too_complex")
    streams = {entry.obj_stream_number for entry in table.values() if entry.type == 2}
    budget = MAX_PDF_OBJECT_STREAM_BYTES
    for number in sorted(streams):
        container = pdf.get_object(number, 0)
        if not isinstance(container, pikepdf.Stream):
            raise UploadRejected("corrupt")
        filters = container.get("/Filter")
        filters = [str(f) for f in filters] if isinstance(filters, pikepdf.Array) else [str(filters or "")]
        if filters not in ([""], ["/FlateDecode"]):
            raise UploadRejected("corrupt")  # qpdf writes them with flate, and so does everyone else
        budget -= _inflated_size(container.read_raw_bytes(), budget) if filters[0] else len(container.read_raw_bytes())
        if budget < 0:
            raise UploadRejected("too_complex")


def _inflated_size(raw: bytes, ceiling: int) -> int:
    """How much a flate stream inflates to, counted a megabyte at a time and no further than the ceiling."""
    inflater = zlib.decompressobj()
    size, pending = 0, raw
    try:
        while pending and size <= ceiling:
            size += len(inflater.decompress(pending, 1024 * 1024))
            pending = inflater.unconsumed_tail
    except zlib.error:
        raise UploadRejected("corrupt") from None
    return size


def pdf_hostile_content(pdf, *, everything: bool) -> list[str]:
    """What a PDF holds that may run or carry something; empty if nothing.

    qpdf has already undone the spellings (``/J#61vaScript``, hex strings, object and
    compressed streams), so this looks at objects, never bytes. With ``everything``, all
    objects of the file count and so do triggers and actions of any kind but a safe link:
    the standard a cleaned file must meet. Without, only what can be reached, and hostile.
    """
    import pikepdf

    flagged = _HOSTILE_KEYS | _TRIGGER_KEYS if everything else _HOSTILE_KEYS
    found = []
    for obj in _walk([pdf.trailer, *pdf.objects] if everything else [pdf.trailer]):
        if isinstance(obj, pikepdf.Array):
            continue
        keys = set(obj.keys())  # one call into qpdf; each lookup below only if its key is there
        found += [f"key {key}" for key in keys & flagged]
        if _is_hostile_action(obj, keys):
            found.append(f"action {obj.get('/S')}")
        if _is_hostile_annotation(obj, keys):
            found.append(f"annotation {obj.get('/Subtype')}")
        if "/Type" in keys and obj["/Type"] == "/EmbeddedFile":
            found.append("embedded file")
        if everything:
            # Any action but a plain link, where actions sit (/S alone also names page
            # label styles, transitions, soft masks, structure types).
            actions = [obj] if "/Type" in keys and obj["/Type"] == "/Action" else []
            actions += [obj["/A"]] if "/A" in keys and _is_action(obj["/A"]) else []
            found += [f"action {a.get('/S')}" for a in actions if not _is_safe_action(a)]
            found += ["action chain"] if "/Next" in keys and "/S" in keys else []
    return found


def _strip_active_content(pdf) -> None:
    import pikepdf

    if "/Info" in pdf.trailer:
        del pdf.trailer["/Info"]
    if "/Metadata" in pdf.Root:
        del pdf.Root["/Metadata"]
    for obj in _walk([pdf.trailer]):
        if isinstance(obj, pikepdf.Array):
            for index in reversed(range(len(obj))):
                if _is_hostile_action(obj[index]) or _is_hostile_annotation(obj[index]):
                    del obj[index]
            continue
        keys = set(obj.keys())
        is_action = "/S" in keys
        for key in keys:
            if key in _HOSTILE_KEYS or key in _TRIGGER_KEYS or (key == "/Next" and is_action):
                del obj[key]  # a kept link chains to nothing else
                continue
            value = obj[key]
            if not _is_dictionary(value):
                continue
            if (_is_hostile_action(value) or _is_hostile_annotation(value)
                    or (key == "/A" and _is_action(value) and not _is_safe_action(value))):
                del obj[key]


def _walk(roots):
    """Every object reachable from the roots, each indirect one once; iterative, so depth cannot blow the stack."""
    import pikepdf

    seen: set[tuple[int, int]] = set()
    stack = list(roots)
    while stack:
        obj = stack.pop()
        if not isinstance(obj, (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream)):
            continue
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        yield obj
        if isinstance(obj, pikepdf.Array):
            stack.extend(obj)
        else:
            # Read after the caller's turn: what it removed is not walked.
            stack.extend(obj[key] for key in list(obj.keys()))


def _is_dictionary(obj) -> bool:
    import pikepdf

    return isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream))


def _is_action(obj) -> bool:
    # Every action has /S; a structure element's /A (attributes) has none.
    return _is_dictionary(obj) and ("/S" in obj or obj.get("/Type") == "/Action")


def _is_safe_action(obj) -> bool:
    kind = obj.get("/S")
    return kind == "/GoTo" or (kind == "/URI" and _is_safe_uri(obj.get("/URI")))


def _is_hostile_action(obj, keys: set[str] | None = None) -> bool:
    if keys is None:
        if not _is_dictionary(obj):
            return False
        keys = set(obj.keys())
    if "/JS" in keys:
        return True
    if "/S" not in keys:
        return False
    kind = obj["/S"]
    return kind in _HOSTILE_ACTIONS or (kind == "/URI" and not _is_safe_uri(obj.get("/URI")))


def _is_safe_uri(value) -> bool:
    import pikepdf

    if not isinstance(value, pikepdf.String):
        return False
    # Viewers skip leading blanks and control characters ("\tjavascript:" runs too).
    text = bytes(value).decode("latin-1").lstrip("".join(map(chr, range(33)))).lower()
    return text.startswith(_SAFE_URI_SCHEMES)


def _is_hostile_annotation(obj, keys: set[str] | None = None) -> bool:
    if keys is None:
        if not _is_dictionary(obj):
            return False
        keys = set(obj.keys())
    return ("/Subtype" in keys and obj["/Subtype"] in _HOSTILE_ANNOTATIONS
            and ("/Type" not in keys or obj["/Type"] == "/Annot"))
