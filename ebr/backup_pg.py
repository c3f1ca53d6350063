"""Backups of a PostgreSQL record store: ``pg_dump`` of one exported snapshot, verified.

The station's transaction exports its snapshot (``pg_export_snapshot``), reads the chain head
and the counts in it, and ``pg_dump --snapshot`` dumps exactly that state while stations keep
writing. The dump is then checked without a database: the audit trail's rows are read back out
of it (``pg_restore -a -t audit_events``) and every event's hash and link recomputed, up to the
head read in the snapshot. A restore checks the same before ``pg_restore`` replaces the store's
tables in one transaction.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import URL, Connection

from ebr import chain
from ebr.database import open_database, parse_url

_COUNTED = ("audit_events", "batches", "signatures", "users", "recipes")
_INTEGER_FIELDS = frozenset({"seq", "stream_seq"})
_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}


class PgBackupError(Exception):
    pass


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    if candidates:
        return str(candidates[0])
    raise PgBackupError(f"{name} is not installed (Debian: postgresql-client)")


def _libpq(url: URL) -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump/pg_restore, the password in the environment only."""
    options = ["--dbname", str(url.database or "")]
    if url.host:
        options += ["--host", url.host]
    if url.port:
        options += ["--port", str(url.port)]
    if url.username:
        options += ["--username", url.username]
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return options, env


def dump(url_text: str, partial: Path) -> dict[str, Any]:
    """Dump the store to ``partial`` (custom format) from one snapshot; its facts in that snapshot."""
    url = parse_url(url_text)
    db = open_database(url_text, create=False)
    try:
        with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
            with connection.begin():
                snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                facts = _facts_in(connection)
                options, env = _libpq(url)
                done = subprocess.run(
                    [_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}", "--file", str(partial), *options],
                    env=env, capture_output=True, text=True, check=False,
                )  # fmt: skip
                if done.returncode != 0:
                    raise PgBackupError(f"pg_dump failed: {done.stderr.strip().splitlines()[-1:]}")
    finally:
        db.dispose()
    return facts


def _facts_in(connection: Connection) -> dict[str, Any]:
    head = connection.execute(text("SELECT last_seq, last_hash FROM chain_head WHERE id = 1")).first()
    synced = connection.execute(text("SELECT acked_seq FROM sync_state WHERE id = 1")).first()
    revision = connection.execute(text("SELECT version_num FROM alembic_version")).first()
    counts = {
        table: int(connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one())
        for table in _COUNTED
    }
    return {
        "chain_last_seq": int(head[0]) if head else 0,
        "chain_last_hash": str(head[1]) if head else None,
        "synced_seq": int(synced[0]) if synced else 0,
        "schema_revision": str(revision[0]) if revision else None,
        "counts": counts,
    }


def facts(url_text: str) -> dict[str, Any]:
    """Chain head, sync cursor, schema revision and counts of the store as it is now."""
    db = open_database(url_text, create=False)
    try:
        with db.engine.connect() as connection:
            return _facts_in(connection)
    finally:
        db.dispose()


def _unescape(field: str) -> str | None:
    if field == "\\N":
        return None
    if "\\" not in field:
        return field

    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code in _ESCAPES:
            return _ESCAPES[code]
        if code.startswith("x"):
            return chr(int(code[1:], 16))
        return chr(int(code, 8))

    return re.sub(r"\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)", one, field)


def _events(backup: Path) -> Iterator[dict[str, Any]]:
    """The audit trail's rows as the dump holds them."""
    process = subprocess.Popen(
        [_tool("pg_restore"), "--data-only", "--table=audit_events", "--file=-", str(backup)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
    )  # fmt: skip
    assert process.stdout is not None
    columns: list[str] | None = None
    try:
        for line in process.stdout:
            if columns is None:
                header = re.match(r"COPY \S*audit_events \((.*)\) FROM stdin;", line)
                if header:
                    columns = [c.strip().strip('"') for c in header.group(1).split(",")]
                continue
            if line.startswith("\\."):
                break
            values = [_unescape(v) for v in line.rstrip("\n").split("\t")]
            event: dict[str, Any] = dict(zip(columns, values, strict=True))
            for name in _INTEGER_FIELDS:
                event[name] = int(event[name])
            yield event
    finally:
        process.stdout.close()
        error = process.stderr.read() if process.stderr else ""
        if process.wait() != 0:
            raise PgBackupError(f"not a readable pg_dump archive: {error.strip()[:200]}")


def verify_dump(backup: Path, last_seq: int, last_hash: str | None) -> tuple[bool, str]:
    """The whole dump reads back (every table's data decompresses), and the chain it holds,
    recomputed in seq order, ends at the recorded head."""
    whole = subprocess.run(
        [_tool("pg_restore"), "--file=/dev/null", str(backup)], capture_output=True, text=True, check=False
    )
    if whole.returncode != 0:
        return False, f"not a readable pg_dump archive: {whole.stderr.strip()[:200]}"
    events = sorted(_events(backup), key=lambda e: int(e["seq"]))
    previous = chain.GENESIS
    for position, event in enumerate(events, start=1):
        if event["seq"] != position:
            return False, f"TAMPERED: event {position} is missing from the dump"
        if event["prev_hash"] != previous:
            return False, f"TAMPERED: event {event['seq']} does not link to event {position - 1}"
        if chain.event_hash_of_texts(event) != event["hash"]:
            return False, f"TAMPERED: event {event['seq']} does not match its hash"
        previous = str(event["hash"])
    if len(events) != last_seq or (events and previous != last_hash):
        return False, f"TAMPERED: the dump's chain ends at {len(events)}, its head says {last_seq}"
    return True, f"intact: {len(events)} events"


def restore(backup: Path, url_text: str) -> None:
    """Replace the store's tables by the dump's, in one transaction."""
    url = parse_url(url_text)
    options, env = _libpq(url)
    done = subprocess.run(
        [_tool("pg_restore"), "--clean", "--if-exists", "--single-transaction", "--no-owner", *options, str(backup)],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise PgBackupError(f"pg_restore failed, nothing changed: {done.stderr.strip()[:300]}")
