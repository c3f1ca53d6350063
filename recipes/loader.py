"""Read a master recipe file into a ``MasterRecipe``, or say precisely what is wrong.

Every problem is reported at once, each located to its line, and nothing but
``RecipeInvalid`` ever escapes for bad content, whatever the bytes: a recipe
author fixes the whole file in one round, and the CLI never shows a traceback.

The file is read by ``recipes.safe_yaml`` (line numbers kept, decimals exact,
anchors and aliases refused, size and nesting limited), as every YAML file the
station reads is.
"""

from __future__ import annotations

import os
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from recipes.crosschecks import cross_check
from recipes.locate import PathElement, format_path, path_line
from recipes.model import (
    STEP_KINDS,
    CheckStep,
    EquipmentStep,
    InstructionStep,
    MasterRecipe,
    MeasureStep,
    Operation,
    Quantity,
    SignatureStep,
    Step,
    WeighStep,
)
from recipes.problems import Problem, RecipeInvalid
from recipes.safe_yaml import MAX_DEPTH, YamlRefused, decimal_yaml, load_yaml
from recipes.schema import (
    CheckDoc,
    EquipmentDoc,
    InstructionDoc,
    MeasureDoc,
    RecipeDoc,
    SignatureDoc,
    StepDoc,
    WeighDoc,
)

__all__ = [
    "MAX_DEPTH",
    "Problem",
    "RecipeInvalid",
    "decimal_yaml",
    "load_recipe",
    "parse_recipe",
    "parse_recipe_bytes",
]

DOCUMENT = "document"


def load_recipe(path: str | os.PathLike[str]) -> MasterRecipe:
    """Load and validate a recipe file. Raises ``RecipeInvalid`` for bad content and
    ``OSError`` when the file cannot be read at all."""
    with open(path, "rb") as file:
        data = file.read()
    return parse_recipe_bytes(data, os.fspath(path))


def parse_recipe_bytes(data: bytes, filename: str) -> MasterRecipe:
    """Validate recipe file content given as bytes (UTF-8, with or without a BOM)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        byte = data[error.start : error.start + 1].hex()
        raise RecipeInvalid(
            [Problem(filename, line, DOCUMENT, f"the file is not UTF-8 text (byte 0x{byte})")]
        ) from None
    return parse_recipe(text, filename)


def parse_recipe(text: str, filename: str) -> MasterRecipe:
    """Validate recipe file content; ``filename`` is what the problems name."""
    document = _load_yaml(text, filename)
    if document is None:
        raise RecipeInvalid(
            [Problem(filename, 1, DOCUMENT, "the file is empty: a recipe needs recipe and operations")]
        )
    if not isinstance(document, dict):
        raise RecipeInvalid(
            [
                Problem(
                    filename,
                    1,
                    DOCUMENT,
                    f"a recipe is a mapping with the keys recipe and operations, not {_kind_of(document)}",
                )
            ]
        )
    problems = cross_check(document, filename)
    parsed: RecipeDoc | None = None
    try:
        parsed = RecipeDoc.model_validate(document)
    except ValidationError as error:
        problems.extend(_problem_from(detail, document, filename) for detail in error.errors())
    except (RecursionError, ValueError, TypeError) as error:  # pragma: no cover - defensive
        problems.append(Problem(filename, 1, DOCUMENT, f"cannot be checked: {error}"))
    if problems or parsed is None:
        raise RecipeInvalid(problems)
    return _build(parsed)


# ---------------------------------------------------------------- YAML

#: A recipe of a few hundred steps is tens of kilobytes; instruction images are files of their own.
MAX_RECIPE_BYTES = 1 << 20


def _load_yaml(text: str, filename: str) -> Any:
    try:
        return load_yaml(text, what="a recipe", max_bytes=MAX_RECIPE_BYTES)
    except YamlRefused as refused:
        raise RecipeInvalid(
            [Problem(filename, line, DOCUMENT, message) for line, message in refused.problems]
        ) from None


def _kind_of(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "plain text"
    return f"a single value ({type(value).__name__})"


# ---------------------------------------------------------------- schema errors


def _problem_from(detail: ErrorDetails, document: Any, filename: str) -> Problem:
    path = _strip_step_tags(detail["loc"])
    kind = detail["type"]
    ctx = detail.get("ctx") or {}
    kinds = ", ".join(STEP_KINDS)
    if kind == "union_tag_invalid":
        path = (*path, "kind")
        message = f"unknown step kind {ctx.get('tag')!r} (expected one of: {kinds})"
    elif kind == "union_tag_not_found":
        path = (*path, "kind")
        message = f"is required (one of: {kinds})"
    elif kind == "missing":
        message = "is required"
    elif kind == "extra_forbidden":
        message = "unknown key"
    elif kind == "invalid_key":
        message = "keys must be text"
    elif kind in ("model_type", "model_attributes_type", "dict_type"):
        message = f"must be a mapping, not {_value_kind(detail.get('input'))}"
    elif kind == "list_type":
        message = f"must be a list, not {_value_kind(detail.get('input'))}"
    elif kind == "too_short":
        message = "must not be empty"
    elif kind == "value_error" and "error" in ctx:
        message = str(ctx["error"])
    else:
        message = detail["msg"]
    return Problem(filename, path_line(document, path), format_path(path), message)


def _strip_step_tags(loc: tuple[int | str, ...]) -> tuple[PathElement, ...]:
    """pydantic puts the step kind (the union tag) into error locations:
    ``operations.0.steps.1.check.expect``; the file has no such level."""
    path: list[PathElement] = []
    for element in loc:
        if len(path) >= 2 and path[-2] == "steps" and isinstance(path[-1], int) and element in STEP_KINDS:
            continue
        path.append(element)
    return tuple(path)


def _value_kind(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"text {value[:40]!r}"
    return f"{value!r}"[:40]


# ---------------------------------------------------------------- model


def _build(doc: RecipeDoc) -> MasterRecipe:
    header = doc.recipe
    return MasterRecipe(
        code=header.code,
        version=header.version,
        title=header.title,
        product_code=header.product.code,
        product_name=header.product.name,
        batch_size=Quantity(header.batch_size.quantity, header.batch_size.unit),
        training=tuple(header.training),
        operations=tuple(
            Operation(
                id=op.id,
                title=op.title,
                training=tuple(op.training),
                steps=tuple(_build_step(step) for step in op.steps),
            )
            for op in doc.operations
        ),
    )


def _build_step(step: StepDoc) -> Step:
    if isinstance(step, InstructionDoc):
        return InstructionStep(
            id=step.id, text=step.text, confirm=step.confirm, image=step.image, image_sha256=step.image_sha256
        )
    if isinstance(step, CheckDoc):
        return CheckStep(id=step.id, question=step.question, expect=step.expect, on_failure=step.on_failure)
    if isinstance(step, MeasureDoc):
        limits = step.limits
        return MeasureStep(
            id=step.id,
            name=step.name,
            unit=step.unit,
            low=limits.low if limits else None,
            high=limits.high if limits else None,
            decimals=step.decimals,
        )
    if isinstance(step, EquipmentDoc):
        return EquipmentStep(
            id=step.id,
            bind=step.bind,
            equipment_class=step.class_,
            requires=tuple(dict.fromkeys(step.requires)),
        )
    if isinstance(step, WeighDoc):
        return WeighStep(
            id=step.id,
            material=step.material,
            quantity=Quantity(step.quantity.value, step.quantity.unit),
            minus_pct=step.tolerance.minus_pct,
            plus_pct=step.tolerance.plus_pct,
            scale=step.scale,
            label=step.label,
        )
    if isinstance(step, SignatureDoc):
        return SignatureStep(
            id=step.id, meaning=step.meaning, role=step.role, independent_of=tuple(step.independent_of)
        )
    raise AssertionError(f"unhandled step document {type(step).__name__}")  # pragma: no cover
