"""A network label printer, simulated: it takes ZPL II on a TCP port (9100, as a Zebra does)
and prints each label to a PNG (``hardware.printers.zpl_render``) beside the ZPL it received,
so a test reads what was printed and a person looks at it.

Like the real printer it answers nothing and closes the connection once it has read the job.
A connection that sends nothing for ``idle_timeout`` seconds, or more than ``max_job_bytes``,
is closed unprinted (a printer's buffer is finite; a stuck sender must not block the next).
"""

from __future__ import annotations

import socket
import threading
from pathlib import Path

from hardware.printers.zpl_render import render, split_jobs


class LabelPrinterSimulator:
    def __init__(
        self,
        out_dir: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 9100,
        idle_timeout: float = 5.0,
        max_job_bytes: int = 1 << 20,
    ) -> None:
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.idle_timeout = idle_timeout
        self.max_job_bytes = max_job_bytes
        self._listener = socket.create_server((host, port), reuse_port=False)
        self._listener.settimeout(0.2)
        self.host, self.port = self._listener.getsockname()[:2]
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.printed: list[Path] = []  # PNG of every label printed, in order
        self.refused: list[str] = []  # why a job was not printed

    @property
    def address(self) -> str:
        return f"tcp://{self.host}:{self.port}"

    def start(self) -> LabelPrinterSimulator:
        self._thread = threading.Thread(target=self._serve, name="label-printer-sim", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        self._listener.close()

    def __enter__(self) -> LabelPrinterSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with connection:
                self._take(connection)

    def _take(self, connection: socket.socket) -> None:
        connection.settimeout(self.idle_timeout)
        received = bytearray()
        try:
            while chunk := connection.recv(65536):
                received += chunk
                if len(received) > self.max_job_bytes:
                    self._refuse(f"job over {self.max_job_bytes} bytes: not printed")
                    return
        except TimeoutError:
            self._refuse("the sender went quiet before closing: not printed")
            return
        except OSError as exc:
            self._refuse(f"connection lost: {exc}")
            return
        self._print(bytes(received))

    def _refuse(self, why: str) -> None:
        with self._lock:
            self.refused.append(why)

    def _print(self, data: bytes) -> None:
        jobs = split_jobs(data)
        if not jobs:
            self._refuse("no ^XA ... ^XZ label in what was sent")
            return
        for job in jobs:
            with self._lock:
                number = len(self.printed) + 1
                stem = self.out_dir / f"label-{number:04d}"
                stem.with_suffix(".zpl").write_text(job, encoding="utf-8")
                try:
                    label = render(job)
                except Exception as exc:  # garbage inside ^XA ... ^XZ: that label is not printed
                    self.refused.append(f"label {number}: unreadable ZPL ({exc})")
                    continue
                label.save(stem.with_suffix(".png"))
                if label.ignored:
                    stem.with_suffix(".ignored.txt").write_text(
                        "\n".join(label.ignored) + "\n", encoding="utf-8"
                    )
                self.printed.append(stem.with_suffix(".png"))

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Path]:
        """The PNGs once ``count`` labels are printed (raises TimeoutError otherwise)."""
        deadline = threading.Event()
        for _ in range(int(timeout / 0.05)):
            with self._lock:
                if len(self.printed) >= count:
                    return list(self.printed)
            deadline.wait(0.05)
        raise TimeoutError(f"{len(self.printed)} of {count} labels printed")
