"""Dispense labels: the GS1-128 symbol carries exactly what the label says."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from code128_reader import read
from pypdf import PdfReader

from ebr.export._barcode import code128_modules, gs1_128_modules
from ebr.export._common import local_text
from ebr.export.labels import (
    dispense_label_pdf,
    human_readable,
    label_barcode_data,
    label_fields,
    label_symbols,
    net_weight_element,
)
from ebr.export.record import BatchRecord, LotConsumption

WHEN = dt.datetime(2026, 11, 3, 6, 40, tzinfo=dt.UTC)


def _label_text(consumption: LotConsumption, batch_id: str, **kw: object) -> str:
    pdf = dispense_label_pdf(
        consumption,
        batch_id,
        printed_by="op.alvarez",
        printed_at=WHEN,
        weighed_by_name="Maria Alvarez (op.alvarez)",
        site_timezone="Europe/Berlin",
        **kw,  # type: ignore[arg-type]
    )
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert round(float(box.width) / 72 * 25.4) == 100 and round(float(box.height) / 72 * 25.4) == 50
    return " ".join(reader.pages[0].extract_text().split())


@pytest.mark.parametrize(
    ("net", "unit", "readability", "element"),
    [
        ("60.02", "kg", "0.01", "3102006002"),
        ("3.6190", "kg", "0.0001", "3104036190"),
        ("2.4175", "kg", "0.0001", "3104024175"),
        ("60.00", "kg", "0.01", "3102006000"),
        ("2400", "g", "0.1", "3104024000"),
        ("120.5", "kg", "0.0001", "3103120500"),  # 4 decimals do not fit 6 digits: 3 do
        ("999999", "kg", None, "3100999999"),
        ("12.5", "lb", "0.01", "3202001250"),
    ],
)
def test_net_weight_decimals_follow_the_readability(
    net: str, unit: str, readability: str | None, element: str
) -> None:
    assert net_weight_element(Decimal(net), unit, Decimal(readability) if readability else None) == element


@pytest.mark.parametrize(("net", "unit"), [("1000000", "kg"), ("0.0000001", "kg"), ("1", "l"), ("-1", "kg")])
def test_net_weight_that_cannot_be_carried_is_refused(net: str, unit: str) -> None:
    with pytest.raises(ValueError):
        net_weight_element(Decimal(net), unit)


def test_happy_path_labels_decode_to_their_fields(happy: BatchRecord) -> None:
    decoder = pytest.importorskip("hardware.barcodes.decoder")
    for consumption in happy.consumptions:
        data = label_barcode_data(consumption, happy.batch_id)
        symbols = label_symbols(consumption, happy.batch_id, 95)
        assert [s for s, _ in symbols] == [data]  # one symbol on a 100 mm label
        gs1, bars = read(gs1_128_modules(data))  # what the bars carry, read back independently
        assert gs1 and bars == data
        item = decoder.decode_scan("]C1" + bars)
        assert isinstance(item, decoder.Gs1Item), item
        assert item.gtin == consumption.gtin
        assert item.lot == consumption.lot
        assert item.net_weight == consumption.net and item.net_weight_unit == "kg"
        assert item.fields["91"] == happy.batch_id


def test_label_shows_what_the_symbol_carries(happy: BatchRecord) -> None:
    consumption = happy.consumptions[2]  # povidone on the 0.0001 kg bench scale
    text = _label_text(consumption, happy.batch_id)
    for expected in (
        "DISPENSED FOR BATCH B-2611-001",
        "RM-0303 Povidone K30",
        "Lot K24-0220 RELEASED Expiry 2030-02-28",
        "NET 3.6190 kg",
        "Gross 3.9310 kg Tare 0.3120 kg",
        "SCL-006-01",
        "Maria Alvarez (op.alvarez)",
        local_text(consumption.weighed_at, "Europe/Berlin"),
        human_readable(label_fields(consumption, happy.batch_id)),
        "(3104)036190",
    ):
        assert expected in text, expected
    assert "REPRINT" not in text


def test_reprint_is_marked(happy: BatchRecord) -> None:
    text = _label_text(happy.consumptions[0], happy.batch_id, is_reprint=True)
    assert "REPRINT" in text and "REPRINT printed by op.alvarez" in text


def test_long_lot_and_batch_go_into_two_symbols(happy: BatchRecord) -> None:
    consumption = dataclasses.replace(happy.consumptions[0], lot="PARACETAMOL-2024-08-17-A1")
    batch = "B-2611-001-GRANULATION-A"
    symbols = label_symbols(consumption, batch, 95)
    assert len(symbols) == 2
    joined = "\x1d".join(s for s, _ in symbols)
    assert joined == label_barcode_data(consumption, batch)
    for data, x_mm in symbols:
        assert read(gs1_128_modules(data)) == (True, data)
        assert x_mm >= 2 * 25.4 / 300 - 1e-9
    assert "(91)B-2611-001-GRANULATION-A" in _label_text(consumption, batch)


def test_lot_ending_in_digits_before_the_separator(happy: BatchRecord) -> None:
    for lot in ("A1", "AB123", "12345", "X-1", "Z"):
        data = label_barcode_data(dataclasses.replace(happy.consumptions[0], lot=lot), "B-1")
        assert read(gs1_128_modules(data)) == (True, data)


def test_refused_weighing_gets_no_label(refusals: BatchRecord) -> None:
    refused = next(c for c in refusals.consumptions if not c.accepted)
    with pytest.raises(ValueError, match="accepted"):
        dispense_label_pdf(refused, refusals.batch_id, printed_by="x", printed_at=WHEN)


def test_material_without_gtin_gets_no_gs1_label(happy: BatchRecord) -> None:
    with pytest.raises(ValueError, match="GTIN"):
        label_barcode_data(dataclasses.replace(happy.consumptions[0], gtin=None), "B-1")


def test_batch_id_symbol_on_the_record(happy: BatchRecord) -> None:
    assert read(code128_modules(happy.batch_id)) == (False, happy.batch_id)


def test_the_station_prints_a_label_and_reprints_it(happy: BatchRecord, labels: Path) -> None:
    """``station.exports.print_dispense_label``: the first copy a print, the next a reprint
    marked so, both in the audit trail and both carrying the weighing as recorded."""
    printed = [e for e in happy.events if e["action"] in ("label.printed", "label.reprinted")]
    assert [(e["action"], e["entity_id"], e["user_id"], e["new_value"]["file"]) for e in printed] == [
        ("label.printed", "OP20.S20", "op.alvarez", "B-2611-001-OP20.S20-1.pdf"),
        ("label.reprinted", "OP20.S20", "op.alvarez", "B-2611-001-OP20.S20-2.pdf"),
    ]
    first, second = (
        " ".join(PdfReader(labels / e["new_value"]["file"]).pages[0].extract_text().split()) for e in printed
    )
    symbol = human_readable(label_fields(happy.consumptions[0], happy.batch_id))
    assert symbol in first and symbol in second and "(3102)006002" in symbol
    assert "REPRINT" not in first
    assert "REPRINT printed by Maria Alvarez" in second
