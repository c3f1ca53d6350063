"""Registers the line PC's commands on the station's parser::

config check [--config FILE]
db backup [DEST] | db restore BACKUP [--force]
ebr archive --before DATE [-o DIR]
doctor
"""

from __future__ import annotations

import argparse
from typing import Any

from station import credentials


def register(sub: Any, *, db: Any, ebr: Any) -> None:
    config = sub.add_parser("config", help="the station's configuration file")
    csub = config.add_subparsers(dest="config_command", metavar="ACTION", parser_class=sub._parser_class)
    csub.required = True
    p = csub.add_parser("check", help="validate it and print the effective values with their source")
    p.add_argument("--config", dest="config_file", metavar="FILE", help="the file to check")
    p.set_defaults(func=_run("config_check"))

    p = db.add_parser("backup", help="an online, verified copy of the store with a manifest")
    p.add_argument("destination", nargs="?", metavar="DEST", help="file or folder (default: backup.folder)")
    p.add_argument("--db", metavar="URL", help="the store (default: the configuration's database.url)")
    p.add_argument("--keep", type=int, metavar="N", help="then keep only the newest N in the folder")
    p.add_argument("--if-present", action="store_true", help="a store not made yet: nothing to do, exit 0")
    p.set_defaults(func=_run("db_backup"))
    p = db.add_parser("restore", help="replace the store by a backup that verifies")
    p.add_argument("backup", metavar="BACKUP")
    p.add_argument("--db", metavar="URL", help="the store (default: the configuration's database.url)")
    p.add_argument("--force", action="store_true", help="restore a backup older than the last synced receipt")
    credentials.add_options(p, who="the administrator who restores")
    p.set_defaults(func=_run("db_restore"))

    p = ebr.add_parser("archive", help="PDF, JSON and BatchML of reviewed batches to an archive folder")
    p.add_argument(
        "--before", required=True, metavar="DATE", help="batches completed before this day (YYYY-MM-DD)"
    )
    p.add_argument("-o", "--output", metavar="DIR", help="archive folder (default: BACKUP_FOLDER/archive)")
    p.add_argument("--db", metavar="URL", help="the store (default: the configuration's database.url)")
    p.set_defaults(func=_run("ebr_archive"))

    p = sub.add_parser("doctor", help="is this station healthy? one screen, exit 0 or 1")
    p.add_argument("--db", metavar="URL", help="the store (default: the configuration's database.url)")
    p.set_defaults(func=_run("doctor"))


def _run(name: str) -> Any:
    def run(args: argparse.Namespace) -> int:
        from station.linepc import commands

        return int(getattr(commands, name)(args))

    return run
