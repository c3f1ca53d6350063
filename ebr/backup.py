"""Online backups of a SQLite record store, verified, with a manifest; and their restore.

A backup is taken with SQLite's backup API from a read connection: one consistent snapshot
while the station keeps writing (its writers wait at most for the copy, never see a torn
file). The copy is written beside its final name, verified with the store's own chain
verification (``ebr.verify``), and only then renamed into place with its manifest
(``NAME.manifest.json``: chain head, counts, schema revision, SHA-256 of the file). A
restore refuses a file whose hash or chain does not check out.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import sqlite3
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ebr.database import open_database, parse_url
from ebr.errors import StoreError
from ebr.software import software_name
from ebr.verify import verify

MANIFEST_SUFFIX = ".manifest.json"
MANIFEST_FORMAT = "mes-station-backup/1"
_COUNTED = ("audit_events", "batches", "signatures", "users", "recipes")


class BackupError(StoreError):
    """A backup could not be taken or a restore was refused: one line for a person."""


class NotABackup(BackupError):
    """The file is missing or has no readable manifest of mes-station beside it."""


@dataclass(frozen=True)
class Manifest:
    format: str
    file: str
    sha256: str
    size: int
    taken_at: str
    taken_by_software: str
    source: str
    schema_revision: str | None
    chain_last_seq: int
    chain_last_hash: str | None
    synced_seq: int
    counts: dict[str, int]
    verified: bool
    store: str = "sqlite"  # or "postgresql": a pg_dump archive (custom format)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"


def is_postgresql(url: str | None) -> bool:
    return parse_url(url).get_backend_name() == "postgresql"


def sqlite_path(url: str | None) -> Path:
    """The file behind a SQLite URL."""
    parsed = parse_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        raise BackupError(f"{parsed.render_as_string(hide_password=True)}: not a SQLite file")
    return Path(parsed.database).expanduser()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest_path(backup: Path) -> Path:
    return backup.with_name(backup.name + MANIFEST_SUFFIX)


def _facts(path: Path) -> dict[str, Any]:
    """Chain head, sync cursor, schema revision and row counts of a SQLite store file."""
    uri = f"file:{path.resolve()}?mode=ro"
    connection = sqlite3.connect(uri, uri=True)
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        head = connection.execute("SELECT last_seq, last_hash FROM chain_head WHERE id = 1").fetchone()
        synced = (
            connection.execute("SELECT acked_seq FROM sync_state WHERE id = 1").fetchone()
            if "sync_state" in tables
            else None
        )
        revision = (
            connection.execute("SELECT version_num FROM alembic_version").fetchone()
            if "alembic_version" in tables
            else None
        )
        counts = {
            table: int(connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
            for table in _COUNTED
            if table in tables
        }
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path}: not a readable record store: {exc}") from None
    finally:
        connection.close()
    return {
        "chain_last_seq": int(head[0]) if head else 0,
        "chain_last_hash": str(head[1]) if head else None,
        "synced_seq": int(synced[0]) if synced else 0,
        "schema_revision": str(revision[0]) if revision else None,
        "counts": counts,
    }


def store_facts(url: str | None) -> dict[str, Any] | None:
    """The store's facts now; None for a SQLite file not made yet."""
    if is_postgresql(url):
        from ebr import backup_pg

        return backup_pg.facts(str(url))
    path = sqlite_path(url)
    return _facts(path) if path.exists() else None


def _schema_revision(path: Path) -> str | None:
    try:
        con = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)
        try:
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        return None
    return str(row[0]) if row else None


def _migrate_file(path: Path) -> None:
    """Bring a store file to this software's schema: a backup taken before an upgrade holds the
    older version's (one newer than this software is refused by the migration, StoreError)."""
    from ebr.migrate import upgrade

    db = open_database(f"sqlite:///{path.resolve()}", create=False)
    try:
        upgrade(db)
    finally:
        db.dispose()


def _verify_file(path: Path) -> tuple[bool, str]:
    """(intact, what verification said) for a store file, opened read-only. A file at an older
    version's schema is verified as this software would run it: a copy of it, migrated."""
    from ebr.migrate import head_revision

    revision = _schema_revision(path)
    if revision is not None and revision != head_revision():
        with tempfile.TemporaryDirectory(prefix="mes-verify-") as folder:
            copy = Path(folder) / "store.db"
            try:
                source = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)
                try:
                    target = sqlite3.connect(copy)
                    try:
                        source.backup(target)
                    finally:
                        target.close()
                finally:
                    source.close()
                _migrate_file(copy)
            except sqlite3.Error as exc:
                return False, f"not a SQLite database: {exc}"
            except StoreError as exc:
                return False, str(exc)
            ok, said = _verify_current(copy)
            return ok, f"{said} (schema {revision}, as migrated to {head_revision()})"
    return _verify_current(path)


def _verify_current(path: Path) -> tuple[bool, str]:
    try:
        check = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)
        try:
            quick = check.execute("PRAGMA quick_check").fetchone()
        finally:
            check.close()
    except sqlite3.DatabaseError as exc:
        return False, f"not a SQLite database: {exc}"
    if not quick or quick[0] != "ok":
        return False, f"SQLite quick_check: {quick[0] if quick else 'no answer'}"
    db = open_database(f"sqlite:///{path.resolve()}", read_only=True, create=False)
    try:
        report = verify(db, workers=1)
    except StoreError as exc:
        return False, str(exc)
    finally:
        db.dispose()
    return report.ok, str(report)


def take_backup(url: str | None, destination: Path, *, now: dt.datetime | None = None) -> Manifest:
    """Copy the store at ``url`` to ``destination`` (a file, or a folder for a timestamped
    name), verify the copy and write its manifest. Nothing is left behind on failure."""
    moment = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    if is_postgresql(url):
        return _take_pg_backup(str(url), destination, moment)
    source = sqlite_path(url)
    if not source.is_file():
        raise BackupError(f"no such database: {source}")
    if destination.is_dir() or str(destination).endswith(os.sep):
        stamp = moment.strftime("%Y%m%dT%H%M%SZ")
        destination = destination / f"{source.stem}-{stamp}.db"
    if destination.exists():
        raise BackupError(f"{destination}: exists already; a backup never overwrites one")
    if not destination.parent.is_dir():
        raise BackupError(f"{destination.parent}: no such folder")
    partial = destination.with_name(f".{destination.name}.partial")
    try:
        reader = sqlite3.connect(f"file:{source.resolve()}?mode=ro", uri=True, timeout=30)
        try:
            target = sqlite3.connect(partial)
            try:
                # pages=-1: the whole file in one step under one read transaction, a single snapshot
                reader.backup(target)
                target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal
            finally:
                target.close()
        finally:
            reader.close()
        with partial.open("rb+") as handle:
            os.fsync(handle.fileno())
        ok, said = _verify_file(partial)
        if not ok:
            raise BackupError(f"the copy of {source} does not verify, nothing kept: {said}")
        facts = _facts(partial)
        manifest = Manifest(
            format=MANIFEST_FORMAT,
            file=destination.name,
            sha256=sha256_of(partial),
            size=partial.stat().st_size,
            taken_at=moment.isoformat().replace("+00:00", "Z"),
            taken_by_software=software_name(),
            source=str(source),
            verified=True,
            **facts,
        )
        os.replace(partial, destination)
        _write_whole(manifest_path(destination), manifest.to_json())
    except sqlite3.Error as exc:
        raise BackupError(f"cannot back up {source}: {exc}") from None
    except OSError as exc:
        raise BackupError(f"cannot write {destination}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return manifest


def _take_pg_backup(url: str, destination: Path, moment: dt.datetime) -> Manifest:
    from ebr import backup_pg

    parsed = parse_url(url)
    if destination.is_dir() or str(destination).endswith(os.sep):
        destination = destination / f"{parsed.database}-{moment.strftime('%Y%m%dT%H%M%SZ')}.dump"
    if destination.exists():
        raise BackupError(f"{destination}: exists already; a backup never overwrites one")
    if not destination.parent.is_dir():
        raise BackupError(f"{destination.parent}: no such folder")
    partial = destination.with_name(f".{destination.name}.partial")
    try:
        facts = backup_pg.dump(url, partial)
        ok, said = backup_pg.verify_dump(partial, facts["chain_last_seq"], facts["chain_last_hash"])
        if not ok:
            raise BackupError(f"the dump of {parsed.database} does not verify, nothing kept: {said}")
        manifest = Manifest(
            format=MANIFEST_FORMAT,
            file=destination.name,
            sha256=sha256_of(partial),
            size=partial.stat().st_size,
            taken_at=moment.isoformat().replace("+00:00", "Z"),
            taken_by_software=software_name(),
            source=parsed.render_as_string(hide_password=True),
            verified=True,
            store="postgresql",
            **facts,
        )
        os.replace(partial, destination)
        _write_whole(manifest_path(destination), manifest.to_json())
    except backup_pg.PgBackupError as exc:
        raise BackupError(str(exc)) from None
    except OSError as exc:
        raise BackupError(f"cannot write {destination}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return manifest


def _write_whole(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.partial")
    with partial.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)


def read_manifest(backup: Path) -> dict[str, Any]:
    path = manifest_path(backup)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotABackup(
            f"{backup}: no manifest beside it ({path.name}); not a backup of mes-station"
        ) from None
    except (OSError, ValueError) as exc:
        raise NotABackup(f"{path}: unreadable manifest: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        raise NotABackup(f"{path}: not a mes-station backup manifest")
    return data


def check_backup(backup: Path) -> dict[str, Any]:
    """The manifest of a backup that is whole (its SHA-256 matches) and verifies; else BackupError."""
    if not backup.is_file():
        raise NotABackup(f"{backup}: no such file")
    manifest = read_manifest(backup)
    actual = sha256_of(backup)
    if actual != manifest.get("sha256"):
        raise BackupError(
            f"{backup}: the file's SHA-256 is not the manifest's: the backup was altered or damaged"
        )
    if manifest.get("store") == "postgresql":
        from ebr import backup_pg

        try:
            ok, said = backup_pg.verify_dump(
                backup, int(manifest.get("chain_last_seq", 0)), manifest.get("chain_last_hash")
            )
        except backup_pg.PgBackupError as exc:
            ok, said = False, str(exc)
        if not ok:
            raise BackupError(f"{backup}: does not verify: {said}")
        return manifest
    ok, said = _verify_file(backup)
    if not ok:
        raise BackupError(f"{backup}: does not verify: {said}")
    facts = _facts(backup)
    if facts["chain_last_hash"] != manifest.get("chain_last_hash"):
        raise BackupError(f"{backup}: its chain head is not the manifest's")
    return manifest


def restore_backup(backup: Path, url: str | None, manifest: dict[str, Any]) -> str:
    """Replace the store at ``url`` by ``backup`` (already checked); what was kept of the old
    one. SQLite: the store's current file is kept beside it first
    (``NAME.before-restore-STAMP.db``); the copy goes in under SQLite's own lock, so a station
    still running waits or fails rather than reading half a file. PostgreSQL: ``pg_restore``
    replaces the tables in one transaction (take a backup first to keep the old state)."""
    kind = "postgresql" if is_postgresql(url) else "sqlite"
    if manifest.get("store", "sqlite") != kind:
        raise BackupError(
            f"{backup} is a backup of a {manifest.get('store', 'sqlite')} store, not of a {kind} one"
        )
    if kind == "postgresql":
        return _restore_pg(backup, str(url))
    target = sqlite_path(url)
    kept = None
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    try:
        if target.exists():
            kept = target.with_name(f"{target.stem}.before-restore-{stamp}.db")
            current = sqlite3.connect(f"file:{target.resolve()}?mode=ro", uri=True, timeout=10)
            try:
                keep = sqlite3.connect(kept)
                try:
                    current.backup(keep)
                finally:
                    keep.close()
            finally:
                current.close()
        source = sqlite3.connect(f"file:{backup.resolve()}?mode=ro", uri=True)
        try:
            destination = sqlite3.connect(target, timeout=10)
            try:
                source.backup(destination)
            finally:
                destination.close()
        finally:
            source.close()
    except sqlite3.Error as exc:
        raise BackupError(f"cannot restore into {target}: {exc} (is the station still running?)") from None
    except OSError as exc:
        raise BackupError(f"cannot restore into {target}: {exc.strerror or exc}") from None
    try:  # a backup taken before an upgrade: the restored store gets this software's schema
        _migrate_file(target)
    except StoreError as exc:
        raise BackupError(
            f"{target}: restored, but not migrated: {exc}; the previous file is {kept}"
        ) from None
    ok, said = _verify_file(target)
    if not ok:
        raise BackupError(f"{target}: does not verify after the restore: {said}; the previous file is {kept}")
    return f"the previous file is kept as {kept}" if kept else "there was no previous file"


def _restore_pg(backup: Path, url: str) -> str:
    from ebr import backup_pg

    try:
        backup_pg.restore(backup, url)
    except backup_pg.PgBackupError as exc:
        raise BackupError(str(exc)) from None
    db = open_database(url, create=False)
    try:
        report = verify(db)
    finally:
        db.dispose()
    if not report.ok:
        raise BackupError(f"{db.shown_url}: does not verify after the restore: {report}")
    return "the tables were replaced in one transaction"


def prune(folder: Path, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` backups (with their manifests) in ``folder``."""
    backups = sorted(
        (p for p in [*folder.glob("*.db"), *folder.glob("*.dump")] if manifest_path(p).exists()),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    removed = []
    for old in backups[keep:]:
        old.unlink(missing_ok=True)
        manifest_path(old).unlink(missing_ok=True)
        removed.append(old)
    return removed
