"""The decoder on a table of real-world scans, and on the scans of the reference batch scripts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from hardware.barcodes.decoder import Gs1Item, PlainId, Unreadable, decode_scan, to_json, unescape_separators

DATA = Path(__file__).resolve().parents[1] / "data"
GS = "\x1d"

# (scan, expected fields of the Gs1Item)
GS1_SCANS: list[tuple[str | bytes, dict[str, Any]]] = [
    # GS1-128, the last field variable-length: no GS needed
    (
        "]C101040123450001081730083110P24-0817",
        {"symbology": "]C1", "gtin": "04012345000108", "expiry": date(2030, 8, 31), "lot": "P24-0817"},
    ),
    # GS1-128 with a GS after the variable-length lot
    (
        "]C1010401234500020710M24-1130\x1d17301130",
        {"gtin": "04012345000207", "lot": "M24-1130", "expiry": date(2030, 11, 30)},
    ),
    # the same scan as bytes, as a serial scanner delivers it
    (
        b"]C1010401234500020710M24-1130\x1d17301130",
        {"gtin": "04012345000207", "lot": "M24-1130", "expiry": date(2030, 11, 30)},
    ),
    # GS1 DataMatrix with ]d2: expiry day 00 = last day of the month, serial, net weight in kg
    (
        "]d201040123450001081730080021SN-000123\x1d3103012345\x1d10K24-0220",
        {
            "symbology": "]d2",
            "gtin": "04012345000108",
            "expiry": date(2030, 8, 31),
            "serial": "SN-000123",
            "net_weight": Decimal("12.345"),
            "net_weight_unit": "kg",
            "lot": "K24-0220",
        },
    ),
    # day 00 in February of a leap year and of a common year
    ("]d2010401234500010817280200", {"expiry": date(2028, 2, 29)}),
    ("]d2010401234500010817270200", {"expiry": date(2027, 2, 28)}),
    # AI 3103 net weight 61.234 kg, AI 3202 net weight in pounds, AI 30 quantity
    ("]C101040123450001083103061234", {"net_weight": Decimal("61.234"), "net_weight_unit": "kg"}),
    ("]C101040123450001083202135008", {"net_weight": Decimal("1350.08"), "net_weight_unit": "lb"}),
    ("]C1010401234500010830120\x1d10LOT7", {"quantity": 120, "lot": "LOT7"}),
    # GS1 QR with ]Q3, GS1 DataBar with ]e0
    (
        "]Q3010401234500030617300228",
        {"symbology": "]Q3", "gtin": "04012345000306", "expiry": date(2030, 2, 28)},
    ),
    ("]e0010401234500050417300131", {"symbology": "]e0", "gtin": "04012345000504"}),
    # EAN-13 with ]E0: the GTIN as 14 digits
    ("]E04012345000108", {"symbology": "]E0", "gtin": "04012345000108", "fields": {"01": "04012345000108"}}),
    # no symbology identifier (keyboard wedge without AIM): element strings, a leading GS (FNC1), a bare GTIN
    ("010401234500010817300831", {"symbology": None, "gtin": "04012345000108", "expiry": date(2030, 8, 31)}),
    ("\x1d010401234500010810ABC", {"symbology": None, "lot": "ABC"}),
    ("4012345000108", {"symbology": None, "gtin": "04012345000108"}),
    # SSCC only: no GTIN, the SSCC in the fields
    ("]C100340123450000000000", {"gtin": None, "fields": {"00": "340123450000000000"}}),
    # trailing CR LF from a keyboard wedge is ignored
    ("]C101040123450001081730083110P24-0817\r\n", {"lot": "P24-0817"}),
]


@pytest.mark.parametrize(("scan", "expected"), GS1_SCANS, ids=[repr(scan)[:48] for scan, _ in GS1_SCANS])
def test_gs1_scans(scan: str | bytes, expected: dict[str, Any]) -> None:
    item = decode_scan(scan)
    assert isinstance(item, Gs1Item), item
    for name, value in expected.items():
        assert getattr(item, name) == value, name
    assert item.raw == (scan if isinstance(scan, str) else scan.decode())


def test_all_fields_are_kept() -> None:
    item = decode_scan("]C1010401234500020710M24-1130\x1d17301130")
    assert isinstance(item, Gs1Item)
    assert item.fields == {"01": "04012345000207", "10": "M24-1130", "17": "301130"}


def test_without_gs_a_variable_field_runs_to_the_end() -> None:
    """No GS after the lot: the lot takes the rest, as the GS1 rules say. Scanners must send GS."""
    item = decode_scan("]C1010401234500020710M24-113017301130")
    assert isinstance(item, Gs1Item)
    assert (item.lot, item.expiry) == ("M24-113017301130", None)


@pytest.mark.parametrize(
    ("scan", "reason"),
    [
        ("]C101040123450001091730083110P24-0817", "check digit"),  # GTIN check digit 9, not 8
        ("]E04012345000109", "check digit"),
        ("010401234500010917300831", "check digit"),  # without AIM: still GS1, still wrong
        ("]C100340123450000000005", "check digit"),  # SSCC
        ("]C1010401234500010817301301", "17"),  # month 13
        ("]C1010401234500010817300231", "17"),  # 31 February
        ("]C1garbage", "GS1"),
        ("]C1", "no data"),
        ("]", "symbology"),
        ("]C", "symbology"),
        ("", "empty"),
        ("   \r\n", "empty"),
        ("SCL\x00150", "control character"),
        (b"\x00\x01\x02\xff", "control character"),
        ("]C0ABC\x1dDEF", "GS"),
        ("]C101040123450001081010A\x1d10B", "twice"),
        ("x" * 9000, "longer"),
    ],
)
def test_unreadable_scans(scan: str | bytes, reason: str) -> None:
    result = decode_scan(scan)
    assert isinstance(result, Unreadable), result
    assert reason.lower() in result.reason.lower()
    assert result.raw == (scan if isinstance(scan, str) else scan.decode("latin-1"))


@pytest.mark.parametrize(
    ("scan", "symbology", "value"),
    [
        ("SCL-150-01", None, "SCL-150-01"),
        ("GRN-01", None, "GRN-01"),
        ("B100234", None, "B100234"),
        ("]C0SCL-006-01", "]C0", "SCL-006-01"),  # Code 128 without FNC1: not GS1
        ("]A0EQ-42", "]A0", "EQ-42"),
        ("]Q1ROOM 12", "]Q1", "ROOM 12"),
        ("]d1BADGE-7", "]d1", "BADGE-7"),
        ("12345678", None, "12345678"),  # digits, but not a GTIN-13/14
        ("4012345000109", None, "4012345000109"),  # 13 digits, check digit wrong: not a GTIN
    ],
)
def test_plain_identifiers(scan: str, symbology: str | None, value: str) -> None:
    assert decode_scan(scan) == PlainId(scan, symbology, value)


def test_unescape_separators() -> None:
    assert unescape_separators("10A<GS>17301130") == "10A\x1d17301130"
    assert unescape_separators("10A<gs>17301130") == "10A\x1d17301130"
    assert unescape_separators("10A\\x1d17301130") == "10A\x1d17301130"
    assert unescape_separators("10A\\x1D17301130") == "10A\x1d17301130"
    assert unescape_separators("10A\x1d17301130") == "10A\x1d17301130"


def test_to_json() -> None:
    assert to_json(decode_scan("]d201040123450001081730080021SN1\x1d3103012345")) == {
        "kind": "gs1",
        "raw": "]d201040123450001081730080021SN1\x1d3103012345",
        "symbology": "]d2",
        "gtin": "04012345000108",
        "lot": None,
        "expiry": "2030-08-31",
        "serial": "SN1",
        "net_weight": "12.345",
        "net_weight_unit": "kg",
        "quantity": None,
        "fields": {"01": "04012345000108", "17": "300800", "21": "SN1", "3103": "012345"},
    }
    assert to_json(decode_scan("SCL-150-01")) == {
        "kind": "plain",
        "raw": "SCL-150-01",
        "symbology": None,
        "value": "SCL-150-01",
    }
    assert to_json(decode_scan("]C1")) == {
        "kind": "unreadable",
        "raw": "]C1",
        "reason": "no data after the symbology identifier",
    }


def _script_scans() -> list[str]:
    yaml = YAML(typ="safe")
    codes: list[str] = []
    for path in sorted((DATA / "scripts").glob("*.yaml")):
        for action in yaml.load(path.read_text())["actions"]:
            if "scan" in action:
                codes.append(action["scan"]["code"])
    return codes


def _material_gtins() -> set[str]:
    site = YAML(typ="safe").load((DATA / "masterdata" / "site.yaml").read_text())
    return {str(material["gtin"]) for material in site["materials"]}


def test_every_scan_of_the_reference_scripts() -> None:
    codes = _script_scans()
    assert len(codes) >= 10
    gtins = _material_gtins()
    for code in codes:
        scan = decode_scan(code)
        if code.startswith("]C1"):
            assert isinstance(scan, Gs1Item), code
            assert scan.gtin in gtins, code
            assert scan.lot and scan.expiry is not None, code
        else:
            assert scan == PlainId(code, None, code)


@pytest.mark.parametrize(
    ("code", "gtin", "expiry", "lot"),
    [
        ("]C101040123450001081730083110P24-0817", "04012345000108", date(2030, 8, 31), "P24-0817"),
        ("]C1010401234500020710M24-1130\x1d17301130", "04012345000207", date(2030, 11, 30), "M24-1130"),
        ("]C101040123450003061730022810K24-0220", "04012345000306", date(2030, 2, 28), "K24-0220"),
        ("]C101040123450005041730013110C25-0103", "04012345000504", date(2030, 1, 31), "C25-0103"),
        ("]C101040123450001081730053110P24-0502", "04012345000108", date(2030, 5, 31), "P24-0502"),
    ],
)
def test_reference_script_scans(code: str, gtin: str, expiry: date, lot: str) -> None:
    assert code in _script_scans()
    scan = decode_scan(code)
    assert isinstance(scan, Gs1Item)
    assert (scan.gtin, scan.expiry, scan.lot, scan.symbology) == (gtin, expiry, lot, "]C1")
