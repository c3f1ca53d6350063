"""`mes-station sync`, `sync status` and `hub serve`: the station's record to the central hub.

Registered by ``station.cli`` (``register``); the work is in ``ebr.sync`` and ``ebr.hub``.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from station.errors import CommandError, IntegrityError, UsageError


def register(sub: Any) -> None:
    from station.cli import _db_arg, _Parser

    p = sub.add_parser("sync", help="push the record to the central hub (a service; --once: until caught up)")
    p.add_argument("action", nargs="?", choices=["status"], help="status: chain id, last receipt, unsent")
    p.add_argument("--once", action="store_true", help="push until nothing is unsent, then exit")
    p.add_argument("--hub", metavar="URL", help="the hub (default: the configuration's hub.url)")
    p.add_argument("--hub-key", metavar="PEM", help="the hub's receipt key (default: hub.receipt_key)")
    p.add_argument("--insecure", action="store_true", help="plain HTTP to the hub (a demo only)")
    p.add_argument("--batch", type=int, default=500, help="events per push (at most 1000)")
    p.add_argument("--config", metavar="FILE", help="the station's configuration file")
    _db_arg(p)
    p.set_defaults(func=sync_command)

    hub = sub.add_parser("hub", help="the reference central hub")
    hsub = hub.add_subparsers(dest="hub_command", metavar="ACTION", parser_class=_Parser)
    hsub.required = True
    p = hsub.add_parser("serve", help="serve the hub (mutual TLS, or --insecure for a demo)")
    p.add_argument("--db", metavar="URL", required=True, help="the hub's database (PostgreSQL)")
    p.add_argument("--listen", default="127.0.0.1:8443", metavar="HOST:PORT")
    p.add_argument(
        "--signing-key", required=True, metavar="PEM", help="Ed25519 receipt key (made if missing)"
    )
    p.add_argument("--certificate", metavar="PEM", help="the hub's TLS certificate")
    p.add_argument("--key", metavar="PEM", help="its private key")
    p.add_argument("--ca", metavar="PEM", help="the CA that signs station certificates")
    p.add_argument(
        "--revoked", metavar="FILE", help="revoked certificates: a serial (hex) or common name a line"
    )
    p.add_argument(
        "--insecure", action="store_true", help="plain HTTP without client certificates (a demo only)"
    )
    p.set_defaults(func=hub_serve)

    from station.commands_hubmaster import register as register_master

    register_master(hsub)


def _hub_key(path: str | None) -> Any:
    from ebr.sync.receipts import load_public_key

    if not path:
        raise UsageError("sync: the hub's receipt key is not configured (hub.receipt_key or --hub-key)")
    try:
        return load_public_key(Path(path))
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def sync_command(args: argparse.Namespace) -> int:
    from station.commands import _store
    from station.linepc.commands import configuration

    args.config_file = args.config
    config = configuration(args)
    db = _store(args)
    if args.action == "status":
        return _status(db)
    from ebr.sync.client import HubUnreachable, SyncRefused, run_forever, sync_until_caught_up

    url = args.hub or config.get("hub.url")
    if not url:
        raise UsageError("sync: no hub (hub.url in the configuration, or --hub URL)")
    if args.insecure and not url.startswith("http://"):
        raise UsageError(f"sync: --insecure is for a plain http:// hub (a demo); {url} is not one")
    if not 1 <= args.batch <= 1000:
        raise UsageError("sync: --batch must be 1..1000")
    link = hub_link(config, url, args.hub_key, insecure=args.insecure)
    station = str(config.get("station.id"))
    if args.once:
        try:
            sent = sync_until_caught_up(db, link, station, args.batch)
        except HubUnreachable as exc:
            raise CommandError(str(exc), 1) from None
        except SyncRefused as exc:
            if exc.alarm in ("fork", "receipt_invalid", "delta_invalid", "delta_gap"):
                raise IntegrityError(str(exc)) from None
            raise CommandError(str(exc), 1) from None
        print(f"in sync: {sent} events acknowledged by the hub")
        return 0
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    try:
        link.client().close()  # bad TLS files: say so now, not in the loop
    except (OSError, ValueError) as exc:
        raise UsageError(f"sync: TLS files: {exc}") from None
    except SyncRefused as exc:
        raise UsageError(str(exc)) from None
    from ebr.sync.state import SenderLock

    lock = SenderLock(db)  # one sender per chain: the touchscreen, or this service
    waiting = False
    while not lock.acquire():
        if not waiting:
            print("mes-station: sync: another process sends this store's records (the touchscreen); "
                  "waiting until it stops", file=sys.stderr, flush=True)  # fmt: skip
            waiting = True
        if stop.wait(10):
            return 0
    try:
        run_forever(
            db,
            link,
            station,
            stop,
            batch=args.batch,
            on_error=lambda e: print(f"mes-station: sync: {e}", file=sys.stderr),
        )
    finally:
        lock.release()
    return 0


def hub_link(config: Any, url: str, hub_key: str | None = None, *, insecure: bool = False) -> Any:
    """The link to the hub from the configuration (``hub.*``): URL, pinned receipt key, TLS files."""
    from ebr.sync.client import HubLink

    tls = {part: config.get(f"hub.{part}") for part in ("certificate", "key", "ca")}
    return HubLink(
        url=url.rstrip("/"),
        hub_key=_hub_key(hub_key or config.get("hub.receipt_key")),
        certificate=Path(tls["certificate"]) if tls["certificate"] else None,
        key=Path(tls["key"]) if tls["key"] else None,
        ca=Path(tls["ca"]) if tls["ca"] else None,
        insecure=insecure,
    )


def touchscreen_sync(config: Any, db: Any) -> Any:
    """What builds the touchscreen's sync worker: it sends when the configuration names a hub
    (and no ``mes-station sync`` service holds the sender lock), and shows the state either way.
    A hub whose receipt key cannot be read does not stop the station: the line goes on working,
    the problem goes to the journal and the header says the sync cannot run."""
    url = config.get("hub.url")
    station = str(config.get("station.id"))
    link, broken = None, None
    try:
        link = hub_link(config, str(url)) if url else None
    except UsageError as exc:  # the line keeps working; the header says the sync cannot run
        print(f"mes-station: {exc}", file=sys.stderr)
        broken = str(exc)

    def build() -> Any:
        from station.ui.sync_worker import SyncWorker

        return SyncWorker(db, link, station, broken=broken)

    return build


def _status(db: Any) -> int:
    from ebr.sync.client import status

    found = status(db)
    print(f"chain {found.chain_id} (station {found.station_id or 'not yet identified'})")
    last = found.last_receipt
    print(f"last receipt: {'none' if last is None else f'event {last.seq} at {last.received_at}'}")
    age = found.oldest_unsent_age_s()
    print(f"unsent: {found.unsent}" + ("" if age is None else f", oldest {age:.0f} s old"))
    master = found.master
    if master is None:
        print("master data: no version from the hub applied yet")
    else:
        version, signer, signed_at = master
        who = "the hub's bootstrap" if signer is None else f"signed by {signer}"
        print(f"master data: version {version} ({who} at {signed_at})")
    for raised_at, kind, detail in found.alarms:
        print(f"ALARM {kind} at {raised_at}: {detail}")
    return 3 if found.alarms else 0


def hub_serve(args: argparse.Namespace) -> int:
    from ebr.database import open_database
    from ebr.errors import StoreError
    from ebr.hub.app import HubSettings
    from ebr.hub.serve import Tls, serve
    from ebr.migrate import upgrade
    from ebr.sync.receipts import load_private_key, new_private_key

    host, _, port = args.listen.rpartition(":")
    if not host or not port.isdigit():
        raise UsageError(f"hub serve: --listen {args.listen!r} is not HOST:PORT")
    parts = [args.certificate, args.key, args.ca]
    if args.insecure and any(parts):
        raise UsageError("hub serve: --insecure or TLS files, not both")
    if not args.insecure and not all(parts):
        raise UsageError("hub serve: --certificate, --key and --ca (mutual TLS), or --insecure for a demo")
    key_path = Path(args.signing_key)
    try:
        key = load_private_key(key_path) if key_path.exists() else new_private_key(key_path)
    except (OSError, ValueError) as exc:
        raise UsageError(f"{key_path}: not a usable Ed25519 key: {exc}") from None
    revoked: frozenset[str] = frozenset()
    if args.revoked:
        try:
            lines = Path(args.revoked).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise UsageError(f"{args.revoked}: cannot read: {exc.strerror or exc}") from None
        revoked = frozenset(
            line.strip().lower() if _hexlike(line) else line.strip() for line in lines if line.strip()
        )
    try:
        db = open_database(args.db, create=True)
        upgrade(db)
    except StoreError as exc:
        raise CommandError(str(exc), 2) from None
    tls = None if args.insecure else Tls(Path(args.certificate), Path(args.key), Path(args.ca))
    print(f"hub serving on {'http' if tls is None else 'https'}://{host}:{port}", flush=True)
    serve(HubSettings(db=db, key=key, insecure=args.insecure, revoked=revoked), host, int(port), tls)
    db.dispose()
    return 0


def _hexlike(line: str) -> bool:
    return all(c in "0123456789abcdefABCDEF" for c in line.strip())


def check_anchors(db: Any, args: argparse.Namespace) -> None:
    """``ebr verify``'s check against the hub's receipts (a store from before sync has none).
    With the pinned hub key configured, each receipt's signature is checked too."""
    from ebr.sync.anchoring import check_receipts
    from station.linepc.commands import configuration

    if "sync_receipts" not in db.table_names():
        return
    path = configuration(args).get("hub.receipt_key")
    key = _hub_key(path) if path else None
    with db.unit_of_work(read_only=True) as uow:
        report = check_receipts(uow, key)
    if not report.ok:
        raise IntegrityError(f"TAMPERED: {report.problems[0]}")
    if report.receipts:
        print(f"anchored: the chain holds every one of the hub's {report.receipts} receipts")


def quick_verify(db: Any, args: argparse.Namespace) -> int:
    """``ebr verify --quick``: the last receipt holds, and what came after it recomputes and
    links to it. Proportional to the work since the last sync; the full check stays the default."""
    from ebr.sync.anchoring import quick_check
    from station.linepc.commands import configuration

    if args.batch or args.file:
        raise UsageError(
            "ebr verify: --quick checks the whole trail after the last receipt (no BATCH, no --file)"
        )
    if "sync_receipts" not in db.table_names():
        raise UsageError("ebr verify --quick: the store predates sync (run db upgrade, or verify in full)")
    path = configuration(args).get("hub.receipt_key")
    with db.unit_of_work(read_only=True) as uow:
        checked, problems = quick_check(uow, _hub_key(path) if path else None)
    if problems:
        raise IntegrityError(f"TAMPERED: {problems[0]}")
    print(f"intact after the last receipt ({checked} events checked)")
    return 0


def pinned_hub_key(args: argparse.Namespace) -> Any:
    """The hub's receipt key from the configuration (hub.receipt_key), None when not set."""
    from station.linepc.commands import configuration

    path = configuration(args).get("hub.receipt_key")
    return _hub_key(path) if path else None
