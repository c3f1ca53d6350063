"""``mes-station ebr archive --before DATE``: the PDF, JSON and BatchML of every completed batch
whose QA review approved it before DATE, written to an archive folder with a manifest of
SHA-256 hashes. The records stay in the database; an archived file is never overwritten, so
running it again (a timer, a person) adds only what is new."""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
from pathlib import Path

from ebr.software import software_name
from station.config import Config
from station.errors import CommandError, UsageError

FORMATS = (("pdf", "pdf"), ("json", "json"), ("batchml", "batchml.xml"))
ARCHIVED_BY = "system"


def _day(text: str) -> dt.datetime:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"ebr archive: --before {text!r} is not a date (YYYY-MM-DD)") from None
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def archive_batches(args: argparse.Namespace, config: Config, url: str | None) -> int:
    from ebr.errors import StoreError
    from station.composition import open_store
    from station.exports import export_batch
    from station.files import write_file

    before = _day(args.before)
    folder = Path(args.output) if args.output else Path(str(config.get("backup.folder"))) / "archive"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{folder}: cannot create the archive folder: {exc.strerror or exc}") from None
    try:
        db = open_store(url, create=False, read_only=True)
    except StoreError as exc:
        raise CommandError(str(exc), 2) from None
    try:
        with db.unit_of_work(read_only=True) as uow:
            due = []
            for review in uow.reviews():
                at = dt.datetime.fromisoformat((review.at or "").replace("Z", "+00:00"))
                info = uow.batch(review.event.batch_id)
                if review.event.verdict == "approved" and at < before and info and info.status == "completed":
                    due.append(info.batch_id)
        entries: list[dict[str, str | int]] = []
        for batch_id in sorted(set(due)):
            for fmt, suffix in FORMATS:
                path = folder / batch_id / f"{batch_id}.{suffix}"
                if path.exists():
                    continue
                data = export_batch(db, batch_id, fmt, printed_by=ARCHIVED_BY)
                path.parent.mkdir(exist_ok=True)
                write_file(path, data)
                entries.append(
                    {
                        "file": f"{batch_id}/{path.name}",
                        "sha256": hashlib.sha256(data).hexdigest(),
                        "size": len(data),
                    }
                )
    except StoreError as exc:
        raise CommandError(str(exc)) from None
    except OSError as exc:
        raise CommandError(f"{folder}: cannot write: {exc.strerror or exc}") from None
    finally:
        db.dispose()
    if entries:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        manifest = {
            "format": "mes-station-archive/1",
            "written_at": stamp,
            "written_by": software_name(),
            "before": args.before,
            "files": entries,
        }
        write_file(folder / f"manifest-{stamp}.json", (json.dumps(manifest, indent=2) + "\n").encode())
    batches = len({str(e["file"]).split("/")[0] for e in entries})
    print(
        f"{folder}: {len(entries)} files of {batches} batches archived ({len(set(due))} due before {args.before})"
    )
    return 0
