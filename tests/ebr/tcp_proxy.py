"""A TCP proxy between a station and its hub that the test controls (threads, real sockets).

It forwards bytes as they come, TLS and all (it holds no key: the hub still sees the station's
own certificate). The faults it injects:

* ``refuse``: every new connection is closed at once (the network down, the hub unreachable);
* ``cut_when(predicate)``: the next answer from the hub for which ``predicate()`` is true is not
  forwarded; both sides are closed instead. With "the hub has stored the run" as the predicate,
  that is the connection lost after the hub committed and before its response arrived (the hub
  only writes its response after its commit, and under TLS the proxy cannot read it, so it asks
  the hub's database);
* ``cut_all()``: every open connection closed now (a cable pulled mid-run).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable


class Proxy:
    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.refuse = False
        self.cuts = 0
        self._cut_when: Callable[[], bool] | None = None
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = int(self._listener.getsockname()[1])
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, scheme: str = "https") -> str:
        return f"{scheme}://127.0.0.1:{self.port}"

    def cut_when(self, predicate: Callable[[], bool] | None) -> None:
        """Cut the next hub answer for which ``predicate()`` holds (once); None: forward all."""
        with self._lock:
            self._cut_when = predicate

    def cut_all(self) -> None:
        with self._lock:
            sockets, self._open = list(self._open), set()
        for s in sockets:
            _close(s)

    def close(self) -> None:
        self._closed = True
        _close(self._listener)
        self.cut_all()

    # ------------------------------------------------------------ forwarding
    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.refuse:
                _close(client)
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
                upstream.settimeout(None)
            except OSError:  # the hub is down: the station sees its connection closed
                _close(client)
                continue
            with self._lock:
                self._open.update((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, True), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, from_hub: bool) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if from_hub and self._should_cut():
                    break
                target.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                self._open.discard(source)
                self._open.discard(target)
            _close(source)
            _close(target)

    def _should_cut(self) -> bool:
        with self._lock:
            predicate = self._cut_when
        if predicate is None or not predicate():
            return False
        with self._lock:
            if self._cut_when is not predicate:  # another connection cut first
                return False
            self._cut_when = None
            self.cuts += 1
        return True


def _close(s: socket.socket) -> None:
    with contextlib.suppress(OSError):
        s.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        s.close()
