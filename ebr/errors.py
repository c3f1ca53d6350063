"""The record store's exceptions. Each carries one line a person can read."""

from __future__ import annotations


class StoreError(Exception):
    """Base of every error the record store raises on purpose."""


class BadDatabaseUrl(StoreError):
    """The database URL cannot be parsed or names an unsupported database."""


class DatabaseUnreachable(StoreError):
    """The database server (or file) cannot be reached or opened."""


class DatabaseLocked(StoreError):
    """Another writer holds the database for longer than the busy timeout."""


class SchemaNewer(StoreError):
    """The store was written by a newer version of the software: it is not opened for writing."""


class DiskFull(StoreError):
    """The disk holding the store is full: SQLite wrote nothing of the transaction."""

    exit_code = 1  # the request was fine; the machine could not keep it


class DatabaseMissing(StoreError):
    """There is no database at the URL, and the command may not create one."""


class DatabaseReadOnly(StoreError):
    """A write was attempted through a database opened read-only (or on read-only media)."""


class SchemaMissing(StoreError):
    """The database has no schema, or an outdated one: run `mes-station db upgrade`."""


class StoreDamaged(Exception):
    """A table the store's recorded schema revision promises is missing: the store was damaged
    outside the software. An integrity failure (exit 3), deliberately not a StoreError, so that
    no command takes it for an ordinary refusal."""


class NotFound(StoreError):
    """A user, recipe, batch or record asked for does not exist."""


class NotAllowed(StoreError):
    """The request is understood but refused: wrong role, same person, bad state."""

    def __init__(self, message: str, code: str = "not_allowed") -> None:
        super().__init__(message)
        self.code = code


class RecipeConflict(StoreError):
    """A recipe with the same code and version but other content is already in the store."""


class PasswordRejected(StoreError):
    """A new password does not meet the password rules."""
