"""No reuse of the last passwords, wherever a password is changed: the engine's ChangePassword
(the touchscreen), ``mes-station user password`` and a script's ``change_password``. Real
processes on a real store; the refusal read back from the record."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from station.composition import build_engine, open_store
from station.engine import api
from tests.station.conftest import run_cli


def _refusals(url: str) -> list[tuple[str, str | None, str | None]]:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as con:
        return list(
            con.execute(
                "SELECT action, user_id, json_extract(new_value, '$.refusals[0].code') FROM audit_events "
                "WHERE action = 'password.change.refused' ORDER BY seq"
            )
        )


def test_the_engine_refuses_a_recent_password_with_password_reused(approved_db: str) -> None:
    engine = build_engine(db=open_store(approved_db))
    try:
        first = engine.dispatch(api.ChangePassword("op.chen", "Granul8-Chen.26", "Granul8-Chen.27"))
        assert first.status == "done", first.message
        back = engine.dispatch(api.ChangePassword("op.chen", "Granul8-Chen.27", "Granul8-Chen.26"))
        assert back.status == "refused" and back.reasons == ("password_reused",)
        assert "one of the last 5 passwords of Wei Chen" in back.message
        initial = engine.dispatch(api.ChangePassword("op.chen", "Granul8-Chen.27", "Granul8-Chen"))
        assert initial.status == "refused" and initial.reasons == ("password_reused",)
        assert engine.dispatch(api.Login(user="op.chen", password="Granul8-Chen.27")).status == "done"
    finally:
        engine.close()
    assert _refusals(approved_db) == [("password.change.refused", "op.chen", "password_reused")] * 2


def test_the_command_and_a_script_refuse_it_too(approved_db: str, tmp_path: Path) -> None:
    both = tmp_path / "both.pw"
    both.write_text("Granul8-Alvarez.26\nGranul8-Alvarez\n", encoding="utf-8")  # back to the initial one
    again = run_cli("user", "password", "op.alvarez", "--password-file", both, "--db", approved_db)
    assert again.returncode == 1 and "Traceback" not in again.stderr
    assert again.stderr.strip().endswith(
        "password_reused: The new password is one of the last 5 passwords of Maria Alvarez: choose another"
    )
    script = tmp_path / "reuse.yaml"
    script.write_text(
        "actions:\n"
        "  - change_password: {user: sv.haddad, old: Superv1se-Haddad.26, new: Superv1se-Haddad}\n"
        "  - expect: {outcome: refused, reason: password_reused}\n",
        encoding="utf-8",
    )
    ran = run_cli("run", script, "--db", approved_db)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert [(a, u) for a, u, _c in _refusals(approved_db)] == [
        ("password.change.refused", "op.alvarez"),
        ("password.change.refused", "sv.haddad"),
    ]
