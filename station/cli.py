"""`mes-station`: the command line that scripts, validation engineers and the launcher use.

Exit codes (README.md): 0 success; 1 understood and refused or failed; 2 bad usage or
unreadable input; 3 integrity failure. Every error is one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from ebr.software import software_name
from station import credentials
from station.errors import CommandError, UsageError


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad usage as one line and exit code 2, and takes options only as
    spelled in full: ``--password SECRET`` must be refused, not read as ``--password-file``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        # main() prints "mes-station: " before every error: name only the command here.
        command = self.prog.removeprefix("mes-station").strip()
        raise UsageError(f"{command}: {message}" if command else message)


def _db_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="URL", help="SQLAlchemy URL (default: MES_STATION_DB or a SQLite file)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="mes-station", description="MES execution station with quality gating")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log device traffic and SQL at debug level"
    )
    # The README puts --db after the command; before it is accepted too, as people type it.
    # Its own dest: a command's --db default (None) would otherwise overwrite it.
    parser.add_argument("--db", dest="db_before_command", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--version", action="version", version=software_name())
    parser.add_argument(
        "--config", metavar="FILE", help="configuration file (default: /etc/mes-station/station.toml)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("demo", help="touchscreen app on a seeded demo database with simulated devices")
    p.add_argument("--db", metavar="URL", help="demo database (default: a fresh file in the user data dir)")
    p.add_argument("--headless", action="store_true", help="run the demo batch script without a screen")
    p.add_argument("--language", default="en", choices=["en", "de"])
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("gui", help="the station as installed at a line")
    _db_arg(p)
    p.add_argument("--kiosk", action="store_true", help="full screen, no frame; leave only by admin login")
    p.add_argument("--scale", metavar="LINK", help="scale port, pyserial URL or usb:SERIALNUMBER")
    # Unset options come from the configuration file (station.toml), then the built-in defaults.
    p.add_argument("--scale-protocol", choices=["mt-sics", "sbi"])
    p.add_argument("--scanner", metavar="LINK", help="scanner port or pyserial URL")
    p.add_argument("--idle-logout", type=int, metavar="SECONDS")
    p.add_argument("--language", choices=["en", "de"])
    p.set_defaults(func=_cmd_gui)

    db = sub.add_parser("db", help="database maintenance")
    dbsub = db.add_subparsers(dest="db_command", metavar="ACTION", parser_class=_Parser)
    dbsub.required = True
    p = dbsub.add_parser("upgrade", help="migrate the database to the current schema")
    _db_arg(p)
    p.set_defaults(func=_cmd_db_upgrade)

    master = sub.add_parser("master", help="master data")
    msub = master.add_subparsers(dest="master_command", metavar="ACTION", parser_class=_Parser)
    msub.required = True
    p = msub.add_parser("import", help="import master data files (idempotent; changes are audited)")
    p.add_argument("files", nargs="+", metavar="FILE")
    credentials.add_options(
        p, required=False, who="who imports (none only for the first import: the bootstrap)"
    )
    _db_arg(p)
    p.set_defaults(func=_cmd_master_import)

    recipe = sub.add_parser("recipe", help="master recipes")
    rsub = recipe.add_subparsers(dest="recipe_command", metavar="ACTION", parser_class=_Parser)
    rsub.required = True
    p = rsub.add_parser("validate", help="check recipe files; each problem as FILE:LINE: field: message")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(func=_cmd_recipe_validate)
    p = rsub.add_parser("import", help="import a master recipe (it still needs QA approval)")
    p.add_argument("file", metavar="FILE")
    credentials.add_options(p, who="who imports (qa or admin)")
    _db_arg(p)
    p.set_defaults(func=_cmd_recipe_import)
    p = rsub.add_parser("approve", help="approve a recipe for execution (QA e-signature)")
    p.add_argument("code")
    p.add_argument("version", type=int)
    credentials.add_options(p, who="the approving QA person")
    _db_arg(p)
    p.set_defaults(func=_cmd_recipe_approve)

    p = sub.add_parser("run", help="execute a batch script headlessly")
    p.add_argument("script", metavar="SCRIPT")
    _db_arg(p)
    p.set_defaults(func=_cmd_run)

    ebr = sub.add_parser("ebr", help="the electronic batch record")
    esub = ebr.add_subparsers(dest="ebr_command", metavar="ACTION", parser_class=_Parser)
    esub.required = True
    p = esub.add_parser("export", help="export a batch record")
    p.add_argument("batch")
    p.add_argument("--format", required=True, choices=["pdf", "json", "batchml"])
    p.add_argument("-o", "--output", required=True, metavar="FILE")
    p.add_argument("--user", default=None, help="printed by (default: the system account)")
    _db_arg(p)
    p.set_defaults(func=_cmd_ebr_export)
    p = esub.add_parser("verify", help="verify the audit trail (0 intact, 3 tampered)")
    p.add_argument("batch", nargs="?")
    p.add_argument("--file", metavar="EXPORT.json", help="verify a JSON export offline, without a database")
    p.add_argument("--quick", action="store_true", help="only what came after the hub's last receipt")
    _db_arg(p)
    p.set_defaults(func=_cmd_ebr_verify)
    p = esub.add_parser("review", help="QA review of a completed batch record (e-signature)")
    p.add_argument("batch")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--approve", action="store_true")
    g.add_argument("--reject", action="store_true")
    credentials.add_options(p, who="the reviewing QA person")
    p.add_argument("--comment", required=True)
    _db_arg(p)
    p.set_defaults(func=_cmd_ebr_review)

    from station.admin import cli as admin_cli  # user ..., audit show

    admin_cli.register(sub)
    from hardware import cli as hardware_cli  # devices simulate, scan decode

    hardware_cli.register(sub)
    from station.linepc import cli as linepc_cli  # config check, doctor, db backup/restore, ebr archive

    linepc_cli.register(sub, db=dbsub, ebr=esub)
    from station import commands_sync  # sync, sync status, hub serve

    commands_sync.register(sub)
    from station import commands_policy  # policy show, policy set

    commands_policy.register(sub)
    return parser


# The command bodies live in station.commands; imported lazily so `--help` stays fast.
def _cmd_demo(args: argparse.Namespace) -> int:
    from station import commands

    return commands.demo(args)


def _cmd_gui(args: argparse.Namespace) -> int:
    from station import commands

    return commands.gui(args)


def _cmd_db_upgrade(args: argparse.Namespace) -> int:
    from station import commands

    return commands.db_upgrade(args)


def _cmd_master_import(args: argparse.Namespace) -> int:
    from station import commands

    return commands.master_import(args)


def _cmd_recipe_validate(args: argparse.Namespace) -> int:
    from station import commands

    return commands.recipe_validate(args)


def _cmd_recipe_import(args: argparse.Namespace) -> int:
    from station import commands

    return commands.recipe_import(args)


def _cmd_recipe_approve(args: argparse.Namespace) -> int:
    from station import commands

    return commands.recipe_approve(args)


def _cmd_run(args: argparse.Namespace) -> int:
    from station import commands

    return commands.run(args)


def _cmd_ebr_export(args: argparse.Namespace) -> int:
    from station import commands

    return commands.ebr_export(args)


def _cmd_ebr_verify(args: argparse.Namespace) -> int:
    from station import commands

    return commands.ebr_verify(args)


def _cmd_ebr_review(args: argparse.Namespace) -> int:
    from station import commands

    return commands.ebr_review(args)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.db_before_command is not None:
            if getattr(args, "db", None) not in (None, args.db_before_command):
                raise UsageError("--db given twice, with two different URLs")
            if not hasattr(args, "db"):
                raise UsageError(f"{args.command}: --db does not apply to this command")
            args.db = args.db_before_command
        logging.basicConfig(
            level=logging.DEBUG if args.verbose else logging.WARNING,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        try:
            return int(args.func(args))
        finally:
            commands = sys.modules.get("station.commands")
            if commands is not None:
                commands.close_stores()
    except CommandError as exc:
        print(f"mes-station: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("mes-station: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
    except SystemExit as exc:  # argparse --help
        return int(exc.code or 0)
    except Exception as exc:  # the last line of defence: one line, never a traceback
        from station.failures import describe

        code, message = describe(exc)
        print(f"mes-station: {message}", file=sys.stderr)
        return code


if __name__ == "__main__":
    sys.exit(main())
