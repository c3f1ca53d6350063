"""The sync with the central hub in the header: read from the real store by the sync worker's own
thread, and each state (in sync, unsent with the age of the oldest, past the site's limit, an
alarm) in words and a colour, in English and German, at the line PC's two screen sizes."""

from __future__ import annotations

import datetime as dt

import pytest

from ebr.sync.state import Alarm, SyncSnapshot
from station.ui.sync_worker import SyncReport
from station.ui.viewmodels.sync import SyncVM, age_text
from tests.engine_batches import happy_path

pytestmark = pytest.mark.gui

NOW = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)


def _snapshot(unsent: int, minutes_old: float = 0, alarms: tuple[Alarm, ...] = ()) -> SyncSnapshot:
    oldest = NOW - dt.timedelta(minutes=minutes_old) if unsent else None
    return SyncSnapshot(unsent, oldest, NOW - dt.timedelta(hours=1), alarms)


FORK = Alarm("fork", "hub answered 409: fork: seq 17 differs", NOW - dt.timedelta(minutes=2))
STATES = {
    "in-sync": SyncReport("sending", _snapshot(0), None, None),
    "unsent": SyncReport("sending", _snapshot(42, 12), "unreachable", dt.timedelta(hours=4)),
    "stale": SyncReport("watching", _snapshot(1870, 5 * 60), "unreachable", dt.timedelta(hours=4)),
    "alarm": SyncReport("sending", _snapshot(3, 1, (FORK,)), "refused", None),
}
WORDS = {
    "en": {
        "in-sync": ("In sync", "ok"),
        "unsent": ("42 unsent, oldest 12 min · hub offline", "warn"),
        "stale": ("1870 unsent, oldest 5 h · no new batch", "bad"),
        "alarm": ("SYNC ALARM · records differ · call QA", "bad"),
    },
    "de": {
        "in-sync": ("Synchron", "ok"),
        "unsent": ("42 ungesendet, seit 12 min · Hub offline", "warn"),
        "stale": ("1870 ungesendet, seit 5 h · keine neue Charge", "bad"),
        "alarm": ("SYNC-ALARM · Einträge abweichend · QA rufen", "bad"),
    },
}


def _vm(report: SyncReport) -> SyncVM:
    return SyncVM(report.mode, report.snapshot, report.problem, report.limit)


def test_the_view_model_words_each_state_and_hides_without_hub_or_limit() -> None:
    for name, report in STATES.items():
        assert (_vm(report).text(NOW), _vm(report).level(NOW)) == WORDS["en"][name], name
    assert not SyncVM().shown  # no hub, no limit: the header has no sync badge
    assert SyncVM(limit=dt.timedelta(hours=1)).shown and SyncVM(mode="watching").shown
    assert SyncVM(mode="sending").text(NOW) == "Sync: reading ..."
    assert [age_text(dt.timedelta(seconds=s)) for s in (0, 119, 120, 7199, 7200, 172799, 172800)] == [
        "0 s", "119 s", "2 min", "119 min", "2 h", "47 h", "2 d",
    ]  # fmt: skip
    broken = SyncVM(mode="broken")  # a hub named, its receipt key unreadable: the line works on
    assert (broken.text(NOW), broken.level(NOW)) == ("Sync cannot run: configuration · call IT", "bad")
    # an alarm the hub has since answered past is history: the store keeps it, the header not
    refused = SyncReport("sending", _snapshot(0), None, None)
    assert _vm(refused).level(NOW) == "ok"


def test_a_hub_whose_key_cannot_be_read_leaves_the_station_working(tmp_path, capsys) -> None:
    from station.commands_sync import touchscreen_sync
    from station.config import load_config

    config = tmp_path / "station.toml"
    config.write_text(f'[hub]\nurl = "https://hub.example:8443"\nreceipt_key = "{tmp_path / "gone.pub"}"\n')
    worker = touchscreen_sync(load_config(str(config)), None)()
    assert worker.mode == "broken" and worker.link is None
    assert capsys.readouterr().err.startswith(f"mes-station: {tmp_path / 'gone.pub'}: cannot read: ")


def test_the_worker_reads_the_store_and_the_header_shows_each_state(rig, screenshot_dir) -> None:
    from ebr import site_policy
    from station.composition import open_store
    from station.ui.sync_worker import SyncWorker

    d = rig(prepare=happy_path(until="OP20.S20"), devices=False)
    db = open_store(d.url)
    with db.unit_of_work() as uow:  # QA's limit (the command and its audit: tests/station)
        site_policy.set_policy(uow, site_policy.SYNC_STALE_LIMIT, "8h", user_id="qa.dubois", note="SOP-IT-7")
        uow.commit()
    with db.unit_of_work(read_only=True) as uow:
        events = int(uow.connection.exec_driver_sql("SELECT last_seq FROM chain_head").scalar_one())
    # No hub configured: nothing is sent, and the limit makes the header show what waits.
    worker = SyncWorker(db, None, "STATION-01", poll_s=0.2)
    d.window.attach_sync(worker)
    worker.start()
    try:
        label = d.window.header.sync_label
        d.qtbot.waitUntil(lambda: label.isVisible() and " unsent, oldest " in label.text(), timeout=10000)
        assert label.text().startswith(f"{events} unsent, oldest ")
        assert label.property("level") == "warn"
    finally:
        worker.stop()
        db.dispose()

    d.login("op.alvarez")
    d.open_batch("B-2611-001")
    for language in ("en", "de"):
        d.window.set_language(language)
        for size in ((1024, 768), (1920, 1080)):
            d.window.resize(*size)
            for name, report in STATES.items():
                shifted = _at_now(report)
                d.window.sync_reported(shifted)
                text, level = WORDS[language][name]
                assert (label.text(), label.property("level")) == (text, level), (language, name)
                d.qtbot.wait(30)  # laid out again
                assert label.isVisible() and label.width() >= label.sizeHint().width(), (language, size, name)
                d.window.grab().save(str(screenshot_dir / f"sync-header-{language}-{size[0]}-{name}.png"))
    d.window.set_language("en")


def _at_now(report: SyncReport) -> SyncReport:
    """The same state with its times moved to now (the header measures ages against the clock)."""
    assert report.snapshot is not None
    shift = dt.datetime.now(dt.UTC) - NOW
    s = report.snapshot
    moved = SyncSnapshot(
        s.unsent,
        None if s.oldest_unsent_at is None else s.oldest_unsent_at + shift,
        None if s.last_acknowledged_at is None else s.last_acknowledged_at + shift,
        tuple(Alarm(a.kind, a.detail, a.raised_at + shift) for a in s.alarms),
    )
    return SyncReport(report.mode, moved, report.problem, report.limit)
