"""The dispense label in ZPL, printed on the label printer simulator: the symbol it prints
carries exactly the element string of the PDF label, for every weighing of a real batch."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ebr.export.labels import label_barcode_data, label_symbols
from ebr.export.record import BatchRecord
from ebr.export.zpl import barcode_data, dispense_label_zpl, field_text
from hardware.printers import print_zpl
from hardware.printers.zpl_render import render
from hardware.simulators.printer import LabelPrinterSimulator

WHEN = dt.datetime(2026, 11, 3, 6, 40, tzinfo=dt.UTC)


def _zpl(record: BatchRecord, step: str, *, reprint: bool = False) -> bytes:
    consumption = next(c for c in record.consumptions if c.step_id == step and c.accepted)
    return dispense_label_zpl(
        consumption,
        record.batch_id,
        printed_by="Maria Alvarez",
        printed_at=WHEN,
        site_timezone="Europe/Berlin",
        is_reprint=reprint,
    )


def test_every_weighing_prints_the_pdf_labels_symbol(happy: BatchRecord, tmp_path: Path) -> None:
    accepted = [c for c in happy.consumptions if c.accepted]
    assert len(accepted) == 4
    with LabelPrinterSimulator(tmp_path, port=0) as printer:
        for consumption in accepted:
            print_zpl(printer.address, _zpl(happy, consumption.step_id))
        printer.wait_for(len(accepted))
        assert printer.refused == []
    for number, consumption in enumerate(accepted, start=1):
        job = (tmp_path / f"label-{number:04d}.zpl").read_text(encoding="utf-8")
        label = render(job)
        wanted = [data for data, _ in label_symbols(consumption, happy.batch_id, 95.0, 300)]
        assert label.symbols == wanted
        assert "".join(wanted).replace("\x1d", "") == label_barcode_data(consumption, happy.batch_id).replace(
            "\x1d", ""
        )
        assert f"DISPENSED FOR BATCH {happy.batch_id}" in label.texts
        assert any(t.startswith("NET ") for t in label.texts) and label.ignored == []


def test_a_reprint_says_so(happy: BatchRecord) -> None:
    label = render(_zpl(happy, "OP20.S20", reprint=True).decode("utf-8"))
    assert "REPRINT" in label.texts
    assert any(t.startswith("REPRINT printed by Maria Alvarez") for t in label.texts)


@pytest.mark.parametrize(
    ("text", "escaped"), [("a^b", "a_5Eb"), ("50~ tilde", "50_7E tilde"), ("x_y", "x_5Fy"), ("µg", "µg")]
)
def test_text_cannot_end_a_field_or_start_a_command(text: str, escaped: str) -> None:
    assert field_text(text) == escaped


def test_the_symbol_data_marks_gs1_and_ends_variable_fields() -> None:
    assert barcode_data("0104012345000108\x1d91B") == ">;>80104012345000108>891B"
