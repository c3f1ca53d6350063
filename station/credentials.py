"""Who runs a command: ``--user U`` and that user's password, which never travels on the
command line (it would stand in the shell's history and in every process listing).

The password comes from ``--password-file FILE`` (its first line), or from standard input
when that is not a terminal (``echo "$PW" | mes-station ...``), or from a prompt that does
not echo. The store then authenticates the user and checks the role (``ebr.users``).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from station.errors import UsageError

#: A password file holds one line; anything longer than this is not a password file.
MAX_PASSWORD_FILE_BYTES = 4096


def add_options(p: argparse.ArgumentParser, *, required: bool = True, who: str = "who does it") -> None:
    """``--user`` and ``--password-file`` on a command that changes the record or master data."""
    p.add_argument("--user", required=required, metavar="USER", help=f"{who} (authenticated)")
    p.add_argument(
        "--password-file",
        metavar="FILE",
        help="the user's password in a file (first line); else standard input, else a prompt",
    )


def read_password(args: argparse.Namespace, user: str | None = None, *, prompt: str = "password") -> str:
    """The password of ``user`` (default ``args.user``), from where ``add_options`` says."""
    user = user or args.user
    path = getattr(args, "password_file", None)
    if path:
        file = Path(path)
        try:
            with file.open("rb") as handle:
                data = handle.read(MAX_PASSWORD_FILE_BYTES + 1)
        except FileNotFoundError:
            raise UsageError(f"{path}: no such file") from None
        except IsADirectoryError:
            raise UsageError(f"{path}: is a directory, not a password file") from None
        except OSError as exc:
            raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
        if len(data) > MAX_PASSWORD_FILE_BYTES:
            raise UsageError(f"{path}: not a password file (over {MAX_PASSWORD_FILE_BYTES} bytes)")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise UsageError(f"{path}: not UTF-8 text") from None
        password = text.splitlines()[0] if text else ""
        where = path
    elif sys.stdin is not None and not sys.stdin.isatty():
        password = sys.stdin.readline(MAX_PASSWORD_FILE_BYTES).rstrip("\r\n")
        where = "standard input"
    else:
        try:
            password = getpass.getpass(f"{prompt} for {user}: ")
        except EOFError:
            password = ""
        where = "the prompt"
    if not password:
        raise UsageError(f"no password for {user} from {where}")
    return password


def read_passwords(args: argparse.Namespace, user: str, prompts: tuple[str, ...]) -> list[str]:
    """Several passwords of ``user`` in order (the current one, then a new one): the lines of
    ``--password-file``, or of standard input when it is not a terminal, or one prompt each."""
    path = getattr(args, "password_file", None)
    if path:
        try:
            with Path(path).open("rb") as handle:  # at most the limit is read, whatever the file
                data = handle.read(MAX_PASSWORD_FILE_BYTES + 1)
        except OSError as exc:
            raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
        try:
            lines, where = data.decode("utf-8").splitlines(), path
        except UnicodeDecodeError:
            raise UsageError(f"{path}: not UTF-8 text") from None
    elif sys.stdin is not None and not sys.stdin.isatty():
        lines = [sys.stdin.readline(MAX_PASSWORD_FILE_BYTES).rstrip("\r\n") for _ in prompts]
        where = "standard input"
    else:
        lines, where = [], "the prompt"
        for prompt in prompts:
            try:
                lines.append(getpass.getpass(f"{prompt} for {user}: "))
            except EOFError:
                lines.append("")
    if len(lines) < len(prompts) or not all(lines[: len(prompts)]):
        raise UsageError(f"{len(prompts)} passwords are needed for {user} from {where}: {', '.join(prompts)}")
    return lines[: len(prompts)]
