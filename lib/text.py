"""Text as XML 1.0 and spreadsheets can hold it.

A citizen's text can carry control characters (pasted from another app, a mini-program's keyboard): harmless in
HTML and JSON, but XML 1.0 forbids them, so one vertical tab in one petition made a whole Open311 XML list
unreadable, and openpyxl refuses them in a cell. The text is stored as written and cleaned where it is written
out in those formats.
"""
from __future__ import annotations

import re

# XML 1.0 "Char": tab, newline and carriage return are the only controls allowed; no lone surrogates, no U+FFFE/F.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 (and so a spreadsheet cell) cannot hold."""
    return _NOT_XML.sub("", text)
