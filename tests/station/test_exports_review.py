"""The record leaves the station: exports and QA review through the command line, labels."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest
from pypdf import PdfReader

from ebr import events as ev
from ebr.database import open_database
from ebr.export.batchml import validate_batchml
from ebr.lifecycle import BatchStatus
from gating.facts import Actor
from gating.reasons import GatePolicy, ReasonCode
from station.engine import api
from station.engine.engine import Engine
from station.exports import ReviewRefused, print_dispense_label, review_batch, review_refusal
from tests.station.conftest import HAPPY, REFUSALS, cli, do, pw


def refused_reviews(url: str, batch_id: str) -> list[tuple[str | None, tuple[str, ...], str]]:
    """The refused reviews of a batch as the record holds them: who, the codes, the sentence."""
    db = open_database(url)
    try:
        with db.unit_of_work(read_only=True) as uow:
            return [
                (r.user_id, r.event.codes, r.event.refusals[0].sentence)
                for r in uow.stream(batch_id)
                if isinstance(r.event, ev.ActionRefused) and r.event.attempted == "review"
            ]
    finally:
        db.dispose()


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
    assert cli(*review, "--approve", "--user", "sv.haddad", "--password-file", pw("Superv1se-Haddad.26")) == 1
    assert "qa role" in capsys.readouterr().err
    assert cli(*review, "--approve", "--user", "qa.berg", "--password-file", pw("wrong")) == 1
    capsys.readouterr()
    assert cli(*review, "--approve", "--user", "qa.berg", "--password-file", pw("Rev1ew-Berg.26")) == 0
    assert "approved by Anders Berg" in capsys.readouterr().out
    # Once only.
    assert cli(*review, "--reject", "--user", "qa.dubois", "--password-file", pw("Rev1ew-Dubois.26")) == 1
    assert "reviewed already" in capsys.readouterr().err
    out = tmp_path / "b.json"
    assert cli("ebr", "export", "B-2611-001", "--format", "json", "-o", out, "--db", completed_db) == 0
    assert "Batch record reviewed and approved" in out.read_text(encoding="utf-8")
    assert cli("ebr", "verify", "B-2611-001", "--db", completed_db) == 0
    # Each refusal is in the batch's record with its code and the sentence the reviewer read;
    # the wrong password is not (it is the site's: a failed signature).
    assert refused_reviews(completed_db, "B-2611-001") == [
        ("sv.haddad", ("role_required",), "Leila Haddad does not hold the qa role a batch review needs"),
        ("qa.dubois", ("sequence",), "batch B-2611-001 has been reviewed already"),
    ]
    db = open_database(completed_db)
    try:
        with db.unit_of_work(read_only=True) as uow:
            review = uow.batch_review("B-2611-001")
            assert review is not None and review.user_id == "qa.berg"
            assert (review.event.verdict, review.event.comment) == ("approved", "Reviewed by exception: none")
            assert uow.reviews() == (review,)
    finally:
        db.dispose()


def test_a_qa_user_who_took_part_in_the_batch_may_not_review_it(
    completed_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Whoever did anything in the batch is no independent reviewer, QA or not: here qa.dubois
    printed a dispense label of it."""
    db = open_database(completed_db)
    try:
        print_dispense_label(db, "B-2611-001", "OP20.S20", user="qa.dubois", folder=tmp_path)
    finally:
        db.dispose()
    review = ["ebr", "review", "B-2611-001", "--approve", "--comment", "ok", "--db", completed_db]
    assert cli(*review, "--user", "qa.dubois", "--password-file", pw("Rev1ew-Dubois.26")) == 1
    assert "Claire Dubois took part in batch B-2611-001" in capsys.readouterr().err
    assert refused_reviews(completed_db, "B-2611-001") == [
        (
            "qa.dubois",
            ("independent_signer_required",),
            "Claire Dubois took part in batch B-2611-001: an independent QA reviewer is needed",
        )
    ]
    assert cli(*review, "--user", "qa.berg", "--password-file", pw("Rev1ew-Berg.26")) == 0


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
            "--password-file",
            pw("Rev1ew-Berg.26"),
            "--comment",
            "x",
            "--db",
            approved_db,
        )
        == 1
    )
    assert "in progress" in capsys.readouterr().err
    # On hold, as the replay of its stream says, and refused so whatever the site lets a
    # supervisor override at a step: a review is never overridden.
    engine = Engine(open_database(approved_db))
    try:
        do(
            engine,
            api.Login(user="op.alvarez", password="Granul8-Alvarez.26"),
            api.OpenBatch("B-2611-002"),
            api.Hold("scale alarm"),
        )
    finally:
        engine.close()
    db = open_database(approved_db)
    try:
        with pytest.raises(ReviewRefused) as refused:
            review_batch(
                db,
                "B-2611-002",
                approve=True,
                user="qa.berg",
                password="Rev1ew-Berg.26",
                comment="x",
                policy=GatePolicy().soften(ReasonCode.SEQUENCE),
            )
        with db.unit_of_work(read_only=True) as uow:
            state = uow.batch_state("B-2611-002")
            assert state is not None and state.status is BatchStatus.ON_HOLD
    finally:
        db.dispose()
    assert refused.value.code == ReasonCode.SEQUENCE
    assert str(refused.value) == "batch B-2611-002 is on hold: only a completed batch is reviewed"
    assert [who for who, _, _ in refused_reviews(approved_db, "B-2611-002")] == ["qa.berg", "qa.berg"]


def test_a_review_says_the_first_reason_that_applies() -> None:
    """Role, then independence, then the batch's status, then an earlier review: the reason
    given is the first, in the review's own words; the code is the gate's."""
    operator = Actor("op.alvarez", "Maria Alvarez", frozenset({"operator"}))
    reviewer = Actor("qa.berg", "Anders Berg", frozenset({"qa"}))

    def said(who: Actor, took_part: set[str], status: BatchStatus, reviewed: bool) -> tuple[str, str] | None:
        found = review_refusal(who, "B-1", status=status, participants=took_part, reviewed=reviewed)
        return None if found is None else (found.code.value, found.sentence)

    everything_wrong = ({"op.alvarez", "qa.berg"}, BatchStatus.IN_PROGRESS, True)
    assert said(operator, *everything_wrong) == (
        "role_required",
        "Maria Alvarez does not hold the qa role a batch review needs",
    )
    assert said(reviewer, *everything_wrong) == (
        "independent_signer_required",
        "Anders Berg took part in batch B-1: an independent QA reviewer is needed",
    )
    assert said(reviewer, set(), BatchStatus.IN_PROGRESS, True) == (
        "sequence",
        "batch B-1 is in progress: only a completed batch is reviewed",
    )
    assert said(reviewer, set(), BatchStatus.COMPLETED, True) == (
        "sequence",
        "batch B-1 has been reviewed already",
    )
    assert said(reviewer, {"op.alvarez"}, BatchStatus.COMPLETED, False) is None


def test_dispense_label_print_and_reprint_are_audited(completed_db: str, tmp_path: Path) -> None:
    db = open_database(completed_db)
    try:
        first = print_dispense_label(db, "B-2611-001", "OP20.S20", user="op.alvarez", folder=tmp_path)
        again = print_dispense_label(db, "B-2611-001", "OP20.S20", user="op.alvarez", folder=tmp_path)
        # Another weighing's label is its own first print, whatever was printed before it.
        other = print_dispense_label(db, "B-2611-001", "OP20.S60", user="op.alvarez", folder=tmp_path)
        with db.unit_of_work(read_only=True) as uow:
            prints = [
                (r.event.copy, r.event.file, r.user_id) for r in uow.label_prints("B-2611-001", "OP20.S20")
            ]
            assert [r.event.copy for r in uow.label_prints("B-2611-001", "OP20.S60")] == [1]
            assert uow.label_prints("B-2611-001", "OP20.S30") == ()
    finally:
        db.dispose()
    assert first.read_bytes().startswith(b"%PDF") and again != first
    assert prints == [(1, first.name, "op.alvarez"), (2, again.name, "op.alvarez")]
    text = PdfReader(io.BytesIO(again.read_bytes())).pages[0].extract_text()
    assert "REPRINT" in text and "P24-0817" in text
    assert other.name == "B-2611-001-OP20.S60-1.pdf"
    assert "REPRINT" not in PdfReader(io.BytesIO(other.read_bytes())).pages[0].extract_text()
    with sqlite3.connect(completed_db.removeprefix("sqlite:///")) as con:
        actions = [
            r[0]
            for r in con.execute("select action from audit_events where action like 'label.%' order by seq")
        ]
    assert actions == ["label.printed", "label.reprinted", "label.printed"]
    assert cli("ebr", "verify", "--db", completed_db) == 0
