"""Plain HTTP for a demo: it works when both ends are started ``--insecure``, and when only one
end says it, the station refuses with one clear line and the hub stores nothing."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from hub_testing import HubProcess, cli, hub_events, station_events, url_of
from sync_certs import Authority

from ebr.database import Database

pytestmark = pytest.mark.postgres


@pytest.fixture
def hubs(pg_database_url: str, tmp_path: Path) -> Iterator[tuple[HubProcess, HubProcess]]:
    """Two hub processes over one database: one with mutual TLS, one started --insecure."""
    pki = tmp_path / "pki"
    pki.mkdir()
    tls = HubProcess(pg_database_url, pki, Authority(pki)).start()
    plain = HubProcess(pg_database_url, pki, None, insecure=True)
    try:
        plain.start()
        yield tls, plain
    finally:
        plain.stop()
        tls.stop()


def _one_line(run: subprocess.CompletedProcess[str]) -> str:
    err = run.stderr
    lines = [line for line in err.splitlines() if line.startswith("mes-station:")]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_insecure_only_when_both_ends_say_so(
    hubs: tuple[HubProcess, HubProcess], batch_sqlite: tuple[Database, dict[str, str]], tmp_path: Path
) -> None:
    tls, plain = hubs
    database, _ = batch_sqlite
    url = url_of(database)
    database.dispose()
    config = plain.station_config("STATION-A", tmp_path)  # station id, hub URL and receipt key only
    (tmp_path / "tls").mkdir()
    mtls = tls.station_config("STATION-A", tmp_path / "tls")  # the same station, with its certificate

    def sync(*extra: str, config_file: Path = config) -> subprocess.CompletedProcess[str]:
        return cli("sync", "--once", "--config", str(config_file), "--db", url, *extra)

    # Only the hub is insecure: the station will not speak plain HTTP unasked ...
    refused = sync()
    assert refused.returncode == 1 and "needs --insecure" in _one_line(refused)
    # ... and its TLS finds no TLS there.
    refused = sync("--hub", f"https://127.0.0.1:{plain.port}", config_file=mtls)
    assert refused.returncode == 1 and "no TLS at that address" in _one_line(refused)
    # Only the station is insecure: the hub with mutual TLS does not answer plain HTTP.
    refused = sync("--insecure", "--hub", f"http://127.0.0.1:{tls.port}")
    line = _one_line(refused)
    assert refused.returncode == 1 and "was not started --insecure" in line, line
    # --insecure towards an https:// hub is a contradiction, said as such.
    refused = sync("--insecure", "--hub", tls.url, config_file=mtls)
    assert refused.returncode == 2 and "--insecure is for a plain http:// hub" in _one_line(refused)
    assert hub_events(tls) == []  # nothing stored by any of them

    done = sync("--insecure")  # both ends insecure: the demo works
    assert done.returncode == 0, done.stderr
    assert hub_events(plain) == station_events(url)
    verified = cli("ebr", "verify", "--db", url, config=config)
    assert verified.returncode == 0 and "anchored" in verified.stdout, verified.stderr


def test_the_hub_is_insecure_only_when_told(pg_database_url: str, tmp_path: Path) -> None:
    ca = Authority(tmp_path)
    cert, key, _ = ca.issue("hub", server=True)
    common = [
        "hub",
        "serve",
        "--db",
        pg_database_url,
        "--signing-key",
        str(tmp_path / "r.key"),
        "--listen",
        "127.0.0.1:1",
    ]
    both = cli(*common, "--insecure", "--certificate", str(cert), "--key", str(key), "--ca", str(ca.path))
    assert both.returncode == 2 and "--insecure or TLS files, not both" in _one_line(both)
    neither = cli(*common)
    assert neither.returncode == 2 and "or --insecure for a demo" in _one_line(neither)
