"""Faults between a station and a real hub process (mutual TLS, the test PostgreSQL), injected by
a TCP proxy the test controls (``tcp_proxy.Proxy``): the connection cut after the hub committed
and before its answer arrived, the hub killed mid-run and restarted, the network down, runs
duplicated, reordered, overlapping and forged, pushes under another station's, an expired, a
revoked and an unknown certificate, and the station SIGKILLed during sync at random moments.

After each: no event lost, none stored twice (the hub's copy is the station's, event for event),
the chain verifies at both ends (``ebr verify`` anchored on the receipts; the hub re-checks its
copy), and alarms are raised where a person must look, and nowhere else."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hub_testing import ROOT, HubProcess, cli, env, hub_events, station_events, url_of
from sqlalchemy import create_engine, text
from sync_certs import Authority
from tcp_proxy import Proxy

from ebr.database import Database, open_database

pytestmark = pytest.mark.postgres


@pytest.fixture
def hub(pg_database_url: str, tmp_path: Path) -> Iterator[HubProcess]:
    pki = tmp_path / "pki"
    pki.mkdir()
    process = HubProcess(pg_database_url, pki, Authority(pki)).start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def proxy(hub: HubProcess) -> Iterator[Proxy]:
    between = Proxy(hub.port)
    try:
        yield between
    finally:
        between.close()


@pytest.fixture
def station(batch_sqlite: tuple[Database, dict[str, str]]) -> str:
    database, _ = batch_sqlite
    url = url_of(database)
    database.dispose()
    return url


class Held:
    """How many events the hub holds (one connection, asked often)."""

    def __init__(self, hub: HubProcess) -> None:
        self.engine = create_engine(hub.db_url)

    def __call__(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM hub_events")).scalar_one())

    def close(self) -> None:
        self.engine.dispose()


def _station_alarms(url: str) -> list[str]:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as raw:
        return [str(r[0]) for r in raw.execute("SELECT kind FROM sync_alarms ORDER BY id")]


def _work(station: str | Database, count: int) -> None:
    """The station goes on working: ``count`` more events on its chain."""
    from ebr.audit import SITE_STREAM
    from ebr.events import LoggedOut

    database = open_database(station) if isinstance(station, str) else station
    try:
        for _ in range(count):
            with database.unit_of_work() as uow:
                uow.write(
                    LoggedOut(user="op.alvarez", station="STATION-A"),
                    stream=SITE_STREAM,
                    user_id="op.alvarez",
                )
                uow.commit()
    finally:
        if isinstance(station, str):
            database.dispose()


def _events(url: str) -> list[tuple[int, str]]:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as raw:
        return [(int(s), str(h)) for s, h in raw.execute("SELECT seq, hash FROM audit_events ORDER BY seq")]


def _all_in_order(
    hub: HubProcess, url: str, config: Path, *, hub_alarms: list[str], alarms: list[str]
) -> None:
    """Nothing lost, nothing twice, both ends verify, exactly the alarms expected."""
    from ebr.hub.replica import verify_chain

    ours = station_events(url)
    (chain,) = [r[0] for r in hub.rows("SELECT chain_id FROM hub_chains WHERE station_id = 'STATION-A'")]
    assert hub_events(hub, chain) == ours  # the same events, each once, in the same order
    verified = cli("ebr", "verify", "--db", url, config=config)
    assert verified.returncode == 0 and "anchored" in verified.stdout, verified.stdout + verified.stderr
    hub_db = open_database(hub.db_url)
    try:
        assert verify_chain(hub_db, chain) is None
    finally:
        hub_db.dispose()
    assert sorted(r[0] for r in hub.rows("SELECT kind FROM hub_alarms")) == sorted(hub_alarms)
    assert _station_alarms(url) == alarms


def test_the_answer_lost_after_the_hub_committed_costs_a_resend_never_a_duplicate(
    hub: HubProcess, proxy: Proxy, station: str, tmp_path: Path
) -> None:
    config = hub.station_config("STATION-A", tmp_path, url=proxy.url())
    held = Held(hub)
    try:
        proxy.refuse = True  # the network down: nothing sent, nothing lost, a clear line
        down = cli("sync", "--once", "--config", str(config), "--db", station)
        assert down.returncode == 1 and "hub unreachable" in down.stderr, down.stderr
        assert held() == 0 and len(down.stderr.strip().splitlines()) == 1
        proxy.refuse = False

        proxy.cut_when(lambda: held() > 0)  # the hub stored the run: its answer never arrives
        cut = cli("sync", "--once", "--config", str(config), "--db", station)
        assert cut.returncode == 1 and "hub unreachable" in cut.stderr, cut.stdout + cut.stderr
        assert proxy.cuts == 1
        stored = held()
        assert stored == len(station_events(station))  # the hub has it all ...
        with sqlite3.connect(station.removeprefix("sqlite:///")) as raw:  # ... the station no receipt
            assert raw.execute("SELECT count(*) FROM sync_receipts").fetchone()[0] == 0

        again = cli("sync", "--once", "--config", str(config), "--db", station)
        assert again.returncode == 0, again.stderr
        assert held() == stored  # the resend stored nothing twice: it got the same receipts
    finally:
        held.close()
    _all_in_order(hub, station, config, hub_alarms=[], alarms=[])


def test_the_hub_killed_mid_run_and_restarted(
    hub: HubProcess, proxy: Proxy, station: str, tmp_path: Path
) -> None:
    config = hub.station_config("STATION-A", tmp_path, url=proxy.url())
    held = Held(hub)
    service = subprocess.Popen(
        [sys.executable, "-m", "station.cli", "sync", "--batch", "3", "--config", str(config), "--db", station],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env(), text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while held() < 20 and time.monotonic() < deadline:
            time.sleep(0.005)
        hub.kill()  # SIGKILL, runs in flight: what the hub had not committed is not there
        at_kill = held()
        assert 0 < at_kill < len(station_events(station))
        _work(station, 3)  # the station goes on working with the hub down
        time.sleep(0.3)
        hub.start()
        total = len(station_events(station))
        deadline = time.monotonic() + 60
        while held() < total and time.monotonic() < deadline:
            time.sleep(0.05)
        assert held() == total
    finally:
        held.close()
        service.terminate()
        _out, err = service.communicate(timeout=30)
    assert service.returncode == 0, err
    assert "unreachable" in err  # the service said what happened, and went on
    _all_in_order(hub, station, config, hub_alarms=[], alarms=[])


def _context(
    hub: HubProcess, name: str, *, expired: bool = False, ca: Authority | None = None
) -> ssl.SSLContext:
    assert hub.ca is not None
    cert, key, _ = (ca or hub.ca).issue(name, expired=expired)
    context = ssl.create_default_context(cafile=str(hub.ca.path))
    context.load_cert_chain(str(cert), str(key))
    return context


def test_duplicated_reordered_overlapping_and_forged_runs(
    hub: HubProcess, proxy: Proxy, station: str, tmp_path: Path
) -> None:
    from ebr import outbox
    from ebr.chain import event_hash
    from ebr.sync.identity import chain_id, ensure_genesis
    from ebr.sync.protocol import wire_event

    database = open_database(station)
    with database.unit_of_work() as uow:
        ensure_genesis(uow, "STATION-A")
        uow.commit()
    with database.unit_of_work(read_only=True) as uow:
        chain = chain_id(uow)
        events = [wire_event(i.event, i.record) for i in outbox.pending(uow, limit=1000)]
    database.dispose()
    path = f"/v1/chains/{chain}/events"

    def run(part: list[dict[str, Any]]) -> dict[str, Any]:
        return {"chain_id": chain, "station_id": "STATION-A", "events": part}

    def copy(part: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [dict(json.loads(json.dumps(e))) for e in part]

    held = Held(hub)
    with httpx.Client(base_url=proxy.url(), verify=_context(hub, "STATION-A"), timeout=30) as client:
        later = client.post(path, json=run(events[10:20]))  # the second run first: a gap, nothing stored
        assert later.status_code == 409 and "gap" in later.json()["error"] and held() == 0
        shuffled = client.post(path, json=run(events[:10][::-1]))  # a run out of order: refused whole
        assert shuffled.status_code == 422 and held() == 0
        first = client.post(path, json=run(events[:10]))
        assert first.status_code == 200 and held() == 10
        twice = client.post(path, json=run(events[:10]))  # duplicated: the same receipts
        assert twice.json() == first.json() and held() == 10
        overlapping = client.post(path, json=run(events[5:15]))  # half held: only the rest stored
        assert overlapping.status_code == 200 and held() == 15

        forged = copy(events[15:25])
        forged[3]["new_value"] = {"forged": True}  # an event changed, its hash not: refused whole
        answer = client.post(path, json=run(forged))
        assert answer.status_code == 422 and "forged or altered" in answer.json()["error"] and held() == 15
        rewritten = copy(events[10:15])  # events the hub holds, changed with every hash made again
        rewritten[0]["reason"] = "rewritten"
        for index, event in enumerate(rewritten):
            if index:
                event["prev_hash"] = rewritten[index - 1]["hash"]
            event["hash"] = event_hash(event)
        answer = client.post(path, json=run(rewritten))
        assert answer.status_code == 409 and answer.json()["error"].startswith("fork") and held() == 15
    held.close()

    config = hub.station_config("STATION-A", tmp_path, url=proxy.url())
    done = cli("sync", "--once", "--config", str(config), "--db", station)
    assert done.returncode == 0, done.stderr
    # The rewrite was the hub's alarm; the station's own sync raised none.
    _all_in_order(hub, station, config, hub_alarms=["fork"], alarms=[])


def test_certificates_that_may_not_push(hub: HubProcess, proxy: Proxy, station: str, tmp_path: Path) -> None:
    def config_with(name: str, **kind: Any) -> Path:
        made = hub.station_config(name, tmp_path, url=proxy.url(), **kind)
        made.write_text(made.read_text().replace(f'id = "{name}"', 'id = "STATION-A"'))
        return made

    stranger = Authority(tmp_path, "stranger-ca")  # a CA the hub does not know
    cert, key, _ = stranger.issue("STATION-A")
    unknown = tmp_path / "unknown.toml"
    unknown.write_text(
        f'[station]\nid = "STATION-A"\n[hub]\nurl = "{proxy.url()}"\ncertificate = "{cert}"\nkey = "{key}"\n'
        f'ca = "{hub.ca.path if hub.ca else ""}"\nreceipt_key = "{hub.signing_key}.pub"\n'
    )
    cases = {
        "another station's": (config_with("STATION-B"), "may push only its own chain"),
        "revoked": (config_with("STATION-REVOKED"), "revoked"),
        "expired": (config_with("STATION-A", expired=True), "expired"),
        "unknown": (unknown, "does not accept this station's certificate"),
    }
    for what, (config, said) in cases.items():
        refused = cli("sync", "--once", "--config", str(config), "--db", station)
        assert refused.returncode == 1, (what, refused.stdout, refused.stderr)
        assert said in refused.stderr.lower(), (what, refused.stderr)
        assert hub.rows("SELECT count(*) FROM hub_events")[0][0] == 0, what
    # The refusals the hub answered (403) are the station's alarms; a handshake refused is not.
    assert _station_alarms(station) == ["refused", "refused"]
    config = hub.station_config("STATION-A", tmp_path, url=proxy.url())
    assert cli("sync", "--once", "--config", str(config), "--db", station).returncode == 0
    _all_in_order(hub, station, config, hub_alarms=[], alarms=["refused", "refused"])


def _sync_in_a_child(url: str, link: Any) -> int:
    """``sync --once`` (runs of 1 event) in a forked process: the pid, to be killed."""
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        from ebr.sync.client import sync_until_caught_up

        database = open_database(url)
        sync_until_caught_up(database, link, "STATION-A", 1)
        code = 0
    finally:
        os._exit(code)


def test_the_station_sigkilled_during_sync_at_random_moments(
    hub: HubProcess, proxy: Proxy, station: str, tmp_path: Path
) -> None:
    """24 kills (the suite's other test of this kind has 8): each at a random moment of a sync
    that pushes one event a run, with more work between them, so kills fall before a push, while
    the hub stores it, and after it stored it but before the station stored its receipt."""
    from ebr.sync.client import HubLink
    from ebr.sync.receipts import load_public_key

    assert hub.ca is not None
    cert, key, _ = hub.ca.issue("STATION-A")
    link = HubLink(url=proxy.url(), hub_key=load_public_key(Path(f"{hub.signing_key}.pub")),
                   certificate=cert, key=key, ca=hub.ca.path)  # fmt: skip
    chance = random.Random(4122026)
    held = Held(hub)
    moments = []
    working = open_database(station)
    try:
        for _ in range(24):
            _work(working, 2)
            pid = _sync_in_a_child(station, link)
            moment = chance.uniform(0.0, 0.4)
            time.sleep(moment)
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            ours = _events(station)
            moments.append((moment, held(), len(ours)))
            stored = hub_events(hub)
            assert stored == ours[: len(stored)]  # a prefix of the station's chain: nothing twice
    finally:
        held.close()
        working.dispose()
    # Killed mid-sync: the hub's copy grew from kill to kill, and most kills left it behind.
    assert len({held_then for _, held_then, _ in moments}) > 8, moments
    assert sum(held_then < total for _, held_then, total in moments) >= 12, moments
    config = hub.station_config("STATION-A", tmp_path, url=proxy.url())
    done = cli("sync", "--once", "--config", str(config), "--db", station)
    assert done.returncode == 0, done.stderr
    _all_in_order(hub, station, config, hub_alarms=[], alarms=[])
