"""Errors that the command line turns into one clear line and an exit code."""

from __future__ import annotations


class CommandError(Exception):
    """A failure with a message for a person and the exit code the README assigns to it."""

    exit_code = 1

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(CommandError):
    """Bad usage or unreadable input: exit 2."""

    exit_code = 2


class IntegrityError(CommandError):
    """The record failed verification: exit 3."""

    exit_code = 3
