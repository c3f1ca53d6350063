"""The PDF: what a reviewer must find, where they must find it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from ebr.export.pdf_export import export_pdf
from ebr.export.record import BatchRecord
from tests.export import export_samples
from tests.export.conftest import PRINTED_AT


def _pages(record: BatchRecord, printed_by: str = "qa.dubois") -> list[str]:
    reader = PdfReader(io.BytesIO(export_pdf(record, printed_by, PRINTED_AT)))
    return [page.extract_text() for page in reader.pages]


@pytest.fixture(scope="module")
def happy_pages(happy: BatchRecord) -> list[str]:
    return _pages(happy)


@pytest.fixture(scope="module")
def exceptional_pages(exceptional: BatchRecord) -> list[str]:
    return _pages(exceptional)


@pytest.fixture(scope="module")
def refusals_pages(refusals: BatchRecord) -> list[str]:
    return _pages(refusals)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_first_page_names_the_batch(happy: BatchRecord, happy_pages: list[str]) -> None:
    first = _flat(happy_pages[0])
    h = happy.header
    for expected in (
        "ELECTRONIC BATCH RECORD",
        "B-2611-001",
        "Paracetamol 500 mg granulate",
        "PARA500-GRANULE",
        "PARA500-GRAN version 3",
        h.recipe_content_hash,
        "Batch size 120 kg",
        "Started 2026-11-03 06:30:59 UTC",
        "07:30:59 CET (UTC+01:00)",
        "Completed 2026-11-03 06:43:43 UTC",
        "Status COMPLETED",
        "AUDIT TRAIL VERIFIED",
        "QA REVIEW: APPROVED",
        "NO EXCEPTIONS",
    ):
        assert expected in first, expected


def test_exceptions_come_first(happy_pages: list[str], exceptional_pages: list[str]) -> None:
    happy_text = _flat(" ".join(happy_pages))
    assert happy_text.index("1 Exceptions") < happy_text.index("2 Execution, step by step")
    assert "No exceptions." in _flat(happy_pages[0])
    text = _flat(" ".join(exceptional_pages))
    first = text.index("1 Exceptions")
    assert (
        first < text.index("2 Execution") < text.index("3 Materials") < text.index("Appendix A Audit trail")
    )
    exceptions = text[first : text.index("2 Execution")]
    for expected in (
        "Overridden refusals (1)",
        "lot_retest_due",
        "QC retest passed 2026-11-04 (LIMS sample 26-11873); WMS status update pending.",
        "Deviations and how they were closed (3)",
        "DEV-01",
        "Closed by Piotr Nowak (sv.nowak)",
        "re-test LOD 1.95 %",
        "Values outside their limits (1)",
        "2.71 %",
        "1.0 – 2.5 %",
        "Supervisor overrides (1)",
        "Leila Haddad",
    ):
        assert expected in exceptions, expected
    assert "No exceptions" not in text


def test_refused_weighings_and_refusals_are_exceptions(refusals_pages: list[str]) -> None:
    text = _flat(" ".join(refusals_pages))
    exceptions = text[text.index("1 Exceptions") : text.index("2 Execution")]
    assert "Refused weighings and re-weighs (1 refused)" in exceptions
    assert "60.60 kg" in exceptions and "re-weigh ACCEPTED" in exceptions and "59.96 kg" in exceptions
    assert "Actions the station refused (4)" in exceptions
    for code in (
        "independent_signer_required",
        "signature_invalid",
        "equipment_calibration_due",
        "lot_quarantined",
    ):
        assert code in exceptions.replace("_ ", "_"), code
    assert "QA REVIEW: NOT YET" in _flat(refusals_pages[0]) and "IN PROGRESS" in _flat(refusals_pages[0])
    assert "Not yet reviewed by QA." in text


def test_every_footer_has_page_x_of_y_record_hash_and_printer(
    happy: BatchRecord, happy_pages: list[str]
) -> None:
    total = len(happy_pages)
    for number, text in enumerate(happy_pages, start=1):
        flat = _flat(text)
        assert f"Page {number} of {total}" in flat
        assert happy.chain_head in flat
        assert "Printed by Claire Dubois (qa.dubois) on 2026-11-06 09:15:00 UTC" in flat
    assert "Page 1 of" in happy_pages[0]


def test_steps_show_who_when_and_what(happy_pages: list[str]) -> None:
    text = _flat(" ".join(happy_pages))
    execution = text[text.index("2 Execution") : text.index("3 Materials")]
    for step in ("OP10.S10", "OP10.S20", "OP10.S30", "OP20.S10", "OP20.S70", "OP30.S50", "OP30.S60"):
        assert step in execution, step
    assert "Maria Alvarez (op.alvarez) 2026-11-03 06:31:36 UTC 07:31:36 CET (local)" in execution
    assert "Limits: 1.0 – 2.5 %" in execution and "1.84 %" in execution
    assert "Electronically signed by Piotr Nowak (sv.nowak) Meaning: Line clearance verified" in execution


def test_materials_equipment_and_values(happy_pages: list[str]) -> None:
    text = _flat(" ".join(happy_pages))
    materials = text[text.index("3 Materials") : text.index("4 Equipment")]
    for expected in (
        "RM-0101 Paracetamol GTIN 04012345000108",
        "P24-0817 released expiry 2030-08-31",
        "Gross 61.27 kg Tare 1.25 kg",
        "60.02 kg",
        "S/N MT-B934211087",
        "3.6190 kg",
        "retest 2030-02-28",
        "2400 g",
    ):
        assert expected in materials, expected
    equipment = text[text.index("4 Equipment") : text.index("5 Measured")]
    assert "SCL-150-01" in equipment and "2030-03-31" in equipment and "2030-12-31 00:00 UTC" in equipment
    values = text[text.index("5 Measured") : text.index("6 Electronic")]
    assert "150 rpm" in values and "140 – 160 rpm" in values and "yes" in values


def test_signatures_are_manifested(happy: BatchRecord, happy_pages: list[str]) -> None:
    text = _flat(" ".join(happy_pages))
    section = text[text.index("6 Electronic signatures") : text.index("7 QA review")]
    for signature in happy.signatures:
        utc = signature.signed_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        local = (signature.signed_at + dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S CET")
        assert signature.printed_name in section
        assert signature.meaning in section
        assert utc in section and local in section
        assert signature.signed_hash[:20] in section.replace(" ", "")
    review = text[text.index("7 QA review") : text.index("8 People")]
    assert "APPROVED" in review and "Claire Dubois (qa.dubois)" in review
    assert "Batch record reviewed and approved" in review


def test_the_audit_trail_is_complete(exceptional: BatchRecord, exceptional_pages: list[str]) -> None:
    appendix = " ".join(
        exceptional_pages[next(i for i, t in enumerate(exceptional_pages) if "Appendix A" in t) :]
    )
    compact = appendix.replace("\n", "").replace(" ", "")
    for event in exceptional.events:
        assert event["hash"] in compact, event["seq"]
        assert event["action"] in compact


def test_personnel_and_training(happy_pages: list[str]) -> None:
    text = _flat(" ".join(happy_pages))
    people = text[text.index("8 People") :]
    assert "SOP-DISP-003 rev 7, trained 2026-05-11, expires 2030-05-11" in people


def test_unverified_chain_is_shouted(happy: BatchRecord) -> None:
    header = dataclasses.replace(happy.header, chain_verified=False)
    first = _flat(_pages(dataclasses.replace(happy, header=header))[0])
    assert "AUDIT TRAIL NOT VERIFIED" in first and "FAILED verification" in first


def test_names_outside_latin1_are_printed(happy: BatchRecord) -> None:
    people = tuple(
        dataclasses.replace(p, name="Łukasz Wróbel-Øster") if p.user_id == "sv.nowak" else p
        for p in happy.personnel
    )
    signatures = tuple(
        dataclasses.replace(s, printed_name="Łukasz Wróbel-Øster") if s.user_id == "sv.nowak" else s
        for s in happy.signatures
    )
    pages = _pages(dataclasses.replace(happy, personnel=people, signatures=signatures))
    text = _flat(" ".join(pages))
    assert "Łukasz Wróbel-Øster" in text


def test_large_batch_paginates() -> None:
    record = export_samples.synthetic(n_steps=40, n_events=500)
    reader = PdfReader(io.BytesIO(export_pdf(record, "qa.dubois", PRINTED_AT)))
    total = len(reader.pages)
    assert total > 10
    assert f"Page {total} of {total}" in reader.pages[-1].extract_text()
    middle = reader.pages[total - 3].extract_text()  # the audit trail's header repeats on every page
    assert "Seq # Time (UTC) User Action Outcome" in " ".join(middle.split())


def test_printed_at_must_be_aware(happy: BatchRecord) -> None:
    with pytest.raises(ValueError, match="aware"):
        export_pdf(happy, "qa.dubois", dt.datetime(2026, 11, 6, 9, 15))
