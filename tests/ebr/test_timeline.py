"""The record's times run forwards: a clock set back while the record was written is reported
by ``ebr verify``; small differences between writers' clocks are not."""

from __future__ import annotations

import datetime as dt

import pytest

import ebr.audit
import ebr.clock
from ebr import events as ev
from ebr.audit import ClockBehindRecord
from ebr.database import Database
from ebr.verify import verify


def _login_at(db: Database, monkeypatch: pytest.MonkeyPatch, when: dt.datetime, who: str) -> int:
    monkeypatch.setattr(ebr.clock, "utc_now", lambda: when)
    with db.unit_of_work() as uow:
        info, _ = uow.write(ev.LoginSucceeded(user=who), stream="site", user_id=who)
        uow.commit()
    monkeypatch.undo()
    return info.seq


def test_the_writer_refuses_a_clock_set_back(site_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ClockBehindRecord) as refused:
        _login_at(site_db, monkeypatch, dt.datetime.now(dt.UTC) - dt.timedelta(days=335), "op.alvarez")
    monkeypatch.undo()
    assert refused.value.code == "clock_behind_record"
    assert verify(site_db).ok  # nothing was written


def test_a_clock_set_back_is_reported(site_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """A record written by software without the writer's clock check (an older station, a
    forger with the chain code) still has its backwards time reported."""
    now = dt.datetime.now(dt.UTC)
    eleven_months_ago = now - dt.timedelta(days=335)
    unguarded = pytest.MonkeyPatch()
    unguarded.setattr(ebr.audit, "_check_clock", lambda now, newest: None)
    try:
        seq = _login_at(site_db, monkeypatch, eleven_months_ago, "op.alvarez")
    finally:
        unguarded.undo()
    report = verify(site_db)
    assert not report.ok
    assert report.first_bad is not None and report.first_bad.seq == seq
    assert "a clock was set back while the record was written" in report.first_bad.problem


def test_writers_a_moment_apart_are_no_alarm(site_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    now = dt.datetime.now(dt.UTC)
    _login_at(site_db, monkeypatch, now + dt.timedelta(seconds=30), "op.alvarez")
    _login_at(site_db, monkeypatch, now, "op.chen")  # 30 s behind the event before it
    assert verify(site_db).ok
