"""Opening the record store: URL, engine, connection settings, error translation.

``open_database(url)`` gives a :class:`Database`; ``with db.unit_of_work() as uow:``
is the only way code reads or writes it (see ``ebr.uow``). Supported: SQLite (the
station's own file) and PostgreSQL (a central server); nothing else is SQLite-only.

SQLite: every connection gets WAL, ``synchronous=FULL``, ``foreign_keys=ON`` and a
5 s busy timeout. pysqlite's own transaction handling is switched off and each
transaction starts with an explicit ``BEGIN IMMEDIATE`` (``BEGIN`` for read-only
units of work), so a writer holds the write lock from its first statement and the
hash-chain append is serialised. PostgreSQL: the append locks the ``chain_head`` row
(``SELECT ... FOR UPDATE``), see ``ebr.audit``.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.pool import ConnectionPoolEntry

from ebr.errors import (
    BadDatabaseUrl,
    DatabaseLocked,
    DatabaseMissing,
    DatabaseReadOnly,
    DatabaseUnreachable,
    DiskFull,
    SchemaMissing,
    StoreDamaged,
    StoreError,
)

if TYPE_CHECKING:
    from ebr.uow import UnitOfWork

ENV_VAR = "MES_STATION_DB"
DEFAULT_FILE = "mes-station.db"
BUSY_TIMEOUT_MS = 5000


def default_url() -> str:
    """``MES_STATION_DB`` if set, else the SQLite file in the user's data directory."""
    from_env = os.environ.get(ENV_VAR, "").strip()
    if from_env:
        return from_env
    path = Path(platformdirs.user_data_dir("mes-station")) / DEFAULT_FILE
    return f"sqlite:///{path}"


def parse_url(url: str | None) -> URL:
    """The SQLAlchemy URL to use, with the driver made explicit; BadDatabaseUrl if unusable."""
    text = default_url() if url is None else url.strip()
    if "://" not in text:
        raise BadDatabaseUrl(f"not a database URL: {text!r} (expected e.g. sqlite:///path/to/file.db)")
    try:
        parsed = make_url(text)
    except ArgumentError:
        raise BadDatabaseUrl(f"not a database URL: {text!r}") from None
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        if "+" not in parsed.drivername:
            parsed = parsed.set(drivername="postgresql+psycopg")
        elif parsed.get_driver_name() != "psycopg":
            raise BadDatabaseUrl(
                f"unsupported PostgreSQL driver {parsed.drivername!r}: use postgresql+psycopg"
            )
    elif backend == "sqlite":
        if parsed.get_driver_name() not in ("pysqlite", ""):
            raise BadDatabaseUrl(f"unsupported SQLite driver {parsed.drivername!r}")
    else:
        raise BadDatabaseUrl(f"unsupported database {backend!r}: use sqlite:/// or postgresql://")
    return parsed


def shown(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def _one_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _disk_nearly_full(url: URL) -> bool:
    """SQLite says "disk I/O error" when it cannot even make its write-ahead log: a full disk
    then, when the file's folder has (almost) no space left."""
    if url.get_backend_name() != "sqlite" or not url.database:
        return False
    try:
        return shutil.disk_usage(Path(url.database).parent).free < 64 * 1024
    except OSError:
        return False


def _on_read_only_media(url: URL) -> bool:
    if url.get_backend_name() != "sqlite" or not url.database:
        return False
    try:
        return bool(os.statvfs(Path(url.database).parent).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def translate(exc: DBAPIError, url: URL) -> StoreError | None:
    """The StoreError a driver error stands for, or None if it is none of ours."""
    message = _one_line(exc)
    lower = message.lower()
    where = shown(url)
    if "database is locked" in lower or "database is busy" in lower or "lock timeout" in lower:
        return DatabaseLocked(f"database {where} is locked by another writer (waited {BUSY_TIMEOUT_MS} ms)")
    if "no such table" in lower or ("relation" in lower and "does not exist" in lower):
        return SchemaMissing(f"database {where} has no schema ({message}): run `mes-station db upgrade`")
    if "disk is full" in lower or ("disk i/o error" in lower and _disk_nearly_full(url)):
        return DiskFull(
            f"the disk holding database {where} is full: nothing of this was written; free space "
            "(`mes-station doctor` shows it) and try again"
        )
    if "readonly database" in lower or "read-only transaction" in lower or "query_only" in lower:
        return DatabaseReadOnly(f"database {where} is open read-only: nothing can be written to it")
    if "unable to open database file" in lower and _on_read_only_media(url):
        return DatabaseReadOnly(
            f"database {where} is on read-only media: it can be verified, exported and shown "
            "(`ebr verify`, `ebr export`, `audit show`), not written"
        )
    if "unable to open database file" in lower or "file is not a database" in lower:
        return DatabaseUnreachable(f"cannot open database {where}: {message}")
    if url.get_backend_name() == "postgresql" and exc.connection_invalidated:
        return DatabaseUnreachable(f"lost the connection to database {where}: {message}")
    if url.get_backend_name() == "postgresql" and isinstance(exc.orig, Exception):
        orig = type(exc.orig).__name__
        if orig == "OperationalError" and (
            "connect" in lower
            or "connection" in lower
            or "authentication" in lower
            or "does not exist" in lower
        ):
            return DatabaseUnreachable(f"cannot reach database {where}: {message}")
    return None


@contextmanager
def translated_errors(url: URL) -> Iterator[None]:
    """Re-raise known driver errors as the matching StoreError, others as they are."""
    try:
        yield
    except DBAPIError as exc:
        store_error = translate(exc, url)
        if store_error is None:
            raise
        raise store_error from exc


#: Page size of a new SQLite file. A station commit writes one page of every b-tree it
#: touches (an action: the event table and its three unique indexes, the record table and
#: its two, the chain head) into the write-ahead log and syncs it. With 2 KiB pages that is
#: half the bytes of SQLite's default 4 KiB: run as plain SQL on the engine benchmark's
#: database, the commit of an action's statements took 1.1-1.3x a one-row commit at p99,
#: against 1.4-1.7x with 4 KiB pages. An event row (under 1 KiB) still fits a page. A file
#: that exists keeps the page size it was made with.
PAGE_SIZE = 2048


def _sqlite_on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # Take transaction control away from pysqlite: BEGIN is emitted by _sqlite_on_begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # Before WAL: switching to WAL writes the header of a new file, page size included.
        cursor.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _sqlite_on_connect_read_only(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # A reader sets nothing that writes: no page size, no journal mode.
    dbapi_connection.isolation_level = None
    dbapi_connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    dbapi_connection.execute("PRAGMA query_only = ON")


def _read_only_sqlite(url: URL, path: Path) -> URL:
    """A SQLite URL that opens ``path`` read-only, leaving no file behind.

    A file with no write-ahead log beside it is open in no station (a writer keeps its log
    while it runs): it is opened as immutable, so SQLite makes no shared-memory or log file
    next to it (on read-only media it could not; beside a station's store, files a reader
    made as another user would lock the station out). A file with a log is being written:
    it is read through the log, which the writer made."""
    log = path.with_name(path.name + "-wal")
    immutable = "" if log.exists() else "&immutable=1"
    uri = f"file:{urllib.parse.quote(str(path.resolve()))}?mode=ro{immutable}"
    return url.set(database=uri, query={**url.query, "uri": "true"})


WRITER_CHECKPOINT_PAGES = 4000


def _writer_checkpoint_later(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    dbapi_connection.execute(f"PRAGMA wal_autocheckpoint = {WRITER_CHECKPOINT_PAGES}")


def _sqlite_on_begin(connection: Connection) -> None:
    mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
    statement = f"BEGIN {mode}"
    # Straight to the driver: this runs before every unit of work, and SQLAlchemy's statement
    # machinery cost more than the BEGIN itself. Errors still come out as SQLAlchemy's.
    driver = connection.connection.dbapi_connection
    assert driver is not None
    try:
        driver.execute(statement)
    except sqlite3.Error as exc:
        raise DBAPIError.instance(statement, (), exc, sqlite3.Error, dialect=connection.dialect) from exc


class WalCheckpointer:
    """Copies committed pages from a SQLite file's write-ahead log into the database file, on a
    thread and connection of its own, so that no station action waits for it.

    A commit in WAL mode appends to the log and syncs it: that is what makes it durable. Once
    the log holds 1000 pages, SQLite's own checkpoint runs inside the commit that crossed the
    line, which then also writes and syncs the database file: one action in a few hundred
    takes several times as long as the others. A PASSIVE checkpoint from another connection
    takes no write lock (writers go on appending meanwhile) and, when it has copied
    everything, the next writer starts the log from its beginning, so the log stays small.
    It runs while the writers of this process are idle (``idle()``), so that its own syncs
    do not queue with theirs; a station is idle most of the time. SQLite's own checkpoint
    stays on as the bound should the writers never pause."""

    def __init__(self, path: str, idle: Callable[[], bool] = lambda: True, interval_s: float = 0.1) -> None:
        self.path = path
        self.idle = idle
        self.interval_s = interval_s
        self.rounds = 0  # checkpoints that copied pages (for the tests)
        self._stop = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ebr-wal-checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            while not self._stop.wait(self.interval_s):
                if not self.idle():
                    continue
                try:
                    busy, frames, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                except sqlite3.Error:
                    continue  # locked for a moment or gone: the next round (or SQLite's own) does it
                if frames > 0 and copied > 0 and not busy:
                    self.rounds += 1
        finally:
            connection.close()
            self._done.set()

    def stop(self) -> None:
        # Waits on an event, not join(): join() from a thread Python did not start (the UI's
        # engine thread) would register a stand-in Thread object for it that is never removed.
        self._stop.set()
        self._done.wait(10)


class Database:
    """An open record store: the engine and the way to open units of work."""

    def __init__(self, engine: Engine, url: URL, *, shown_as: URL | None = None) -> None:
        self.engine = engine
        self.url = url
        self._shown_as = shown_as or url  # how messages name it (a read-only URI is not what was typed)
        self.checkpointer: WalCheckpointer | None = None
        self._writing = 0  # write units of work open now, in this process
        self._last_write = 0.0  # time.monotonic() when the last one ended
        self.dialect: str = engine.dialect.name
        self._schema_checked = False
        # SQLite: one connection kept open between units of work (see _take_held).
        self._hold = self.dialect == "sqlite" and (url.database or "") not in ("", ":memory:")
        self._held: Connection | None = None
        self._held_busy = False
        self._held_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Database({shown(self._shown_as)!r})"

    @property
    def named_url(self) -> URL:
        """The URL as it was given (for messages), whatever the store was opened through."""
        return self._shown_as

    @property
    def shown_url(self) -> str:
        return shown(self._shown_as)

    @contextmanager
    def unit_of_work(self, *, read_only: bool = False) -> Iterator[UnitOfWork]:
        """A unit of work: one transaction that is rolled back unless ``uow.commit()`` was called.

        A write unit of work (the default) holds the SQLite write lock from its start
        (``BEGIN IMMEDIATE``); ``read_only=True`` only reads (a plain ``BEGIN``)."""
        from ebr.uow import UnitOfWork

        self.check_schema()
        begin = "DEFERRED" if read_only else "IMMEDIATE"
        connection: Connection
        with translated_errors(self._shown_as):
            held = self._take_held()
            if held is not None:
                connection = held
                if held.get_execution_options().get("sqlite_begin") != begin:
                    held.execution_options(sqlite_begin=begin)
            else:
                connection = (self.reader() if read_only else self.engine).connect()
        uow = UnitOfWork(connection, self, read_only=read_only)
        if not read_only:
            self._writing += 1
        try:
            with translated_errors(self._shown_as):
                connection.begin()  # now, so a locked database shows here
                yield uow
        finally:
            try:
                uow.end()
            finally:
                if held is None:
                    connection.close()
                else:
                    self._give_back_held(held)
                if not read_only:
                    self._writing -= 1
                    self._last_write = time.monotonic()

    def _take_held(self) -> Connection | None:
        """The kept connection to a SQLite file, if no other unit of work has it now; None
        (take one from the pool) otherwise, and always for PostgreSQL.

        Taking a connection from the pool and giving it back costs more than a station's
        whole transaction minus its commit: the pool's bookkeeping and the rollback it
        issues on return. A SQLite connection holds no lock between transactions, so
        keeping one costs nothing. It is one connection for the whole process, used by
        one unit of work at a time from whichever thread (SQLAlchemy opens SQLite files
        with ``check_same_thread`` off): the station's engine runs one action at a time,
        so it is nearly always the engine's. A server's connections (PostgreSQL) stay
        pooled and checked (``pool_pre_ping``)."""
        if not self._hold:
            return None
        with self._held_lock:
            if self._held_busy:
                return None
            held = self._held
            if held is None or held.closed or held.invalidated:
                held = self._held = self.engine.connect()
            self._held_busy = True
            return held

    def _give_back_held(self, held: Connection) -> None:
        # Closed if a failure left it unusable (the next unit of work opens a new one), or if
        # it was released while this unit of work had it.
        with self._held_lock:
            drop = held.invalidated or held.in_transaction() or self._held is not held
            if drop and self._held is held:
                self._held = None
            self._held_busy = False
        if drop:
            _close_quietly(held)

    def release_connections(self) -> None:
        """Give the kept connection back to the pool; the next unit of work opens a new one.
        A unit of work that has it now keeps it until it ends."""
        with self._held_lock:
            held, self._held = self._held, None
            busy = self._held_busy
        if held is not None and not busy:
            _close_quietly(held)

    def reader(self) -> Engine:
        """The engine for read-only work: on SQLite its transactions begin DEFERRED."""
        return (
            self.engine.execution_options(sqlite_begin="DEFERRED")
            if self.dialect == "sqlite"
            else self.engine
        )

    def check_schema(self) -> None:
        """SchemaMissing unless the database is at the migrations' head revision."""
        if self._schema_checked:
            return
        from ebr.migrate import current_revision, head_revision

        head = head_revision()
        current = current_revision(self)
        if current is None:
            raise SchemaMissing(f"database {self.shown_url} has no schema: run `mes-station db upgrade`")
        if current != head:
            raise SchemaMissing(
                f"database {self.shown_url} has schema {current}, the station needs {head}: "
                "run `mes-station db upgrade`"
            )
        self.check_tables(current)
        self._schema_checked = True

    def check_tables(self, revision: str) -> None:
        """StoreDamaged when a table of the schema at ``revision`` (the head) is missing."""
        from ebr.models import Base

        missing = sorted(set(Base.metadata.tables) - set(self.table_names()))
        if missing:
            raise StoreDamaged(
                f"database {self.shown_url} is damaged: table {', '.join(missing)} is missing although "
                f"its schema is at {revision}; restore the last backup (`mes-station db restore`)"
            )

    def mark_schema_current(self) -> None:
        self._schema_checked = True

    def table_names(self) -> list[str]:
        with translated_errors(self._shown_as), self.reader().connect() as connection:
            return list(inspect(connection).get_table_names())

    def checkpoint_in_background(self) -> None:
        """For a long-running writer on a SQLite file (the station): checkpoint the write-ahead
        log on a thread of its own (see :class:`WalCheckpointer`). Stopped by ``dispose``."""
        path = self.url.database or ""
        if (
            self.dialect != "sqlite"
            or self.checkpointer is not None
            or path in ("", ":memory:")
            or path.startswith("file:")
        ):
            return
        self.checkpointer = WalCheckpointer(path, self._writers_idle)
        # SQLite's own checkpoint stays as the bound on the log under continuous writing, but
        # later (4000 pages: 8 MB with 2 KiB pages), so that it seldom falls inside an action.
        event.listen(self.engine, "connect", _writer_checkpoint_later)
        self.release_connections()
        self.engine.pool.dispose()  # connections made from now on get it

    def _writers_idle(self, pause_s: float = 0.05) -> bool:
        return self._writing == 0 and time.monotonic() - self._last_write >= pause_s

    def dispose(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.stop()
            self.checkpointer = None
        self.release_connections()
        self.engine.dispose()


def _close_quietly(connection: Connection) -> None:
    try:
        connection.close()
    except DBAPIError:  # pragma: no cover - closing a connection that already failed
        pass


def open_database(
    url: str | None = None, *, echo: bool = False, create: bool = True, read_only: bool = False
) -> Database:
    """Open the database at ``url`` (``create``: a SQLite file that does not exist yet is made).

    ``url`` None: ``MES_STATION_DB`` or ``mes-station.db`` in the user's data directory.
    ``create=False``: a SQLite file that is not there raises DatabaseMissing (a mistyped
    ``--db`` must not become a new, empty store that verifies as intact). ``read_only``:
    nothing can be written through this database, not even SQLite's log settings (an archive
    on read-only media opens; an auditor's run leaves no file behind). Raises BadDatabaseUrl,
    DatabaseMissing or DatabaseUnreachable with a one-line message. The schema is not checked
    here (``ebr.migrate.upgrade`` makes it); units of work check it."""
    parsed = parse_url(url)
    typed = parsed
    engine: Engine
    try:
        if parsed.get_backend_name() == "sqlite":
            database = parsed.database or ""
            if database and database != ":memory:" and not database.startswith("file:"):
                path = Path(database).expanduser()
                if not path.exists() and (read_only or not create):
                    raise DatabaseMissing(
                        f"no such database: {path} (a new store is made by `mes-station db upgrade`)"
                    )
                if path.exists() and not path.is_file():
                    raise DatabaseUnreachable(f"cannot open database {shown(parsed)}: {path} is not a file")
                if url is None and create:
                    path.parent.mkdir(parents=True, exist_ok=True)
                elif not path.parent.is_dir():
                    raise DatabaseUnreachable(
                        f"cannot open database {shown(parsed)}: no directory {path.parent}"
                    )
                if read_only:
                    parsed = _read_only_sqlite(parsed, path)
            engine = create_engine(parsed, echo=echo, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
            event.listen(engine, "connect", _sqlite_on_connect_read_only if read_only else _sqlite_on_connect)
            event.listen(engine, "begin", _sqlite_on_begin)
        else:
            options = "-c default_transaction_read_only=on" if read_only else None
            connect_args: dict[str, Any] = {"connect_timeout": 5}
            if options:
                connect_args["options"] = options
            engine = create_engine(parsed, echo=echo, pool_pre_ping=True, connect_args=connect_args)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise BadDatabaseUrl(f"cannot use database URL {shown(parsed)}: {_one_line(exc)}") from None
    try:
        with engine.connect():
            pass
    except DBAPIError as exc:
        engine.dispose()
        error = translate(exc, parsed) or DatabaseUnreachable(
            f"cannot open database {shown(parsed)}: {_one_line(exc)}"
        )
        raise error from None
    except sqlite3.Error as exc:  # pragma: no cover - raised outside a statement
        engine.dispose()
        raise DatabaseUnreachable(f"cannot open database {shown(parsed)}: {exc}") from None
    return Database(engine, parsed, shown_as=typed)
