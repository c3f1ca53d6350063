"""Sending a label to a network label printer: ZPL II over a raw TCP connection to port 9100.

A Zebra printer (and most others that speak ZPL) takes a job on its raw port exactly as sent
and prints when it sees ``^XZ``; it answers nothing. So a job is sent whole on one connection,
the sending side shut down, and the printer's closing of the connection awaited: when that
comes, the printer has taken the whole job. A printer that is off, unplugged or busy with
another host gives a clear error within ``timeout`` seconds, never a hang.
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

DEFAULT_PORT = 9100


class PrinterError(Exception):
    """The label could not be handed to the printer (one line, naming the printer)."""


def printer_address(address: str) -> tuple[str, int]:
    """``tcp://HOST[:PORT]`` (port 9100 unless given) as (host, port)."""
    parts = urlsplit(address)
    if parts.scheme != "tcp" or not parts.hostname:
        raise PrinterError(f"{address!r} is not a printer address: give tcp://HOST:9100")
    try:
        port = parts.port or DEFAULT_PORT
    except ValueError:
        raise PrinterError(f"{address!r}: the port is not a number from 1 to 65535") from None
    return parts.hostname, port


def print_zpl(address: str, job: bytes, *, timeout: float = 10.0) -> None:
    """Send one ZPL job (``^XA`` ... ``^XZ``) to the printer at ``tcp://HOST:PORT``."""
    if not job.lstrip().startswith(b"^XA") or b"^XZ" not in job:
        raise PrinterError("not a ZPL label: a job starts with ^XA and ends with ^XZ")
    host, port = printer_address(address)
    try:
        with socket.create_connection((host, port), timeout=timeout) as connection:
            connection.sendall(job)
            connection.shutdown(socket.SHUT_WR)
            # The printer closes the connection once it has read the job; wait for that.
            while connection.recv(4096):
                pass
    except TimeoutError:
        raise PrinterError(f"printer {host}:{port} did not take the label within {timeout:g} s") from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise PrinterError(f"printer {host}:{port} cannot be reached: {reason}") from None
