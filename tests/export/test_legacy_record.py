"""A database the station wrote before the record's vocabulary became typed classes
(tests/data/legacy/before-vocabulary.db) still verifies, exports and reads back as it was
recorded: through the command line, as a validation engineer would check it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from ebr.export.batchml import validate_batchml
from station.cli import main

LEGACY = Path(__file__).resolve().parents[1] / "data" / "legacy" / "before-vocabulary.db"
FORMATS = {"pdf": "pdf", "json": "json", "batchml": "xml"}


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A copy of the old database (it is never written), verified, and both batches exported
    in every format: the file of each (batch, format)."""
    folder = tmp_path_factory.mktemp("legacy")
    copy = folder / "station.db"
    shutil.copyfile(LEGACY, copy)
    url = f"sqlite:///{copy}"
    # As at a station: the store is upgraded once (its master data sealed as found), then the
    # read-only commands read it without changing it.
    assert main(["db", "upgrade", "--db", url]) == 0
    assert main(["ebr", "verify", "--db", url]) == 0
    files = {}
    for batch in ("B-RICH-1", "B-2611-001"):
        for fmt, suffix in FORMATS.items():
            out = folder / f"{batch}.{suffix}"
            assert main(["ebr", "export", batch, "--format", fmt, "-o", str(out), "--db", url]) == 0
            files[f"{batch}.{suffix}"] = out
    return files


def test_the_old_trail_verifies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "station.db"
    shutil.copyfile(LEGACY, copy)
    before = copy.read_bytes()
    # verify never migrates: the old store is named as such, and left as it was
    assert main(["ebr", "verify", "--db", f"sqlite:///{copy}"]) == 2
    err = capsys.readouterr().err
    assert f"database sqlite:///{copy} has schema 0001" in err and "run `mes-station db upgrade`" in err
    assert copy.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["station.db"]
    assert main(["db", "upgrade", "--db", f"sqlite:///{copy}"]) == 0
    assert main(["ebr", "verify", "--db", f"sqlite:///{copy}"]) == 0
    assert "the whole audit trail: intact" in capsys.readouterr().out


@pytest.mark.parametrize("batch", ["B-RICH-1", "B-2611-001"])
def test_every_export_of_an_old_batch_checks_out(
    exported: dict[str, Path], batch: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert validate_batchml(exported[f"{batch}.xml"].read_bytes()) == []
    assert main(["ebr", "verify", "--file", str(exported[f"{batch}.json"])]) == 0
    assert "intact" in capsys.readouterr().out
    pages = PdfReader(exported[f"{batch}.pdf"]).pages
    first = " ".join(pages[0].extract_text().split())
    assert batch in first and "AUDIT TRAIL VERIFIED" in first and f"Page 1 of {len(pages)}" in first


def _body(exported: dict[str, Path], batch: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(exported[f"{batch}.json"].read_bytes())
    return document


def test_the_rich_batch_reads_back_as_recorded(exported: dict[str, Path]) -> None:
    document = _body(exported, "B-RICH-1")
    body = document["batch_record"]
    assert document["header"]["status"] == "completed"
    steps = [s for o in body["operations"] for s in o["steps"]]
    assert len(steps) == 16 and {s["status"] for s in steps} == {"done"}
    assert [(d["origin"], d["closed_by"]) for d in body["deviations"]] == [
        ("check_not_as_expected", "sv.haddad"),
        ("override", "sv.haddad"),
        ("manual", "sv.haddad"),
        ("value_out_of_limits", "sv.haddad"),
    ]
    refusals = {r["uid"]: r for r in body["refusals"]}
    overridden = [refusals[o["refusal_uid"]] for o in body["overrides"] if o["refusal_uid"]]
    assert [(r["step_id"], r["action"]) for r in overridden] == [("OP20.S20", "weighing")]
    # A QA review refused before each refusal carried its sentence: the code is in its reason.
    assert ("review", "role_required") in [(r["action"], r["reason_code"]) for r in body["refusals"]]
    assert [(r["decision"], r["comment"]) for r in body["reviews"]] == [
        ("rejected", "Spill deviation needs CAPA")
    ]
    [out_of_limits] = [m for m in body["measurements"] if not m["in_limits"]]
    assert out_of_limits["deviation_uid"] == body["deviations"][3]["uid"]
    refused_weighing = next(c for c in body["consumptions"] if not c["accepted"])
    assert (refused_weighing["net"], refused_weighing["lot"]) == ("60.60", "P24-0817")
    actions = [e["action"] for e in document["audit_events"]]
    assert actions[1:3] == ["batch.held", "batch.resumed"]
    assert actions.count("label.printed") == actions.count("label.reprinted") == 1
    pdf = " ".join(PdfReader(exported["B-RICH-1.pdf"]).pages[0].extract_text().split())
    assert "QA REVIEW: REJECTED" in pdf and re.search(r"\d+ EXCEPTIONS — SEE SECTION 1", pdf)


def test_the_approved_batch_reads_back_as_recorded(exported: dict[str, Path]) -> None:
    body = _body(exported, "B-2611-001")["batch_record"]
    assert [c["net"] for c in body["consumptions"]] == ["60.02", "47.85", "3.6190", "2.4175"]
    assert [(r["decision"], r["reviewer"]) for r in body["reviews"]] == [("approved", "qa.dubois")]
    # Its four weights were typed into the script, not read from a scale: each is an exception
    # for the reviewer now (the record before said only "manual").
    assert body["exceptions"]["count"] == len(body["exceptions"]["manual_weighings"]) == 4
    pdf = " ".join(PdfReader(exported["B-2611-001.pdf"]).pages[0].extract_text().split())
    assert "QA REVIEW: APPROVED" in pdf and "4 EXCEPTIONS" in pdf
