"""Bad input gets one clear line on stderr, the right exit code and never a traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ebr.migrate import head_revision
from tests.station.conftest import HAPPY, RECIPE, as_user, run_cli


def _one_line(err: str) -> str:
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


def test_bad_db_url_is_usage_error() -> None:
    result = run_cli("db", "upgrade", "--db", "nosuchdialect://x")
    assert result.returncode == 2
    assert "database" in _one_line(result.stderr).lower()


def test_db_in_a_missing_directory(tmp_path: Path) -> None:
    result = run_cli("db", "upgrade", "--db", f"sqlite:///{tmp_path}/missing/dir/x.db")
    assert result.returncode == 2
    assert "missing" in _one_line(result.stderr)


def test_missing_script_file(approved_db: str, tmp_path: Path) -> None:
    result = run_cli("run", tmp_path / "nope.yaml", "--db", approved_db)
    assert result.returncode == 2
    assert "nope.yaml" in _one_line(result.stderr)


def test_unknown_batch_id(approved_db: str) -> None:
    result = run_cli("ebr", "verify", "B-NOPE", "--db", approved_db)
    assert result.returncode == 1
    assert "B-NOPE" in _one_line(result.stderr)


def test_unknown_command_and_bad_arguments() -> None:
    result = run_cli("frobnicate")
    assert result.returncode == 2
    _one_line(result.stderr)
    result = run_cli("recipe", "approve", "PARA500-GRAN", "three", "--user", "x", "--password-file", "y")
    assert result.returncode == 2
    _one_line(result.stderr)


def test_usage_errors_name_the_program_once(capsys: pytest.CaptureFixture[str]) -> None:
    from station.cli import main

    assert main(["frobnicate"]) == 2
    assert _one_line(capsys.readouterr().err).startswith("mes-station: argument COMMAND: invalid choice")
    assert main(["ebr", "export", "--format", "pdf"]) == 2
    assert _one_line(capsys.readouterr().err).startswith("mes-station: ebr export: the following arguments")
    assert main(["scan", "decode"]) == 2  # the hardware commands' own parsers
    assert _one_line(capsys.readouterr().err).startswith("mes-station: scan decode: the following arguments")


def test_db_before_the_command(approved_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The README puts --db after the command; before it works too, never silently elsewhere."""
    from station.cli import main

    assert main(["--db", approved_db, "ebr", "verify"]) == 0
    assert "intact" in capsys.readouterr().out
    assert main(["--db", approved_db, "ebr", "verify", "--db", approved_db]) == 0
    capsys.readouterr()
    other = f"sqlite:///{tmp_path / 'other.db'}"
    assert main(["--db", approved_db, "ebr", "verify", "--db", other]) == 2
    assert "--db given twice" in _one_line(capsys.readouterr().err)
    assert not (tmp_path / "other.db").exists()
    assert main(["--db", approved_db, "scan", "decode", "X"]) == 2
    assert "does not apply" in _one_line(capsys.readouterr().err)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"batch: [\n", ":2:"),
        (b"\x00\xff\xfe garbage", "not UTF-8"),
        (b"- just\n- a list\n", "mapping"),
        (
            b"batch: {id: B1, recipe: X, version: 1, size: {quantity: 1, unit: kg}}\nactions:\n  - fly: {}\n",
            ":3:",
        ),
        (
            b"batch: {id: B1, recipe: X, version: 1, size: {quantity: 1, unit: kg}}\nactions:\n"
            b"  - confirm: {}\n",
            "confirm.step: missing",
        ),
        (
            b"batch: {id: B1, recipe: X, version: 1, size: {quantity: 1, unit: kg}}\nactions:\n"
            b"  - enter: {step: A, value: lots}\n",
            "not a number",
        ),
    ],
)
def test_malformed_scripts(approved_db: str, tmp_path: Path, content: bytes, expected: str) -> None:
    script = tmp_path / "bad.yaml"
    script.write_bytes(content)
    result = run_cli("run", script, "--db", approved_db)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert expected in result.stderr, result.stderr
    assert str(script) in result.stderr


def test_locked_database_is_one_line(approved_db: str) -> None:
    path = approved_db.removeprefix("sqlite:///")
    holder = sqlite3.connect(path, timeout=0.1)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = run_cli("run", HAPPY, "--db", approved_db, timeout=60)
    finally:
        holder.rollback()
        holder.close()
    assert result.returncode in (1, 2)
    assert "locked" in _one_line(result.stderr).lower() or "busy" in result.stderr.lower()


def test_wrong_password_for_approval_is_refused(approved_db: str, tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.pw"
    wrong.write_text("nope\n", encoding="utf-8")
    v4 = tmp_path / "v4.yaml"
    v4.write_text(RECIPE.read_text(encoding="utf-8").replace("version: 3", "version: 4"), encoding="utf-8")
    assert run_cli("recipe", "import", v4, "--db", approved_db, *as_user("adm.kim", tmp_path)).returncode == 0
    approve = ["recipe", "approve", "PARA500-GRAN", "4", "--db", approved_db]
    result = run_cli(*approve, "--user", "qa.berg", "--password-file", wrong)
    assert result.returncode == 1
    _one_line(result.stderr)
    result = run_cli(*approve, *as_user("op.alvarez", tmp_path))
    assert result.returncode == 1
    assert "qa" in _one_line(result.stderr)


def test_tampered_audit_value_exits_3_naming_the_event(approved_db: str) -> None:
    assert run_cli("run", HAPPY, "--db", approved_db).returncode == 0
    path = approved_db.removeprefix("sqlite:///")
    with sqlite3.connect(path) as con:
        # An attacker with the file: drop the guard, edit a recorded value.
        triggers = [
            r[0]
            for r in con.execute(
                "select name from sqlite_master where type='trigger' and tbl_name='audit_events'"
            )
        ]
        for name in triggers:
            con.execute(f'drop trigger "{name}"')
        seq = con.execute(
            "select seq from audit_events where action='measurement.recorded' order by seq limit 1"
        ).fetchone()[0]
        con.execute("update audit_events set new_value=replace(new_value, '150', '151') where seq=?", (seq,))
    result = run_cli("ebr", "verify", "--db", approved_db)
    assert result.returncode == 3
    assert str(seq) in _one_line(result.stderr)


@pytest.mark.parametrize(
    "command",
    [
        ["ebr", "verify"],
        ["ebr", "export", "B-1", "--format", "json", "-o", "out.json"],
        ["recipe", "approve", "PARA500-GRAN", "3", "--user", "qa.dubois", "--password-file", "/dev/null"],
        ["run", str(HAPPY)],
    ],
)
def test_a_mistyped_db_is_no_new_empty_store(tmp_path: Path, command: list[str]) -> None:
    typo = tmp_path / "statoin.db"
    result = run_cli(*command, "--db", f"sqlite:///{typo}")
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == (
        f"mes-station: no such database: {typo} (a new store is made by `mes-station db upgrade`)"
    )
    assert not typo.exists() and "intact" not in result.stdout


def test_verify_and_export_leave_the_store_as_they_found_it(approved_db: str, tmp_path: Path) -> None:
    path = Path(approved_db.removeprefix("sqlite:///"))
    before = path.read_bytes()
    assert run_cli("ebr", "verify", "--db", approved_db).returncode == 0
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name)) == [path.name]


def test_an_alias_bomb_in_a_script_is_refused_before_it_expands(approved_db: str, tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol"]', *(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10))]
    script = tmp_path / "bomb.yaml"
    script.write_text("\n".join([*lines, "actions: [*a9]"]) + "\n", encoding="utf-8")
    result = run_cli("run", script, "--db", approved_db, timeout=60)
    assert result.returncode == 2, result.stderr
    first = result.stderr.splitlines()[0]
    assert first == f"{script}:1: anchors and aliases (& and *) are not allowed in a batch script"


def test_an_alias_bomb_in_master_data_makes_no_store_and_says_each_line_once(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol"]', *(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10))]
    site = tmp_path / "bomb.yaml"
    site.write_text("\n".join([*lines, "users: [*a9]"]) + "\n", encoding="utf-8")
    store = tmp_path / "new.db"
    result = run_cli("master", "import", site, "--db", f"sqlite:///{store}", timeout=60)
    assert result.returncode == 2, result.stderr
    said = result.stderr.splitlines()
    assert len(said) == len(set(said)) == 11  # one line per line of the file that holds & or *
    assert (
        said[0] == f"{site}:1: document: anchors and aliases (& and *) are not allowed in a master-data file"
    )
    assert not store.exists()


def test_a_refused_master_file_is_refused_before_the_user_is_asked_for(
    approved_db: str, tmp_path: Path
) -> None:
    site = tmp_path / "broken.yaml"
    site.write_text("users: [\n", encoding="utf-8")
    result = run_cli("master", "import", site, "--db", approved_db)
    assert result.returncode == 2
    assert result.stderr.startswith(f"{site}:2: document: YAML syntax error"), result.stderr


def test_dropped_table_is_a_damaged_store_exit_3(approved_db: str) -> None:
    path = approved_db.removeprefix("sqlite:///")
    with sqlite3.connect(path) as raw:
        raw.execute("DROP TABLE signatures")
    for command in (["ebr", "verify"], ["run", str(HAPPY)]):
        result = run_cli(*command, "--db", approved_db)
        assert result.returncode == 3, result.stderr
        assert result.stderr.strip() == (
            f"mes-station: database {approved_db} is damaged: table signatures is missing although its "
            f"schema is at {head_revision()}; restore the last backup (`mes-station db restore`)"
        ), result.stderr


@pytest.mark.parametrize(
    ("command", "said"),
    [
        (
            ["run", "{f}"],
            "{f}:1: the file is 21,474,836,480 bytes: a batch script may have at most 4,194,304",
        ),
        (
            ["master", "import", "{f}"],
            "mes-station: {f}:1: the file is 21,474,836,480 bytes: a master-data file may have at most 33,554,432",
        ),
        (
            ["recipe", "import", "{f}", "--user", "qa.dubois", "--password-file", "/dev/null"],
            "mes-station: {f}:1: the file is 21,474,836,480 bytes: a recipe may have at most 1,048,576",
        ),
        (
            ["ebr", "verify", "--file", "{f}"],
            "mes-station: {f}: the file is 21,474,836,480 bytes: an export may have at most 268,435,456",
        ),
        (
            ["config", "check", "--config", "{f}"],
            "{f}:1: the file is 21,474,836,480 bytes: a configuration file may have at most 1,048,576",
        ),
    ],
)
def test_a_huge_input_file_is_refused_unread(
    approved_db: str, tmp_path: Path, command: list[str], said: str
) -> None:
    """A 20 GB file (sparse: nothing is written) is refused by its size before it is read."""
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as f:
        f.truncate(20 << 30)
    args = [a.replace("{f}", str(huge)) for a in command]
    db = [] if command[0] == "config" or "--file" in command else ["--db", approved_db]
    result = run_cli(*args, *db, timeout=30)
    assert result.returncode == 2, result.stderr
    assert said.replace("{f}", str(huge)) in result.stderr.splitlines(), result.stderr
