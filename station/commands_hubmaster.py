"""`mes-station hub master import FILE --user U --db URL`: master data into the hub, e-signed.

The work is in ``ebr.hub.master``: the station's own import into the hub's store (the same
role rules; the first import into a hub without users is the bootstrap, without ``--user``),
kept as the next signed, versioned delta that stations pull.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from station.credentials import add_options, read_password
from station.errors import CommandError, UsageError


def register(hsub: Any) -> None:
    """``hub master import`` under ``hub`` (``station.commands_sync`` makes ``hub``)."""
    from station.cli import _Parser

    master = hsub.add_parser("master", help="the hub's master data, pulled by the stations")
    msub = master.add_subparsers(dest="master_command", metavar="ACTION", parser_class=_Parser)
    msub.required = True
    p = msub.add_parser("import", help="import a master-data file into the hub, e-signed (QA or admin)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--db", metavar="URL", required=True, help="the hub's database (PostgreSQL)")
    p.add_argument(
        "--signing-key",
        required=True,
        metavar="PEM",
        help="the hub's Ed25519 key, as for hub serve (made if missing)",
    )
    add_options(p, required=False, who="who signs the import at the hub (none: the hub's bootstrap)")
    p.set_defaults(func=hub_master_import)


def hub_master_import(args: argparse.Namespace) -> int:
    from ebr.database import open_database
    from ebr.errors import StoreError
    from ebr.hub.master import HubImportRefused, has_users, import_into_hub
    from ebr.masterdata import MasterDataInvalid
    from ebr.migrate import upgrade
    from ebr.sync.receipts import load_private_key, new_private_key

    if not Path(args.file).is_file():
        raise UsageError(f"{args.file}: no such file")
    key_path = Path(args.signing_key)
    try:  # made if missing, as hub serve does: the hub's one key, for receipts and deltas
        key = load_private_key(key_path) if key_path.exists() else new_private_key(key_path)
    except OSError as exc:
        raise UsageError(f"{key_path}: cannot read: {exc.strerror or exc}") from None
    except (ValueError, TypeError) as exc:
        raise UsageError(f"{key_path}: not a usable Ed25519 key: {exc}") from None
    try:
        db = open_database(args.db, create=True)
    except StoreError as exc:
        raise CommandError(str(exc), 2) from None
    try:
        upgrade(db)
        populated = has_users(db)
        if args.user is None and populated:
            raise UsageError(
                "hub master import: the hub has users: name who signs with --user (only the first "
                "import into an empty hub is the bootstrap)"
            )
        if args.user is not None and not populated:
            raise UsageError(
                "hub master import: the hub has no users yet: the first import is the bootstrap "
                "and takes no --user"
            )
        password = None if args.user is None else read_password(args)
        try:
            done = import_into_hub(db, args.file, key, user=args.user, password=password)
        except MasterDataInvalid as exc:
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            return 2
        except HubImportRefused as exc:
            for line in exc.problems:
                print(f"mes-station: {line}", file=sys.stderr)
            return exc.code
    except StoreError as exc:
        raise CommandError(f"{args.file}: {exc}") from None
    finally:
        db.dispose()
    report = done.report
    counts = f"{report.added} added, {report.changed} changed, {report.unchanged} unchanged"
    if done.version is None:
        print(f"{args.file}: {counts}: nothing changed, no new master-data version")
    else:
        print(f"{args.file}: {counts}: master-data version {done.version}, signed by the hub")
    return 0
