"""The PDF: what a reviewer must find, where they must find it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from ebr.export._common import local_text, utc_text
from ebr.export.pdf_export import export_pdf
from ebr.export.record import BatchRecord
from tests.export.conftest import HAPPY_COMMENT, PRINTED_AT


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
        "Recipe approved for use by Claire Dubois (qa.dubois)",
        "Batch size 120 kg",
        f"Started {utc_text(h.started_at)}",
        local_text(h.started_at, "Europe/Berlin"),
        "by Maria Alvarez (op.alvarez)",
        f"Completed {utc_text(h.completed_at)}",
        "Status COMPLETED",
        "AUDIT TRAIL VERIFIED",
        f"verified intact — {len(happy.events)} events of this batch",
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
    cover = _flat(exceptional_pages[0])
    assert "24 EXCEPTIONS — SEE SECTION 1" in cover and "QA REVIEW: REJECTED" in cover
    for expected in (
        "Overridden refusals (2)",
        "weight_out_of_tolerance",
        "Within assay correction",
        "lot_retest_due",
        "QC retest passed (LIMS sample 26-11873)",
        "Deviations and how they were closed (5)",
        "DEV-05",
        "Closed by Leila Haddad (sv.haddad)",
        "Tachometer re-read; no impact",
        "Values outside their limits (1)",
        "171 rpm",
        "140 – 160 rpm",
        "Refused weighings and re-weighs (1 refused)",
        "Supervisor overrides (5)",
        "Actions the station refused (7)",
        "lot_wrong_material",
        "role_required",
    ):
        assert expected in exceptions.replace("_ ", "_"), expected
    assert "No exceptions" not in text


def test_refused_weighings_and_refusals_are_exceptions(refusals_pages: list[str]) -> None:
    text = _flat(" ".join(refusals_pages))
    exceptions = text[text.index("1 Exceptions") : text.index("2 Execution")]
    assert "Refused weighings and re-weighs (1 refused)" in exceptions
    assert "60.60 kg" in exceptions and "re-weigh ACCEPTED" in exceptions and "59.96 kg" in exceptions
    assert "59.7000 – 60.3000 kg" in exceptions
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


def test_steps_show_who_when_and_what(happy: BatchRecord, happy_pages: list[str]) -> None:
    text = _flat(" ".join(happy_pages))
    execution = text[text.index("2 Execution") : text.index("3 Materials")]
    for step in ("OP10.S10", "OP10.S20", "OP10.S30", "OP20.S10", "OP20.S70", "OP30.S50", "OP30.S60"):
        assert step in execution, step
    confirmed = next(s for _, s in happy.steps() if s.step_id == "OP10.S10").executions[0]
    when = confirmed.at.astimezone(dt.timezone(dt.timedelta(hours=1)))
    # the local date is shown too when it is not the UTC date (a batch run late in the UTC day)
    shown = (
        f"{when:%H:%M:%S}"
        if when.date() == confirmed.at.astimezone(dt.UTC).date()
        else f"{when:%Y-%m-%d %H:%M:%S}"
    )
    assert f"Maria Alvarez (op.alvarez) {utc_text(confirmed.at)} {shown} CET (local)" in execution
    assert "Confirmed: The room is clear of the previous batch" in execution
    assert "Limits: 1.0 – 2.5 %" in execution and "1.84 %" in execution
    assert "Electronically signed by Piotr Nowak (sv.nowak) Meaning: Line clearance verified" in execution
    assert "Net 60.02 kg (gross 61.27, tare 1.25) of lot P24-0817 on SCL-150-01" in execution


def test_materials_equipment_and_values(happy_pages: list[str]) -> None:
    text = _flat(" ".join(happy_pages))
    materials = text[text.index("3 Materials") : text.index("4 Equipment")]
    for expected in (
        "RM-0101 Paracetamol GTIN 04012345000108",
        "P24-0817 released expiry 2030-08-31",
        "Gross 61.27 kg Tare 1.25 kg",
        "60.02 kg",
        "SCL-150-01 (from the scale) S/N B150-4471920",
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
    assert "Batch record reviewed and approved" in review and HAPPY_COMMENT in review


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


def test_large_batch_paginates(large: BatchRecord) -> None:
    reader = PdfReader(io.BytesIO(export_pdf(large, "qa.dubois", PRINTED_AT)))
    total = len(reader.pages)
    assert total > 10
    assert f"Page {total} of {total}" in reader.pages[-1].extract_text()
    middle = reader.pages[total - 3].extract_text()  # the audit trail's header repeats on every page
    assert "Seq # Time (UTC) User Action Outcome" in " ".join(middle.split())


def test_printed_at_must_be_aware(happy: BatchRecord) -> None:
    with pytest.raises(ValueError, match="aware"):
        export_pdf(happy, "qa.dubois", dt.datetime(2026, 11, 6, 9, 15))


def _grid_pages(*flowables: object) -> list[str]:
    from reportlab.platypus import SimpleDocTemplate

    buffer = io.BytesIO()
    SimpleDocTemplate(buffer).build(list(flowables))
    return [page.extract_text() for page in PdfReader(io.BytesIO(buffer.getvalue())).pages]


def test_a_row_goes_whole_to_the_next_page_when_it_fits_there() -> None:
    """A table row is cut at a page break only when it is taller than a page: one that does
    not fit the rest of a page (a hash, a sentence) is printed whole on the next."""
    from reportlab.platypus import SimpleDocTemplate, Spacer

    from ebr.export._pdfgrid import Grid

    rows = [[f"row {n}", "\n".join(f"line {n}.{k}" for k in range(6))] for n in range(2)]
    frame = SimpleDocTemplate(io.BytesIO())
    one_row = Grid([1, 3], rows[:1], header=["Row", "Lines"], size=8).wrap(frame.width, frame.height)[1]
    room = one_row + 5 * 8 * 1.22  # the first row, the header again and two lines of the second
    first, second = _grid_pages(
        Spacer(1, frame.height - 12 - room), Grid([1, 3], rows, header=["Row", "Lines"], size=8)
    )
    assert "line 0.5" in first and "line 1.0" not in first
    assert all(f"line 1.{k}" in second for k in range(6))
    tall = [["tall", "\n".join(f"line {k}" for k in range(150))]]  # taller than a page: cut it must be
    pages = _grid_pages(Grid([1, 3], tall, header=["Row", "Lines"], size=8))
    assert len(pages) == 3 and re.findall(r"line (\d+)", " ".join(pages)) == [str(k) for k in range(150)]
