"""Real hub processes for the tests (``mes-station hub serve`` over the test PostgreSQL), that a
test may kill, restart or start a second of, with mutual TLS or ``--insecure``; and the
station's configuration and command line next to them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sync_certs import Authority

from ebr.database import Database, open_database

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def env() -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MES_")}
    clean["MES_STATION_CONFIG"] = ""
    return clean


def cli(*args: str, config: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    environment = env()
    if config is not None:
        environment["MES_STATION_CONFIG"] = str(config)
    return subprocess.run(
        [sys.executable, "-m", "station.cli", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=environment,
    )  # fmt: skip


def wait_for_port(port: int, process: subprocess.Popen[bytes], within_s: float = 30) -> None:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            err = process.stderr.read().decode() if process.stderr else ""
            raise AssertionError(f"hub exited ({process.returncode}): {err}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"hub did not listen on {port} within {within_s} s")


class HubProcess:
    """One ``hub serve`` process on a fixed port, over the test database: ``start``, ``kill``
    (SIGKILL: a crash), ``stop`` (SIGTERM), ``start`` again on the same port."""

    def __init__(self, db_url: str, folder: Path, ca: Authority | None, *, insecure: bool = False) -> None:
        self.db_url, self.folder, self.ca, self.insecure = db_url, folder, ca, insecure
        self.port = free_port()
        self.signing_key = folder / "receipts.key"
        self.revoked = folder / "revoked.txt"
        if not self.revoked.exists():
            self.revoked.write_text("STATION-REVOKED\n")
        self.process: subprocess.Popen[bytes] | None = None
        self.tls: tuple[Path, Path] | None = None
        if not insecure:
            assert ca is not None
            cert, key, _ = ca.issue("hub", server=True)
            self.tls = (cert, key)

    @property
    def url(self) -> str:
        return f"{'http' if self.insecure else 'https'}://127.0.0.1:{self.port}"

    def start(self) -> HubProcess:
        command = [sys.executable, "-m", "station.cli", "hub", "serve", "--db", self.db_url,
                   "--listen", f"127.0.0.1:{self.port}", "--signing-key", str(self.signing_key)]  # fmt: skip
        if self.insecure:
            command.append("--insecure")
        else:
            assert self.tls is not None and self.ca is not None
            command += ["--certificate", str(self.tls[0]), "--key", str(self.tls[1]), "--ca", str(self.ca.path),
                        "--revoked", str(self.revoked)]  # fmt: skip
        self.process = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env()
        )
        wait_for_port(self.port, self.process)
        return self

    def kill(self) -> None:
        """SIGKILL: the hub dies wherever it is (a transaction in flight is rolled back)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self._close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._close()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def _close(self) -> None:
        if self.process is not None and self.process.stderr:
            self.process.stderr.close()

    def rows(self, statement: str, **params: Any) -> list[Any]:
        engine = create_engine(self.db_url)
        try:
            with engine.connect() as connection:
                return list(connection.execute(text(statement), params))
        finally:
            engine.dispose()

    def station_config(
        self, name: str, folder: Path, *, url: str | None = None, expired: bool = False
    ) -> Path:
        """A station's configuration naming this hub (or ``url``: a proxy in front of it)."""
        config = folder / f"{name}{'-expired' if expired else ''}.toml"
        lines = [f'[station]\nid = "{name}"\n[hub]\nurl = "{url or self.url}"\n']
        if self.ca is not None and not self.insecure:
            cert, key, _ = self.ca.issue(name, expired=expired)
            lines.append(f'certificate = "{cert}"\nkey = "{key}"\nca = "{self.ca.path}"\n')
        lines.append(f'receipt_key = "{self.signing_key}.pub"\n')
        config.write_text("".join(lines))
        return config


def url_of(database: Database) -> str:
    return database.named_url.render_as_string(hide_password=False)


def station_events(url: str) -> list[tuple[int, str]]:
    database = open_database(url)
    try:
        with database.unit_of_work(read_only=True) as uow:
            return [
                (int(s), str(h))
                for s, h in uow.connection.execute(text("SELECT seq, hash FROM audit_events ORDER BY seq"))
            ]
    finally:
        database.dispose()


def hub_events(hub: HubProcess, chain_id: str | None = None) -> list[tuple[int, str]]:
    where = "" if chain_id is None else " WHERE chain_id = :c"
    return [tuple(r) for r in hub.rows(f"SELECT seq, hash FROM hub_events{where} ORDER BY seq", c=chain_id)]
