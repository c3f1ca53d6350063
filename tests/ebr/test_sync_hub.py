"""The station's record reaches a real hub process over a real PostgreSQL, with mutual TLS:
receipts signed and pinned, resends answered with the same receipts, forks, forged runs,
another station's certificate, an expired certificate and bad input refused; the hub's copy
equal to the station's, event for event; ``ebr verify`` anchored on the receipts."""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from hub_testing import station_events, url_of
from sqlalchemy import create_engine, text
from sync_certs import Authority

from ebr.database import Database, open_database
from ebr.sync.receipts import load_public_key

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli(*args: str, config: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = _env()
    if config is not None:
        env["MES_STATION_CONFIG"] = str(config)
    return subprocess.run(
        [sys.executable, "-m", "station.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip


def _env() -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("MES_")}
    env["MES_STATION_CONFIG"] = ""
    return env


@dataclass
class Hub:
    url: str
    db_url: str
    folder: Path
    ca: Authority
    signing_key: Path
    process: subprocess.Popen[bytes]

    def client(self, name: str, *, expired: bool = False) -> httpx.Client:
        cert, key, _ = self.ca.issue(name, expired=expired)
        context = ssl.create_default_context(cafile=str(self.ca.path))
        context.load_cert_chain(str(cert), str(key))
        return httpx.Client(base_url=self.url, verify=context, timeout=10)

    def rows(self, statement: str, **params: Any) -> list[Any]:
        engine = create_engine(self.db_url)
        try:
            with engine.connect() as connection:
                return list(connection.execute(text(statement), params))
        finally:
            engine.dispose()


def _wait_for(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"hub exited: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("hub did not listen within 30 s")


@pytest.fixture
def hub(pg_database_url: str, tmp_path: Path) -> Iterator[Hub]:
    folder = tmp_path / "pki"
    folder.mkdir()
    ca = Authority(folder)
    cert, key, _ = ca.issue("hub", server=True)
    revoked = folder / "revoked.txt"
    revoked.write_text("STATION-REVOKED\n")
    port = _free_port()
    signing = folder / "receipts.key"
    process = subprocess.Popen(
        [sys.executable, "-m", "station.cli", "hub", "serve", "--db", pg_database_url, "--listen", f"127.0.0.1:{port}",
         "--signing-key", str(signing), "--certificate", str(cert), "--key", str(key), "--ca", str(ca.path),
         "--revoked", str(revoked)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_env(),
    )  # fmt: skip
    try:
        _wait_for(port, process)
        yield Hub(f"https://127.0.0.1:{port}", pg_database_url, folder, ca, signing, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()


def _station_config(hub: Hub, name: str, folder: Path) -> Path:
    cert, key, _ = hub.ca.issue(name)
    config = folder / f"{name}.toml"
    config.write_text(
        f'[station]\nid = "{name}"\n[hub]\nurl = "{hub.url}"\ncertificate = "{cert}"\nkey = "{key}"\n'
        f'ca = "{hub.ca.path}"\nreceipt_key = "{hub.signing_key}.pub"\n'
    )
    return config


def test_a_station_syncs_its_chain_and_verify_is_anchored(
    hub: Hub, batch_sqlite: tuple[Database, dict[str, str]], tmp_path: Path
) -> None:
    database, _ = batch_sqlite
    url = url_of(database)
    database.dispose()
    config = _station_config(hub, "STATION-A", tmp_path)

    done = _cli("sync", "--once", "--batch", "7", "--config", str(config), "--db", url)
    assert done.returncode == 0, done.stderr
    status = _cli("sync", "status", "--config", str(config), "--db", url)
    assert status.returncode == 0 and "unsent: 0" in status.stdout, status.stdout + status.stderr

    ours = station_events(url)
    held = hub.rows("SELECT seq, hash FROM hub_events ORDER BY seq")
    assert [tuple(r) for r in held] == ours  # event for event, the genesis event included
    actions = [r[0] for r in hub.rows("SELECT action FROM hub_events ORDER BY seq")]
    assert actions[-1] == "chain.identified"
    with pytest.raises(httpx.TransportError):  # no client certificate, no page
        httpx.get(hub.url + "/", verify=ssl.create_default_context(cafile=str(hub.ca.path)))
    with hub.client("QA-VIEWER") as client:
        assert "B26-0001" in client.get("/").text

    # Nothing unsent: a second run sends nothing and changes nothing.
    again = _cli("sync", "--once", "--config", str(config), "--db", url)
    assert again.returncode == 0 and "0 events" in again.stdout
    assert len(hub.rows("SELECT seq FROM hub_events")) == len(ours)

    verified = _cli("ebr", "verify", "--db", url)
    assert verified.returncode == 0, verified.stderr
    assert "anchored" in verified.stdout
    quick = _cli("ebr", "verify", "--quick", "--db", url)
    assert quick.returncode == 0 and "(0 events checked)" in quick.stdout, quick.stdout + quick.stderr

    # The export carries the hub's receipt for the batch's last event; offline, with the pinned
    # key, a truncated export (seal made again) is caught, and so is a forged receipt.
    export = tmp_path / "B26-0001.json"
    made = _cli("ebr", "export", "B26-0001", "--format", "json", "-o", str(export), "--db", url)
    assert made.returncode == 0, made.stderr
    document = json.loads(export.read_text())
    receipt = document["header"]["audit_trail"]["hub_receipt"]
    assert receipt["seq"] == document["header"]["audit_trail"]["last_seq"]
    assert _cli("ebr", "verify", "--file", str(export), config=config).returncode == 0
    from ebr.export.json_export import seal_of

    def rewritten(change: Any) -> Path:
        copy = json.loads(export.read_text())
        change(copy)
        copy["seal"]["value"] = seal_of(copy)
        path = tmp_path / "changed.json"
        path.write_text(json.dumps(copy))
        return path

    def rewrite_last(doc: dict[str, Any]) -> None:  # its hash made again, the seal too
        from ebr.chain import event_hash

        last = doc["audit_events"][-1]
        last["occurred_at"] = last["occurred_at"][:-2] + ("1Z" if last["occurred_at"][-2] != "1" else "2Z")
        last["hash"] = event_hash(last)
        doc["header"]["audit_trail"]["last_hash"] = last["hash"]

    cut_export = _cli("ebr", "verify", "--file", str(rewritten(rewrite_last)), config=config)
    assert cut_export.returncode == 3 and "receipt" in cut_export.stderr, cut_export.stderr

    def forge(doc: dict[str, Any]) -> None:
        doc["header"]["audit_trail"]["hub_receipt"]["received_at"] = "2020-01-01T00:00:00.000000Z"

    forged = _cli("ebr", "verify", "--file", str(rewritten(forge)), config=config)
    assert forged.returncode == 3 and "signature" in forged.stderr, forged.stderr

    # Cut the acknowledged tail off a copy: the receipts catch it (exit 3).
    cut = tmp_path / "cut.db"
    shutil.copy(url.removeprefix("sqlite:///"), cut)
    import sqlite3

    with sqlite3.connect(cut) as raw:
        raw.execute("DROP TRIGGER audit_events_no_delete")
        last = raw.execute("SELECT max(seq) FROM audit_events").fetchone()[0]
        raw.execute("DELETE FROM audit_events WHERE seq = ?", (last,))
        raw.execute("UPDATE chain_head SET last_seq = ?, last_hash = (SELECT hash FROM audit_events WHERE seq = ?)",
                    (last - 1, last - 1))  # fmt: skip
    truncated = _cli("ebr", "verify", "--db", f"sqlite:///{cut}")
    assert truncated.returncode == 3, truncated.stdout + truncated.stderr
    assert "truncated" in truncated.stderr
    quick = _cli("ebr", "verify", "--quick", "--db", f"sqlite:///{cut}")
    assert quick.returncode == 3 and "truncated" in quick.stderr


def test_resend_forged_foreign_expired_and_bad_input(
    hub: Hub, batch_sqlite: tuple[Database, dict[str, str]], tmp_path: Path
) -> None:
    from ebr import outbox
    from ebr.sync.identity import chain_id, ensure_genesis
    from ebr.sync.protocol import wire_event

    database, _ = batch_sqlite
    with database.unit_of_work() as uow:
        ensure_genesis(uow, "STATION-A")
        uow.commit()
    with database.unit_of_work(read_only=True) as uow:
        chain = chain_id(uow)
        items = outbox.pending(uow, limit=1000)
    events = [wire_event(i.event, i.record) for i in items]
    body = {"chain_id": chain, "station_id": "STATION-A", "events": events}
    path = f"/v1/chains/{chain}/events"
    hub_key = load_public_key(Path(f"{hub.signing_key}.pub"))

    with hub.client("STATION-A") as a:
        first = a.post(path, json=body)
        assert first.status_code == 200, first.text
        # Resent (the response was lost): the same receipts, nothing stored twice.
        second = a.post(path, json=body)
        assert second.json() == first.json()
        assert first.json()["deviation_numbers"]  # the batch's deviation: the same central number again
        from ebr.sync.receipts import Receipt, check

        for receipt in second.json()["receipts"]:
            check(Receipt.from_json(receipt), hub_key)
        count = len(hub.rows("SELECT seq FROM hub_events WHERE chain_id = :c", c=chain))
        assert count == len(events)

        # A forged event: refused whole, nothing stored.
        forged = json.loads(json.dumps(body))
        forged["events"][-1]["reason"] = "edited"
        answer = a.post(path, json=forged)
        assert answer.status_code == 422 and "hash" in answer.json()["error"]
        # A run whose hashes differ from what the hub holds (recomputed, a rewritten store): 409, alarm.
        from ebr.chain import event_hash

        rewritten = json.loads(json.dumps(body))
        rewritten["events"][-1]["reason"] = "edited"
        rewritten["events"][-1]["hash"] = event_hash(rewritten["events"][-1])
        answer = a.post(path, json=rewritten)
        assert answer.status_code == 409 and answer.json()["error"].startswith("fork")
        # A gap, bad JSON, an oversized body, a mismatched chain: clear errors, never 500.
        gap = {**body, "events": [events[-1] | {"seq": len(events) + 5}]}
        assert a.post(path, json=gap).status_code in (409, 422)
        assert a.post(path, content=b"{not json").status_code == 400
        assert a.post(path, content=b"x" * (9 * 1024 * 1024)).status_code == 413
        assert a.post(f"/v1/chains/{'0' * 8}-0000-0000-0000-{'0' * 12}/events", json=body).status_code == 422
        assert a.get(f"/v1/chains/{'1' * 8}-0000-0000-0000-{'0' * 12}/head").status_code == 404
        assert a.get(f"/v1/chains/{chain}/head").json()["seq"] == len(events)
        assert a.get("/openapi.json").json()["paths"]["/v1/chains/{chain_id}/events"]["post"]
        assert a.get("/no-such-page").status_code == 404
        assert a.put(path, json=body).status_code == 405

    # Another station's certificate may not push this chain.
    with hub.client("STATION-B") as b:
        answer = b.post(path, json={**body, "station_id": "STATION-B"})
        assert answer.status_code == 403
        assert b.post(path, json=body).status_code == 403
    with hub.client("STATION-REVOKED") as revoked:
        assert revoked.post(path, json={**body, "station_id": "STATION-REVOKED"}).status_code == 403
    with hub.client("STATION-A", expired=True) as expired, pytest.raises(httpx.TransportError):
        expired.post(path, json=body)
    stranger = Authority(tmp_path, "stranger-ca")
    cert, key, _ = stranger.issue("STATION-A")
    context = ssl.create_default_context(cafile=str(hub.ca.path))
    context.load_cert_chain(str(cert), str(key))
    with httpx.Client(base_url=hub.url, verify=context) as unknown, pytest.raises(httpx.TransportError):
        unknown.post(path, json=body)

    kinds = sorted(r[0] for r in hub.rows("SELECT kind FROM hub_alarms"))
    assert kinds == ["foreign_chain", "fork"]
    assert len(hub.rows("SELECT seq FROM hub_events")) == len(events)
    assert hub.process.poll() is None  # still serving


def test_a_fork_is_refused_and_raised_at_both_ends(
    hub: Hub, batch_sqlite: tuple[Database, dict[str, str]], tmp_path: Path
) -> None:
    from ebr.audit import SITE_STREAM
    from ebr.events import LoggedOut

    database, _ = batch_sqlite
    url = url_of(database)
    copy = tmp_path / "copy.db"
    database.dispose()
    shutil.copy(url.removeprefix("sqlite:///"), copy)  # the same chain, as a restored old backup would be
    config = _station_config(hub, "STATION-A", tmp_path)
    assert _cli("sync", "--once", "--config", str(config), "--db", url).returncode == 0

    other = open_database(f"sqlite:///{copy}")
    with other.unit_of_work() as uow:
        uow.write(LoggedOut(user="op.alvarez", station="STATION-A"), stream=SITE_STREAM, user_id="op.alvarez")
        uow.commit()
    other.dispose()
    forked = _cli("sync", "--once", "--config", str(config), "--db", f"sqlite:///{copy}")
    assert forked.returncode == 3, forked.stdout + forked.stderr
    assert "fork" in forked.stderr
    status = _cli("sync", "status", "--config", str(config), "--db", f"sqlite:///{copy}")
    assert status.returncode == 3 and "ALARM fork" in status.stdout
    assert [r[0] for r in hub.rows("SELECT kind FROM hub_alarms")] == ["fork"]


def test_the_sync_service_follows_the_record_and_stops_on_sigterm(
    hub: Hub, batch_sqlite: tuple[Database, dict[str, str]], tmp_path: Path
) -> None:
    from ebr.audit import SITE_STREAM
    from ebr.events import LoggedOut

    database, _ = batch_sqlite
    url = url_of(database)
    config = _station_config(hub, "STATION-A", tmp_path)
    service = subprocess.Popen(
        [sys.executable, "-m", "station.cli", "sync", "--config", str(config), "--db", url],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(),
    )  # fmt: skip
    try:

        def held() -> int:
            return len(hub.rows("SELECT seq FROM hub_events"))

        deadline = time.monotonic() + 30
        while held() < len(station_events(url)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert held() == len(station_events(url))
        with database.unit_of_work() as uow:  # the station goes on working: the service follows
            uow.write(
                LoggedOut(user="op.alvarez", station="STATION-A"), stream=SITE_STREAM, user_id="op.alvarez"
            )
            uow.commit()
        deadline = time.monotonic() + 30
        while held() < len(station_events(url)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [
            tuple(r) for r in hub.rows("SELECT seq, hash FROM hub_events ORDER BY seq")
        ] == station_events(url)
    finally:
        service.terminate()
        _out, err = service.communicate(timeout=20)
    assert service.returncode == 0, err


def test_two_stations_push_through_two_hub_processes_at_once(
    hub: Hub, batch_sqlite: tuple[Database, dict[str, str]], tmp_path: Path
) -> None:
    import sqlite3

    database, _ = batch_sqlite
    first = url_of(database)
    database.dispose()
    second_file = tmp_path / "second.db"
    shutil.copy(first.removeprefix("sqlite:///"), second_file)
    with sqlite3.connect(second_file) as raw:  # another station: its own chain id
        raw.execute("DROP TRIGGER chain_identity_no_update")
        raw.execute("UPDATE chain_identity SET chain_id = ?", (str(uuid.uuid4()),))
    second = f"sqlite:///{second_file}"

    cert, key, _ = hub.ca.issue("hub", server=True)
    port = _free_port()
    other = subprocess.Popen(
        [sys.executable, "-m", "station.cli", "hub", "serve", "--db", hub.db_url, "--listen", f"127.0.0.1:{port}",
         "--signing-key", str(hub.signing_key), "--certificate", str(cert), "--key", str(key), "--ca", str(hub.ca.path)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_env(),
    )  # fmt: skip
    try:
        _wait_for(port, other)
        runs = []
        for name, url, hub_url in (
            ("STATION-A", first, hub.url),
            ("STATION-B", second, f"https://127.0.0.1:{port}"),
        ):
            c_cert, c_key, _ = hub.ca.issue(name)
            config = tmp_path / f"{name}.toml"
            config.write_text(
                f'[station]\nid = "{name}"\n[hub]\nurl = "{hub_url}"\ncertificate = "{c_cert}"\nkey = "{c_key}"\n'
                f'ca = "{hub.ca.path}"\nreceipt_key = "{hub.signing_key}.pub"\n'
            )
            env = _env()
            runs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "station.cli",
                        "sync",
                        "--once",
                        "--batch",
                        "5",
                        "--config",
                        str(config),
                        "--db",
                        url,
                    ],
                    cwd=ROOT,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    env=env,
                    text=True,
                )
            )
        for run in runs:
            _out, err = run.communicate(timeout=120)
            assert run.returncode == 0, err
    finally:
        other.terminate()
        other.communicate(timeout=20)
    chains = hub.rows("SELECT chain_id, station_id FROM hub_chains ORDER BY station_id")
    assert [r[1] for r in chains] == ["STATION-A", "STATION-B"]
    for (chain, _station), url in zip(chains, (first, second), strict=True):
        held = [
            tuple(r)
            for r in hub.rows("SELECT seq, hash FROM hub_events WHERE chain_id = :c ORDER BY seq", c=chain)
        ]
        assert held == station_events(url)


def test_a_station_killed_during_sync_loses_and_doubles_nothing(
    hub: Hub, batch_sqlite: tuple[Database, dict[str, str]], tmp_path: Path
) -> None:
    """SIGKILL at random moments of `sync --once` (runs of 1 event, so some kills fall after the
    hub stored a run and before the station stored its receipt): the next sync resends, the hub
    answers with the same receipts, and both ends end up with the same chain, which verifies."""
    import random
    import signal

    database, _ = batch_sqlite
    url = url_of(database)
    database.dispose()
    config = _station_config(hub, "STATION-A", tmp_path)
    chance = random.Random(20261204)
    progress: list[int] = []
    engine = create_engine(hub.db_url)

    def count() -> int:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM hub_events")).scalar_one())

    for _ in range(8):
        run = subprocess.Popen(
            [sys.executable, "-m", "station.cli", "sync", "--once", "--batch", "1", "--config", str(config), "--db", url],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env(),
        )  # fmt: skip
        # Kill it once the hub has taken a run of this sync, a random moment later: mid-sync.
        before = progress[-1] if progress else 0
        deadline = time.monotonic() + 30
        while count() <= before and time.monotonic() < deadline and run.poll() is None:
            time.sleep(0.002)
        time.sleep(chance.uniform(0, 0.03))
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=20)
        progress.append(count())
    total = len(station_events(url))  # the genesis event included: the first sync wrote it
    assert any(0 < held < total for held in progress), progress  # some kills fell mid-sync
    engine.dispose()
    done = _cli("sync", "--once", "--config", str(config), "--db", url)
    assert done.returncode == 0, done.stderr
    held = [tuple(r) for r in hub.rows("SELECT seq, hash FROM hub_events ORDER BY seq")]
    assert held == station_events(url)
    verified = _cli("ebr", "verify", "--db", url, config=config)
    assert verified.returncode == 0 and "anchored" in verified.stdout, verified.stderr
