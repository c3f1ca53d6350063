"""Scaling to a batch size, mass units, the content hash and ``recipe validate``."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recipes import (
    Quantity,
    UnitError,
    content_hash,
    convert,
    is_mass_unit,
    load_recipe,
    parse_recipe,
    scale_recipe,
    validate_files,
)

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "recipes" / "para500-granulation.yaml"
SOURCE = REFERENCE.read_text(encoding="utf-8")
RECIPE = load_recipe(REFERENCE)


def D(text: str | int) -> Decimal:
    return Decimal(text)


# ---------------------------------------------------------------- units


@pytest.mark.parametrize(
    ("value", "from_unit", "to_unit", "expected"),
    [
        ("2400", "g", "kg", "2.4"),
        ("3.6", "kg", "g", "3600"),
        ("1", "mg", "kg", "0.000001"),
        ("1", "lb", "kg", "0.45359237"),
        ("1", "lb", "g", "453.59237"),
        ("0.45359237", "kg", "lb", "1"),
        ("5", "kg", "kg", "5"),
    ],
)
def test_convert_is_exact(value: str, from_unit: str, to_unit: str, expected: str) -> None:
    assert convert(D(value), from_unit, to_unit) == D(expected)


def test_non_mass_units_are_refused() -> None:
    assert is_mass_unit("kg") and not is_mass_unit("L") and not is_mass_unit(None)
    with pytest.raises(UnitError):
        convert(D(1), "kg", "L")


@given(
    st.decimals(min_value=D("0.0001"), max_value=D("100000"), places=4),
    st.sampled_from(["mg", "g", "kg", "lb"]),
)
def test_metric_round_trip_is_exact(value: Decimal, unit: str) -> None:
    assert convert(convert(value, "kg", "g"), "g", "kg") == value
    assert convert(convert(value, "kg", "mg"), "mg", "kg") == value
    assert abs(convert(convert(value, "kg", unit), unit, "kg") - value) < D("1e-40")


# ---------------------------------------------------------------- scaling


def test_half_batch_halves_targets_and_bounds() -> None:
    control = scale_recipe(RECIPE, Quantity(D(60), "kg"))
    assert control.factor == D("0.5")
    paracetamol = control.weighing("OP20.S20")
    assert paracetamol.target == Quantity(D(30), "kg")
    assert (paracetamol.low, paracetamol.high) == (D("29.85"), D("30.15"))
    assert control.master is RECIPE and control.content_hash == content_hash(RECIPE)


def test_full_batch_bounds_are_those_the_refusal_script_relies_on() -> None:
    paracetamol = scale_recipe(RECIPE, Quantity(D(120), "kg")).weighing("OP20.S20")
    assert (paracetamol.low, paracetamol.high) == (D("59.7"), D("60.3"))  # net 60.60 kg is refused


def test_batch_size_in_grams() -> None:
    control = scale_recipe(RECIPE, Quantity(D(60000), "g"))
    assert control.factor == D("0.5")
    assert control.weighing("OP20.S30").target == Quantity(D(24), "kg")


def test_gram_step_in_a_kilogram_batch_keeps_its_unit() -> None:
    croscarmellose = scale_recipe(RECIPE, Quantity(D(60), "kg")).weighing("OP20.S60")
    assert croscarmellose.target == Quantity(D(1200), "g") and croscarmellose.unit == "g"
    assert (croscarmellose.low, croscarmellose.high) == (D(1176), D(1224))


def test_non_terminating_factor_keeps_fifty_digits_without_rounding_to_readability() -> None:
    control = scale_recipe(RECIPE, Quantity(D(100), "kg"))
    povidone = control.weighing("OP20.S50").target.value  # 3.6 * 100 / 120 = 3 exactly
    assert povidone == D(3)
    assert len(control.factor.as_tuple().digits) == 50


@pytest.mark.parametrize("size", [Quantity(D(0), "kg"), Quantity(D(-1), "kg"), Quantity(D(5), "L")])
def test_bad_batch_sizes(size: Quantity) -> None:
    with pytest.raises(ValueError):
        scale_recipe(RECIPE, size)


def test_unknown_weigh_step_in_control_recipe() -> None:
    with pytest.raises(KeyError):
        scale_recipe(RECIPE, Quantity(D(1), "kg")).weighing("OP10.S10")


@given(st.decimals(min_value=D("0.001"), max_value=D("10000"), places=3))
def test_scaling_is_linear(size: Decimal) -> None:
    control = scale_recipe(RECIPE, Quantity(size, "kg"))
    for weighing in control.weighings:
        step = RECIPE.step(weighing.step_id)
        assert weighing.low <= weighing.target.value <= weighing.high
        assert abs(weighing.target.value - control.factor * step.quantity.value) < D("1e-30")  # type: ignore[union-attr]


# ---------------------------------------------------------------- content hash


def test_hash_is_sha256_hex_and_stable() -> None:
    digest = content_hash(RECIPE)
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert content_hash(load_recipe(REFERENCE)) == digest


def test_comments_key_order_and_style_do_not_change_the_hash() -> None:
    text = "\n".join(line.split(" #")[0].rstrip() for line in SOURCE.splitlines() if not line.startswith("#"))
    text = text.replace(
        "{code: PARA500-GRANULE, name: Paracetamol 500 mg granulate}",
        "{name: Paracetamol 500 mg granulate, code: PARA500-GRANULE}",
    )
    text = text.replace(
        "    title: Dispensing\n    training: [SOP-DISP-003]\n",
        "    training:\n      - SOP-DISP-003\n    title: 'Dispensing'\n",
    )
    text = text.replace("quantity: {value: 60.0, unit: kg}", "quantity: {unit: kg, value: 60}")
    assert text != SOURCE
    assert content_hash(parse_recipe(text, "x.yaml")) == content_hash(RECIPE)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("quantity: {value: 60.0, unit: kg}", "quantity: {value: 60.1, unit: kg}"),
        ("quantity: {value: 2400, unit: g}", "quantity: {value: 2.4, unit: kg}"),
        ("minus_pct: 0.5, plus_pct: 0.5", "minus_pct: 0.5, plus_pct: 0.6"),
        ("expect: yes", "expect: no"),
        ("  version: 3", "  version: 4"),
        ("role: operator", "role: supervisor"),
        ("Close the lid.", "Close the lid!"),
        ("decimals: 2", "decimals: 3"),
        ("independent_of: [OP10.S10]", "independent_of: []"),
    ],
)
def test_any_changed_value_changes_the_hash(old: str, new: str) -> None:
    assert old in SOURCE
    assert content_hash(parse_recipe(SOURCE.replace(old, new, 1), "x.yaml")) != content_hash(RECIPE)


# ---------------------------------------------------------------- recipe validate


def test_validate_files_exit_codes(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(SOURCE.replace("expect: yes", "expect: maybe"), encoding="utf-8")
    assert validate_files([REFERENCE]) == (0, [])
    code, lines = validate_files([REFERENCE, bad])
    assert code == 1
    assert lines == [f"{bad}:25: operations[0].steps[1].expect: must be yes or no, not text 'maybe'"]
    code, lines = validate_files([bad, tmp_path / "absent.yaml", tmp_path])
    assert code == 2
    assert lines[1] == f"{tmp_path / 'absent.yaml'}: cannot read the file: No such file or directory"
    assert lines[2].startswith(f"{tmp_path}: cannot read the file:")
