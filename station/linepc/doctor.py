"""``mes-station doctor``: is this station healthy? One screen, one line per check, exit 0 when
nothing failed and 1 otherwise. A check that cannot tell (no timedatectl in a container, no hub
configured) says so as a warning; it does not fail the station.

The checks, in the order plant IT fixes things: configuration, database (opens, SQLite's
``quick_check``, the chain's head matches its newest event), disk space in days of this
station's typical use, the clock (synchronised, not behind the newest record), each configured
device (present, answering with the expected serial number), the label printer and the hub
(reachable; the age of the last receipt), and the age of the last backup.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import socket
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from station.config import Config, ConfigInvalid, load_config, serial_options

OK, WARN, FAIL = "ok", "warn", "FAIL"
MIN_DAYS_OF_DISK = 30
MAX_BACKUP_AGE = dt.timedelta(hours=36)


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # ok | warn | FAIL
    detail: str


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _age(delta: dt.timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 172800:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"


def _parse_utc(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class _Store:
    """What the checks read from a SQLite store: one read-only connection."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.connection = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True, timeout=5)

    def one(self, sql: str) -> tuple[object, ...] | None:
        row = self.connection.execute(sql).fetchone()
        return tuple(row) if row is not None else None

    def one_with(self, sql: str, *values: object) -> tuple[object, ...] | None:
        row = self.connection.execute(sql, values).fetchone()
        return tuple(row) if row is not None else None


def check_database(url: str | None) -> tuple[list[Check], _Store | None]:
    from ebr.backup import BackupError, sqlite_path
    from ebr.chain import event_hash_of_texts
    from ebr.errors import StoreError
    from station.composition import open_store

    try:
        db = open_store(url, create=False, read_only=True)
    except StoreError as exc:
        return [Check("database", FAIL, str(exc))], None
    shown = db.shown_url
    try:
        with db.unit_of_work(read_only=True) as uow:
            seq = uow.chain_seq()
    except StoreError as exc:
        return [Check("database", FAIL, f"{shown}: {exc}")], None
    finally:
        db.dispose()
    try:
        path = sqlite_path(url)
    except BackupError:
        return [
            Check("database", OK, f"{shown}: opens, {seq} events (server database: its own checks)")
        ], None
    store = _Store(path)
    checks: list[Check] = []
    quick = store.one("PRAGMA quick_check")
    if not quick or quick[0] != "ok":
        return [Check("database", FAIL, f"{path}: quick_check: {quick[0] if quick else 'no answer'}")], None
    # The quick verify: the head row and the newest event agree, and that event's hash is its own.
    cursor = store.connection.execute("SELECT * FROM audit_events ORDER BY seq DESC LIMIT 1")
    columns = [c[0] for c in cursor.description]
    row = cursor.fetchone()
    head = store.one("SELECT last_seq, last_hash FROM chain_head WHERE id = 1")
    if row is not None:
        newest = dict(zip(columns, row, strict=True))
        if head is None or head[0] != newest["seq"] or head[1] != newest["hash"]:
            checks.append(
                Check("database", FAIL, f"{path}: the chain head is not its newest event: run ebr verify")
            )
        elif event_hash_of_texts(newest) != newest["hash"]:
            checks.append(
                Check("database", FAIL, f"{path}: event {newest['seq']} was altered: run ebr verify")
            )
    if not checks:
        checks.append(
            Check("database", OK, f"{path}: quick_check ok, chain head {seq} matches its newest event")
        )
    return checks, store


def check_disk(path: Path, store: _Store | None) -> Check:
    usage = shutil.disk_usage(path.parent if path.is_file() else path)
    free_mb = usage.free // 1_000_000
    if store is None:
        return Check("disk", OK if free_mb > 1000 else WARN, f"{free_mb} MB free")
    first = store.one("SELECT occurred_at FROM audit_events ORDER BY seq LIMIT 1")
    started = _parse_utc(str(first[0])) if first else None
    size = path.stat().st_size
    days = max(1.0, (_now() - started).total_seconds() / 86400) if started else 1.0
    per_day = max(size / days, 1.0)
    left = usage.free / per_day
    status = OK if left >= MIN_DAYS_OF_DISK else FAIL
    return Check("disk", status, f"{free_mb} MB free, about {int(left)} days at {per_day / 1e6:.1f} MB a day")


def check_clock(store: _Store | None) -> Check:
    newest = store.one("SELECT max(occurred_at) FROM audit_events") if store else None
    last = _parse_utc(str(newest[0])) if newest and newest[0] else None
    if last is not None and _now() < last:
        return Check("clock", FAIL, f"behind the newest record ({last.isoformat()}): fix the time first")
    try:
        answer = subprocess.run(
            ["timedatectl", "show", "-p", "NTPSynchronized", "--value"],
            capture_output=True, text=True, timeout=5, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return Check("clock", WARN, "cannot tell whether it is synchronised (no timedatectl)")
    state = answer.stdout.strip()
    if answer.returncode != 0 or state not in ("yes", "no"):
        return Check("clock", WARN, "cannot tell whether it is synchronised (timedatectl has no answer)")
    if state == "no":
        return Check("clock", FAIL, "not synchronised (timedatectl: NTPSynchronized=no)")
    return Check("clock", OK, "synchronised, not behind the newest record")


def check_scale(config: Config, store: _Store | None = None) -> Check | None:
    """The configured scale answers, and with the serial number its equipment id has in the
    master data (or devices.scale.serial_number): the device the weighing gate will expect."""
    port = config.explicit("devices.scale.port")
    if port is None:
        return None
    expected = config.explicit("devices.scale.serial_number")
    equipment = config.explicit("devices.scale.equipment")
    if expected is None and equipment is not None and store is not None:
        row = store.one_with("SELECT serial_number FROM equipment WHERE id = ?", str(equipment))
        if row is None:
            return Check("scale", FAIL, f"{port}: equipment {equipment} is not in the master data")
        expected = row[0]
    from hardware.scales import open_scale

    try:
        scale = open_scale(
            str(config.get("devices.scale.protocol")),
            str(port),
            **serial_options(config, "scale"),
            command_timeout=2.0,
        )
    except Exception as exc:  # any device failure is the finding, one line
        return Check("scale", FAIL, f"{port}: no answer: {exc}")
    try:
        found = scale.serial_number
    finally:
        scale.close()
    if expected is not None and found != expected:
        return Check("scale", FAIL, f"{port}: serial {found}, expected {expected} (equipment_wrong_device)")
    named = f" = {equipment}" if equipment else ""
    return Check("scale", OK, f"{port}{named}: answers, serial {found}")


def check_scanner(config: Config) -> Check | None:
    port = config.explicit("devices.scanner.port")
    if port is None:
        return None
    text = str(port)
    if text.startswith("usb:"):
        from hardware.discovery import list_serial_ports

        wanted = text.removeprefix("usb:")
        present = any(p.serial_number == wanted for p in list_serial_ports())
    else:
        present = Path(text).exists()
    return Check("scanner", OK if present else FAIL, f"{text}: {'present' if present else 'not plugged in'}")


def _reach(host: str, port: int) -> str | None:
    try:
        with socket.create_connection((host, port), timeout=3):
            return None
    except OSError as exc:
        return exc.strerror or str(exc)


def check_printer(config: Config) -> Check | None:
    address = config.explicit("devices.printer.address")
    if address is None:
        return None
    parts = urlsplit(str(address))
    if parts.scheme != "tcp":
        return Check("printer", OK, f"{address}: labels to a file")
    problem = _reach(parts.hostname or "", parts.port or 9100)
    return Check("printer", FAIL if problem else OK, f"{address}: {problem or 'reachable'}")


def check_hub(config: Config, store: _Store | None) -> Check:
    url = config.explicit("hub.url")
    if url is None:
        return Check("hub", WARN, "no hub configured (hub.url): records stay on this station")
    parts = urlsplit(str(url))
    problem = _reach(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
    receipt = store.one("SELECT acked_at FROM sync_state WHERE id = 1") if store else None
    when = _parse_utc(str(receipt[0])) if receipt and receipt[0] else None
    last = f"last receipt {_age(_now() - when)} ago" if when else "no receipt yet"
    return Check("hub", FAIL if problem else OK, f"{url}: {problem or 'reachable'}, {last}")


def check_backup(config: Config) -> Check:
    from ebr.backup import MANIFEST_SUFFIX

    folder = Path(str(config.get("backup.folder")))
    if not folder.is_dir():
        return Check("backup", FAIL, f"{folder}: no such folder (backup.folder)")
    manifests = sorted(folder.glob(f"*{MANIFEST_SUFFIX}"), key=lambda p: p.stat().st_mtime)
    if not manifests:
        return Check("backup", WARN, f"{folder}: no backup yet (mes-station db backup)")
    newest = manifests[-1]
    age = _now() - dt.datetime.fromtimestamp(newest.stat().st_mtime, dt.UTC)
    status = OK if age <= MAX_BACKUP_AGE else FAIL
    return Check("backup", status, f"last {newest.name.removesuffix(MANIFEST_SUFFIX)}, {_age(age)} ago")


def health(config: Config, url: str | None, *, devices: bool = True) -> list[Check]:
    """Every check, for the command and the admin screen (``devices=False``: the running
    station holds the ports; its header shows the devices)."""
    from ebr.backup import sqlite_path
    from ebr.errors import StoreError

    checks, store = check_database(url)
    try:
        checks.append(check_disk(sqlite_path(url), store))
    except (StoreError, OSError):  # a server database, or a URL the database check named already
        pass
    checks.append(check_clock(store))
    optional: list[Callable[[Config], Check | None]] = (
        [check_scanner, check_printer] if devices else [check_printer]
    )
    scale = check_scale(config, store) if devices else None
    checks += [c for c in (scale, *(f(config) for f in optional)) if c is not None]
    checks.append(check_hub(config, store))
    checks.append(check_backup(config))
    if store is not None:
        store.connection.close()
    return checks


def run_doctor(args: argparse.Namespace) -> int:
    from ebr.software import software_name

    explicit = getattr(args, "config", None)
    print(f"{software_name()} on {socket.gethostname()}")
    try:
        config = load_config(explicit)
    except ConfigInvalid as exc:
        print(f"{'configuration':<14}{FAIL:<6}{exc.problems[0]}")
        return 1
    print(f"{'configuration':<14}{OK:<6}{config.path or 'no file: built-in defaults and environment'}")
    url = getattr(args, "db", None) or config.explicit("database.url")
    checks = health(config, url)
    for check in checks:
        print(f"{check.name:<14}{check.status:<6}{check.detail}")
    failed = [c.name for c in checks if c.status == FAIL]
    print(f"\n{'FAILED: ' + ', '.join(failed) if failed else 'healthy'}")
    return 1 if failed else 0
