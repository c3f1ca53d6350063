"""Acceptance: the reference files of the design work as they are, through the command line."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.station.conftest import HAPPY, OQ_SETUP, RECIPE, REFUSALS, SITE, as_user, cli, pw


def test_reference_recipe_validates(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("recipe", "validate", RECIPE) == 0
    assert "valid" in capsys.readouterr().out


def test_master_import_twice_changes_nothing(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("master", "import", SITE, "--db", db_url) == 0  # the bootstrap
    first = capsys.readouterr().out
    assert cli("run", OQ_SETUP, "--db", db_url) == 0
    capsys.readouterr()
    assert cli("master", "import", SITE, "--db", db_url, *as_user("qa.dubois", tmp_path)) == 0
    second = capsys.readouterr().out
    assert "0 added, 0 changed" in second, second
    assert first != second


def test_several_master_data_files_are_imported_all_or_none(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every problem of every file first; a file that fails imports nothing of the others; a
    later file may change what an earlier one adds (one transaction, in the order given)."""
    site = SITE.read_text(encoding="utf-8")
    assert "lot: P24-0502, status: quarantined" in site
    broken = tmp_path / "broken.yaml"
    broken.write_text(site.replace("status: released", "status: relesed", 1), encoding="utf-8")
    released = tmp_path / "released.yaml"
    released.write_text(
        site.replace("lot: P24-0502, status: quarantined", "lot: P24-0502, status: released"),
        encoding="utf-8",
    )
    capsys.readouterr()
    assert cli("master", "import", SITE, broken, released, "--db", db_url) == 2
    err = capsys.readouterr().err
    assert f"{broken}:" in err and "nothing was imported" in err
    assert not Path(db_url.removeprefix("sqlite:///")).exists()  # checked before a store is made
    assert cli("master", "import", SITE, released, "--db", db_url) == 0  # the bootstrap
    out = capsys.readouterr().out
    assert f"{released}: 0 added, 1 changed" in out
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as connection:
        status = connection.execute("SELECT status FROM lots WHERE lot = 'P24-0502'").fetchone()
    assert status == ("released",)


def test_happy_path_runs_to_completion_and_verifies(
    approved_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("run", HAPPY, "--db", approved_db) == 0
    out = capsys.readouterr().out
    assert "batch B-2611-001: completed" in out
    assert cli("ebr", "verify", "B-2611-001", "--db", approved_db) == 0
    assert cli("ebr", "verify", "--db", approved_db) == 0
    with sqlite3.connect(approved_db.removeprefix("sqlite:///")) as con:
        weighed = con.execute(
            "select step_id, net, unit, lot from lot_consumptions order by step_id"
        ).fetchall()
        signed = con.execute(
            "select step_id, printed_name, meaning from signatures where batch_id='B-2611-001' "
            "order by signed_at"
        ).fetchall()
    assert [(s, n, lot) for s, n, _, lot in weighed] == [
        ("OP20.S20", "60.02", "P24-0817"),
        ("OP20.S30", "47.85", "M24-1130"),
        ("OP20.S50", "3.6190", "K24-0220"),
        ("OP20.S60", "2.4175", "C25-0103"),
    ]
    assert [s[:2] for s in signed] == [
        ("OP10.S30", "Piotr Nowak"),
        ("OP20.S70", "Leila Haddad"),
        ("OP30.S60", "Maria Alvarez"),
    ]


def test_refusals_script_meets_every_expectation(
    approved_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("run", REFUSALS, "--db", approved_db) == 0
    out = capsys.readouterr().out
    for reason in (
        "independent_signer_required",
        "signature_invalid",
        "equipment_calibration_due",
        "lot_quarantined",
        "weight_out_of_tolerance",
    ):
        assert f"refused [{reason}]" in out
    assert cli("ebr", "verify", "B-2611-002", "--db", approved_db) == 0


@pytest.mark.parametrize(
    ("expect_line", "action", "reason"),
    [
        (
            "  - expect: {outcome: refused, reason: independent_signer_required}\n",
            "sign OP10.S30",
            "independent_signer_required",
        ),
        ("  - expect: {outcome: refused, reason: lot_quarantined}\n", "scan OP20.S20", "lot_quarantined"),
        (
            "  - expect: {outcome: refused, reason: weight_out_of_tolerance}\n",
            "weigh OP20.S20",
            "weight_out_of_tolerance",
        ),
    ],
)
def test_a_missing_expect_makes_run_fail_naming_action_and_reason(
    approved_db: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    expect_line: str,
    action: str,
    reason: str,
) -> None:
    text = REFUSALS.read_text(encoding="utf-8")
    assert expect_line in text
    script = tmp_path / "refusals-minus-one.yaml"
    script.write_text(text.replace(expect_line, "", 1), encoding="utf-8")
    assert cli("run", script, "--db", approved_db) == 1
    err = capsys.readouterr().err
    assert action in err and reason in err, err
    assert err.count("\n") == 1, "one line per error"


def test_an_expectation_that_is_not_met_fails(
    approved_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = HAPPY.read_text(encoding="utf-8").replace(
        "  - confirm: {step: OP10.S10}\n",
        "  - confirm: {step: OP10.S10}\n  - expect: {outcome: refused, reason: sequence}\n",
    )
    script = tmp_path / "wrong-expect.yaml"
    script.write_text(text, encoding="utf-8")
    assert cli("run", script, "--db", approved_db) == 1
    err = capsys.readouterr().err
    assert "expected refused with sequence, but it was done" in err


def test_a_script_naming_an_unknown_step_is_refused_before_anything_runs(
    approved_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "unknown-step.yaml"
    script.write_text(HAPPY.read_text(encoding="utf-8").replace("OP30.S40", "OP30.S45"), encoding="utf-8")
    assert cli("run", script, "--db", approved_db) == 2
    err = capsys.readouterr().err.strip()
    assert "OP30.S45 is not a step of PARA500-GRAN v3" in err and ":29:" in err
    with sqlite3.connect(approved_db.removeprefix("sqlite:///")) as con:
        assert con.execute("select count(*) from batches").fetchone() == (0,)


def test_recipe_import_and_approval_exactly_as_the_design_names_them(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("master", "import", SITE, "--db", db_url) == 0
    assert cli("run", OQ_SETUP, "--db", db_url) == 0
    admin = as_user("adm.kim", tmp_path)
    assert cli("recipe", "import", RECIPE, "--db", db_url, *admin) == 0
    assert (
        cli("recipe", "import", RECIPE, "--db", db_url, *admin) == 0
    )  # the identical recipe again: nothing new
    changed = tmp_path / "changed.yaml"
    changed.write_text(
        RECIPE.read_text(encoding="utf-8").replace("value: 60.0", "value: 61.0"), encoding="utf-8"
    )
    capsys.readouterr()
    assert (
        cli("recipe", "import", changed, "--db", db_url, *admin) == 1
    )  # same code and version, other content
    assert "new version" in capsys.readouterr().err
    assert (
        cli(
            "recipe",
            "approve",
            "PARA500-GRAN",
            "3",
            "--user",
            "adm.kim",
            "--password-file",
            pw("Adm1n-Kim-2026.26"),
            "--db",
            db_url,
        )
        == 1
    )
    assert (
        cli(
            "recipe",
            "approve",
            "PARA500-GRAN",
            "3",
            "--user",
            "qa.dubois",
            "--password-file",
            pw("Rev1ew-Dubois.26"),
            "--db",
            db_url,
        )
        == 0
    )
