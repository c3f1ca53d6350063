"""Loading the reference recipe, and one test per validation rule with the exact located line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from recipes import (
    CheckStep,
    EquipmentStep,
    InstructionStep,
    MeasureStep,
    Quantity,
    RecipeInvalid,
    SignatureStep,
    WeighStep,
    load_recipe,
    parse_recipe,
    parse_recipe_bytes,
)

DATA = Path(__file__).resolve().parents[1] / "data"
REFERENCE = DATA / "recipes" / "para500-granulation.yaml"
SOURCE = REFERENCE.read_text(encoding="utf-8")
NAME = "para500.yaml"


def problems_of(text: str) -> list[str]:
    with pytest.raises(RecipeInvalid) as caught:
        parse_recipe(text, NAME)
    return [str(p) for p in caught.value.problems]


def edit(old: str, new: str, text: str = SOURCE) -> str:
    assert text.count(old) >= 1, old
    return text.replace(old, new, 1)


# ---------------------------------------------------------------- the reference recipe


def test_reference_recipe_loads_with_every_field() -> None:
    recipe = load_recipe(REFERENCE)
    assert (recipe.code, recipe.version, recipe.product_code) == ("PARA500-GRAN", 3, "PARA500-GRANULE")
    assert recipe.product_name == "Paracetamol 500 mg granulate"
    assert recipe.batch_size == Quantity(Decimal(120), "kg")
    assert [op.id for op in recipe.operations] == ["OP10", "OP20", "OP30"]
    assert len(list(recipe.steps())) == 16
    assert [s.kind for _, s in recipe.steps()][:4] == ["instruction", "check", "signature", "equipment"]

    clearance = recipe.step("OP10.S10")
    assert (
        isinstance(clearance, InstructionStep)
        and clearance.confirm == "The room is clear of the previous batch"
    )
    check = recipe.step("OP10.S20")
    assert isinstance(check, CheckStep) and check.expect is True  # `expect: yes` is text in YAML 1.2
    scale = recipe.step("OP20.S10")
    assert isinstance(scale, EquipmentStep) and scale.equipment_class == "FLOOR-SCALE-150KG"
    assert scale.requires == ("in_service", "calibrated", "clean", "daily_check")
    weigh = recipe.step("OP20.S60")
    assert isinstance(weigh, WeighStep)
    assert weigh.quantity == Quantity(Decimal(2400), "g") and weigh.minus_pct == Decimal("2.0")
    assert recipe.scale_binding("OP20.S60").id == "OP20.S40"
    lod = recipe.step("OP30.S50")
    assert isinstance(lod, MeasureStep) and (lod.low, lod.high, lod.decimals) == (
        Decimal("1.0"),
        Decimal("2.5"),
        2,
    )
    sign = recipe.step("OP20.S70")
    assert isinstance(sign, SignatureStep) and sign.independent_of == (
        "OP20.S20",
        "OP20.S30",
        "OP20.S50",
        "OP20.S60",
    )
    assert recipe.required_training("OP20.S20") == ("SOP-GRAN-012", "SOP-DISP-003")
    assert recipe.required_training("OP30.S10") == ("SOP-GRAN-012",)


def test_decimals_come_from_the_text_never_through_float() -> None:
    recipe = parse_recipe(edit("quantity: {value: 3.6, unit: kg}", "quantity: {value: 0.1, unit: kg}"), NAME)
    step = recipe.step("OP20.S50")
    assert isinstance(step, WeighStep) and step.quantity.value == Decimal("0.1")


def test_unknown_step_lookup_raises_key_error() -> None:
    with pytest.raises(KeyError):
        load_recipe(REFERENCE).step("OP99.S10")


def test_bytes_with_bom_load() -> None:
    assert parse_recipe_bytes(b"\xef\xbb\xbf" + SOURCE.encode(), NAME).code == "PARA500-GRAN"


# ---------------------------------------------------------------- one rule, one located line


def test_negative_tolerance() -> None:
    text = edit(
        "tolerance: {minus_pct: 1.0, plus_pct: 1.0}\n        scale: floor_scale",
        "tolerance: {minus_pct: -1.0, plus_pct: 1.0}\n        scale: floor_scale",
    )
    assert problems_of(text) == [
        "para500.yaml:53: operations[1].steps[2].tolerance.minus_pct: must not be negative"
    ]


def test_tolerance_over_hundred_percent() -> None:
    text = edit("minus_pct: 2.0, plus_pct: 2.0", "minus_pct: 150, plus_pct: 2.0")
    assert problems_of(text) == [
        "para500.yaml:72: operations[1].steps[5].tolerance.minus_pct: must not exceed 100, not 150"
    ]


def test_yaml_syntax_error_is_located() -> None:
    text = edit("    title: Dispensing\n", "    title: Dispensing: [\n")
    assert problems_of(text) == [
        "para500.yaml:34: document: YAML syntax error: mapping values are not allowed here (column 22)"
    ]


def test_duplicate_yaml_key() -> None:
    text = edit("        bind: bench_scale\n", "        bind: bench_scale\n        bind: other\n")
    [line] = problems_of(text)
    assert line.startswith('para500.yaml:59: document: YAML syntax error: found duplicate key "bind"')


def test_unknown_key() -> None:
    text = edit("        label: dispense\n", "        lable: dispense\n")
    assert problems_of(text) == ["para500.yaml:48: operations[1].steps[1].lable: unknown key"]


def test_unknown_top_level_key() -> None:
    assert problems_of(SOURCE + "approved_by: qa.dubois\n") == ["para500.yaml:114: approved_by: unknown key"]


def test_unknown_step_kind() -> None:
    text = edit("kind: measure\n        name: Dry", "kind: measurement\n        name: Dry")
    assert problems_of(text) == [
        "para500.yaml:100: operations[2].steps[3].kind: unknown step kind 'measurement' "
        "(expected one of: instruction, check, measure, equipment, weigh, signature)"
    ]


def test_missing_kind() -> None:
    text = edit("      - id: OP30.S20\n        kind: instruction\n", "      - id: OP30.S20\n")
    assert problems_of(text) == [
        "para500.yaml:90: operations[2].steps[1].kind: is required "
        "(one of: instruction, check, measure, equipment, weigh, signature)"
    ]


def test_missing_required_field_points_at_its_mapping() -> None:
    text = edit("        question: Does the granulator", "        prompt: Does the granulator")
    assert problems_of(text) == [
        "para500.yaml:22: operations[0].steps[1].question: is required",
        "para500.yaml:24: operations[0].steps[1].prompt: unknown key",
    ]


def test_missing_field_in_flow_mapping() -> None:
    text = edit("tolerance: {minus_pct: 0.5, plus_pct: 0.5}", "tolerance: {minus_pct: 0.5}")
    assert problems_of(text) == ["para500.yaml:46: operations[1].steps[1].tolerance.plus_pct: is required"]


def test_wrong_types() -> None:
    text = edit("  version: 3", '  version: "3"')
    text = edit("quantity: {value: 48.0, unit: kg}", "quantity: {value: forty, unit: kg}", text)
    text = edit("training: [SOP-LC-001]", "training: SOP-LC-001", text)
    assert problems_of(text) == [
        "para500.yaml:5: recipe.version: must be a whole number, not text '3'",
        "para500.yaml:14: operations[0].training: must be a list, not text 'SOP-LC-001'",
        "para500.yaml:52: operations[1].steps[2].quantity.value: must be a number, not text 'forty'",
    ]


def test_text_field_given_a_number() -> None:
    text = edit("material: RM-0303", "material: 303")
    assert problems_of(text) == [
        "para500.yaml:63: operations[1].steps[4].material: must be text, not the number 303"
    ]


def test_duplicate_operation_id() -> None:
    text = edit("  - id: OP30\n", "  - id: OP20\n")
    assert problems_of(text) == [
        "para500.yaml:81: operations[2].id: duplicate operation id 'OP20' (first used on line 33)"
    ]


def test_duplicate_step_id_across_operations() -> None:
    text = edit("      - id: OP30.S20\n", "      - id: OP10.S20\n")
    assert problems_of(text) == [
        "para500.yaml:90: operations[2].steps[1].id: duplicate step id 'OP10.S20' (first used on line 22)"
    ]


def test_weigh_scale_bound_only_later() -> None:
    text = edit("        scale: floor_scale\n", "        scale: bench_scale\n")
    assert problems_of(text) == [
        "para500.yaml:47: operations[1].steps[1].scale: 'bench_scale' is bound only by a later step (OP20.S40): "
        "bind the scale before weighing"
    ]


def test_weigh_scale_never_bound() -> None:
    text = edit(
        "scale: bench_scale\n        label: dispense\n      - id: OP20.S60",
        "scale: shelf_scale\n        label: dispense\n      - id: OP20.S60",
    )
    assert problems_of(text) == [
        "para500.yaml:66: operations[1].steps[4].scale: 'shelf_scale' is not bound by an earlier equipment step "
        "(bound: bench_scale, floor_scale)"
    ]


def test_weigh_without_any_preceding_equipment_step() -> None:
    lines = SOURCE.splitlines(keepends=True)
    del lines[36:41]  # OP20.S10, the equipment step that binds floor_scale
    text = "".join(lines)
    assert "bind: floor_scale" not in text
    lines = problems_of(text)
    assert lines == [
        "para500.yaml:42: operations[1].steps[0].scale: 'floor_scale' is not bound: "
        "no equipment step before this weighing binds a scale",
        "para500.yaml:49: operations[1].steps[1].scale: 'floor_scale' is not bound: "
        "no equipment step before this weighing binds a scale",
    ]


def test_independent_of_unknown_later_and_self() -> None:
    text = edit("independent_of: [OP10.S10]", "independent_of: [OP10.S10, OP10.S99, OP20.S20, OP10.S30]")
    assert problems_of(text) == [
        "para500.yaml:31: operations[0].steps[2].independent_of[1]: 'OP10.S99' is not a step of this recipe",
        "para500.yaml:31: operations[0].steps[2].independent_of[2]: 'OP20.S20' is a later step: "
        "a signature can only be independent of earlier steps",
        "para500.yaml:31: operations[0].steps[2].independent_of[3]: a signature cannot be independent of its own step",
    ]


def test_independent_of_in_block_list_points_at_the_item() -> None:
    text = edit("independent_of: [OP10.S10]", "independent_of:\n          - OP10.S10\n          - OP30.S10")
    assert problems_of(text) == [
        "para500.yaml:33: operations[0].steps[2].independent_of[1]: 'OP30.S10' is a later step: "
        "a signature can only be independent of earlier steps"
    ]


def test_limits_low_above_high() -> None:
    text = edit("limits: {low: 4.5, high: 5.5}", "limits: {low: 5.5, high: 4.5}")
    assert problems_of(text) == [
        "para500.yaml:103: operations[2].steps[3].limits: low (5.5) is greater than high (4.5)"
    ]


def test_quantity_unit_not_a_mass() -> None:
    text = edit("quantity: {value: 3.6, unit: kg}", "quantity: {value: 3.6, unit: L}")
    text = edit("batch_size: {quantity: 120, unit: kg}", "batch_size: {quantity: 120, unit: pcs}", text)
    assert problems_of(text) == [
        "para500.yaml:8: recipe.batch_size.unit: 'pcs' is not a mass unit (use mg, g, kg, lb)",
        "para500.yaml:64: operations[1].steps[4].quantity.unit: 'L' is not a mass unit (use mg, g, kg, lb)",
    ]


def test_quantities_in_any_mass_unit_are_fine() -> None:
    text = edit("quantity: {value: 3.6, unit: kg}", "quantity: {value: 3600000, unit: mg}")
    text = edit("batch_size: {quantity: 120, unit: kg}", "batch_size: {quantity: 264.554, unit: lb}", text)
    assert parse_recipe(text, NAME).batch_size.unit == "lb"


def test_zero_quantity() -> None:
    text = edit("quantity: {value: 3.6, unit: kg}", "quantity: {value: 0, unit: kg}")
    assert problems_of(text) == [
        "para500.yaml:64: operations[1].steps[4].quantity.value: must be greater than zero, not 0"
    ]


def test_check_expect_not_yes_or_no() -> None:
    text = edit("expect: yes", "expect: maybe")
    assert problems_of(text) == [
        "para500.yaml:25: operations[0].steps[1].expect: must be yes or no, not text 'maybe'"
    ]


@pytest.mark.parametrize(
    ("written", "meant"), [("yes", True), ("no", False), ("true", True), ("false", False), ("No", False)]
)
def test_check_expect_spellings(written: str, meant: bool) -> None:
    step = parse_recipe(edit("expect: yes", f"expect: {written}"), NAME).step("OP10.S20")
    assert isinstance(step, CheckStep) and step.expect is meant


def test_unknown_requirement_and_role() -> None:
    text = edit("requires: [in_service, clean]", "requires: [in_service, sterile]")
    text = edit("role: operator", "role: foreman", text)
    assert problems_of(text) == [
        "para500.yaml:89: operations[2].steps[0].requires[1]: unknown requirement 'sterile' "
        "(expected one of: in_service, calibrated, clean, daily_check)",
        "para500.yaml:113: operations[2].steps[5].role: unknown role 'foreman' (expected one of: operator, supervisor, qa, admin)",
    ]


def test_empty_steps() -> None:
    text = SOURCE[: SOURCE.index("    steps:\n      - id: OP30.S10")] + "    steps: []\n"
    assert problems_of(text) == ["para500.yaml:84: operations[2].steps: must not be empty"]


def test_anchors_are_refused() -> None:
    text = edit("training: [SOP-GRAN-012]                      #", "training: &sops [SOP-GRAN-012] #")
    text = edit("training: [SOP-GRAN-012]\n", "training: *sops\n", text)
    assert problems_of(text) == [
        "para500.yaml:9: document: anchors and aliases (& and *) are not allowed in a recipe",
        "para500.yaml:83: document: anchors and aliases (& and *) are not allowed in a recipe",
    ]


def test_every_problem_is_reported_at_once_in_file_order() -> None:
    text = edit("  version: 3", "  version: 0")
    text = edit("expect: yes", "expect: maybe", text)
    text = edit("      - id: OP30.S20\n", "      - id: OP10.S20\n", text)
    text = edit("        scale: floor_scale\n", "        scale: bench_scale\n", text)
    text = edit("limits: {low: 140, high: 160}", "limits: {low: 160, high: 140}", text)
    lines = problems_of(text)
    assert [line.split(":")[1] for line in lines] == ["5", "25", "47", "90", "98"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "para500.yaml:1: document: the file is empty: a recipe needs recipe and operations"),
        (
            b"# only a comment\n",
            "para500.yaml:1: document: the file is empty: a recipe needs recipe and operations",
        ),
        (
            b"- a\n- b\n",
            "para500.yaml:1: document: a recipe is a mapping with the keys recipe and operations, not a list",
        ),
        (
            b"just text\n",
            "para500.yaml:1: document: a recipe is a mapping with the keys recipe and operations, not plain text",
        ),
        (b"recipe: x\n\n\xff\xfe\n", "para500.yaml:3: document: the file is not UTF-8 text (byte 0xff)"),
        (b"recipe:\n  code: \x00\n", "para500.yaml:2: document: character U+0000 is not allowed in YAML"),
        (
            b"[" * 5000 + b"]" * 5000,
            "para500.yaml:1: document: nested more than 32 levels deep: a recipe needs a handful",
        ),
    ],
)
def test_hopeless_files_still_get_a_located_problem(content: bytes, expected: str) -> None:
    with pytest.raises(RecipeInvalid) as caught:
        parse_recipe_bytes(content, NAME)
    assert [str(p) for p in caught.value.problems] == [expected]


def test_missing_file_is_an_os_error_not_an_invalid_recipe(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        load_recipe(tmp_path / "absent.yaml")


def test_odd_keys_are_quoted_so_the_line_stays_parseable() -> None:
    text = edit("  version: 3\n", '  version: 3\n  "": x\n  "a: b": y\n  "\\r": z\n')
    assert problems_of(text) == [
        'para500.yaml:6: recipe[""]: unknown key',
        'para500.yaml:7: recipe["a: b"]: unknown key',
        'para500.yaml:8: recipe["\\r"]: unknown key',
    ]


def test_a_version_no_store_can_keep_is_refused() -> None:
    text = SOURCE.replace("version: 3", "version: 100000000000000000000000")
    assert problems_of(text) == ["para500.yaml:5: recipe.version: must be at most 999,999, not 1e+23"]
