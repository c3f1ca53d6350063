"""Every command that changes the record or master data names an authenticated user with the
role for it; the password never stands on the command line; the first import is the bootstrap.

Each case is a real `mes-station` process on a real SQLite file, and the store is read back:
what a refused command leaves is one audit event of the refusal, nothing else."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from tests.engine_batches import INITIAL_PASSWORDS
from tests.station.conftest import HAPPY, OQ_SETUP, RECIPE, SITE, password_file, run_cli


def _rows(url: str, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as con:
        return list(con.execute(sql))


def _events(url: str) -> int:
    return int(_rows(url, "SELECT count(*) FROM audit_events")[0][0])


def _lot_status(url: str, lot: str) -> str:
    return str(_rows(url, f"SELECT status FROM lots WHERE lot = '{lot}'")[0][0])


def _site_with(tmp_path: Path, name: str, edit: str, into: str) -> Path:
    """site.yaml with one line changed, as an insider would edit it."""
    text = SITE.read_text(encoding="utf-8")
    assert edit in text
    path = tmp_path / name
    path.write_text(text.replace(edit, into), encoding="utf-8")
    return path


QUARANTINED = "lot: P24-0502, status: quarantined"


def test_the_password_never_stands_on_the_command_line(approved_db: str) -> None:
    result = run_cli("recipe", "approve", "PARA500-GRAN", "3", "--user", "qa.dubois", "--password", "x")
    assert result.returncode == 2 and "unrecognized arguments: --password" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_password_from_standard_input(approved_db: str, tmp_path: Path) -> None:
    shutil.copyfile(RECIPE, tmp_path / "r.yaml")
    text = (tmp_path / "r.yaml").read_text(encoding="utf-8").replace("version: 3", "version: 4")
    (tmp_path / "r.yaml").write_text(text, encoding="utf-8")
    pw = "Adm1n-Kim-2026.26\n"
    imported = run_cli(
        "recipe", "import", tmp_path / "r.yaml", "--user", "adm.kim", "--db", approved_db, stdin=pw
    )
    assert imported.returncode == 0, imported.stderr
    assert _rows(approved_db, "SELECT imported_by FROM recipes WHERE version = 4") == [("adm.kim",)]
    empty = run_cli(
        "recipe", "approve", "PARA500-GRAN", "4", "--user", "qa.dubois", "--db", approved_db, stdin=""
    )
    assert empty.returncode == 2 and "no password for qa.dubois from standard input" in empty.stderr


def test_an_operator_may_not_import_master_data(approved_db: str, tmp_path: Path) -> None:
    released = _site_with(tmp_path, "release.yaml", QUARANTINED, "lot: P24-0502, status: released")
    before = _events(approved_db)
    pw = password_file(tmp_path, "op.alvarez")
    result = run_cli(
        "master", "import", released, "--user", "op.alvarez", "--password-file", pw, "--db", approved_db
    )
    assert result.returncode == 1
    assert "needs the role qa or admin" in result.stderr and "Traceback" not in result.stderr
    assert _lot_status(approved_db, "P24-0502") == "quarantined"
    after = _rows(approved_db, f"SELECT action, user_id FROM audit_events WHERE seq > {before}")
    assert ("command.refused", "op.alvarez") in after  # (after oq-setup's failed login, a reset too)
    assert not [action for action, _ in after if str(action).startswith("master.")]


def test_a_lot_is_released_by_qa_alone(approved_db: str, tmp_path: Path) -> None:
    released = _site_with(tmp_path, "release.yaml", QUARANTINED, "lot: P24-0502, status: released")
    admin = password_file(tmp_path, "adm.kim")
    result = run_cli(
        "master", "import", released, "--user", "adm.kim", "--password-file", admin, "--db", approved_db
    )
    assert result.returncode == 1
    assert "lot RM-0101/P24-0502: adm.kim may not change status of it: needs the role qa" in result.stderr
    assert _lot_status(approved_db, "P24-0502") == "quarantined"
    assert _rows(approved_db, "SELECT action, user_id FROM audit_events ORDER BY seq DESC LIMIT 1") == [
        ("master.import.refused", "adm.kim")
    ]
    qa = password_file(tmp_path, "qa.dubois")
    result = run_cli(
        "master", "import", released, "--user", "qa.dubois", "--password-file", qa, "--db", approved_db
    )
    assert result.returncode == 0, result.stderr
    assert _lot_status(approved_db, "P24-0502") == "released"
    changed = _rows(approved_db, "SELECT user_id FROM audit_events WHERE action = 'master.lot.changed'")
    assert changed == [("qa.dubois",)]


def test_users_and_roles_are_an_administrators(approved_db: str, tmp_path: Path) -> None:
    fake = _site_with(
        tmp_path,
        "fake.yaml",
        "  - {id: adm.kim,",
        '  - {id: qa.fake, name: Claire Dubois, roles: [qa], badge: "B399999", initial_password: "Fake-Fake-1"}\n'
        "  - {id: adm.kim,",
    )
    qa = password_file(tmp_path, "qa.dubois")
    result = run_cli(
        "master", "import", fake, "--user", "qa.dubois", "--password-file", qa, "--db", approved_db
    )
    assert (
        result.returncode == 1
        and "user qa.fake: qa.dubois may not add it: needs the role admin" in result.stderr
    )
    assert _rows(approved_db, "SELECT count(*) FROM users WHERE id = 'qa.fake'") == [(0,)]


def test_a_wrong_password_is_refused_and_audited(approved_db: str, tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.pw"
    wrong.write_text("not-it\n", encoding="utf-8")
    before = _events(approved_db)
    result = run_cli(
        "master", "import", SITE, "--user", "qa.dubois", "--password-file", wrong, "--db", approved_db
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert _rows(approved_db, f"SELECT action FROM audit_events WHERE seq > {before}") == [
        ("signature.auth_failed",)
    ]


def test_recipe_import_by_nobody_known_is_refused(approved_db: str, tmp_path: Path) -> None:
    ghost = tmp_path / "ghost.pw"
    ghost.write_text("whatever\n", encoding="utf-8")
    result = run_cli(
        "recipe", "import", RECIPE, "--user", "ghost", "--password-file", ghost, "--db", approved_db
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr


def test_the_bootstrap_is_the_first_import_only(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    pw = password_file(tmp_path, "adm.kim")
    named = run_cli("master", "import", SITE, "--user", "adm.kim", "--password-file", pw, "--db", url)
    assert named.returncode == 2 and "the first import is the bootstrap" in named.stderr
    assert run_cli("master", "import", SITE, "--db", url).returncode == 0
    assert _rows(url, "SELECT DISTINCT user_id FROM audit_events WHERE action LIKE 'master.%'") == [(None,)]
    notes = _rows(url, "SELECT DISTINCT reason FROM audit_events WHERE action LIKE 'master.%'")
    assert all(str(note).startswith("bootstrap master data import site.yaml") for (note,) in notes)
    again = run_cli("master", "import", SITE, "--db", url)
    assert again.returncode == 2 and "the store has users: name who imports with --user" in again.stderr


def test_an_initial_password_may_only_be_changed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    assert run_cli("master", "import", SITE, "--db", url).returncode == 0
    initial = tmp_path / "initial.pw"
    initial.write_text(INITIAL_PASSWORDS["adm.kim"], encoding="utf-8")
    result = run_cli("recipe", "import", RECIPE, "--user", "adm.kim", "--password-file", initial, "--db", url)
    assert result.returncode == 1 and "still has the initial password" in result.stderr
    assert _rows(url, "SELECT count(*) FROM recipes") == [(0,)]
    assert _rows(url, "SELECT action FROM audit_events ORDER BY seq DESC LIMIT 1") == [("command.refused",)]
    # The engine's scripts too: no step is done before the password is changed.
    happy = run_cli("run", HAPPY, "--db", url)
    assert happy.returncode != 0


def test_the_importer_of_a_recipe_may_not_approve_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    assert run_cli("master", "import", SITE, "--db", url).returncode == 0
    assert run_cli("run", OQ_SETUP, "--db", url).returncode == 0
    qa = password_file(tmp_path, "qa.dubois")
    assert (
        run_cli(
            "recipe", "import", RECIPE, "--user", "qa.dubois", "--password-file", qa, "--db", url
        ).returncode
        == 0
    )
    approve = run_cli(
        "recipe", "approve", "PARA500-GRAN", "3", "--user", "qa.dubois", "--password-file", qa, "--db", url
    )
    assert approve.returncode == 1 and "independent" in approve.stderr


def test_the_demo_never_seeds_a_store_that_holds_data(approved_db: str) -> None:
    before = _events(approved_db)
    result = run_cli("demo", "--headless", "--db", approved_db)
    assert result.returncode == 2 and "already holds data" in result.stderr
    assert _events(approved_db) == before


def test_the_oq_script_of_the_new_refusals_runs_as_written(tmp_path: Path) -> None:
    """resources/oq/oq-gates-2026-12.yaml on a new store, through the command line; run
    again, it fails again where it failed (nothing is skipped as recorded before)."""
    from importlib import resources

    script = Path(str(resources.files("resources") / "oq" / "oq-gates-2026-12.yaml"))
    url = f"sqlite:///{tmp_path / 'oq.db'}"
    assert run_cli("master", "import", SITE, "--db", url).returncode == 0
    setup = tmp_path / "setup.yaml"
    setup.write_text(
        "actions:\n"
        "  - change_password: {user: adm.kim, old: Adm1n-Kim-2026, new: Adm1n-Kim-2026.26}\n"
        "  - change_password: {user: qa.dubois, old: Rev1ew-Dubois, new: Rev1ew-Dubois.26}\n",
        encoding="utf-8",
    )
    assert run_cli("run", setup, "--db", url).returncode == 0
    assert (
        run_cli(
            "recipe",
            "import",
            RECIPE,
            "--db",
            url,
            "--user",
            "adm.kim",
            "--password-file",
            password_file(tmp_path, "adm.kim"),
        ).returncode
        == 0
    )
    qa = password_file(tmp_path, "qa.dubois")
    assert (
        run_cli(
            "recipe",
            "approve",
            "PARA500-GRAN",
            "3",
            "--db",
            url,
            "--user",
            "qa.dubois",
            "--password-file",
            qa,
        ).returncode
        == 0
    )
    result = run_cli("run", script, "--db", url)
    assert result.returncode == 0, result.stderr
    for code in (
        "step_blocked_by_deviation", "password_change_required", "weight_above_capacity", "weight_invalid",
        "weight_below_minimum",
    ):  # fmt: skip
        assert f"[{code}" in result.stdout or f",{code}" in result.stdout, code
    # A script that fails on a refusal fails again when run again.
    failing = tmp_path / "failing.yaml"
    failing.write_text(
        "batch: {id: B-OQ-FAIL, recipe: PARA500-GRAN, version: 3, size: {quantity: 120, unit: kg}}\n"
        "actions:\n"
        "  - login: {user: op.alvarez, password: Granul8-Alvarez.oq}\n"
        "  - start: {}\n"
        "  - answer: {step: OP10.S20, value: yes}\n",  # out of sequence: refused
        encoding="utf-8",
    )
    first = run_cli("run", failing, "--db", url)
    again = run_cli("run", failing, "--db", url)
    assert first.returncode == again.returncode == 1
    assert (
        "refused: sequence" in first.stderr and "sequence" in again.stderr and "earlier run" in again.stderr
    )
