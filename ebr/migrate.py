"""Alembic, configured from code: no alembic.ini is needed at run time.

The migration scripts live in ``ebr/migrations`` (package data). The station runs
:func:`upgrade` at start, and ``mes-station db upgrade`` does the same.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection

from ebr.database import Database, translated_errors
from ebr.errors import SchemaNewer

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

#: Any constant: PostgreSQL stations upgrading at the same time queue on this lock.
_PG_UPGRADE_LOCK = 0x4D45535354  # "MESST"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(db: Database) -> str | None:
    with translated_errors(db.named_url), db.reader().connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


#: Stores at these revisions hold master data written before events sealed it
#: (``ebr.master_seal``): the upgrade past them seals it as found.
_BEFORE_SEALS = frozenset({"0001"})
SEALED_AT_UPGRADE = "master data as found at the upgrade that put it under the chain (written before seals)"


def _refuse_newer(db: Database, revision: str | None) -> None:
    """A schema revision this software does not know was made by a newer version: migrating
    "up" from it is meaningless and writing to it could break what that version relies on."""
    if revision is None:
        return
    try:
        known = ScriptDirectory.from_config(alembic_config()).get_revision(revision)
    except Exception:  # alembic's own error for an unknown id
        known = None
    if known is None:
        from ebr.software import software_name

        raise SchemaNewer(
            f"{db.shown_url}: its schema ({revision}) is newer than this software ({software_name()}, "
            f"schema {head_revision()}): install the version that wrote it or a newer one"
        )


def upgrade(db: Database, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (default: head). Running it again changes nothing.

    A store already at head is only read: every station start upgrades its store, and forty
    stations starting at once must not queue for the write lock to learn there is nothing to do."""
    if revision == "head" and current_revision(db) == head_revision():
        db.mark_schema_current()
        return
    with translated_errors(db.named_url), db.engine.begin() as connection:
        if db.dialect == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_UPGRADE_LOCK})
        before = MigrationContext.configure(connection).get_current_revision()
        _refuse_newer(db, before)
        command.upgrade(alembic_config(connection), revision)
    db.mark_schema_current()
    if before in _BEFORE_SEALS and revision == "head":
        from ebr.master_seal import seal_as_found

        with db.unit_of_work() as uow:
            seal_as_found(uow, SEALED_AT_UPGRADE)
            uow.commit()
