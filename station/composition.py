"""The composition root: the one place that wires database, gates policy and engine together."""

from __future__ import annotations

import os

from ebr.database import Database, open_database
from ebr.migrate import head_revision, upgrade
from station.engine.engine import Engine

DEFAULT_STATION = os.environ.get("MES_STATION_ID", "STATION-01")
DEFAULT_SITE_TZ = os.environ.get("MES_SITE_TZ", "Europe/Berlin")


def open_store(
    db_url: str | None, *, migrate: bool = True, create: bool = True, read_only: bool = False
) -> Database:
    """Open the record store at ``db_url`` (None: MES_STATION_DB or the user data dir) and bring
    its schema to the current revision, as the app does at every start. ``create=False``: a
    store that is not there is an error, not a new empty one (a mistyped ``--db``).
    ``read_only``: nothing is written, not even a migration (an archive, an auditor's run)."""
    db = open_database(db_url, create=create, read_only=read_only)
    if migrate and not read_only:
        upgrade(db)
        db.check_tables(head_revision())  # a table dropped at head is damage: said before any use
    return db


def build_engine(
    db_url: str | None = None,
    *,
    db: Database | None = None,
    station: str | None = None,
    site_tz: str | None = None,
    printer: str | None = None,
) -> Engine:
    """The engine for a front end (the touchscreen or the headless runner: the same rules).
    ``station`` and ``site_tz``: the configuration's (default: the environment's or built in);
    ``printer``: the label printer (default: PDFs in the label folder)."""
    store = db or open_store(db_url)
    # The station writes for hours: keep SQLite's log checkpoints out of its actions.
    store.checkpoint_in_background()
    return Engine(
        store, station=station or DEFAULT_STATION, site_tz=site_tz or DEFAULT_SITE_TZ, printer=printer
    )
