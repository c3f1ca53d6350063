"""Where a simulated device is plugged in: a pseudo-terminal or a TCP port.

- ``PtyEndpoint``: a pty pair; the client opens the slave through a symlink at the given
  path (or one in a temporary directory), exactly as it would open ``/dev/ttyUSB0``.
  Unplugging closes the pty — the client's reads and writes fail as with a USB adapter
  pulled out — and removes the symlink; replugging creates a new pty (another
  ``/dev/pts/N``) and points the symlink at it.
- ``TcpEndpoint``: listens on ``tcp://host:port`` (clients use ``socket://host:port``);
  one client at a time, as a serial device server allows. Unplugging closes the listener
  and the connection; replugging listens again on the same port.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import socket
import tempfile
import tty
from abc import ABC, abstractmethod
from pathlib import Path
from urllib.parse import urlsplit


class EndpointError(Exception):
    """The endpoint cannot be created (bad link, path taken, port in use)."""


class Endpoint(ABC):
    @property
    @abstractmethod
    def address(self) -> str:
        """What a client opens: the pty's path, or ``socket://host:port``."""

    @property
    def device(self) -> str | None:
        """The underlying device (``/dev/pts/N``) while plugged, if any."""
        return None

    @abstractmethod
    def open(self) -> None: ...

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def fds(self) -> list[int]:
        """The descriptors to watch for input."""

    @abstractmethod
    def receive(self, fd: int) -> bytes:
        """Input that arrived on ``fd`` (``b""``: none, or a connection came or went)."""

    @abstractmethod
    def write(self, data: bytes) -> bool:
        """Send ``data``; False when nobody can receive it (dropped, as on an open line)."""

    def dispose(self) -> None:
        """Close and remove everything the endpoint created."""
        self.close()


class PtyEndpoint(Endpoint):
    def __init__(self, link: str | None = None) -> None:
        self._tempdir: str | None = None
        if link is None:
            self._tempdir = tempfile.mkdtemp(prefix="mes-sim-")
            link = os.path.join(self._tempdir, "tty")
        path = Path(link)
        if not path.parent.is_dir():
            raise EndpointError(f"cannot create link {link}: directory {path.parent} does not exist")
        if path.exists() and not path.is_symlink():
            raise EndpointError(f"cannot create link {link}: a file that is not a symlink is in the way")
        self.link = str(path)
        self._master: int | None = None
        self._slave: int | None = None
        self._device: str | None = None

    @property
    def address(self) -> str:
        return self.link

    @property
    def device(self) -> str | None:
        return self._device

    def open(self) -> None:
        if self._master is not None:
            return
        master, slave = os.openpty()
        tty.setraw(slave)
        flags = fcntl.fcntl(master, fcntl.F_GETFL)
        fcntl.fcntl(master, fcntl.F_SETFL, flags | os.O_NONBLOCK)
        device = os.ttyname(slave)
        temporary = f"{self.link}.{os.getpid()}.tmp"
        try:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            os.symlink(device, temporary)
            os.replace(temporary, self.link)
        except OSError as exc:
            os.close(master)
            os.close(slave)
            raise EndpointError(f"cannot create link {self.link}: {exc.strerror}") from exc
        # the slave stays open here too: the line exists whether or not a client has it open
        self._master, self._slave, self._device = master, slave, device

    def close(self) -> None:
        master, slave = self._master, self._slave
        self._master = self._slave = None
        self._device = None
        if os.path.islink(self.link):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.link)
        for fd in (master, slave):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)

    def dispose(self) -> None:
        self.close()
        if self._tempdir is not None:
            shutil.rmtree(self._tempdir, ignore_errors=True)
            self._tempdir = None

    def fds(self) -> list[int]:
        return [self._master] if self._master is not None else []

    def receive(self, fd: int) -> bytes:
        if fd != self._master:
            return b""
        try:
            return os.read(fd, 65536)
        except BlockingIOError:
            return b""
        except OSError as exc:
            if exc.errno in (errno.EIO, errno.EBADF):
                return b""
            raise

    def write(self, data: bytes) -> bool:
        master = self._master
        if master is None:
            return False
        view = memoryview(data)
        try:
            while view:
                written = os.write(master, view)
                view = view[written:]
        except BlockingIOError:
            return False  # nobody reads the line: the rest is lost, as on a real one
        except OSError:
            return False
        return True


class TcpEndpoint(Endpoint):
    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._listener: socket.socket | None = None
        self._client: socket.socket | None = None

    @property
    def address(self) -> str:
        return f"socket://{self.host}:{self.port}"

    def open(self) -> None:
        if self._listener is not None:
            return
        listener = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind((self.host, self.port))
        except OSError as exc:
            listener.close()
            raise EndpointError(f"cannot listen on tcp://{self.host}:{self.port}: {exc.strerror}") from exc
        listener.listen(1)
        listener.setblocking(False)
        self.port = listener.getsockname()[1]
        self._listener = listener

    def close(self) -> None:
        for sock in (self._client, self._listener):
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
        self._client = self._listener = None

    def fds(self) -> list[int]:
        return [sock.fileno() for sock in (self._listener, self._client) if sock is not None]

    def receive(self, fd: int) -> bytes:
        listener, client = self._listener, self._client
        if listener is not None and fd == listener.fileno():
            try:
                connection, _ = listener.accept()
            except BlockingIOError:
                return b""
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            connection.settimeout(2.0)
            if client is not None:
                client.close()  # a new connection replaces the old one
            self._client = connection
            return b""
        if client is not None and fd == client.fileno():
            try:
                data = client.recv(65536)
            except (BlockingIOError, TimeoutError):
                return b""
            except OSError:
                data = b""
            if not data:
                client.close()
                self._client = None
            return data
        return b""

    def write(self, data: bytes) -> bool:
        if self._client is None and self._listener is not None:
            self.receive(self._listener.fileno())  # a client whose connection is not accepted yet
        client = self._client
        if client is None:
            return False
        try:
            client.sendall(data)
        except OSError:
            client.close()
            self._client = None
            return False
        return True


def make_endpoint(link: str | None) -> Endpoint:
    """``tcp://HOST:PORT`` (PORT 0: any free port) or a path for a pty symlink (None: a temporary one)."""
    if link is not None and link.startswith(("tcp://", "socket://")):
        parts = urlsplit(link)
        try:
            port = parts.port
        except ValueError:
            port = None
        if not parts.hostname or port is None:
            raise EndpointError(f"malformed TCP link {link!r}: expected tcp://HOST:PORT")
        return TcpEndpoint(parts.hostname, port)
    if link is not None and "://" in link:
        raise EndpointError(f"unsupported link {link!r}: a path (pty) or tcp://HOST:PORT")
    return PtyEndpoint(link)
