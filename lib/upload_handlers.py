"""Refusing an oversized upload while it streams, before anything reads it.

``UploadSizeLimitHandler`` comes first in ``FILE_UPLOAD_HANDLERS``. It counts each
file's bytes as they arrive; past ``PORTAL_UPLOAD_MAX_BYTES`` it stops passing them
to the handlers after it (which had at most that much, in memory or a temporary file,
and are closed) and drains the rest without keeping it. The file then stands in
``request.FILES`` as an ``OversizedUpload``: its name, no content. Asking for its size
or content raises a ValidationError, so every form (ours, the admin's) shows the
translated "too large" error on the field, and nothing can store it by mistake.

The whole request's size is the front web server's to cap (``client_max_body_size``);
here a 100 MB file costs the time to drain it and a constant 64 KB of memory.
"""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext


def too_large_message(name: str, limit: int) -> str:
    return gettext("%(name)s: The file is larger than %(size)s.") % {"name": name, "size": filesizeformat(limit)}


class OversizedUpload:
    """What is left of a file refused while streaming: its name and how much of it came."""

    def __init__(self, name: str, content_type: str, received: int, limit: int):
        self.name = name
        self.content_type = content_type
        self.received = received
        self.limit = limit

    def refuse(self):
        raise ValidationError(too_large_message(self.name, self.limit), code="too_large")

    # Django's FileField reads .size first: the refusal becomes the field's error.
    size = property(refuse)

    def read(self, *args):
        self.refuse()

    def chunks(self, *args):
        self.refuse()

    def open(self, *args):
        self.refuse()

    def close(self):
        pass  # nothing was kept

    def __bool__(self):
        return True  # a file was sent: "this field is required" would be a lie

    def __repr__(self):
        return f"<OversizedUpload {self.name!r} {self.received}+ bytes>"


class UploadSizeLimitHandler(FileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.limit = settings.PORTAL_UPLOAD_MAX_BYTES
        self.received = 0
        self.oversized = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.oversized = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.oversized = True
        # None: the handlers after this one get nothing more of this file.
        return None if self.oversized else raw_data

    def file_complete(self, file_size):
        if not self.oversized:
            return None  # the next handler returns the file
        # The parser asks no other handler once one returns a file: close what they hold
        # (a temporary file is deleted on close). Django's parser assumes the same `.file`.
        for handler in getattr(self.request, "upload_handlers", ()):
            if handler is not self and getattr(handler, "file", None) is not None:
                handler.file.close()
        return OversizedUpload(self.file_name, self.content_type, self.received, self.limit)
