"""The audit trail as QA reviews it: filters by stream, user, action and time."""

from __future__ import annotations

import datetime as dt

from ebr.database import Database
from ebr.trail import trail
from ebr.users import authenticate, unlock_user


def test_the_site_stream_shows_logins_lockouts_and_master_data(site_db: Database) -> None:
    before = dt.datetime.now(dt.UTC)
    with site_db.unit_of_work() as uow:
        for _ in range(5):
            authenticate(uow, "op.chen", "wrong")
        uow.commit()
    with site_db.unit_of_work() as uow:
        unlock_user(uow, "op.chen", by="sv.haddad", reason="help desk call")
        uow.commit()
    with site_db.unit_of_work(read_only=True) as uow:
        lines = trail(uow.connection, stream="site", since=before)
        assert [line.action for line in lines] == ["login.failed"] * 5 + ["user.locked", "user.unlocked"]
        assert lines[-1].user_id == "sv.haddad" and lines[-1].reason == "help desk call"
        assert lines[-1].old_value["locked"] is True and lines[-1].new_value["locked"] is False
        master = trail(uow.connection, actions=["master."], limit=3)
        assert len(master) == 3 and all(line.action.startswith("master.") for line in master)
        assert master[-1].seq > master[0].seq  # the newest three, oldest first
        by_user = trail(uow.connection, user_id="sv.haddad", actions=["user.unlocked"])
        assert [line.entity_id for line in by_user] == ["op.chen"]
        assert trail(uow.connection, until=before - dt.timedelta(days=3650)) == []
