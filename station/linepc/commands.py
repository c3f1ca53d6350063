"""Bodies of the line PC's commands (registered by station.linepc.cli)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ebr.errors import StoreError
from station.config import Config, ConfigInvalid, load_config
from station.errors import CommandError, IntegrityError, UsageError


def configuration(args: argparse.Namespace) -> Config:
    """The effective configuration for a command; a bad file is every problem on stderr (the
    journal, under systemd) and exit 2, never a traceback."""
    explicit = getattr(args, "config_file", None) or getattr(args, "config", None)
    try:
        return load_config(explicit)
    except ConfigInvalid as exc:
        for line in exc.problems[1:]:
            print(f"mes-station: {line}", file=sys.stderr)
        raise UsageError(exc.problems[0]) from None


def store_url(args: argparse.Namespace, config: Config | None = None) -> str | None:
    """``--db``, else the configuration's database.url (file or MES_STATION_DB), else the default."""
    given = getattr(args, "db", None)
    if given:
        return str(given)
    value = (config or configuration(args)).explicit("database.url")
    return None if value is None else str(value)


# ---------------------------------------------------------------- config check
def config_check(args: argparse.Namespace) -> int:
    explicit = getattr(args, "config_file", None) or getattr(args, "config", None)
    try:
        config = load_config(explicit)
    except ConfigInvalid as exc:
        for line in exc.problems:
            print(line, file=sys.stderr)
        return 2 if exc.unreadable else 1
    print(f"# configuration: {config.path or 'no file (built-in defaults and environment)'}")
    for line in config.lines():
        print(line)
    return 0


# ---------------------------------------------------------------- backup and restore
def db_backup(args: argparse.Namespace) -> int:
    from ebr.backup import BackupError, is_postgresql, prune, sqlite_path, take_backup

    config = configuration(args)
    folder_default = Path(str(config.get("backup.folder")))
    destination = Path(args.destination) if args.destination else folder_default
    if args.destination is None and not destination.is_dir():
        raise UsageError(f"{destination}: no such folder (backup.folder of {config.path or 'the defaults'})")
    keep = (
        args.keep if args.keep is not None else (None if args.destination else int(config.get("backup.keep")))
    )
    if keep is not None and keep < 1:
        raise UsageError("db backup: --keep must be at least 1")
    url = store_url(args, config)
    try:
        if args.if_present and not is_postgresql(url) and not sqlite_path(url).exists():
            print(f"{sqlite_path(url)}: no store yet, nothing to back up")
            return 0
        manifest = take_backup(url, destination)
    except BackupError as exc:
        raise CommandError(str(exc)) from None
    except StoreError as exc:
        raise CommandError(str(exc), 2) from None
    written = destination / manifest.file if destination.is_dir() else destination
    print(
        f"{written}: {manifest.size} bytes, {manifest.counts.get('audit_events', 0)} events, "
        f"chain head {manifest.chain_last_seq} {manifest.chain_last_hash}, verified; sha256 {manifest.sha256}"
    )
    if keep is not None:
        for old in prune(written.parent, keep):
            print(f"{old}: removed (keeping the newest {keep})")
    return 0


def db_restore(args: argparse.Namespace) -> int:
    """Replace the store by a backup that verifies, for an authenticated administrator. One
    older than what the hub acknowledged (records the hub holds would be lost) also needs
    --force: the administrator's e-signature then says so in the record."""
    from ebr.backup import BackupError, NotABackup, check_backup, restore_backup, store_facts
    from station.credentials import read_password

    config = configuration(args)
    url = store_url(args, config)
    backup = Path(args.backup)
    try:
        manifest = check_backup(backup)
    except NotABackup as exc:
        raise UsageError(str(exc)) from None
    except BackupError as exc:
        raise IntegrityError(f"refused: {exc}") from None
    try:
        current = store_facts(url)
    except (BackupError, StoreError) as exc:
        raise CommandError(str(exc), 2) from None
    synced = int(current["synced_seq"]) if current is not None else 0
    forced = synced > int(manifest["chain_last_seq"])
    if forced:
        print(
            f"mes-station: WARNING: {backup} ends at event {manifest['chain_last_seq']}, but the hub has "
            f"acknowledged events up to {synced} from this station: restoring it loses "
            "records the hub already holds",
            file=sys.stderr,
        )
        if not args.force:
            raise CommandError(
                "refused: give --force with an administrator's e-signature to restore it anyway"
            )
    what = "restore the record from a backup" + (" older than the hub's receipt" if forced else "")
    password = read_password(args)
    if current is not None:  # the person is checked, and any refusal recorded, before anything changes
        _authorise(url, args.user, password, what)
    try:
        kept = restore_backup(backup, url, manifest)
    except BackupError as exc:
        raise CommandError(str(exc)) from None
    note = (
        f"{backup.name}: sha256 {manifest['sha256']}, chain head {manifest['chain_last_seq']}, "
        f"taken {manifest['taken_at']}"
        + (f"; forced past the hub's receipt of event {synced}" if forced else "")
    )
    try:
        _record_restore(url, args.user, password, what, backup.name, note, authenticate=current is None)
    except CommandError:
        if current is None:  # the store did not exist: it does not now either
            _remove_new_store(url)
        raise
    print(
        f"{shown_store(url)}: restored from {backup} (event {manifest['chain_last_seq']}, taken "
        f"{manifest['taken_at']}) by {args.user}, verified; {kept}"
    )
    return 0


def _authorise(url: str | None, user: str, password: str, what: str) -> None:
    from ebr import users
    from ebr.errors import NotAllowed
    from station.composition import open_store

    db = open_store(url, create=False)
    try:
        checked = users.check_password(db, user, password)
        with db.unit_of_work() as uow:
            try:
                users.authenticate_actor(uow, user, password, roles=("admin",), what=what, checked=checked)
            except NotAllowed as exc:
                uow.commit()  # the refused attempt is on record
                raise CommandError(f"refused: {exc}") from None
            uow.commit()
    except StoreError as exc:
        raise CommandError(str(exc)) from None
    finally:
        db.dispose()


def _record_restore(
    url: str | None, user: str, password: str, what: str, backup: str, note: str, *, authenticate: bool
) -> None:
    """The restore in the restored store's own record, by the administrator (authenticated
    here when there was no store to authenticate in before)."""
    from ebr import users
    from ebr.audit import SITE_STREAM
    from ebr.errors import NotAllowed
    from ebr.events import StoreRestored
    from station.composition import open_store

    db = open_store(url, create=False)
    try:
        with db.unit_of_work() as uow:
            if authenticate:
                try:
                    users.authenticate_actor(uow, user, password, roles=("admin",), what=what)
                except NotAllowed as exc:
                    raise CommandError(f"refused: {exc}") from None
            uow.write(StoreRestored(backup=backup, note=note), stream=SITE_STREAM, user_id=user)
            uow.commit()
    except StoreError as exc:
        raise CommandError(f"restored, but the restore could not be recorded: {exc}") from None
    finally:
        db.dispose()


def _remove_new_store(url: str | None) -> None:
    from ebr.backup import is_postgresql, sqlite_path

    if not is_postgresql(url):
        path = sqlite_path(url)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def shown_store(url: str | None) -> str:
    from ebr.backup import is_postgresql, sqlite_path
    from ebr.database import parse_url, shown

    return shown(parse_url(url)) if is_postgresql(url) else str(sqlite_path(url))


# ---------------------------------------------------------------- archive and health
def ebr_archive(args: argparse.Namespace) -> int:
    from station.linepc.archive import archive_batches

    config = configuration(args)
    return archive_batches(args, config, store_url(args, config))


def doctor(args: argparse.Namespace) -> int:
    from station.linepc.doctor import run_doctor

    return run_doctor(args)
