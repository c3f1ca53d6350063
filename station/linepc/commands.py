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
    if args.if_present and not is_postgresql(url) and not sqlite_path(url).exists():
        print(f"{sqlite_path(url)}: no store yet, nothing to back up")
        return 0
    try:
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
    from ebr.backup import BackupError, NotABackup, check_backup, restore_backup, store_facts

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
    except BackupError as exc:
        raise CommandError(str(exc), 2) from None
    except StoreError as exc:
        raise CommandError(str(exc), 2) from None
    if current is not None and current["synced_seq"] > int(manifest["chain_last_seq"]):
        print(
            f"mes-station: WARNING: {backup} ends at event {manifest['chain_last_seq']}, but the hub has "
            f"acknowledged events up to {current['synced_seq']} from this station: restoring it loses "
            "records the hub already holds",
            file=sys.stderr,
        )
        if not args.force:
            raise CommandError(
                "refused: give --force with an administrator's e-signature to restore it anyway"
            )
        raise CommandError(
            "refused: --force needs an administrator's e-signature, which this version cannot take yet"
        )
    try:
        kept = restore_backup(backup, url, manifest)
    except BackupError as exc:
        raise CommandError(str(exc)) from None
    print(
        f"{shown_store(url)}: restored from {backup} (event {manifest['chain_last_seq']}, taken "
        f"{manifest['taken_at']}), verified; {kept}"
    )
    return 0


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
