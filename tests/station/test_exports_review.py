"""The record leaves the station: exports and QA review through the command line, labels."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest
from pypdf import PdfReader

from ebr.database import open_database
from ebr.export.batchml import validate_batchml
from station.exports import print_dispense_label
from tests.station.conftest import HAPPY, REFUSALS, cli


@pytest.fixture
def completed_db(approved_db: str) -> str:
    assert cli("run", HAPPY, "--db", approved_db) == 0
    return approved_db


def test_json_export_verifies_offline_and_an_edit_is_caught(
    completed_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "b.json"
    assert cli("ebr", "export", "B-2611-001", "--format", "json", "-o", out, "--db", completed_db) == 0
    assert cli("ebr", "verify", "--file", out) == 0
    document = json.loads(out.read_bytes())
    assert document  # a JSON document
    text = out.read_text(encoding="utf-8")
    assert "60.02" in text
    edited = tmp_path / "edited.json"
    edited.write_text(text.replace("60.02", "60.03", 1), encoding="utf-8")
    capsys.readouterr()
    assert cli("ebr", "verify", "--file", edited) == 3
    assert "TAMPERED" in capsys.readouterr().err
    # Cut short (a transfer that broke off): unreadable input, exit 2, not "tampered".
    edited.write_bytes(out.read_bytes()[: len(text) // 2])
    assert cli("ebr", "verify", "--file", edited) == 2
    err = capsys.readouterr().err
    assert "cannot read: not valid JSON" in err and "TAMPERED" not in err
    # A key given twice is no accident of transfer: two readers may see two records.
    assert text.startswith("{")
    edited.write_text('{"format": "x", ' + text[1:], encoding="utf-8")
    assert cli("ebr", "verify", "--file", edited) == 3
    assert "appears twice" in capsys.readouterr().err


def test_pdf_export_reads_as_a_batch_record(completed_db: str, tmp_path: Path) -> None:
    out = tmp_path / "b.pdf"
    assert (
        cli(
            "ebr",
            "export",
            "B-2611-001",
            "--format",
            "pdf",
            "-o",
            out,
            "--db",
            completed_db,
            "--user",
            "qa.berg",
        )
        == 0
    )
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    first = reader.pages[0].extract_text()
    assert "B-2611-001" in first and "PARA500-GRAN" in first
    text = "\n".join(page.extract_text() for page in reader.pages)
    for needle in (
        "Exceptions",
        "Piotr Nowak",
        "Line clearance verified",
        "P24-0817",
        "60.02",
        f"Page 1 of {len(reader.pages)}",
        "Anders Berg",
    ):
        assert needle in text, needle


def test_batchml_export_validates(completed_db: str, tmp_path: Path) -> None:
    out = tmp_path / "b.xml"
    assert cli("ebr", "export", "B-2611-001", "--format", "batchml", "-o", out, "--db", completed_db) == 0
    assert validate_batchml(out.read_bytes()) == []


def test_export_of_an_unknown_batch_fails_cleanly(
    completed_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.json"
    assert cli("ebr", "export", "B-NOPE", "--format", "json", "-o", out, "--db", completed_db) == 1
    assert "B-NOPE" in capsys.readouterr().err
    assert not out.exists()
    # A folder (or a device, a pipe) under the output name is refused, never replaced.
    folder = tmp_path / "folder.json"
    folder.mkdir()
    assert cli("ebr", "export", "B-2611-001", "--format", "json", "-o", folder, "--db", completed_db) == 2
    assert "not a regular file" in capsys.readouterr().err
    assert folder.is_dir()


def test_qa_review_rules_and_the_review_in_every_export(
    completed_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    review = ["ebr", "review", "B-2611-001", "--comment", "Reviewed by exception: none", "--db", completed_db]
    # Not QA: refused. Wrong password: refused.
    assert cli(*review, "--approve", "--user", "sv.haddad", "--password", "Superv1se-Haddad") == 1
    assert "qa role" in capsys.readouterr().err
    assert cli(*review, "--approve", "--user", "qa.berg", "--password", "wrong") == 1
    capsys.readouterr()
    assert cli(*review, "--approve", "--user", "qa.berg", "--password", "Rev1ew-Berg") == 0
    assert "approved by Anders Berg" in capsys.readouterr().out
    # Once only.
    assert cli(*review, "--reject", "--user", "qa.dubois", "--password", "Rev1ew-Dubois") == 1
    assert "reviewed already" in capsys.readouterr().err
    out = tmp_path / "b.json"
    assert cli("ebr", "export", "B-2611-001", "--format", "json", "-o", out, "--db", completed_db) == 0
    assert "Batch record reviewed and approved" in out.read_text(encoding="utf-8")
    assert cli("ebr", "verify", "B-2611-001", "--db", completed_db) == 0


def test_an_unfinished_batch_cannot_be_reviewed(approved_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("run", REFUSALS, "--db", approved_db) == 0
    assert (
        cli(
            "ebr",
            "review",
            "B-2611-002",
            "--approve",
            "--user",
            "qa.berg",
            "--password",
            "Rev1ew-Berg",
            "--comment",
            "x",
            "--db",
            approved_db,
        )
        == 1
    )
    assert "in progress" in capsys.readouterr().err


def test_dispense_label_print_and_reprint_are_audited(completed_db: str, tmp_path: Path) -> None:
    db = open_database(completed_db)
    try:
        first = print_dispense_label(db, "B-2611-001", "OP20.S20", user="op.alvarez", folder=tmp_path)
        again = print_dispense_label(db, "B-2611-001", "OP20.S20", user="op.alvarez", folder=tmp_path)
    finally:
        db.dispose()
    assert first.read_bytes().startswith(b"%PDF") and again != first
    text = PdfReader(io.BytesIO(again.read_bytes())).pages[0].extract_text()
    assert "REPRINT" in text and "P24-0817" in text
    with sqlite3.connect(completed_db.removeprefix("sqlite:///")) as con:
        actions = [
            r[0]
            for r in con.execute("select action from audit_events where action like 'label.%' order by seq")
        ]
    assert actions == ["label.printed", "label.reprinted"]
    assert cli("ebr", "verify", "--db", completed_db) == 0
