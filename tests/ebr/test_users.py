"""Users: argon2id, wrong password, lockout after 5 failures, audited unlock, deactivate."""

from __future__ import annotations

import json

import pytest
from argon2 import PasswordHasher, Type
from ebr_testing import PASSWORDS
from sqlalchemy import select

import ebr.users
from ebr.chain import canonical
from ebr.database import Database
from ebr.errors import NotAllowed, PasswordRejected
from ebr.models import AuditEvent, User
from ebr.users import (
    authenticate,
    deactivate_user,
    hash_password,
    reset_password,
    set_password,
    unlock_user,
)
from ebr.verify import verify


def _actions(db: Database, since: int = 0) -> list[tuple[str, str, str | None, str | None]]:
    with db.unit_of_work(read_only=True) as uow:
        rows = uow.session.execute(
            select(AuditEvent.action, AuditEvent.outcome, AuditEvent.old_value, AuditEvent.new_value)
            .where(AuditEvent.seq > since)
            .order_by(AuditEvent.seq)
        )
        # The seal each change carries is checked in tests/ebr/test_master_seal.py.
        return [(a, o, old, _without_seal(new)) for a, o, old, new in rows]


def _without_seal(text: str | None) -> str | None:
    value = None if text is None else json.loads(text)
    if not isinstance(value, dict) or "seal" not in value:
        return text
    assert len(value.pop("seal")) == 64
    return canonical(value)


def _last_seq(db: Database) -> int:
    with db.unit_of_work(read_only=True) as uow:
        return int(
            uow.session.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)).first() or 0
        )


def test_production_hasher_is_argon2id(monkeypatch: pytest.MonkeyPatch) -> None:
    params = ebr.users.ARGON2_PARAMETERS
    # Never below OWASP's minimum for argon2id: 19 MiB and 2 passes.
    assert params["memory_cost"] >= 19456 and params["time_cost"] >= 2
    monkeypatch.setattr(ebr.users, "_hasher", PasswordHasher(**params))
    assert PasswordHasher(**params).type is Type.ID
    stored = hash_password("Granul8-Alvarez.26")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$") and "Granul8" not in stored


def test_login_by_id_and_by_badge(site_db: Database) -> None:
    start = _last_seq(site_db)
    with site_db.unit_of_work() as uow:
        by_id = authenticate(uow, "op.alvarez", PASSWORDS["op.alvarez"])
        by_badge = authenticate(uow, "B100234", PASSWORDS["op.alvarez"])
        uow.commit()
    assert by_id.ok and by_badge.ok and by_badge.user is not None and by_badge.user.id == "op.alvarez"
    assert not by_id.must_change_password  # op.alvarez set her own password
    assert [a[0] for a in _actions(site_db, start)] == ["login.succeeded", "login.succeeded"]
    with site_db.unit_of_work() as uow:
        still_initial = authenticate(uow, "op.okafor", PASSWORDS["op.okafor"])
        uow.commit()
    assert still_initial.ok and still_initial.must_change_password


def test_wrong_password_refused_and_audited(site_db: Database) -> None:
    start = _last_seq(site_db)
    with site_db.unit_of_work() as uow:
        wrong = authenticate(uow, "op.chen", "Granul8-Alvarez.26")
        unknown = authenticate(uow, "nobody", "whatever")
        uow.commit()
    assert not wrong.ok and wrong.code == "login_invalid" and wrong.user is None
    assert not unknown.ok and unknown.code == "login_invalid"
    events = _actions(site_db, start)
    assert [(a, o) for a, o, _, _ in events] == [("login.failed", "refused"), ("login.failed", "refused")]
    assert json.loads(events[0][3] or "") == {"failed_attempts": 1}
    dump = json.dumps(events)
    assert "Granul8" not in dump and "whatever" not in dump


def test_five_failures_lock_until_a_supervisor_unlocks(site_db: Database) -> None:
    with site_db.unit_of_work() as uow:
        results = [authenticate(uow, "op.okafor", f"wrong-{i}") for i in range(5)]
        uow.commit()
    assert [r.code for r in results] == ["login_invalid"] * 4 + ["account_locked"]
    with site_db.unit_of_work() as uow:
        still = authenticate(uow, "op.okafor", PASSWORDS["op.okafor"])
        uow.commit()
    assert not still.ok and still.code == "account_locked"
    with site_db.unit_of_work() as uow:
        with pytest.raises(NotAllowed):
            unlock_user(uow, "op.okafor", by="op.alvarez", reason="she asked")  # an operator may not
        with pytest.raises(NotAllowed):
            unlock_user(uow, "op.okafor", by="sv.nowak", reason="  ")  # a reason is required
    start = _last_seq(site_db)
    with site_db.unit_of_work() as uow:
        unlock_user(uow, "op.okafor", by="sv.nowak", reason="identity checked at the line")
        uow.commit()
    [(action, outcome, old, new)] = _actions(site_db, start)
    assert (action, outcome) == ("user.unlocked", "accepted")
    assert json.loads(old or "") == {"locked": True, "failed_attempts": 5}
    assert json.loads(new or "") == {"locked": False, "failed_attempts": 0}
    with site_db.unit_of_work() as uow:
        assert authenticate(uow, "op.okafor", PASSWORDS["op.okafor"]).ok
        uow.commit()
    assert verify(site_db).ok


def test_success_resets_the_failure_count(site_sqlite: Database) -> None:
    with site_sqlite.unit_of_work() as uow:
        for _ in range(4):
            authenticate(uow, "op.chen", "nope")
        assert authenticate(uow, "op.chen", "Granul8-Chen.26").ok
        for _ in range(4):
            authenticate(uow, "op.chen", "nope")
        uow.commit()
    with site_sqlite.unit_of_work(read_only=True) as uow:
        row = uow.session.scalars(select(User).where(User.id == "op.chen")).one()
        assert (row.failed_attempts, row.locked) == (4, False)


def test_deactivate_never_deletes(site_db: Database) -> None:
    with site_db.unit_of_work() as uow:
        with pytest.raises(NotAllowed):
            deactivate_user(uow, "op.chen", by="sv.nowak", reason="left")  # admins only
        deactivate_user(uow, "op.chen", by="adm.kim", reason="left the company")
        uow.commit()
    with site_db.unit_of_work() as uow:
        result = authenticate(uow, "op.chen", "Granul8-Chen.26")
        uow.commit()
        assert not result.ok and result.code == "login_invalid"
        actor = uow.user("op.chen")
        assert actor is not None and not actor.active
    assert ("user.deactivated", "accepted", '{"active":true}', '{"active":false}') in _actions(site_db)


def test_set_password_clears_must_change(site_sqlite: Database) -> None:
    with site_sqlite.unit_of_work() as uow:
        for weak in ("short", "alllowercaseletters", "op.alvarez-Passw0rd"):
            with pytest.raises(PasswordRejected):
                set_password(uow, "op.alvarez", PASSWORDS["op.alvarez"], weak)
        refused = set_password(uow, "op.alvarez", "not-her-password", "A-new-Passw0rd")
        assert not refused.ok
        result = set_password(uow, "op.alvarez", PASSWORDS["op.alvarez"], "A-new-Passw0rd")
        uow.commit()
    assert result.ok and result.user is not None and not result.user.must_change_password
    with site_sqlite.unit_of_work() as uow:
        assert not authenticate(uow, "op.alvarez", PASSWORDS["op.alvarez"]).ok
        fresh = authenticate(uow, "op.alvarez", "A-new-Passw0rd")
        assert fresh.ok and not fresh.must_change_password
        reset_password(uow, "op.alvarez", "Temp-Passw0rd", by="adm.kim", reason="forgotten")
        again = authenticate(uow, "op.alvarez", "Temp-Passw0rd")
        assert again.ok and again.must_change_password
        uow.commit()
    assert verify(site_sqlite).ok
