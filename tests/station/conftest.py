"""Fixtures for the engine and the command line: a real SQLite file per test, the reference files."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from argon2 import PasswordHasher

import ebr.users
from station.cli import main
from station.engine import api
from station.engine.engine import Engine
from tests.engine_batches import PASSWORDS

DATA = Path(__file__).resolve().parents[1] / "data"
SITE = DATA / "masterdata" / "site.yaml"
RECIPE = DATA / "recipes" / "para500-granulation.yaml"
HAPPY = DATA / "scripts" / "para500-happy-path.yaml"
REFUSALS = DATA / "scripts" / "para500-refusals.yaml"
OQ_SETUP = DATA / "scripts" / "oq-setup.yaml"
LOT = "]C101040123450001081730083110P24-0817"  # Paracetamol lot P24-0817, as the scanner sends it


def do(engine: Engine, *actions: api.Action) -> api.Outcome:
    """Dispatch the actions in order, each of which must be done; the last outcome."""
    outcome = None
    for action in actions:
        outcome = engine.dispatch(action)
        assert outcome.status == "done", (action, outcome.message)
    assert outcome is not None
    return outcome


def to_the_scale(engine: Engine, batch: str) -> None:
    """Log in, start the batch and do OP10, then bind the scale (OP20.S10)."""
    do(
        engine,
        api.Login(user="op.alvarez", password="Granul8-Alvarez.26"),
        api.StartBatch(batch, "PARA500-GRAN", 3, Decimal(120), "kg"),
        api.Confirm("OP10.S10"),
        api.Answer("OP10.S20", True),
        api.Sign("OP10.S30", "sv.nowak", "Superv1se-Nowak.26"),
        api.Scan("OP20.S10", "SCL-150-01"),
    )


def to_dispensing(engine: Engine, batch: str = "B-FLOW-1") -> None:
    """``to_the_scale``, then identify the lot of the first weighing (OP20.S20)."""
    to_the_scale(engine, batch)
    do(engine, api.Scan("OP20.S20", LOT))


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'station.db'}"


def cli(*args: str) -> int:
    return main([str(a) for a in args])


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """The real console entry point in a child process (exit code, stdout, stderr);
    ``stdin``: what its standard input holds (else nothing: a password is then missing)."""
    return subprocess.run(
        [sys.executable, "-m", "station.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        input=stdin if stdin is not None else "",
        env={**os.environ, **(env or {})},
    )


def password_file(folder: Path, user: str) -> Path:
    """A file holding ``user``'s password (as the templates have it), for ``--password-file``."""
    path = folder / f"{user}.pw"
    path.write_text(PASSWORDS[user] + "\n", encoding="utf-8")
    return path


_PASSWORD_FILES = Path(tempfile.mkdtemp(prefix="mes-pw-"))


def pw(password: str) -> str:
    """A file holding ``password``, for ``--password-file`` (never the password itself on argv)."""
    path = _PASSWORD_FILES / hashlib.sha256(password.encode()).hexdigest()[:16]
    path.write_text(password + "\n", encoding="utf-8")
    return str(path)


def as_user(user: str, folder: Path) -> list[str]:
    """``--user`` and ``--password-file`` for a command run as ``user``."""
    return ["--user", user, "--password-file", str(password_file(folder, user))]


@pytest.fixture(scope="session")
def approved_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new store set up through the command line as a validation engineer would: the
    bootstrap import of site.yaml, oq-setup.yaml (every user sets their own password), then
    PARA500-GRAN v3 imported by the admin and approved by qa.dubois, passwords from files.
    Made once per session (argon2 hashing of every imported password is slow on purpose)."""
    folder = tmp_path_factory.mktemp("template")
    path = folder / "approved.db"
    url = f"sqlite:///{path}"
    with pytest.MonkeyPatch.context() as patch:
        # Still argon2id, with light parameters: every stored hash names its own parameters,
        # so later checks (in this process or a child) are light too. Production cost is
        # tested in tests/ebr/test_users.py.
        patch.setattr(ebr.users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        assert cli("master", "import", SITE, "--db", url) == 0
        assert cli("run", OQ_SETUP, "--db", url) == 0
    admin, qa = password_file(folder, "adm.kim"), password_file(folder, "qa.dubois")
    assert cli("recipe", "import", RECIPE, "--db", url, "--user", "adm.kim", "--password-file", admin) == 0
    assert (
        cli(
            "recipe",
            "approve",
            "PARA500-GRAN",
            "3",
            "--user",
            "qa.dubois",
            "--password-file",
            qa,
            "--db",
            url,
        )
        == 0
    )
    with sqlite3.connect(path) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file before copying
    return path


@pytest.fixture
def approved_db(approved_template: Path, tmp_path: Path) -> str:
    """A fresh copy of the approved template: a real SQLite file of the test's own."""
    path = tmp_path / "station.db"
    shutil.copyfile(approved_template, path)
    return f"sqlite:///{path}"
