"""A command closes the record store it opened: SQLite folds the write-ahead log back into
the file, so the file alone holds every record (as when someone copies it after the run)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from tests.station.conftest import HAPPY, OQ_SETUP, RECIPE, SITE, as_user, run_cli


def _no_log_beside(path: Path) -> None:
    assert not Path(f"{path}-wal").exists(), "the write-ahead log was left beside the file"


def test_every_command_leaves_the_file_complete(approved_db: str, tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.db"
    url = f"sqlite:///{fresh}"
    assert run_cli("master", "import", SITE, "--db", url).returncode == 0
    _no_log_beside(fresh)
    assert run_cli("run", OQ_SETUP, "--db", url).returncode == 0
    _no_log_beside(fresh)
    assert run_cli("recipe", "import", RECIPE, "--db", url, *as_user("adm.kim", tmp_path)).returncode == 0
    _no_log_beside(fresh)
    path = Path(approved_db.removeprefix("sqlite:///"))
    result = run_cli("run", HAPPY, "--db", approved_db)
    assert result.returncode == 0, result.stderr
    _no_log_beside(path)
    # The file copied alone has the whole batch, its completion included, and verifies.
    copy = tmp_path / "copy.db"
    shutil.copyfile(path, copy)
    with sqlite3.connect(copy) as connection:
        actions = [row[0] for row in connection.execute("SELECT action FROM audit_events ORDER BY seq")]
    assert "batch.completed" in actions and actions[-1] == "logout"
    verified = run_cli("ebr", "verify", "--db", f"sqlite:///{copy}")
    assert verified.returncode == 0 and "intact" in verified.stdout
