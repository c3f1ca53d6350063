"""The touchscreen's sync worker against a real hub process (PostgreSQL, mutual TLS): one sender
per chain (the touchscreen, or ``mes-station sync`` as a service, never both), the state read
from the store whichever sends, and the hub going away shown as what is unsent and how old."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sync_certs import Authority

from ebr.audit import SITE_STREAM
from ebr.database import Database
from ebr.events import LoggedOut
from ebr.sync.state import SenderLock
from station.commands_sync import touchscreen_sync
from station.config import load_config
from station.ui.sync_worker import SyncReport, SyncWorker
from station.ui.viewmodels.sync import SyncVM
from tests.ebr.hub_testing import station_events as _station_events
from tests.ebr.hub_testing import url_of as _url
from tests.ebr.test_sync_hub import ROOT, Hub, _env, _station_config, hub  # noqa: F401


def _write_event(database: Database) -> None:
    with database.unit_of_work() as uow:
        uow.write(LoggedOut(user="op.alvarez", station="STATION-A"), stream=SITE_STREAM, user_id="op.alvarez")
        uow.commit()


def _held(at: Hub) -> list[tuple[int, str]]:
    return [(int(r[0]), str(r[1])) for r in at.rows("SELECT seq, hash FROM hub_events ORDER BY seq")]


def _until(condition: Callable[[], bool], timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "not within the time"
        time.sleep(0.1)


def _worker(config: Path, database: Database, qtbot: object) -> tuple[SyncWorker, list[SyncReport]]:
    worker = touchscreen_sync(load_config(str(config)), database)()
    worker.poll_s = 0.2
    reports: list[SyncReport] = []
    worker.reported.connect(reports.append)
    worker.start()
    return worker, reports


@pytest.mark.postgres
def test_the_touchscreen_watches_the_service_then_sends_itself_and_shows_the_hub_gone(
    hub: Hub,  # noqa: F811
    batch_sqlite: tuple[Database, dict[str, str]],
    tmp_path: Path,
    qtbot: object,
) -> None:
    database, _ = batch_sqlite
    url = _url(database)
    config = _station_config(hub, "STATION-A", tmp_path)
    service = subprocess.Popen(
        [sys.executable, "-m", "station.cli", "sync", "--config", str(config), "--db", url],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(),
    )  # fmt: skip
    _until(lambda: _held(hub) == _station_events(url))
    worker, reports = _worker(config, database, qtbot)
    try:
        # The service sends: the touchscreen watches, and shows the state it reads from the store.
        _write_event(database)
        qtbot.waitUntil(lambda: bool(reports) and reports[-1].snapshot is not None, timeout=10000)  # type: ignore[attr-defined]
        _until(lambda: _held(hub) == _station_events(url))
        qtbot.waitUntil(lambda: reports[-1].snapshot.unsent == 0, timeout=10000)  # type: ignore[attr-defined,union-attr]
        assert {r.mode for r in reports} == {"watching"}
        vm = SyncVM(reports[-1].mode, reports[-1].snapshot, reports[-1].problem, reports[-1].limit)
        assert (vm.text(_now()), vm.level(_now())) == ("In sync", "ok")

        # The service stops: the touchscreen takes the sender's place, and what it sends the hub holds.
        service.terminate()
        assert service.wait(timeout=20) == 0
        qtbot.waitUntil(lambda: reports[-1].mode == "sending", timeout=10000)  # type: ignore[attr-defined]
        _write_event(database)
        _until(lambda: _held(hub) == _station_events(url))
        qtbot.waitUntil(lambda: reports[-1].snapshot.unsent == 0, timeout=10000)  # type: ignore[attr-defined,union-attr]

        # The hub goes away: what is written waits, and the header says how much, how old, and why.
        hub.process.terminate()
        hub.process.wait(timeout=20)
        _write_event(database)
        _write_event(database)

        def unreachable() -> bool:
            last = reports[-1]
            return last.problem == "unreachable" and last.snapshot is not None and last.snapshot.unsent == 2

        qtbot.waitUntil(unreachable, timeout=20000)  # type: ignore[attr-defined]
        last = reports[-1]
        vm = SyncVM(last.mode, last.snapshot, last.problem, last.limit)
        assert vm.level(_now()) == "warn"
        assert vm.text(_now()).startswith("2 unsent, oldest ")
        assert vm.text(_now()).endswith(" s · hub offline")
    finally:
        worker.stop()
        if service.poll() is None:
            service.kill()
        service.communicate(timeout=20)
    released = SenderLock(database)  # the touchscreen let go of the sender's place when it stopped
    assert released.acquire()
    released.release()


def test_the_service_waits_while_the_touchscreen_sends(
    batch_sqlite: tuple[Database, dict[str, str]], tmp_path: Path
) -> None:
    """No two senders for one chain: ``mes-station sync`` started beside a touchscreen that sends
    says so in one line and waits (no hub is needed to see it); SIGTERM ends it cleanly."""
    database, _ = batch_sqlite
    url = _url(database)
    ca = Authority(tmp_path)
    cert, key, _ = ca.issue("STATION-A")
    from ebr.sync.receipts import new_private_key

    new_private_key(tmp_path / "receipts.key")
    config = tmp_path / "station.toml"
    config.write_text(
        f'[station]\nid = "STATION-A"\n[hub]\nurl = "https://127.0.0.1:9"\ncertificate = "{cert}"\n'
        f'key = "{key}"\nca = "{ca.path}"\nreceipt_key = "{tmp_path / "receipts.key.pub"}"\n'
    )
    touchscreen = SenderLock(database)
    assert touchscreen.acquire()
    try:
        service = subprocess.Popen(
            [sys.executable, "-m", "station.cli", "sync", "--config", str(config), "--db", url],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
        )  # fmt: skip
        assert service.stderr is not None
        line = service.stderr.readline()
        assert line == (
            "mes-station: sync: another process sends this store's records (the touchscreen); "
            "waiting until it stops\n"
        )
        service.terminate()
        assert service.wait(timeout=20) == 0
        service.communicate()
    finally:
        touchscreen.release()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def test_the_genesis_event_is_looked_up_once_and_again_for_a_store_replaced(
    batch_sqlite: tuple[Database, dict[str, str]], tmp_path: Path
) -> None:
    """The sender asks for the genesis event before every push: found once, it is remembered
    (its seq and hash); a store put in its place under the same name is read again."""
    import shutil

    from ebr.sync.identity import ensure_genesis, genesis_station

    database, _ = batch_sqlite
    path = Path(database.named_url.database or "")
    before = tmp_path / "before.db"
    with database.unit_of_work(read_only=True) as uow:
        assert genesis_station(uow) is None
    database.dispose()
    shutil.copyfile(path, before)
    with database.unit_of_work() as uow:
        assert ensure_genesis(uow, "STATION-A") == "STATION-A"
        uow.commit()
    with database.unit_of_work(read_only=True) as uow:
        assert genesis_station(uow) == "STATION-A"
        assert ensure_genesis(uow, "STATION-B") == "STATION-A"  # a chain never changes hands
    database.dispose()
    shutil.copyfile(before, path)  # the store from before its genesis, under the same name
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    with database.unit_of_work(read_only=True) as uow:
        assert genesis_station(uow) is None
