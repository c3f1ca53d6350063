"""The engine's AdministerUser (the users page's action) on a real store: who may do which task,
a wrong password at the signature, one's own account, a task for someone not logged in here;
each refusal on record, nothing changed by it."""

from __future__ import annotations

import sqlite3

from station.composition import build_engine, open_store
from station.engine import api
from tests.engine_batches import PASSWORDS


def _site_events(url: str, since: int) -> list[tuple[str, str | None, str | None]]:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as con:
        return list(
            con.execute(
                "SELECT action, user_id, json_extract(new_value, '$.refusals[0].code') FROM audit_events "
                "WHERE seq > ? AND stream = 'site' ORDER BY seq",
                (since,),
            )
        )


def _last(url: str) -> int:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as con:
        return int(con.execute("SELECT max(seq) FROM audit_events").fetchone()[0])


def _flags(url: str, user: str) -> tuple[int, int, int]:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as con:
        row = con.execute("SELECT active, locked, must_change_password FROM users WHERE id = ?", (user,))
        return tuple(row.fetchone())  # type: ignore[return-value]


def test_refusals_are_on_record_and_change_nothing(approved_db: str) -> None:
    engine = build_engine(db=open_store(approved_db))
    try:
        task = api.AdministerUser("unlock", "op.chen", "sv.haddad", PASSWORDS["sv.haddad"], "checked")
        assert engine.dispatch(task).status == "error"  # nobody logged in
        assert engine.dispatch(api.Login(user="sv.haddad", password=PASSWORDS["sv.haddad"])).status == "done"
        start = _last(approved_db)
        reset = api.AdministerUser("reset", "op.chen", "sv.haddad", PASSWORDS["sv.haddad"], "forgot it")
        refused = engine.dispatch(reset)
        assert refused.status == "refused" and refused.reasons == ("role_required",)
        wrong = api.AdministerUser("deactivate", "op.chen", "sv.haddad", "not-her-password", "left")
        assert engine.dispatch(wrong).reasons == ("signature_invalid",)
        not_locked = engine.dispatch(task)
        assert not_locked.status == "refused" and "is not locked" in not_locked.message
        other = api.AdministerUser("unlock", "op.chen", "adm.kim", PASSWORDS["adm.kim"], "checked")
        assert engine.dispatch(other).status == "error"  # the person logged in signs, nobody else
    finally:
        engine.close()
    assert _site_events(approved_db, start) == [
        ("command.refused", "sv.haddad", "role_required"),
        ("signature.auth_failed", "sv.haddad", None),
        ("user.failed_attempts_reset", "sv.haddad", None),  # the next signature was right
        ("command.refused", "sv.haddad", "not_allowed"),
    ]
    assert _flags(approved_db, "op.chen") == (1, 0, 0)
