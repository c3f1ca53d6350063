"""Fixtures of the record-store tests: a database per test, on SQLite and PostgreSQL.

PostgreSQL: ``MES_TEST_PG_URL`` (a server where the user may CREATE DATABASE) if set,
else a throwaway server made with the ``initdb``/``pg_ctl`` found under
``/usr/lib/postgresql/*/bin`` (run as the ``postgres`` system user when we are root),
listening on 127.0.0.1 on a free port, stopped at the end of the session. Without
server binaries the PostgreSQL tests are skipped, unless ``MES_REQUIRE_PG=1`` (CI),
which makes them fail.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from ebr_testing import import_site, write_full_batch

import ebr.users
from ebr.database import Database, open_database
from ebr.migrate import upgrade


def _pg_bin() -> Path | None:
    for directory in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(directory, "initdb").exists() and Path(directory, "pg_ctl").exists():
            return Path(directory)
    for name in ("initdb", "pg_ctl"):
        if shutil.which(name) is None:
            return None
    return Path(shutil.which("initdb") or "").parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _unavailable(reason: str) -> None:
    if os.environ.get("MES_REQUIRE_PG") == "1":
        pytest.fail(f"PostgreSQL required (MES_REQUIRE_PG=1) but {reason}")
    pytest.skip(f"PostgreSQL tests skipped: {reason} (set MES_TEST_PG_URL or install postgresql)")


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL (``postgresql+psycopg://``) on which databases may be created."""
    given = os.environ.get("MES_TEST_PG_URL")
    if given:
        yield given
        return
    bindir = _pg_bin()
    if bindir is None:
        _unavailable("no initdb/pg_ctl under /usr/lib/postgresql/*/bin or on PATH")
    assert bindir is not None
    base = Path(tempfile.mkdtemp(prefix="mes-pg-"))
    data, sockets, log = base / "data", base / "sock", base / "server.log"
    sockets.mkdir()
    prefix: list[str] = []
    if os.geteuid() == 0:
        import pwd

        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            _unavailable("running as root and there is no postgres system user to run the server")
        for path in (base, sockets):
            os.chown(path, account.pw_uid, account.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    try:
        subprocess.run(
            [*prefix, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
             "--no-locale", "--no-sync"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
        )
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", "-t", "60", "start"],
            check=True, capture_output=True, timeout=90,
        )  # fmt: skip
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        shutil.rmtree(base, ignore_errors=True)
        pytest.fail(f"could not start a throwaway PostgreSQL: {detail.decode(errors='replace').strip()}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            capture_output=True, timeout=60, check=False,
        )  # fmt: skip
        shutil.rmtree(base, ignore_errors=True)


def _pg_admin(pg_url: str, statement: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    conninfo = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(statement)  # type: ignore[arg-type]


def _cheap_hasher() -> PasswordHasher:
    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


class Templates:
    """Databases built once per session (schema; schema + site.yaml) and cloned per test:
    a file copy on SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL."""

    def __init__(self, directory: Path, request: pytest.FixtureRequest) -> None:
        self.directory = directory
        self.request = request
        self.built: set[tuple[str, str]] = set()
        self.uids: dict[str, dict[str, str]] = {}

    def _build(self, url: str, kind: str) -> None:
        database = open_database(url)
        upgrade(database)
        if kind in ("site", "batch"):
            saved = ebr.users._hasher
            ebr.users._hasher = _cheap_hasher()
            try:
                import_site(database)
                if kind == "batch":
                    self.uids[url] = write_full_batch(database)
            finally:
                ebr.users._hasher = saved
        database.dispose()

    def batch_uids(self, backend: str) -> dict[str, str]:
        """The uids of the batch written into the "batch" template of ``backend``."""
        return next(v for k, v in self.uids.items() if k.startswith("sqlite") == (backend == "sqlite"))

    def clone(self, backend: str, kind: str, tmp_path: Path) -> Iterator[str]:
        if backend == "sqlite":
            template = self.directory / f"{kind}.db"
            if (backend, kind) not in self.built:
                self._build(f"sqlite:///{template}", kind)
                self.built.add((backend, kind))
            target = tmp_path / "station.db"
            shutil.copyfile(template, target)
            yield f"sqlite:///{target}"
            return
        from sqlalchemy.engine import make_url

        pg_url = str(self.request.getfixturevalue("pg_url"))
        template_name = f"mes_template_{kind}"
        if (backend, kind) not in self.built:
            _pg_admin(pg_url, f"DROP DATABASE IF EXISTS {template_name} WITH (FORCE)")
            _pg_admin(pg_url, f"CREATE DATABASE {template_name} TEMPLATE template0")
            self._build(
                make_url(pg_url).set(database=template_name).render_as_string(hide_password=False), kind
            )
            self.built.add((backend, kind))
        name = "mes_" + uuid.uuid4().hex[:12]
        _pg_admin(pg_url, f"CREATE DATABASE {name} TEMPLATE {template_name}")
        try:
            yield make_url(pg_url).set(database=name).render_as_string(hide_password=False)
        finally:
            _pg_admin(pg_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Templates:
    return Templates(tmp_path_factory.mktemp("templates"), request)


@pytest.fixture
def pg_database_url(pg_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test."""
    from sqlalchemy.engine import make_url

    name = "mes_" + uuid.uuid4().hex[:12]
    _pg_admin(pg_url, f"CREATE DATABASE {name} TEMPLATE template0")
    try:
        yield make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    finally:
        _pg_admin(pg_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database (no schema), once per backend."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'station.db'}"
    return str(request.getfixturevalue("pg_database_url"))


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id with small parameters, so tests do not spend seconds hashing."""
    monkeypatch.setattr(ebr.users, "_hasher", _cheap_hasher())


def _open(url: str) -> Database:
    database = open_database(url)
    database.check_schema()
    return database


@pytest.fixture
def db(backend: str, templates: Templates, tmp_path: Path) -> Iterator[Database]:
    """A database with the schema and nothing in it, once per backend."""
    for url in templates.clone(backend, "schema", tmp_path):
        database = _open(url)
        yield database
        database.dispose()


@pytest.fixture
def site_db(backend: str, templates: Templates, tmp_path: Path) -> Iterator[Database]:
    """A database with site.yaml imported (by adm.kim), once per backend."""
    for url in templates.clone(backend, "site", tmp_path):
        database = _open(url)
        yield database
        database.dispose()


@pytest.fixture
def sqlite_db(templates: Templates, tmp_path: Path) -> Iterator[Database]:
    for url in templates.clone("sqlite", "schema", tmp_path):
        database = _open(url)
        yield database
        database.dispose()


@pytest.fixture
def site_sqlite(templates: Templates, tmp_path: Path) -> Iterator[Database]:
    for url in templates.clone("sqlite", "site", tmp_path):
        database = _open(url)
        yield database
        database.dispose()


@pytest.fixture
def batch_db(backend: str, templates: Templates, tmp_path: Path) -> Iterator[tuple[Database, dict[str, str]]]:
    """site.yaml and a batch with a record of every kind, recorded by the real engine
    (``ebr_testing.write_full_batch``)."""
    for url in templates.clone(backend, "batch", tmp_path):
        database = _open(url)
        yield database, templates.batch_uids(backend)
        database.dispose()


@pytest.fixture
def batch_sqlite(templates: Templates, tmp_path: Path) -> Iterator[tuple[Database, dict[str, str]]]:
    for url in templates.clone("sqlite", "batch", tmp_path):
        database = _open(url)
        yield database, templates.batch_uids("sqlite")
        database.dispose()
