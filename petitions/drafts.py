"""Files a citizen chose are kept when another field of the form has an error.

A browser cannot refill a file input, so the already-cleaned files of a form that came back with an
error are kept on the server under the form's submission token (a random UUID only that browser holds),
listed on the form as "already attached", and filed with the petition when the form finally goes
through. Drafts older than a day are removed by the sweep (`drafts_sweep`); nothing is ever published.
"""
from __future__ import annotations

import json
import shutil
import time
import uuid
from pathlib import Path

from django.conf import settings

from petitions.services import CleanUpload

MAX_AGE_SECONDS = 86400


def _folder(token: uuid.UUID) -> Path:
    return Path(settings.MEDIA_ROOT) / "drafts" / str(uuid.UUID(str(token)))


def _indexes(folder: Path) -> list[int]:
    return sorted(int(p.stem) for p in folder.glob("*.bin")) if folder.exists() else []


def drafts_keep(token: uuid.UUID, uploads: list[CleanUpload]) -> list[int]:
    """Keep `uploads` under `token`; returns the indexes they were kept under (for `drafts_remove`)."""
    folder = _folder(token)
    folder.mkdir(parents=True, exist_ok=True)
    start = (_indexes(folder) or [-1])[-1] + 1  # after the last, even if one before it was removed
    written = []
    for index, upload in enumerate(uploads, start=start):
        (folder / f"{index}.bin").write_bytes(upload.content)
        (folder / f"{index}.json").write_text(json.dumps(
            {"name": upload.original_name, "type": upload.content_type, "ext": upload.extension}))
        written.append(index)
    return written


def drafts_count(token: uuid.UUID | None) -> int:
    """How many files are kept under `token`, without reading them."""
    return len(_indexes(_folder(token))) if token else 0


def drafts_remove(token: uuid.UUID, indexes: list[int]) -> None:
    """Take back files `drafts_keep` kept (a transaction that kept them rolled back)."""
    folder = _folder(token)
    for index in indexes:
        (folder / f"{index}.json").unlink(missing_ok=True)
        (folder / f"{index}.bin").unlink(missing_ok=True)


def drafts_indexes(token: uuid.UUID | None) -> list[int]:
    """The indexes of the files kept under `token`, in the order `drafts_load` returns them."""
    return _indexes(_folder(token)) if token else []


def drafts_listed(token: uuid.UUID | None) -> list[tuple[int, CleanUpload]]:
    """The files kept under `token`, each with the index its *Remove* box posts (`drafts_forget`)."""
    return list(zip(drafts_indexes(token), drafts_load(token)))


def drafts_forget(token: uuid.UUID | None, values) -> None:
    """The citizen unticked files kept from an earlier try ("remove"): they go before the form is read again.
    `values` are the posted indexes; anything else is ignored."""
    if token:
        drafts_remove(token, [int(v) for v in values if str(v).isdigit() and len(str(v)) < 6])


def drafts_load(token: uuid.UUID | None) -> list[CleanUpload]:
    if not token:
        return []
    folder = _folder(token)
    kept = []
    for meta_path in sorted(folder.glob("*.json"), key=lambda p: int(p.stem)) if folder.exists() else []:
        meta = json.loads(meta_path.read_text())
        kept.append(CleanUpload(meta["name"], meta_path.with_suffix(".bin").read_bytes(), meta["type"], meta["ext"]))
    return kept


def drafts_drop(token: uuid.UUID | None) -> None:
    if token:
        shutil.rmtree(_folder(token), ignore_errors=True)


def drafts_sweep(now: float | None = None) -> int:
    root = Path(settings.MEDIA_ROOT) / "drafts"
    removed = 0
    for folder in root.iterdir() if root.exists() else []:
        if (now or time.time()) - folder.stat().st_mtime > MAX_AGE_SECONDS:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed
