"""The bodies of the `mes-station` commands. Each returns an exit code; errors are raised as
CommandError subclasses (one line, exit code as the README lists them) and printed by station.cli."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ebr.errors import NotAllowed, StoreError
from station.credentials import read_password
from station.errors import CommandError, IntegrityError, UsageError

if TYPE_CHECKING:
    from ebr.database import Database
    from ebr.facts import Actor
    from ebr.uow import UnitOfWork
    from station.engine.engine import Engine
    from station.engine.script import BatchScript

SYSTEM_USER = "system"


_OPENED: list[Database] = []  # the record stores this command opened (closed by close_stores)


def _store(args: argparse.Namespace, *, create: bool = False, read_only: bool = False) -> Database:
    """The store the command works on. Only ``db upgrade`` and a master-data import make a new
    one (``create``); every other command answers "no such database" for a store that is not
    there. Read-only commands (``read_only``) open it read-only and never migrate it."""
    from station.composition import open_store
    from station.linepc.commands import store_url

    try:
        # --db, else the configuration file's database.url (or MES_STATION_DB), else the default
        db = open_store(store_url(args), create=create, read_only=read_only)
    except StoreError as exc:
        raise CommandError(str(exc), getattr(exc, "exit_code", 2)) from None
    _OPENED.append(db)
    return db


def close_stores() -> None:
    """Close every record store the command opened. When the last connection to a SQLite file
    closes, SQLite folds its write-ahead log back into the file and removes it: the file alone
    then holds every record, should someone copy it elsewhere after the command."""
    while _OPENED:
        db = _OPENED.pop()
        try:
            db.dispose()
        except Exception:  # the command's own outcome stands; SQLite recovers the log at next open
            logging.getLogger(__name__).warning("closing %s failed", db.shown_url, exc_info=True)


#: The largest JSON export ``ebr verify --file`` reads: a batch record of a few hundred
#: thousand events; anything larger is refused before it is read into memory.
MAX_EXPORT_BYTES = 256 << 20


def _read(path: str, *, what: str, max_bytes: int) -> str:
    """The text of an input file, refused unread when it is larger than its kind may be."""
    try:
        size = Path(path).stat().st_size
        if size > max_bytes:
            raise UsageError(f"{path}:1: the file is {size:,} bytes: {what} may have at most {max_bytes:,}")
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a directory, not a file") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None


# ---------------------------------------------------------------- database and master data
def db_upgrade(args: argparse.Namespace) -> int:
    db = _store(args, create=True)
    print(f"database {db.shown_url} is at the current schema")
    return 0


@contextmanager
def _acting(
    db: Database, args: argparse.Namespace, *, roles: tuple[str, ...], what: str
) -> Iterator[tuple[UnitOfWork, Actor]]:
    """A write unit of work and the authenticated user the command acts for (``--user``,
    the password by file, standard input or prompt), who must hold one of ``roles``. The
    password is checked before the write transaction begins; a refusal is audited and
    answered with exit 1."""
    from ebr import users

    password = read_password(args)
    checked = users.check_password(db, args.user, password)
    with db.unit_of_work() as uow:
        try:
            actor = users.authenticate_actor(
                uow, args.user, password, roles=roles, what=what, checked=checked
            )
        except NotAllowed as exc:
            uow.commit()  # the refused attempt is on record
            raise CommandError(str(exc), 1) from None
        yield uow, actor


def _has_users(db: Database) -> bool:
    with db.unit_of_work(read_only=True) as uow:
        return bool(uow.users())


def master_import(args: argparse.Namespace) -> int:
    """All the files or none: they are imported in one transaction, in the order given (a
    later file may name what an earlier one adds), and every problem of every file is
    reported before anything is written. The first import into a store without users is the
    bootstrap (no ``--user``); every later one names a user with the roles its changes need."""
    from ebr.masterdata import (
        BOOTSTRAP,
        Importer,
        ImportRefused,
        ImportReport,
        MasterDataInvalid,
        bootstrap_allowed,
        import_master_data,
        prepare,
        read_all,
    )
    from ebr.site_file import MAX_SITE_FILE_BYTES

    for path in args.files:
        _read(path, what="a master-data file", max_bytes=MAX_SITE_FILE_BYTES)
    try:
        # Every file is read and checked before a store is opened (or made, by the bootstrap).
        files_read = read_all(args.files)
    except MasterDataInvalid as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        if len(args.files) > 1:
            print("nothing was imported: correct the files and import them again", file=sys.stderr)
        return 2
    db = _store(args, create=True)
    has_users = _has_users(db)
    if args.user is None and has_users:
        raise UsageError(
            "master import: the store has users: name who imports with --user (only the first "
            "import into an empty store is the bootstrap)"
        )
    if args.user is not None and not has_users:
        raise UsageError(
            "master import: the store has no users yet: the first import is the bootstrap and takes no --user"
        )
    reports: list[tuple[str, ImportReport]] = []
    problems: list[str] = []
    try:
        # Read, check and hash every file first: the write lock is taken for the writing alone.
        prepared = prepare(db, files_read)
    except MasterDataInvalid as exc:
        prepared, problems = [], [str(problem) for problem in exc.problems]
    except StoreError as exc:
        raise CommandError(f"{' '.join(args.files)}: {exc}") from None
    if problems:
        for line in problems:
            print(line, file=sys.stderr)
        if len(args.files) > 1:
            print("nothing was imported: correct the files and import them again", file=sys.stderr)
        return 2
    refused: list[str] = []
    try:
        with ExitStack() as stack:
            if args.user is None:
                uow, importer = stack.enter_context(db.unit_of_work()), BOOTSTRAP
                if not bootstrap_allowed(uow):  # another import came first
                    raise CommandError("master import: the store has users: name who imports with --user", 2)
            else:
                uow, actor = stack.enter_context(
                    _acting(db, args, roles=("qa", "admin"), what="import master data")
                )
                importer = Importer(actor.id, frozenset(actor.roles))
            for path, read in zip(args.files, prepared, strict=True):
                try:
                    reports.append((path, import_master_data(uow, read, importer)))
                except MasterDataInvalid as exc:
                    problems += [str(problem) for problem in exc.problems]
                except ImportRefused as exc:
                    refused += exc.problems
            if not problems and not refused:
                uow.commit()
        if refused:
            _record_refused_import(db, args, refused)
    except StoreError as exc:
        raise CommandError(f"{' '.join(args.files)}: {exc}") from None
    for line in problems + refused:
        print(line, file=sys.stderr)
    if problems or refused:
        if len(args.files) > 1 or refused:
            print("nothing was imported", file=sys.stderr)
        return 2 if problems else 1
    for path, report in reports:
        print(f"{path}: {report.added} added, {report.changed} changed, {report.unchanged} unchanged")
    return 0


def _record_refused_import(db: Database, args: argparse.Namespace, refused: list[str]) -> None:
    """A refused import writes nothing of its files, and one audit event saying who tried what."""
    from ebr import events as ev
    from ebr.users import record_refused

    with db.unit_of_work() as uow:
        record_refused(
            uow,
            args.user,
            tuple(("role_required", line) for line in refused[:20]),
            {"files": [str(p) for p in args.files], "refused_changes": len(refused)},
            attempted=ev.Attempt.MASTER_IMPORT,
            subject_type="master_data",
            subject=", ".join(Path(p).name for p in args.files),
        )
        uow.commit()


# ---------------------------------------------------------------- recipes
def recipe_validate(args: argparse.Namespace) -> int:
    from recipes.validate import validate_files

    code, lines = validate_files(args.files)
    for line in lines:
        print(line, file=sys.stderr)
    if code == 0:
        for path in args.files:
            print(f"{path}: valid")
    return code


def recipe_import(args: argparse.Namespace) -> int:
    from ebr.recipe_store import import_recipe
    from recipes.images import read_images
    from recipes.loader import MAX_RECIPE_BYTES, RecipeInvalid, parse_recipe

    text = _read(args.file, what="a recipe", max_bytes=MAX_RECIPE_BYTES)
    try:
        recipe = parse_recipe(text, args.file)
    except RecipeInvalid as exc:
        for problem in exc.problems:
            print(str(problem), file=sys.stderr)
        return 1
    images, problems = read_images(recipe, Path(args.file))
    if problems:
        for line in problems:
            print(line, file=sys.stderr)
        return 1
    db = _store(args)
    try:
        with _acting(db, args, roles=("qa", "admin"), what="import recipes") as (uow, actor):
            stored = import_recipe(uow, recipe, text, actor.id, images).recipe
            uow.commit()
    except StoreError as exc:
        raise CommandError(str(exc)) from None
    print(f"{recipe.code} v{recipe.version} imported ({stored.status}), content hash {stored.content_hash}")
    return 0


def recipe_approve(args: argparse.Namespace) -> int:
    from ebr import users
    from ebr.recipe_store import approve_recipe

    db = _store(args)
    password = read_password(args)
    checked = users.check_password(db, args.user, password)  # before the write lock
    try:
        with db.unit_of_work() as uow:
            try:
                approve_recipe(uow, args.code, args.version, args.user, password, checked=checked)
            finally:
                uow.commit()  # a refused signature is audited too
    except StoreError as exc:
        raise CommandError(str(exc)) from None
    print(f"{args.code} v{args.version} approved for execution by {args.user}")
    return 0


# ---------------------------------------------------------------- execution
def run(args: argparse.Namespace) -> int:
    from station.composition import build_engine
    from station.engine.runner import run_script
    from station.engine.script import ScriptInvalid, load_script

    try:
        script = load_script(args.script)
    except ScriptInvalid as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2
    from station.linepc.commands import configuration

    config = configuration(args)
    engine = build_engine(  # closed with the store by close_stores
        db=_store(args), station=config.get("station.id"), site_tz=config.get("station.timezone")
    )
    _check_script_steps(engine, script)
    return run_script(engine, script)


def _check_script_steps(engine: Engine, script: BatchScript) -> None:
    """Every step a script names must be a step of its recipe: found before any action runs."""
    from recipes.loader import parse_recipe

    if script.recipe_code is None or script.recipe_version is None:
        return  # a script without a batch names no steps
    with engine.db.unit_of_work(read_only=True) as uow:
        stored = uow.recipe(script.recipe_code, script.recipe_version)
        if stored is None:
            raise CommandError(
                f"{script.path}: recipe {script.recipe_code} version {script.recipe_version} is not imported"
            )
        steps = set(parse_recipe(stored.source_text, f"{stored.code}.yaml").step_ids())
    for entry in script.steps:
        step = getattr(entry.action, "step", None)
        if step is not None and step not in steps:
            raise UsageError(
                f"{script.path}:{entry.line}: {entry.name}: step {step} is not a step of "
                f"{script.recipe_code} v{script.recipe_version}"
            )


# ---------------------------------------------------------------- the record
def ebr_verify(args: argparse.Namespace) -> int:
    if args.file:
        from ebr.export.json_verify import verify_export

        try:
            size = Path(args.file).stat().st_size
            if size > MAX_EXPORT_BYTES:
                raise UsageError(
                    f"{args.file}: the file is {size:,} bytes: an export may have at most {MAX_EXPORT_BYTES:,}"
                )
            data = Path(args.file).read_bytes()
        except OSError as exc:
            raise UsageError(f"{args.file}: cannot read: {exc.strerror or exc}") from None
        from station.commands_sync import pinned_hub_key

        result = verify_export(data, hub_key=pinned_hub_key(args))
        if result.unreadable:
            raise UsageError(f"{args.file}: cannot read: {result.problem}")
        if not result.ok:
            raise IntegrityError(f"{args.file}: TAMPERED: {result.problem}")
        print(f"{args.file}: intact")
        return 0
    from ebr.verify import verify

    db = _store(args, read_only=True)
    if getattr(args, "quick", False):
        from station.commands_sync import quick_verify

        return quick_verify(db, args)
    if args.batch:
        with db.unit_of_work(read_only=True) as uow:
            if uow.batch(args.batch) is None:
                raise CommandError(f"batch {args.batch} is not in the database")
    try:
        report = verify(db, args.batch)
    except StoreError as exc:
        raise CommandError(str(exc), 2) from None
    if not report.ok:
        bad = report.first_bad
        raise IntegrityError(f"TAMPERED: {bad}" if bad else "TAMPERED")
    from station.commands_sync import check_anchors

    check_anchors(db, args)  # the hub's receipts: a rewritten or cut chain is caught (exit 3)
    scope = f"batch {args.batch}" if args.batch else "the whole audit trail"
    print(f"{scope}: intact ({report.events_checked} events checked)")
    if args.batch:
        # The record hash an export prints (header.audit_trail.last_hash): compare the two.
        with db.unit_of_work(read_only=True) as uow:
            last = uow.last_event(args.batch)
        if last is not None:
            print(f"batch {args.batch}: last event {last[0]}, record hash {last[1]}")
    return 0


def ebr_export(args: argparse.Namespace) -> int:
    from station.exports import export_batch
    from station.files import write_file

    db = _store(args, read_only=True)
    data = export_batch(db, args.batch, args.format, printed_by=args.user or SYSTEM_USER)
    out = Path(args.output)
    try:
        write_file(out, data)  # whole or absent, synced
    except OSError as exc:
        raise UsageError(f"{out}: cannot write: {exc.strerror or exc}") from None
    print(f"{args.batch}: {args.format} written to {out} ({len(data)} bytes)")
    return 0


def ebr_review(args: argparse.Namespace) -> int:
    from station.exports import review_batch

    db = _store(args)
    outcome = review_batch(
        db,
        args.batch,
        approve=bool(args.approve),
        user=args.user,
        password=read_password(args),
        comment=args.comment,
    )
    print(outcome)
    return 0


# ---------------------------------------------------------------- the station
def demo(args: argparse.Namespace) -> int:
    from station.demo import run_demo

    return run_demo(args)


def gui(args: argparse.Namespace) -> int:
    from station.composition import build_engine
    from station.linepc.commands import store_url
    from station.linepc.startup import station_configuration

    config = station_configuration(args)  # a bad file: its problems on screen and stderr, exit 2
    args.db = store_url(args, config)
    db = _store(args)
    from station.config import serial_options
    from station.linepc.startup import remember

    remember(config, args.db)  # the admin's health screen checks what this station runs on
    from station.commands_sync import touchscreen_sync
    from station.ui.app import run_gui

    return run_gui(
        lambda: build_engine(
            db=db,
            station=config.get("station.id"),
            site_tz=config.get("station.timezone"),
            printer=config.get("devices.printer.address"),
        ),
        kiosk=args.kiosk or config.explicit("station.kiosk") is True,
        scale_link=args.scale or config.explicit("devices.scale.port"),
        scale_protocol=args.scale_protocol or config.get("devices.scale.protocol"),
        scanner_link=args.scanner or config.explicit("devices.scanner.port"),
        simulator=False,
        idle_logout_s=args.idle_logout or config.get("station.idle_logout"),
        language=args.language or config.get("station.language"),
        scale_options=serial_options(config, "scale"),
        scanner_options=serial_options(config, "scanner"),
        sync=touchscreen_sync(config, db),
    )


def print_json(value: object) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str))
