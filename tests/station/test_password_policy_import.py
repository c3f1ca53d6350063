"""``mes-station master import`` of a password policy: an administrator's, audited; a bad value
is one located line (exit 2) and nothing is written; QA may not set it (exit 1)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.station.conftest import as_user, run_cli


def _policy_events(url: str) -> list[tuple[str, str | None]]:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as con:
        return list(
            con.execute("SELECT action, user_id FROM audit_events WHERE entity_type = 'password_policy'")
        )


def test_the_policy_is_imported_by_an_administrator_and_bad_values_are_located(
    approved_db: str, tmp_path: Path
) -> None:
    bad = tmp_path / "weak.yaml"
    bad.write_text("password_policy:\n  min_length: 12\n  history: 2\n", encoding="utf-8")
    refused = run_cli("master", "import", bad, "--db", approved_db, *as_user("adm.kim", tmp_path))
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert f"{bad}:3: password_policy.history: Input should be greater than or equal to 5" in refused.stderr
    good = tmp_path / "policy.yaml"
    good.write_text("password_policy:\n  min_length: 12\n  max_age_days: 90\n", encoding="utf-8")
    by_qa = run_cli("master", "import", good, "--db", approved_db, *as_user("qa.dubois", tmp_path))
    assert by_qa.returncode == 1 and "needs the role admin" in by_qa.stderr
    assert _policy_events(approved_db) == []
    done = run_cli("master", "import", good, "--db", approved_db, *as_user("adm.kim", tmp_path))
    assert done.returncode == 0, done.stderr
    assert _policy_events(approved_db) == [("master.password_policy.added", "adm.kim")]
    verified = run_cli("ebr", "verify", "--db", approved_db)
    assert verified.returncode == 0, verified.stdout + verified.stderr
